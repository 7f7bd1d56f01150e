"""The review panel lists claims weakest first, each with its support score."""

from __future__ import annotations

from workbench.models import ClaimVerdict, Evaluation, EvaluationStatus, Verdict
from workbench.ui.review_app import claim_options


def _verdict(text: str, verdict: Verdict, support: float | None) -> ClaimVerdict:
    return ClaimVerdict(text, None, verdict, f"why {text}", None, None, "offline", support)


def test_claim_options_put_the_weakest_first_and_select_it() -> None:
    claims = (
        _verdict("fine claim", Verdict.SUPPORTED, 0.9),
        _verdict("shaky claim", Verdict.NOT_FOUND, 0.4),
        _verdict("wrong claim", Verdict.CONTRADICTED, 0.1),
        _verdict("ragas claim", Verdict.SUPPORTED, None),
        _verdict("good claim", Verdict.SUPPORTED, 0.7),
    )
    ev = Evaluation("a", "offline", EvaluationStatus.SCORED, 0.3, claims, (), 6.0, 7.0)
    options, selected = claim_options(ev)
    assert [i for _, i in options] == [2, 1, 4, 0, 3] and selected == 2
    assert options[0][0] == "3. NOT SUPPORTED (contradicted) (0.10): wrong claim"
    assert options[-1][0] == "4. supported: ragas claim"  # no support score, none shown
