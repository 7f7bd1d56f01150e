"""Safety checks of one answer: a rules layer and a model layer, combined by one policy.

    rules_engine   the rule file (`datasets/safety_rules.yaml`) applied to the answer's text
    model          one trained classifier per meaning class over the sentence encoder,
                   reading each sentence with its neighbours, the question and cancer type
    check          `check_safety`: both layers and the policy that combines them

The LLM safety judge (`workbench.scoring.safety_llm`) is a third source, run beside these
when asked. Every finding says which source found it.
"""

from workbench.scoring.safety.check import MODEL_ENV, check_safety, safety_model_enabled
from workbench.scoring.safety.rules_engine import check_rules, unknown_cancer_types
from workbench.scoring.safety_rules import RuleSet, default_rules_path, load_rules

__all__ = [
    "MODEL_ENV",
    "RuleSet",
    "check_rules",
    "check_safety",
    "default_rules_path",
    "load_rules",
    "safety_model_enabled",
    "unknown_cancer_types",
]
