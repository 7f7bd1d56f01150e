"""Every available faithfulness judge beside word overlap, on public sets and on our gold.

For each public set found under the shared data folder (`--shared`, else
`$WORKBENCH_SHARED`, else `../shared` beside the repository) and for our own gold claims,
it prints per judge: ROC AUC of its continuous score (faithful above hallucinated) with a
95% bootstrap interval, its gain over word overlap with a paired interval, the
balanced accuracy and confusion counts of its own fixed decision (`flagged`), the share
of tied faithful/hallucinated pairs answering the same source, and answers per second;
then, per public set, AUC by length stratum (answers with few, some or many claims, and
answers longer or shorter than the median answer to the same source), so a judge that
favours short answers shows it.
Word overlap (the share of the answer's words found in the sources) is printed beside
it, in the same run, with its best balanced accuracy at a cut chosen on the labels
themselves (an upper bound no fixed decision can count on).

With a local entailment model (`--entailment-model FOLDER_OR_ID`, or
`$WORKBENCH_ENTAILMENT_MODEL`: an ONNX export or a PyTorch folder, found on disk or in the
Hugging Face cache, never downloaded) the entailment judge runs too, on every answer.

With an endpoint configured (`OPENAI_BASE_URL` / `OPENAI_API_KEY` and `WORKBENCH_MODEL`,
or the `WORKBENCH_JUDGE_*` variables: a llama.cpp or Ollama server works the same way),
the ragas judge runs too, on the first `--llm-limit` answers of each set.

Public set formats understood: RAGTruth style JSON lines (`source`, `responses` with
`response` and `labels`); the source is split on blank lines into excerpts.

    .venv/bin/python benchmarks/public_judges.py [--shared PATH] [--llm-limit 60]
    .venv/bin/python benchmarks/public_judges.py --write-card   # updates the judge card
    .venv/bin/python benchmarks/public_judges.py --findings     # what flags, development half

Without the shared folder it says so and measures our gold claims only.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from workbench.data.datasets import (
    default_datasets_dir,
    load_corpus,
    load_excerpts,
    load_gold_claims,
)
from workbench.data.text import words
from workbench.errors import ConfigError
from workbench.llm import LLMSettings, open_client
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt
from workbench.scoring import faithfulness
from workbench.scoring.aggregate import ClaimFinding, Finding, flagged
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.claims import split_claims
from workbench.scoring.judge_card import (
    CARD_FILE,
    RESAMPLES,
    JudgeCard,
    SetFigures,
    auc_gain,
    best_balanced_accuracy,
    measure,
    roc_auc,
    write_card,
)

REPO = Path(__file__).resolve().parents[1]
CARD_PATH = REPO / "workbench" / "scoring" / CARD_FILE


@dataclass(frozen=True, slots=True)
class Item:
    """One labeled answer with the texts it must be faithful to."""

    answer: str
    excerpts: tuple[str, ...]
    hallucinated: bool
    group: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """A judge's score and decision on one item (score None: it could not judge, `error`
    says why)."""

    score: float | None
    flagged: bool | None
    error: str = ""


def shared_folder(given: str | None) -> Path:
    if given:
        return Path(given)
    env = os.environ.get("WORKBENCH_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def _passages(source: str) -> tuple[str, ...]:
    parts = tuple(p.strip() for p in source.split("\n\n") if p.strip())
    return parts or (source,)


def public_sets(folder: Path) -> dict[str, list[Item]]:
    """Every RAGTruth-style JSON-lines file under `folder/data`, by its folder name."""
    found: dict[str, list[Item]] = {}
    for path in sorted((folder / "data").glob("*/*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            first = json.loads(fh.readline() or "{}")
            if not {"source", "responses"} <= first.keys():
                continue
            fh.seek(0)
            items = []
            for line in fh:
                row = json.loads(line)
                excerpts = _passages(row["source"])
                for r in row["responses"]:
                    items.append(
                        Item(r["response"], excerpts, bool(r["labels"]), str(row["source_id"]))
                    )
        found[path.parent.name] = items
    return found


def sets_in(given: str | None) -> tuple[Path, dict[str, list[Item]]]:
    """The shared folder (`shared_folder`) and its public sets; none if it is absent."""
    folder = shared_folder(given)
    return folder, public_sets(folder) if folder.is_dir() else {}


def half(item: Item) -> int:
    """0 (the development half, where ideas are tried) or 1 (held out), by a hash of the
    source id, so all answers to one source fall in the same half."""
    return int(hashlib.sha256(item.group.encode()).hexdigest(), 16) % 2


TABLE_SPLIT_SEED = "gold-tables-2026-12"  # fixed before the table claims were first judged


def table_half(item: Item) -> int:
    """0 (development: rules were looked at against these) or 1 (held out, measured once
    with --held-out-tables), by a seeded hash of the gold claim's id."""
    return int(hashlib.sha256(f"{TABLE_SPLIT_SEED}:{item.group}".encode()).hexdigest(), 16) % 2


def gold_items(*, tables: bool = False) -> list[Item]:
    """Our gold claims, each one claim against its named excerpts: groups A and B over
    the data set's excerpts, or (`tables`) the claims over the table and record excerpts
    kept beside them in `gold/tables/` (out of the corpus the demo answers from)."""
    excerpts = dict(load_corpus().excerpts)
    if tables:
        folder = default_datasets_dir() / "gold" / "tables"
        excerpts |= {e.id: e for e in load_excerpts(folder / "excerpts.jsonl")}
        claims = load_gold_claims(folder / "claims.jsonl")
    else:
        claims = load_gold_claims()
    return [
        Item(
            g.claim,
            tuple(excerpts[i].text for i in g.excerpt_ids),
            not g.label.is_supported,
            g.id,
        )
        for g in claims
    ]


def gold_pairs() -> list[tuple[Item, Item]]:
    """Our gold pairs: a long faithful answer and a short hallucinated one to the same
    excerpts (`datasets/gold/pairs/`), the shape in which a judge that counts chances to
    fail prefers the short one."""
    corpus = load_corpus().excerpts
    path = default_datasets_dir() / "gold" / "pairs" / "pairs.jsonl"
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts = tuple(corpus[i].text for i in row["excerpt_ids"])
        pairs.append(
            (Item(row["faithful"], texts, False, row["id"]),
             Item(row["hallucinated"], texts, True, row["id"]))
        )  # fmt: skip
    return pairs


def pairwise(faithful: Sequence[Outcome], hallucinated: Sequence[Outcome]) -> float:
    """The share of pairs whose faithful answer scores higher (a tie counts half)."""
    wins = [
        1.0 if f.score > h.score else 0.5 if f.score == h.score else 0.0
        for f, h in zip(faithful, hallucinated, strict=True)
        if f.score is not None and h.score is not None
    ]
    return sum(wins) / len(wins) if wins else float("nan")


def overlap(item: Item) -> Outcome:
    """Share of the answer's words found anywhere in its sources; no decision of its own."""
    answer = words(item.answer)
    source = set(words(" ".join(item.excerpts)))
    return Outcome(sum(w in source for w in answer) / len(answer) if answer else 1.0, None)


def offline(item: Item, *, one_claim: bool) -> Outcome:
    """The offline judge: a whole answer, or (gold) one claim given alone."""
    if one_claim:
        (v,) = faithfulness.judge_claims([item.answer], list(item.excerpts))
        return Outcome(v.support_score, not v.verdict.is_supported)
    r = faithfulness.judge_faithfulness(item.answer, list(item.excerpts))
    return _outcome(r)


def _offline_all(items: Sequence[Item], *, one_claim: bool) -> list[Outcome]:
    return [offline(x, one_claim=one_claim) for x in items]


def _outcome(r: FaithfulnessResult) -> Outcome:
    if r.status is EvaluationStatus.NO_CLAIMS:
        return Outcome(1.0, False)  # nothing checkable: nothing unsupported to flag
    if r.status is EvaluationStatus.JUDGE_FAILED or r.score is None:
        return Outcome(None, None, r.error or "no score")
    return Outcome(r.score, r.flagged)


def _as_excerpts(texts: Sequence[str]) -> list[Excerpt]:
    return [
        Excerpt(f"p{i + 1}", t, "", (), "public set", "", "", date(2000, 1, 1))
        for i, t in enumerate(texts)
    ]


def entailment_outcomes(items: Sequence[Item], model: str, label: str | None) -> list[Outcome]:
    """The entailment judge on every item, all pairs batched, with a progress bar."""
    from workbench.scoring.entailment import EntailmentJudge

    judge = EntailmentJudge(model, entailed_label=label, progress=True)
    return [_outcome(r) for r in judge.judge_many([(i.answer, list(i.excerpts)) for i in items])]


def ragas_outcomes(items: Sequence[Item], settings: LLMSettings, cache: Path) -> list[Outcome]:
    """The ragas judge on every item, as many at once as the endpoint settings allow.

    Its calls are cached beside `cache`: a rerun of the benchmark makes no call again.
    """
    from workbench.scoring.ragas_judge import RagasJudge

    judge = RagasJudge(open_client(settings, store_path=cache))

    async def run() -> list[Outcome]:
        try:
            results = await asyncio.gather(
                *(judge.ajudge(i.answer, _as_excerpts(i.excerpts)) for i in items)
            )
        finally:
            await judge.aclose()
        return [_outcome(r) for r in results]

    return asyncio.run(run())


def run_judge(
    name: str, set_name: str, items: Sequence[Item], call: Callable[[Sequence[Item]], list[Outcome]]
) -> tuple[SetFigures, list[Outcome]]:
    """One judge on one set: its figures, and its outcome for each item."""
    started = time.perf_counter()
    outcomes = call(items)
    seconds = time.perf_counter() - started
    kept = [(o, i) for o, i in zip(outcomes, items, strict=True) if o.score is not None]
    scores = [o.score for o, _ in kept if o.score is not None]
    flags = (
        [bool(o.flagged) for o, _ in kept] if all(o.flagged is not None for o, _ in kept) else None
    )
    labels = [i.hallucinated for _, i in kept]
    best = best_balanced_accuracy(scores, labels)
    note = (
        f"no decision of its own; best cut on these labels {best:.3f}"
        if flags is None
        else f"its score's best cut on these labels {best:.3f} (an upper bound, not its decision)"
    )
    figures = measure(
        set_name,
        name,
        scores,
        flags,
        labels,
        seconds,
        groups=[i.group for _, i in kept],
        failed=len(items) - len(kept),
        note=note,
    )
    return figures, outcomes


def with_gain(figures: SetFigures, items: Sequence[Item], judge: list[Outcome],
              base: list[Outcome]) -> SetFigures:  # fmt: skip
    """The judge's figures with its AUC over word overlap's on the same answers."""
    both = [(j.score, b.score, i) for j, b, i in zip(judge, base, items, strict=True)
            if j.score is not None and b.score is not None]  # fmt: skip
    gain, low, high = auc_gain(
        [j for j, _, _ in both],
        [b for _, b, _ in both],
        [i.hallucinated for _, _, i in both],
        [i.group for _, _, i in both],
    )
    return replace(figures, gain=gain, gain_low=low, gain_high=high)


def failures(outcomes: Sequence[Outcome], shown: int = 3) -> str:
    """Why a judge could not judge, most common reason first (empty when it always could)."""
    reasons = Counter(o.error for o in outcomes if o.score is None)
    parts = [f"{n} \u00d7 {why[:120]}" for why, n in reasons.most_common(shown)]
    more = sum(reasons.values()) - sum(n for _, n in reasons.most_common(shown))
    return "; ".join(parts + ([f"{more} more"] if more else []))


def show(f: SetFigures, outcomes: Sequence[Outcome] = ()) -> None:
    why = failures(outcomes)
    if f.n == 0:
        print(f"  {f.judge:18} could not judge any of the {f.failed} answers: {why}")
        return
    ba = "   –  " if f.balanced_accuracy is None else f"{f.balanced_accuracy:.3f} "
    ties = "  –  " if f.tied_pairs is None else f"{f.tied_pairs:5.1%}"
    conf = (
        f"flagged {f.true_flags}/{f.true_flags + f.missed} hallucinated, "
        f"{f.false_flags}/{f.false_flags + f.passed} faithful"
        if f.balanced_accuracy is not None
        else ""
    )
    interval = "" if f.auc_low is None else f" ({f.auc_low:.3f}-{f.auc_high:.3f})"
    print(
        f"  {f.judge:18} AUC {f.auc:.3f}{interval}  balanced acc. {ba} ties {ties}  "
        f"{f.answers_per_s:8.1f} answers/s  {conf}{'  ' + f.note if f.note else ''}"
        f"{f'  ({f.failed} could not be judged)' if f.failed else ''}"
    )
    if why:
        print(f"  {'':18} could not judge {f.failed}: {why}")
    if f.gain is not None:
        print(
            f"  {'':18} AUC over word overlap: {f.gain:+.3f} (95% interval {f.gain_low:+.3f} "
            f"to {f.gain_high:+.3f}, {RESAMPLES} resamples of whole sources)"
        )


CLAIM_STRATA = ((1, 2), (3, 5), (6, 10_000))  # claims per answer


def _stratum_auc(scores: Sequence[float | None], labels: Sequence[bool]) -> str:
    kept = [(s, h) for s, h in zip(scores, labels, strict=True) if s is not None]
    bad = sum(h for _, h in kept)
    if not bad or bad == len(kept):
        return "  –  "
    return f"{roc_auc([s for s, _ in kept], [h for _, h in kept]):.3f}"


def length_strata(items: Sequence[Item], judged: dict[str, Sequence[Outcome]]) -> list[str]:
    """Lines of AUC by length stratum for each judge's outcomes on `items`."""
    counts = [len(split_claims(i.answer)) for i in items]
    by_source: dict[str, list[int]] = {}
    for i in items:
        by_source.setdefault(i.group, []).append(len(words(i.answer)))
    medians = {g: sorted(n)[len(n) // 2] for g, n in by_source.items()}
    strata: list[tuple[str, list[bool]]] = [
        (f"{lo}-{hi} claims" if hi < 10_000 else f"{lo}+ claims",
         [lo <= c <= hi for c in counts])
        for lo, hi in CLAIM_STRATA
    ]  # fmt: skip
    strata.append(
        ("longer than the median answer to its source",
         [len(words(i.answer)) > medians[i.group] for i in items])
    )  # fmt: skip
    strata.append(
        ("not longer than that median",
         [len(words(i.answer)) <= medians[i.group] for i in items])
    )  # fmt: skip
    lines = []
    for label, inside in strata:
        labels = [i.hallucinated for i, x in zip(items, inside, strict=True) if x]
        picked = {n: [o.score for o, x in zip(outs, inside, strict=True) if x]
                  for n, outs in judged.items()}  # fmt: skip
        figures = "  ".join(f"{n} {_stratum_auc(sc, labels)}" for n, sc in picked.items())
        lines.append(f"    {label:44} n={len(labels):4} ({sum(labels):3} hallucinated)  {figures}")
    return lines


def _finding_kind(verdict: ClaimVerdict, finding: Finding) -> str:
    """A finding's kind, contradictions told apart by their reason's fixed opening."""
    if finding is not Finding.CONTRADICTED:
        return finding.value
    reason = verdict.reason
    if reason.startswith("The claim says"):
        return "contradicted: a number"
    if reason.startswith("The table's row"):
        return "contradicted: a table row"
    if " names '" in reason:
        return "contradicted: a swapped name"
    if "opposite (negation" in reason:
        return "contradicted: a negation"
    return "contradicted: an antonym"


def finding_counts(items: Sequence[Item]) -> list[str]:
    """Lines counting, among hallucinated and faithful answers, those flagged by one kind
    of finding alone (or by weakly supported claims over `POOL_SHARE` of the content):
    which findings flag more hallucinated than faithful answers in proportion."""
    alone: dict[str, list[int]] = {}
    bad = sum(i.hallucinated for i in items)
    for item in items:
        judged = faithfulness.claim_findings(item.answer, list(item.excerpts))
        kinds = {_finding_kind(v, f) for v, f, _ in judged if f.clear}
        # no clear finding: the decision flags through the weak pool alone, or not at all
        if not kinds and flagged([ClaimFinding(f, w, 0.0) for _, f, w in judged]):
            kinds = {"weakly supported, over the pool share"}
        if len(kinds) == 1:
            counts = alone.setdefault(kinds.pop(), [0, 0])
            counts[0 if item.hallucinated else 1] += 1
    lines = [f"    answers flagged by one kind of finding alone (of {bad} hallucinated, "
             f"{len(items) - bad} faithful):"]  # fmt: skip
    for kind, (h, f) in sorted(alone.items(), key=lambda kv: -kv[1][0] - kv[1][1]):
        lines.append(f"      {kind:40} hallucinated {h:3}  faithful {f:3}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared folder (default ../shared)")
    parser.add_argument("--llm-limit", type=int, default=60, help="answers per set for LLM judges")
    parser.add_argument("--no-gold", action="store_true", help="skip our gold claims")
    parser.add_argument(
        "--llm-cache",
        default=str(REPO / "reports" / "bench-judges.db"),
        help="the LLM call cache goes beside this path (default reports/bench-judges.db)",
    )
    parser.add_argument("--no-llm", action="store_true", help="skip LLM judges even if configured")
    parser.add_argument(
        "--entailment-model",
        default=os.environ.get("WORKBENCH_ENTAILMENT_MODEL"),
        help="a local entailment model folder or cached id (default $WORKBENCH_ENTAILMENT_MODEL)",
    )
    parser.add_argument("--entailment-label", help="the model's label that means entailed")
    parser.add_argument("--write-card", action="store_true", help=f"write {CARD_PATH.name}")
    parser.add_argument(
        "--findings",
        action="store_true",
        help="count, on each public set's development half, the findings that flag alone",
    )
    parser.add_argument(
        "--held-out-tables",
        action="store_true",
        help="also measure the held-out half of the gold table claims (report it once)",
    )
    args = parser.parse_args()

    folder = shared_folder(args.shared)
    sets: dict[str, list[Item]] = {}
    if folder.is_dir():
        sets = public_sets(folder)
        if not sets:
            print(f"no public set in a known format under {folder / 'data'}")
    else:
        print(f"skipped the public sets: {folder} does not exist (pass --shared PATH)")
    public_names = list(sets)
    if not args.no_gold:
        sets["gold-claims"] = gold_items()
        tables = gold_items(tables=True)
        sets["gold-tables-dev"] = [i for i in tables if table_half(i) == 0]
        if args.held_out_tables:
            sets["gold-tables-held-out"] = [i for i in tables if table_half(i) == 1]

    settings: LLMSettings | None = None
    if not args.no_llm and any(
        os.environ.get(v) for v in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "WORKBENCH_JUDGE_BASE_URL")
    ):
        try:
            settings = LLMSettings.from_env(judge=True)
        except ConfigError as exc:
            print(f"LLM judge skipped: {exc}")

    judge_name = f"offline v{faithfulness.JUDGE_VERSION}"
    ours: list[SetFigures] = []
    base: list[SetFigures] = []
    for name, items in sets.items():
        gold = name.startswith("gold-")
        bad = sum(i.hallucinated for i in items)
        print(f"{name}: {len(items)} answers, {bad} hallucinated" + (" (claims)" if gold else ""))
        base_figures, base_outcomes = run_judge(
            "word overlap", name, items, lambda xs: [overlap(x) for x in xs]
        )
        our_figures, our_outcomes = run_judge(
            judge_name, name, items, partial(_offline_all, one_claim=gold)
        )
        our_figures = with_gain(our_figures, items, our_outcomes, base_outcomes)
        base.append(base_figures)
        ours.append(our_figures)
        show(base_figures)
        show(our_figures)
        strata = {"word overlap": base_outcomes, judge_name: our_outcomes}
        if args.entailment_model:
            model, label = args.entailment_model, args.entailment_label
            entail = partial(entailment_outcomes, model=model, label=label)
            nli_figures, nli_outcomes = run_judge(
                f"entailment:{Path(model).name}", name, items, entail
            )
            show(with_gain(nli_figures, items, nli_outcomes, base_outcomes), nli_outcomes)
            strata[nli_figures.judge] = nli_outcomes
        if not gold:
            print("  AUC by length stratum:")
            print("\n".join(length_strata(items, strata)))
        if args.findings and not gold:
            print("\n".join(finding_counts([i for i in items if half(i) == 0])))
        if settings is not None and not gold:
            part = items[: args.llm_limit]
            llm = partial(ragas_outcomes, settings=settings, cache=Path(args.llm_cache))
            llm_figures, llm_outcomes = run_judge(f"ragas:{settings.model}", name, part, llm)
            show(
                with_gain(llm_figures, part, llm_outcomes, base_outcomes[: len(part)]), llm_outcomes
            )

    if not args.no_gold:
        pairs = gold_pairs()
        good, bad = [f for f, _ in pairs], [h for _, h in pairs]
        print(f"gold-pairs: {len(pairs)} pairs (a long faithful and a short hallucinated answer)")
        judges: dict[str, Callable[[Sequence[Item]], list[Outcome]]] = {
            "word overlap": lambda xs: [overlap(x) for x in xs],
            judge_name: partial(_offline_all, one_claim=False),
        }
        if args.entailment_model:
            judges["entailment"] = partial(
                entailment_outcomes, model=args.entailment_model, label=args.entailment_label
            )
        for label, call in judges.items():
            print(f"  {label:18} pairwise accuracy {pairwise(call(good), call(bad)):.3f}")

    if args.write_card:
        if not public_names or args.no_gold:
            print("the judge card needs a public set and our gold claims: card not written")
            return 2
        carded = {*public_names, "gold-claims"}
        card = JudgeCard(
            judge="offline",
            judge_version=faithfulness.JUDGE_VERSION,
            threshold=faithfulness.FLAG_BELOW,
            decision=faithfulness.DECISION,
            written=datetime.now(UTC).date().isoformat(),
            command="python benchmarks/public_judges.py --write-card",
            # the public sets and our gold claims; the table claims are printed, not carded
            figures=tuple(f for f in ours if f.data_set in carded),
            baseline=tuple(f for f in base if f.data_set in carded),
            machine=(
                f"{platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end"
            ),
        )
        write_card(card, CARD_PATH)
        print(f"wrote {CARD_PATH.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
