"""What each use case is asked to do: one frozen record per use case, built once by a face.

The CLI builds these from its arguments, the forms from their fields, a notebook or a
script by hand; the use cases in `workbench.runs` take them and nothing else of the face.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from workbench.llm.settings import LLMSettings
from workbench.models import Decision
from workbench.reports.assemble import SPLIT_AT
from workbench.workspace import Workspace

__all__ = [
    "BackupOptions",
    "CopyOptions",
    "DecideOptions",
    "DemoOptions",
    "EditOptions",
    "ExportOptions",
    "GenerateOptions",
    "ImportOptions",
    "ReportOptions",
    "ScoreOptions",
    "VerifyOptions",
]


@dataclass(frozen=True)
class GenerateOptions:
    """`workbench generate`, parsed."""

    workspace: Workspace
    prompts: tuple[str, ...]
    backend: str
    llm: LLMSettings | None
    cancer_types: tuple[str, ...]
    question_ids: tuple[str, ...]
    limit: int | None
    run_name: str | None
    max_cost: float | None
    progress: bool


@dataclass(frozen=True)
class ScoreOptions:
    """`workbench score`, parsed."""

    workspace: Workspace
    judge: str
    llm: LLMSettings | None
    safety_llm: LLMSettings | None  # `--safety-judge llm`: the LLM safety judge's endpoint
    run_ids: tuple[str, ...] | None
    rescore: bool
    stale: bool
    max_cost: float | None
    progress: bool
    judge_max_tokens: int | None = None
    repeat: int = 1  # `--repeat K`: ask an LLM judge K times per answer
    ragas_relevancy: bool = False  # `--ragas-relevancy`: ragas' response relevancy too
    ragas_context: bool = False  # `--ragas-context`: ragas' context precision and recall too
    safety_model: bool = True  # `--safety-model off`: the safety rules without the model layer


@dataclass(frozen=True)
class ReportOptions:
    """`workbench report` and the export form's Report button."""

    workspace: Workspace
    out: Path
    title: str = "Answer evaluation report"
    judge: str | None = "offline"  # the judge measured on the gold claims; None: no calibration
    llm: LLMSettings | None = None
    split_at: int = SPLIT_AT
    key_file: Path | None = None


@dataclass(frozen=True)
class ExportOptions:
    """`workbench export` (the evaluation rows) and `export --approved` (the approved
    answers; the export form's Export button). `anchors`: N:HASH, HASH or anchor.json
    texts the log must still extend before anything is written."""

    workspace: Workspace
    out: Path
    approved: bool = False
    limit: int | None = None
    anchors: tuple[str, ...] = ()
    key_file: Path | None = None


@dataclass(frozen=True)
class DecideOptions:
    """`workbench decide`: one decision on one answer version."""

    workspace: Workspace
    answer_id: str
    decision: Decision
    reviewer: str
    reason: str = ""
    override_safety: bool = False


@dataclass(frozen=True)
class EditOptions:
    """An edit of an answer's text into a new version."""

    workspace: Workspace
    answer_id: str
    text: str
    reviewer: str
    reason: str


@dataclass(frozen=True)
class VerifyOptions:
    """`workbench verify`."""

    workspace: Workspace
    anchors: tuple[str, ...] = ()
    key_file: Path | None = None


@dataclass(frozen=True)
class BackupOptions:
    """`workbench backup`."""

    workspace: Workspace
    out: Path


@dataclass(frozen=True)
class CopyOptions:
    """`workbench store copy`: every record of `source` into the new, empty `target`."""

    source: Workspace
    target: Workspace


@dataclass(frozen=True)
class ImportOptions:
    """`workbench import` and the import form: documents into a data set folder."""

    paths: tuple[Path, ...]
    into: Path
    source_title: str = ""
    link: str = ""
    version: str = ""
    date: date | None = None
    license: str = ""
    cancer_type: str = "general"


@dataclass(frozen=True)
class DemoOptions:
    """`workbench demo`: the whole job offline on a fresh store."""

    out: Path
    store: Path | None = None
    limit: int | None = None
    datasets: Path | None = None
    progress: bool = True
