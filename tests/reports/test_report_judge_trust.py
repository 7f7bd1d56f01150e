"""The report's trust section shows the judge card; flagged answers and weak claims lead."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from workbench.data.datasets import Corpus
from workbench.models import Answer, ClaimVerdict, Evaluation, EvaluationStatus, Run, Verdict
from workbench.reports.assemble import write_report
from workbench.reports.trust import card_lines, public_trust
from workbench.scoring.judge_card import JudgeCard, load_card
from workbench.store import Store


def _verdict(text: str, verdict: Verdict, support: float) -> ClaimVerdict:
    return ClaimVerdict(text, None, verdict, f"why {text}", None, None, "offline", support)


def _evaluation(answer_id: str, claims: tuple[ClaimVerdict, ...], score: float) -> Evaluation:
    return Evaluation(answer_id, "offline", EvaluationStatus.SCORED, score, claims, (), 6.0, 7.0)


CLAIMS = (
    _verdict("fine claim", Verdict.SUPPORTED, 0.9),
    _verdict("shaky claim", Verdict.NOT_FOUND, 0.4),
    _verdict("wrong claim", Verdict.CONTRADICTED, 0.1),
    _verdict("good claim", Verdict.SUPPORTED, 0.7),
)


def test_claims_are_listed_weakest_first() -> None:
    ev = _evaluation("a", CLAIMS, 0.3)
    assert [c.claim for c in ev.weakest] == [
        "wrong claim", "shaky claim", "good claim", "fine claim"
    ]  # fmt: skip
    assert ev.flagged and not _evaluation("b", (CLAIMS[0],), 0.9).flagged
    failed = Evaluation("c", "offline", EvaluationStatus.JUDGE_FAILED, None, (), (), None, None)
    assert not failed.flagged


def test_a_judge_without_a_card_is_not_measured() -> None:
    card = load_card()
    assert card is not None
    offline, ragas = public_trust(["offline", "ragas:tiny"], card)
    assert offline.card is card and offline.rows
    assert all(base is not None and base.judge == "word overlap" for _, base in offline.rows)
    assert ragas.card is None and ragas.rows == ()


def test_report_shows_the_card_and_flagged_answers_first(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    q = corpus.questions[0]
    store.ensure_run(Run("r", "patient_answer@v1", "fake", "m", "t"))
    store.add_answer(Answer("a-good", "r", q.id, "patient_answer@v1", "fake", "m", "Text.", (), ()))
    store.ensure_run(Run("r2", "patient_answer@v2", "fake", "m", "t"))
    store.add_answer(Answer("a-bad", "r2", q.id, "patient_answer@v2", "fake", "m", "Text.", (), ()))
    store.add_evaluation(_evaluation("a-good", (CLAIMS[0],), 0.9))
    store.add_evaluation(_evaluation("a-bad", CLAIMS, 0.3))
    paths, _ = write_report(store, corpus, tmp_path / "out")
    html = paths.html.read_text()
    card = load_card()
    assert card is not None
    assert "The judges on text nobody here wrote" in html and card.command in html
    assert f"{card.figures[0].auc:.3f}" in html and card.figures[0].data_set in html
    public = next(f for f in card.figures if f.data_set != "gold-claims")
    assert public.auc_low is not None and public.auc_high is not None  # the shipped card has it
    assert f"{public.auc_low:.3f} to {public.auc_high:.3f}" in html
    assert public.gain is not None and f"{public.gain:+.3f}" in html
    assert "Flagged answers, lowest score first" in html
    flagged = html.split("Flagged answers, lowest score first")[1]
    assert "a-bad" in flagged.split("</table>")[0] and "a-good" not in flagged.split("</table>")[0]
    answers = html.split("Answers, question by question")[1]
    assert answers.index("a-bad") < answers.index("a-good")  # flagged first
    assert answers.index("wrong claim") < answers.index("fine claim")  # weakest first


def test_the_card_in_plain_lines() -> None:
    card = load_card()
    assert card is not None
    (line,) = card_lines(card)  # one public set: gold claims are shown beside, not here
    public = next(f for f in card.figures if f.data_set != "gold-claims")
    assert f"ROC AUC {public.auc:.3f}" in line and public.data_set in line
    assert f"judge card of {card.written}" in line and "word overlap AUC" in line
    assert card_lines(JudgeCard("x", "1", 0.5, "d", "w", "c", (), ())) == []


def test_the_interval_is_shown_only_when_the_card_has_one() -> None:
    card = load_card()
    assert card is not None
    public = next(f for f in card.figures if f.data_set != "gold-claims")
    with_interval = replace(public, auc=0.707, auc_low=0.670, auc_high=0.741, gain=0.031,
                            gain_low=-0.003, gain_high=0.065)  # fmt: skip
    (line,) = card_lines(replace(card, figures=(with_interval,)))
    assert "ROC AUC 0.707 (95% interval 0.670 to 0.741)" in line
    assert "(gain +0.031, 95% interval -0.003 to +0.065)" in line
    older = replace(public, auc_low=None, auc_high=None, gain=None)  # a card from before
    (line,) = card_lines(replace(card, figures=(older,)))
    assert "interval" not in line and "gain" not in line and f"ROC AUC {public.auc:.3f}," in line
