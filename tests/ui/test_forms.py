"""The run, prompt tuning and export forms driven by clicks, over temporary stores and folders."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.data.datasets import default_datasets_dir, load_prompts
from workbench.models import Decision
from workbench.review.decisions import record_decision
from workbench.runs.parts import Endpoints
from workbench.store import SQLiteStore
from workbench.ui import export_app, review_app, run_app, tuning_app
from workbench.ui.endpoint_fields import EndpointFields
from workbench.ui.events import Events
from workbench.workspace import default_store, output_dir, project_dir


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    """A copy of the data sets, so that saving a prompt version never touches the repo's."""
    folder = tmp_path / "datasets"
    shutil.copytree(default_datasets_dir(), folder)
    return folder


def test_the_run_form_generates_scores_and_shows_rows_and_a_chart(tmp_path: Path) -> None:
    app = run_app(tmp_path / "run.db", cancer_types=["lung"], limit=2)
    assert app.view.spec().prompts == ("patient_answer@v1", "patient_answer@v2")
    seen: list[int] = []
    app.view.progress.observe(lambda ch: seen.append(ch["new"]), names="value")
    app.view.run.click()  # no event loop runs here: the job runs to its end in the click
    assert len(app.results) == 4 and set(app.results["question_id"]) == {"q-lung-01", "q-lung-02"}
    assert list(app.summary["answers"]) == [2, 2]
    assert seen == list(range(1, 9))  # 4 answers written, then 4 judged: a step each
    assert app.view.progress.max == 8 and app.view.step.value == "done"
    assert "offline backend and offline judge run here" in app.view.live.preflight.value
    assert app.view.live.model.disabled and app.view.live.cancel.disabled
    assert app.view.chart.value.count("<svg") == 2 and "patient_answer@v2" in app.view.chart.value
    assert app.view.rows.value.count("</tr>") == 3 and "patient_answer@v2" in app.view.rows.value
    assert "4 answers in runs" in app.view.status.value
    assert not app.view.run.disabled
    app.view.run.click()  # the same form again resumes the same runs: nothing new
    with SQLiteStore(tmp_path / "run.db") as store:
        assert len(store.answers()) == 4


def test_the_run_form_says_what_is_wrong_instead_of_crashing(tmp_path: Path) -> None:
    app = run_app(tmp_path / "run.db", question_ids=["q-nope"])
    app.view.run.click()
    assert "no question with id q-nope" in app.view.status.value
    app.view.ids.value = ""
    app.view.live.max_cost.value = "-1"
    app.view.run.click()
    assert "Run stopped: cost cap -1: give zero or more US dollars" in app.view.status.value
    assert app.results.empty


def test_a_saved_prompt_is_a_new_version_file_and_never_overwrites(
    tmp_path: Path, datasets: Path
) -> None:
    before = {p.name: p.read_text() for p in (datasets / "prompts").iterdir()}
    app = tuning_app(tmp_path / "t.db", datasets=datasets, cancer_type="lung", limit=1)
    v = app.view
    assert v.base.value == "patient_answer@v2" and "target_grade: 6" in v.parameters.value
    v.system.value += "\nUse very short sentences."
    v.parameters.value = v.parameters.value.replace("target_grade: 6", "target_grade: 5")
    v.save.click()
    saved = datasets / "prompts" / "patient_answer_v3.yaml"
    assert saved.is_file() and f"Saved patient_answer@v3 as {saved}" in v.status.value
    (v3,) = [p for p in load_prompts(saved)]
    assert v3.parameters["target_grade"] == 5 and v3.system.endswith("Use very short sentences.")
    assert (v.left.value, v.right.value) == ("patient_answer@v2", "patient_answer@v3")
    v.save.click()
    assert (datasets / "prompts" / "patient_answer_v4.yaml").is_file()
    assert {
        p.name: p.read_text() for p in (datasets / "prompts").iterdir() if p.name in before
    } == (before)
    v.parameters.value = "- not\n- a mapping"
    v.save.click()
    assert "must be a mapping" in v.status.value
    assert not (datasets / "prompts" / "patient_answer_v5.yaml").exists()


def test_two_versions_run_side_by_side_with_their_scores(tmp_path: Path, datasets: Path) -> None:
    app = tuning_app(tmp_path / "t.db", datasets=datasets, cancer_type="breast", limit=2)
    app.view.left.value, app.view.right.value = "patient_answer@v1", "patient_answer@v2"
    app.view.compare.click()
    table = app.view.table.value
    assert table.count("judge offline: scored") == 4 and "q-breast-02" in table
    assert list(app.comparison["question_id"]) == ["q-breast-01", "q-breast-02"]
    assert app.comparison["fk_grade_a"].notna().all() and app.comparison["fk_grade_b"].notna().all()
    assert set(app.comparison["outcome"]) <= {"win", "loss", "tie"}


def test_the_export_form_writes_approved_answers_and_the_report(
    store_file: Path, tmp_path: Path
) -> None:
    with SQLiteStore(store_file) as store:
        first = store.answers()[0]
        record_decision(store, first.id, Decision.APPROVE, reviewer="Dr Ng")
    app = export_app(store_file, out=tmp_path / "out")
    app.view.export.click()
    assert "Exported 1 approved answers" in app.view.status.value
    (row,) = [json.loads(s) for s in (tmp_path / "out" / "approved.jsonl").read_text().splitlines()]
    assert row["answer_id"] == first.id and row["approved_by"] == "Dr Ng"
    assert len(app.skipped) == 3 and "not reviewed yet" in set(app.skipped["reason"])
    app.view.calibrate.value = False
    app.view.report.click()
    assert (
        tmp_path / "out" / "report.html"
    ).is_file() and "Report written" in app.view.status.value


def test_notebook_defaults_find_the_projects_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    monkeypatch.delenv("WORKBENCH_STORE", raising=False)
    monkeypatch.delenv("WORKBENCH_OUTPUT", raising=False)
    assert project_dir() == tmp_path
    assert default_store().path == tmp_path / "workbench.db"
    assert output_dir(None, "export") == tmp_path / "reports" / "export"
    monkeypatch.setenv("WORKBENCH_STORE", "/srv/review.db")
    monkeypatch.setenv("WORKBENCH_OUTPUT", "/srv/out")
    assert default_store().path == Path("/srv/review.db")
    assert default_store("x.db").path == Path("x.db")
    assert output_dir(None, "export") == Path("/srv/out/export")


def test_the_notebook_forms_use_the_store_the_environment_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_STORE", str(tmp_path / "team.db"))
    for app in (run_app(), review_app(reviewer="Dr Ng")):
        store = app.desk.store if hasattr(app, "desk") else app.store
        assert store.location == str(tmp_path / "team.db")
    assert str(export_app(out=tmp_path / "out").data.store) == str(tmp_path / "team.db")


def test_the_live_fields_open_model_and_endpoint_only_where_they_apply() -> None:
    initial = Endpoints("offline", "gpt", "http://gen/v1", "offline", "judge", "http://judge/v1")
    live = EndpointFields(
        Events(), backends=["offline", "openai"], judges=["offline", "ragas"],
        initial=initial, key_note="API key: none set",
    )  # fmt: skip
    texts = (live.model, live.base_url, live.judge_model, live.judge_base_url)
    assert [(t.description, t.placeholder, t.value) for t in texts] == [
        ("Model", "$WORKBENCH_MODEL", "gpt"),
        ("Endpoint", "OpenAI's API ($OPENAI_BASE_URL)", "http://gen/v1"),
        ("Judge model", "the model above ($WORKBENCH_JUDGE_MODEL)", "judge"),
        ("Judge at", "the endpoint above ($WORKBENCH_JUDGE_BASE_URL)", "http://judge/v1"),
    ]
    assert (live.backend.description, live.judge.description) == ("Backend", "Judge")
    rows = [row.children for row in live.fields.children]
    assert [rows[0], rows[1][1:], rows[2], rows[3][1:]] == [
        (live.backend, live.model), (live.base_url,), (live.judge, live.judge_model),
        (live.judge_base_url,),
    ]  # fmt: skip

    def open_fields() -> list[bool]:
        return [not t.disabled for t in texts]

    assert open_fields() == [False, False, False, False]
    live.backend.value = "openai"
    assert open_fields() == [True, True, False, False]
    live.judge.value = "ragas"
    assert open_fields() == [True, True, True, True]
    live.backend.value = "offline"
    assert open_fields() == [False, False, True, True]
    live.judge_model.value = "  other  "
    assert live.endpoints() == replace(initial, judge="ragas", judge_model="other")


def test_the_live_fields_take_the_clis_call_settings(tmp_path: Path) -> None:
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "WORKBENCH_MODEL": "local"}
    app = run_app(tmp_path / "run.db", cancer_types=["lung"], limit=1)
    live = app.view.live
    live.free.value = True
    live.concurrency.value, live.timeout.value, live.max_tokens.value = "1", "300", "400"
    endpoints = live.endpoints()
    assert (endpoints.free, endpoints.concurrency, endpoints.timeout_s) == (True, 1, 300.0)
    generating, judging = endpoints.generator_settings(env), endpoints.judge_settings(env)
    assert (generating.free, generating.concurrency, generating.timeout_s) == (True, 1, 300.0)
    assert generating.max_tokens == 400 and judging.free and judging.concurrency == 1
    shown = [live.free.description, live.concurrency.tooltip, live.timeout.tooltip]
    assert [s.split(":")[0] for s in shown] == ["--free", "--concurrency", "--timeout"]
    for field, typed in ((live.concurrency, "two"), (live.timeout, "-5"), (live.max_tokens, "1.5")):
        field.value = typed
        app.view.run.click()
        status = app.view.status.value
        assert f"&#39;{typed}&#39;: give" in status and "Traceback" not in status
        field.value = ""
    live.free.value = False
    assert live.endpoints() == Endpoints(backend="offline", judge="offline")


def test_a_mistyped_prompt_version_in_the_tuning_form_is_one_line(
    tmp_path: Path, datasets: Path
) -> None:
    app = tuning_app(tmp_path / "t.db", datasets=datasets, base="patient_answer@v9",
                     cancer_type="lugn")  # fmt: skip
    status = app.view.status.value
    assert "prompt version &#39;patient_answer@v9&#39; is not in" in status
    assert "cancer type &#39;lugn&#39; has no questions" in status
    assert "patient_answer@v2" in status and "TraitError" not in status
    assert app.view.base.value == "patient_answer@v2" and app.view.cancer.value == ""
