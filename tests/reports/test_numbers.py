"""Numbers printed the way they are compared: a grade shown as 8.0 is never above grade 8."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.data.numbers import limit, rounded, shown
from workbench.reports.frame import frame
from workbench.scoring.readability import above_grade
from workbench.store import SQLiteStore


def test_shown_prints_enough_decimals_to_tell_a_value_from_its_limit() -> None:
    assert shown(8.03, 8.0, digits=1) == "8.03"
    assert shown(0.8996, 0.9, digits=2) == "0.8996"
    assert shown(0.91, 0.9, digits=2) == "0.91"
    assert shown(0.9, 0.9, digits=3) == "0.900"  # equal: equal it prints
    assert limit(8.0) == "8" and limit(0.85) == "0.85"
    assert rounded(8.04, 1) == 8.0 and rounded(8.06, 1) == 8.1


def test_grades_compare_as_they_are_shown() -> None:
    assert not above_grade(8.03) and not above_grade(8.0)
    assert above_grade(8.06) and above_grade(8.1)


def test_no_demo_answer_reads_at_grade_8_0_above_the_grade_8_target(demo_store: Path) -> None:
    rows = frame(demo_store)
    for row in rows.itertuples():
        fired = "reading-level" in str(row.safety_rules)
        assert fired == (round(row.fk_grade, 1) > 8.0), (row.answer_id, row.fk_grade)
        assert row.within_grade_target != fired
    near = rows[(rows["fk_grade"] >= 7.95) & (rows["fk_grade"] < 8.05)]
    assert len(near) and near["within_grade_target"].all()


def test_the_rule_message_names_a_grade_above_its_target(demo_store: Path) -> None:
    with SQLiteStore(demo_store) as store:
        messages = [
            f.message
            for ev in store.evaluations()
            for f in ev.safety
            if f.rule_id == "reading-level"
        ]
    assert messages
    for message in messages:
        grade = re.search(r"grade (\d+\.\d)", message)
        assert (
            grade is not None
            and float(grade.group(1)) > 8.0
            and "above the grade 8 that" in " ".join(message.split())
        )
