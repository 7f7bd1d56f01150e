"""Tables and records in excerpts are read as rows of facts: a claim that reads a row right
is supported, the same claim with another row's value is contradicted, in every form a
table reaches the judge (Markdown, cells parted by ` | `, HTML, "key: value", JSON)."""

from __future__ import annotations

import json

import pytest

from workbench import judge_claims
from workbench.models import Verdict
from workbench.scoring.tables import as_facts, read_tables

ROWS = [("Stage I", "95%"), ("Stage II", "80%"), ("Stage III", "55%"), ("Stage IV", "20%")]
CAPTION = "Kidney cancer five-year survival by stage, our rounded figures for testing."


def _markdown() -> str:
    lines = ["| Stage | Five-year survival |", "|:---|---:|"]
    return CAPTION + "\n" + "\n".join(lines + [f"| {a} | {b} |" for a, b in ROWS])


def _pipes() -> str:
    return CAPTION + "\nStage | Five-year survival\n" + "\n".join(f"{a} | {b}" for a, b in ROWS)


def _html() -> str:
    cells = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in ROWS)
    return (
        f"<p>{CAPTION}</p><table><tr><th>Stage</th><th>Five-year survival</th></tr>{cells}</table>"
    )


@pytest.mark.parametrize("excerpt", [_markdown(), _pipes(), _html()], ids=["md", "pipes", "html"])
def test_a_claim_reading_a_row_is_supported_and_another_rows_value_contradicted(
    excerpt: str,
) -> None:
    right, wrong, other_right = judge_claims(
        [
            "About 80% of people with stage II kidney cancer survive five years.",
            "About 55% of people with stage II kidney cancer survive five years.",
            "Five-year survival for stage IV kidney cancer is about 20%.",
        ],
        [excerpt],
    )
    assert right.verdict is Verdict.SUPPORTED, right
    assert other_right.verdict is Verdict.SUPPORTED, other_right
    assert wrong.verdict is Verdict.CONTRADICTED, wrong
    assert "Stage II" in wrong.reason and "80%" in wrong.reason


def test_rows_become_fact_sentences_and_prose_is_kept() -> None:
    facts = as_facts(_pipes())
    assert facts.splitlines()[0] == CAPTION
    assert "Stage III, Five-year survival: 55%." in facts.splitlines()
    (table,) = read_tables(_markdown())
    assert table.header == ("Stage", "Five-year survival") and len(table.rows) == 4
    assert as_facts("Plain prose. No table here.") == "Plain prose. No table here."


def test_key_value_lines_are_one_record() -> None:
    record = (
        "Drug: exampleumab\nGiven: into a vein\nSchedule: every 2 weeks\nTarget: a made-up protein"
    )
    right, wrong = judge_claims(
        ["Exampleumab is given into a vein every 2 weeks.", "Exampleumab is given every 4 weeks."],
        [record],
    )
    assert right.verdict is Verdict.SUPPORTED, right
    assert not wrong.verdict.is_supported, wrong


def test_a_json_record_reads_fields_and_a_false_field_as_a_negation() -> None:
    record = json.dumps(
        {"name": "Harbor Clinic", "city": "Portland", "rating": 4.5, "review_count": 120,
         "attributes": {"WheelchairAccessible": True, "OpenWeekends": False},
         "hours": {"Monday": "8:00-17:00"}}
    )  # fmt: skip
    verdicts = judge_claims(
        [
            "Harbor Clinic in Portland has a rating of 4.5 from 120 reviews.",
            "Harbor Clinic has a rating of 3.5.",
            "Harbor Clinic is open weekends.",
            "Harbor Clinic is open on Monday from 8:00 to 17:00.",
        ],
        [record],
    )
    assert [v.verdict for v in verdicts] == [
        Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.CONTRADICTED, Verdict.SUPPORTED
    ], verdicts  # fmt: skip
    assert "Wheelchair Accessible: yes" in as_facts(record)


def test_a_claim_naming_two_rows_equally_is_left_to_the_other_checks() -> None:
    (v,) = judge_claims(["Kidney cancer survival varies by stage."], [_pipes()])
    assert v.verdict is not Verdict.CONTRADICTED


def test_the_gold_table_claims_load_and_name_table_excerpts() -> None:
    from workbench.data.datasets import default_datasets_dir, load_excerpts, load_gold_claims

    folder = default_datasets_dir() / "gold" / "tables"
    tables = {e.id: e for e in load_excerpts(folder / "excerpts.jsonl")}
    claims = load_gold_claims(folder / "claims.jsonl")
    assert len(claims) >= 40
    assert all(any(i in tables for i in c.excerpt_ids) for c in claims)
    assert all(read_tables(e.text) for e in tables.values())  # each one reads as a table
    assert {c.label.value for c in claims} >= {"supported", "contradicted"}


def test_a_record_printed_by_python_after_prose_with_hours_and_nested_fields() -> None:
    source = (
        "Write an overview of the business from this record:\n"
        "{'name': 'Lark Bakery', 'hours': {'Monday': '7:0-15:30'}, 'attributes': "
        "{'BusinessAcceptsCreditCards': True, 'Parking': \"{'garage': False, 'street': True}\"}}"
    )
    facts = as_facts(source)
    assert facts.startswith("Write an overview")
    assert "Lark Bakery, hours Monday: 7:00-15:30 (7 am to 3:30 pm)." in facts
    assert "Lark Bakery, attributes Parking: not garage." in facts
    right, wrong_hours, wrong_parking = judge_claims(
        [
            "Lark Bakery opens on Monday from 7 am to 3:30 pm.",
            "Lark Bakery opens on Monday from 7 am to 6 pm.",
            "Lark Bakery has garage parking.",
        ],
        [source],
    )
    assert right.verdict is Verdict.SUPPORTED, right
    assert not wrong_hours.verdict.is_supported, wrong_hours
    assert wrong_parking.verdict is Verdict.CONTRADICTED, wrong_parking


def test_row_names_in_another_column_and_stage_one_in_words() -> None:
    reversed_table = "5-year survival | Stage\n91% | Localized\n73% | Regional\n13% | Distant"
    right, wrong = judge_claims(
        [
            "About 73% of people with regional disease survive five years.",
            "About 91% of people with regional disease survive five years.",
        ],
        [reversed_table],
    )
    assert right.verdict is Verdict.SUPPORTED, right
    assert wrong.verdict is Verdict.CONTRADICTED, wrong
    one, other = judge_claims(
        ["For stage one kidney cancer, five-year survival is about 95%.",
         "For stage one kidney cancer, five-year survival is about 20%."],
        [_pipes()],
    )  # fmt: skip
    assert one.verdict is Verdict.SUPPORTED and other.verdict is Verdict.CONTRADICTED
