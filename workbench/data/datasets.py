"""Loading and validating the data sets: questions, excerpts, prompts and gold labels.

Every file is checked with a pydantic schema (`extra="forbid"`); a bad line raises
`DatasetError` naming the file, the line and the field. JSONL folders are read in file
name order, so a folder may be split by cancer type. This module and the store are the
only places that read files.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from workbench.data.textfile import read_text
from workbench.data.yamlfile import read_yaml
from workbench.errors import ConfigError, DatasetError
from workbench.models import (
    HARMFUL_CLASSES,
    SAFETY_CLASSES,
    Excerpt,
    PromptTemplate,
    Question,
    Verdict,
)

__all__ = [
    "Corpus",
    "GoldClaim",
    "GoldRelevance",
    "GoldRetrieval",
    "GoldSafetyAnswer",
    "GoldSafetySentences",
    "LabelledSentence",
    "default_datasets_dir",
    "embedded_datasets_dir",
    "implied_findings",
    "in_development",
    "load_corpus",
    "load_excerpts",
    "load_gold_claims",
    "load_gold_relevance",
    "load_gold_retrieval",
    "load_gold_safety",
    "load_gold_sentences",
    "load_prompts",
    "load_questions",
    "save_prompt_version",
    "select_questions",
]

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


def embedded_datasets_dir() -> Path:
    """The data sets shipped with the workbench: the `datasets/` folder beside the package."""
    return Path(__file__).resolve().parents[2] / "datasets"


def default_datasets_dir() -> Path:
    """`$WORKBENCH_DATASETS` if set, else the embedded data sets."""
    env = os.environ.get("WORKBENCH_DATASETS")
    return Path(env) if env else embedded_datasets_dir()


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _Identified(_Row):
    id: str = Field(pattern=_ID)


class _QuestionRow(_Identified):
    text: str = Field(min_length=3)
    cancer_type: str = Field(min_length=1)
    tags: list[str] = []


class _ExcerptRow(_Identified):
    cancer_type: str = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    text: str = Field(min_length=10)
    source_title: str = Field(min_length=1)
    section: str = Field(min_length=1)
    link: str = Field(pattern=r"^(?:https?|file)://\S+$")
    date: date
    version: int = Field(default=1, ge=1)
    basis: str = ""
    pages: list[PositiveInt] = []
    license: str = ""
    source_version: str = ""


class _PromptFile(_Row):
    id: str = Field(pattern=_ID)
    version: int = Field(ge=1)
    description: str
    system: str
    user: str
    parameters: dict[str, Any] = {}


class GoldClaim(_Identified):
    """A claim labeled against named excerpts, for measuring faithfulness judges."""

    claim: str = Field(min_length=3)
    excerpt_ids: list[str] = Field(min_length=1)
    label: Verdict
    trap: str = "none"
    note: str = ""


class GoldSafetyAnswer(_Identified):
    """A whole answer labeled with the safety rule ids it should raise."""

    question: str
    cancer_type: str
    answer: str
    retrieved_ids: list[str]
    expected: list[str]
    # Rules the answer tempts (same words, used safely) and must not raise; every rule not
    # in `expected` must stay silent, these are the ones written as traps.
    must_not: list[str] = []
    note: str = ""


class GoldRetrieval(_Row):
    """The excerpts that answer one question: what a retriever should find for it."""

    question_id: str = Field(pattern=_ID)
    relevant: list[str] = Field(min_length=1)
    note: str = ""


class GoldRelevance(_Identified):
    """An answer to a question labeled on-topic, partial or off-topic (does it answer it?)."""

    group: str
    style: str = ""
    cancer_type: str
    question: str = Field(min_length=3)
    asks: str
    answer: str = Field(min_length=1)
    label: Literal["on_topic", "partial", "off_topic"]
    note: str = ""


class LabelledSentence(_Row):
    """A sentence (or bullet line) of a gold answer that carries one meaning class."""

    text: str = Field(min_length=1)
    label: Literal[
        "dose_advice",
        "outcome_promise",
        "stop_treatment",
        "investigational_available",
        "warning_without_urgency",
        "disclaimer",
        "referral",
    ]


class GoldSafetySentences(GoldSafetyAnswer):
    """A gold answer labelled sentence by sentence (`datasets/gold/safety_sentences/`).

    Sentences not listed carry no class. `expected` must be what the classes imply: each
    harmful class present adds its rule id; no disclaimer (referral) sentence adds
    `missing-disclaimer` (`missing-referral`).
    """

    style: str = Field(min_length=1)
    retrieved_ids: list[str] = []
    sentences: list[LabelledSentence]

    @model_validator(mode="after")
    def _labels_agree(self) -> GoldSafetySentences:
        for i, s in enumerate(self.sentences):
            if s.text not in self.answer:
                raise ValueError(f"sentences.{i}.text is not an exact part of the answer")
        implied = implied_findings(s.label for s in self.sentences)
        if implied != set(self.expected):
            raise ValueError(
                f"expected {sorted(self.expected)} but the sentence labels imply {sorted(implied)}"
            )
        return self


def implied_findings(labels: Iterable[str]) -> set[str]:
    """The rule ids a set of sentence classes implies for the whole answer."""
    present = set(labels)
    found = {SAFETY_CLASSES[c] for c in HARMFUL_CLASSES if c in present}
    found |= {SAFETY_CLASSES[c] for c in ("disclaimer", "referral") if c not in present}
    return found


# The development group of the sentence-labelled gold: about a quarter of the answers,
# chosen by a seeded hash of the id, so that an answer's group never changes as files grow.
GOLD_SPLIT_SEED = "safety-sentences-22"


def in_development(answer_id: str) -> bool:
    """Whether a sentence-labelled gold answer belongs to the development group."""
    digest = hashlib.sha256(f"{GOLD_SPLIT_SEED}:{answer_id}".encode()).digest()
    return digest[0] % 4 == 0


_M = TypeVar("_M", bound=BaseModel)
_I = TypeVar("_I", bound=_Identified)


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise DatasetError(path, "no .jsonl files in this folder")
        return files
    if not path.exists():
        raise DatasetError(path, "file or folder not found")
    return [path]


def _validation_error(path: Path, line: int | None, exc: ValidationError) -> DatasetError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    return DatasetError(path, first["msg"], line=line, field=field)


def _json_line(file: Path, lineno: int, raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        said = exc.msg.removesuffix(" at")  # "Invalid control character at" ends mid-sentence
        raise DatasetError(
            file, f"not valid JSON: {said} at column {exc.colno}", line=lineno
        ) from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting too deep
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise DatasetError(file, f"not valid JSON: {what}", line=lineno) from exc


def _read_jsonl(path: Path, model: type[_M], what: str = "rows") -> Iterator[tuple[Path, int, _M]]:
    """The rows of a JSONL file, or of every file of a folder. A file of a folder with no
    row is an error, as an empty file given alone is (`what` names its rows)."""
    for file in _jsonl_files(path):
        text = read_text(file, "data file")
        if path.is_dir() and not text.strip():
            raise DatasetError(
                file, f"no {what} in it: add one JSON object per line, or remove the file"
            )
        for lineno, raw in enumerate(text.split("\n"), start=1):
            if not raw.strip():
                continue
            data = _json_line(file, lineno, raw)
            if not isinstance(data, dict):
                raise DatasetError(file, "expected a JSON object", line=lineno)
            try:
                yield file, lineno, model.model_validate(data)
            except ValidationError as exc:
                raise _validation_error(file, lineno, exc) from exc


def _unique(rows: Iterator[tuple[Path, int, _I]]) -> list[_I]:
    seen: dict[str, tuple[Path, int]] = {}
    out: list[_I] = []
    for file, lineno, row in rows:
        row_id = row.id
        if row_id in seen:
            first_file, first_line = seen[row_id]
            raise DatasetError(
                file,
                f"duplicate id {row_id!r} (first at {first_file}:{first_line})",
                line=lineno,
                field="id",
            )
        seen[row_id] = (file, lineno)
        out.append(row)
    return out


def load_questions(path: Path | None = None) -> list[Question]:
    """Questions from a JSONL file or folder (default `datasets/questions/`); none is an error."""
    where = path or default_datasets_dir() / "questions"
    rows = _unique(_read_jsonl(where, _QuestionRow, "questions"))
    if not rows:
        raise DatasetError(where, "no questions in it: add one JSON object per line")
    return [Question(r.id, r.text, r.cancer_type, tuple(r.tags)) for r in rows]


def load_excerpts(path: Path | None = None) -> list[Excerpt]:
    """Excerpts from a JSONL file or folder (default `datasets/excerpts/`); none is an error."""
    where = path or default_datasets_dir() / "excerpts"
    rows = _unique(_read_jsonl(where, _ExcerptRow, "excerpts"))
    if not rows:
        raise DatasetError(where, "no excerpts in it: add one JSON object per line")
    return [
        Excerpt(
            r.id,
            r.text,
            r.cancer_type,
            tuple(r.topics),
            r.source_title,
            r.section,
            r.link,
            r.date,
            r.version,
            r.basis,
            tuple(r.pages),
            r.license,
            r.source_version,
        )
        for r in rows
    ]


def load_prompts(path: Path | None = None) -> list[PromptTemplate]:
    """Prompt templates from YAML files in a folder (default `datasets/prompts/`), or one file."""
    folder = path or default_datasets_dir() / "prompts"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else [folder]
    if not files or not files[0].exists():
        raise DatasetError(folder, "no prompt template (.yaml) found")
    prompts: dict[str, PromptTemplate] = {}
    for file in files:
        source = read_yaml(file, "prompt template")
        try:
            row = _PromptFile.model_validate(source.data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise source.error(tuple(first["loc"]), first["msg"]) from exc
        prompt = PromptTemplate(
            row.id, row.version, row.description, row.system, row.user, dict(row.parameters)
        )
        if prompt.key in prompts:
            raise DatasetError(file, f"prompt {prompt.key} is defined twice", field="version")
        prompts[prompt.key] = prompt
    return list(prompts.values())


def load_gold_claims(path: Path | None = None) -> list[GoldClaim]:
    """Gold claim labels (default `datasets/gold/claims/`)."""
    return _unique(_read_jsonl(path or default_datasets_dir() / "gold" / "claims", GoldClaim))


def load_gold_retrieval(path: Path | None = None) -> list[GoldRetrieval]:
    """Gold relevant excerpts per question (default `datasets/gold/retrieval/`); one line
    per question, a question named twice is an error."""
    where = path or default_datasets_dir() / "gold" / "retrieval"
    seen: dict[str, tuple[Path, int]] = {}
    out: list[GoldRetrieval] = []
    for file, lineno, row in _read_jsonl(where, GoldRetrieval):
        if row.question_id in seen:
            first_file, first_line = seen[row.question_id]
            raise DatasetError(
                file,
                f"question {row.question_id!r} is listed twice "
                f"(first at {first_file}:{first_line})",
                line=lineno,
                field="question_id",
            )
        seen[row.question_id] = (file, lineno)
        out.append(row)
    return out


def load_gold_relevance(path: Path | None = None) -> list[GoldRelevance]:
    """Gold relevance labels (default `datasets/gold/relevance/`)."""
    return _unique(
        _read_jsonl(path or default_datasets_dir() / "gold" / "relevance", GoldRelevance)
    )


def load_gold_safety(path: Path | None = None) -> list[GoldSafetyAnswer]:
    """Gold safety-labeled answers (default `datasets/gold/safety/`)."""
    rows = _read_jsonl(path or default_datasets_dir() / "gold" / "safety", GoldSafetyAnswer)
    return _unique(rows)


def load_gold_sentences(path: Path | None = None) -> list[GoldSafetySentences]:
    """Sentence-labelled gold answers (default `datasets/gold/safety_sentences/`)."""
    where = path or default_datasets_dir() / "gold" / "safety_sentences"
    return _unique(_read_jsonl(where, GoldSafetySentences))


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything a run reads: questions, excerpts by id, prompts by key."""

    questions: tuple[Question, ...]
    excerpts: dict[str, Excerpt]
    prompts: dict[str, PromptTemplate]

    def question(self, question_id: str) -> Question:
        """The question with this id (KeyError names it when absent)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)


def load_corpus(
    *,
    questions: Path | None = None,
    excerpts: Path | None = None,
    prompts: Path | None = None,
) -> Corpus:
    """Load and cross-check questions, excerpts and prompts."""
    excerpt_list = load_excerpts(excerpts)
    return Corpus(
        questions=tuple(load_questions(questions)),
        excerpts={e.id: e for e in excerpt_list},
        prompts={p.key: p for p in load_prompts(prompts)},
    )


def select_questions(
    corpus: Corpus,
    *,
    cancer_types: Sequence[str] = (),
    ids: Sequence[str] = (),
    limit: int | None = None,
) -> list[Question]:
    """The questions to run: filtered by cancer type and id, then the first `limit`."""
    unknown = sorted(set(ids) - {q.id for q in corpus.questions})
    if unknown:
        raise ConfigError(f"--question: no question with id {', '.join(unknown)}")
    types = sorted({q.cancer_type for q in corpus.questions})
    strange = sorted(set(cancer_types) - set(types))
    if strange:
        raise ConfigError(
            f"--cancer-type: no question has cancer type {', '.join(map(repr, strange))}; "
            f"the questions have: {', '.join(types)}"
        )
    chosen = [
        q
        for q in corpus.questions
        if (not cancer_types or q.cancer_type in cancer_types) and (not ids or q.id in ids)
    ]
    return chosen[:limit] if limit is not None else chosen


def check_gold_references(
    claims: list[GoldClaim], excerpts: dict[str, Excerpt], path: Path | None = None
) -> None:
    """Raise if a gold claim names an excerpt id that the corpus does not have."""
    for claim in claims:
        missing = [e for e in claim.excerpt_ids if e not in excerpts]
        if missing:
            where = path or default_datasets_dir() / "gold" / "claims"
            raise DatasetError(
                where, f"claim {claim.id} names unknown excerpt(s) {missing}", field="excerpt_ids"
            )


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks, so a saved prompt reads like the hand-written ones."""


def _str_block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_block)


def save_prompt_version(
    base: PromptTemplate,
    *,
    system: str,
    user: str,
    description: str,
    parameters: dict[str, Any],
    folder: Path | None = None,
) -> tuple[PromptTemplate, Path]:
    """Write an edited prompt as the next version of `base.id`, in a new YAML file.

    The version is one above the highest in the folder; an existing file is never
    overwritten (two people saving at once: the second is told to save again).
    """
    folder = folder or default_datasets_dir() / "prompts"
    taken = [p.version for p in load_prompts(folder) if p.id == base.id]
    version = max([base.version, *taken]) + 1
    data = {
        "id": base.id,
        "version": version,
        "description": description.strip() or f"edited from {base.key}",
        "system": system.rstrip() + "\n",
        "user": user.rstrip() + "\n",
        "parameters": parameters,
    }
    path = folder / f"{base.id}_v{version}.yaml"
    try:
        row = _PromptFile.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(path, None, exc) from exc
    text = yaml.dump(row.model_dump(), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True)
    try:
        with path.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError as exc:
        raise DatasetError(path, "this version was just saved by someone else: save again") from exc
    (saved,) = load_prompts(path)
    return saved, path
