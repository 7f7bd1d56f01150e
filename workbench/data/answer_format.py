"""The shape of a patient answer: its sections, the safety footer and the fixed wording.

Every backend writes to this shape, so the judge, the safety checks and the reports can
read any answer the same way.
"""

from __future__ import annotations

import re

__all__ = [
    "DISCLAIMER",
    "EMERGENCY_ACTION",
    "FOOTER_RE",
    "NO_EVIDENCE",
    "SECTION_TITLES",
    "TOPIC_SECTION",
    "TRIAL_SEARCH_TITLE",
    "TRIAL_SEARCH_URL",
]

SECTION_TITLES: dict[str, str] = {
    "how_it_works": "How it works",
    "where_it_stands": "Where it stands",
    "risks": "Risks and side effects",
    "questions_to_ask": "Questions to ask your care team",
    "learn_more": "Where to learn more",
}

# Which answer section an excerpt feeds, by the excerpt's first topic.
TOPIC_SECTION: dict[str, str] = {
    "overview": "how_it_works",
    "how_it_works": "how_it_works",
    "causes_risk": "how_it_works",
    "symptoms": "how_it_works",
    "diagnosis": "how_it_works",
    "screening": "how_it_works",
    "staging": "how_it_works",
    "prevention": "how_it_works",
    "treatment": "where_it_stands",
    "investigational": "where_it_stands",
    "prognosis": "where_it_stands",
    "survivorship": "where_it_stands",
    "support": "where_it_stands",
    "side_effects": "risks",
    "warning_signs": "risks",
}

DISCLAIMER = (
    "*This is general information, not medical advice. Please talk with your oncologist "
    "or care team about your own situation.*"
)
# Finds a "not medical advice" footer, ours or a model's own wording of it.
FOOTER_RE = re.compile(r"not (?:a substitute for )?(?:professional )?medical advice", re.I)
EMERGENCY_ACTION = (
    "If you notice any of these warning signs, call your care team right away or go to "
    "the emergency room."
)
NO_EVIDENCE = (
    "I could not find information about this question in the guideline excerpts I have. "
    "Please ask your oncologist or care team."
)
TRIAL_SEARCH_TITLE = "Find NCI-Supported Clinical Trials"
TRIAL_SEARCH_URL = "https://www.cancer.gov/research/participate/clinical-trials-search"
