"""The shipped data sets meet their bars, and a malformed line names its file, line and field."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from workbench.data.datasets import (
    check_gold_references,
    load_excerpts,
    load_gold_claims,
    load_gold_safety,
    load_prompts,
    load_questions,
)
from workbench.errors import DatasetError

GOOD_EXCERPT = {
    "id": "x-1",
    "cancer_type": "breast",
    "topics": ["overview"],
    "text": "Some words here.",
    "source_title": "T",
    "section": "S",
    "link": "https://www.cancer.gov/x",
    "date": "2026-01-01",
}


def test_questions_cover_six_cancer_types_and_hold_the_seed_question() -> None:
    questions = load_questions()
    assert len(questions) >= 40
    assert len({q.cancer_type for q in questions} - {"general"}) >= 6
    assert "How does CAR-T cell therapy work for breast cancer?" in {q.text for q in questions}


def test_excerpts_have_sources_and_every_link_is_public_nci_or_trials() -> None:
    excerpts = load_excerpts()
    assert len(excerpts) >= 150
    for e in excerpts:
        assert e.source_title and e.section and e.link.startswith("https://")
        assert "nccn" not in e.link.lower()


def test_at_least_two_versions_of_a_prompt() -> None:
    versions = Counter(p.id for p in load_prompts())
    assert max(versions.values()) >= 2


def test_gold_claims_are_a_third_unsupported_with_every_trap_kind(corpus) -> None:
    claims = load_gold_claims()
    check_gold_references(claims, corpus.excerpts)
    assert len(claims) >= 150
    unsupported = sum(not c.label.is_supported for c in claims) / len(claims)
    assert 0.25 <= unsupported <= 0.45
    traps = {c.trap for c in claims if not c.label.is_supported}
    assert {"negation", "number", "entity"} <= traps


def test_gold_safety_answers_hold_clean_and_faulty_ones(corpus) -> None:
    answers = load_gold_safety()
    assert len(answers) >= 60
    assert any(not a.expected for a in answers) and any(a.expected for a in answers)
    for a in answers:
        if a.id.startswith("gs-s-"):  # the second set's markers stand for excerpts: the
            continue  # rules check them against the answer's own retrieved ids only
        assert set(a.retrieved_ids) <= set(corpus.excerpts), a.id


def test_the_second_safety_set_cites_only_its_retrieved_ids_and_labels_known_rules() -> None:
    from workbench.data.text import CITATION_RE, marker_ids
    from workbench.scoring.safety import load_rules

    known = {r.id for r in load_rules().rules}
    answers = [a for a in load_gold_safety() if a.id.startswith("gs-s-")]
    assert len(answers) >= 150
    for a in answers:
        cited = {i for m in CITATION_RE.finditer(a.answer) for i in marker_ids(m)}
        assert cited == set(a.retrieved_ids), a.id
        assert set(a.expected) | set(a.must_not) <= known and not set(a.expected) & set(a.must_not)


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("bad", "line", "field"),
    [
        ("{not json", 2, None),
        ({**GOOD_EXCERPT, "id": "x-2", "link": "javascript:alert(1)"}, 2, "link"),
        ({k: v for k, v in GOOD_EXCERPT.items() if k != "text"} | {"id": "x-2"}, 2, "text"),
        ({**GOOD_EXCERPT, "id": "x-2", "date": "yesterday"}, 2, "date"),
        ({**GOOD_EXCERPT, "id": "x-2", "colour": "red"}, 2, "colour"),
        ({**GOOD_EXCERPT}, 2, "id"),
    ],
)
def test_a_bad_excerpt_line_names_file_line_and_field(
    tmp_path: Path, bad: object, line: int, field: str | None
) -> None:
    path = _write(tmp_path / "excerpts.jsonl", [GOOD_EXCERPT, bad])
    with pytest.raises(DatasetError) as info:
        load_excerpts(path)
    err = info.value
    assert (err.path, err.line, err.field) == (path, line, field)
    assert str(path) in str(err) and f"line {line}" in str(err)


def test_a_bad_question_in_a_folder_names_the_right_file(tmp_path: Path) -> None:
    folder = tmp_path / "questions"
    folder.mkdir()
    _write(folder / "a.jsonl", [{"id": "q1", "text": "What is it?", "cancer_type": "lung"}])
    _write(folder / "b.jsonl", [{"id": "q2", "text": "Why?", "cancer_type": ""}])
    with pytest.raises(DatasetError, match=r"b\.jsonl, line 1: field 'cancer_type'"):
        load_questions(folder)


def test_a_bad_prompt_file_names_the_field(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("id: p\nversion: zero\ndescription: d\nsystem: s\nuser: u\n")
    with pytest.raises(DatasetError, match=r"p\.yaml, line 2: field 'version'"):
        load_prompts(tmp_path)


def test_a_gold_claim_naming_an_unknown_excerpt_is_refused(tmp_path: Path, corpus) -> None:
    path = _write(
        tmp_path / "claims.jsonl",
        [{"id": "g1", "claim": "A claim.", "excerpt_ids": ["nope"], "label": "supported"}],
    )
    with pytest.raises(DatasetError, match="unknown excerpt"):
        check_gold_references(load_gold_claims(path), corpus.excerpts, path)
