"""The relevance judge on the relevance gold, beside a lexical baseline, per group.

For each group it prints, for the offline judge (`judge_relevance`) and for word overlap
(the share of the question's content stems the answer repeats, flagged below 0.5):

    pairs     share of questions whose on-topic answer scores above its off-topic one
    flag off  share of off-topic answers flagged (higher is better)
    flag part share of partial answers flagged (no target: they half answer)
    flag on   share of on-topic answers flagged (lower is better)
    AUC       P(an on-topic answer scores above an off-topic one), across questions

Groups: `dev` (datasets/gold/relevance/dev.jsonl, written with the judge and used to set
it), `held-out` (heldout.jsonl, written blind by someone who never saw the judge; read
once after the threshold was committed), and, when the shared folder holds MedQuAD's
CancerGov pairs (text written by others), `medquad`: each sampled question with its own
answer (on-topic) and another question's answer from the same NCI summary (off-topic).
MedQuAD's questions are templated ("What is the outlook for X?"), the very shapes the
judge's neighbour questions take, so that group flatters the aim signal: read it with
that in mind.

    .venv/bin/python benchmarks/relevance_measures.py [--shared PATH] [--misses]
        [--cut-on heldout,heldout_2]

`--cut-on` prints the cut that best parts the named groups' off-topic answers from their
on-topic ones (Youden's J: off-topic flagged minus on-topic flagged, over cuts 0.30 to
0.80 by 0.01, the lowest on a tie): how the judge's threshold was chosen.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from public_judges import shared_folder

from workbench.data.datasets import default_datasets_dir, load_gold_relevance
from workbench.data.text import content_stems
from workbench.scoring.judge_card import roc_auc
from workbench.scoring.relevance import THRESHOLD, judge_relevance

OVERLAP_THRESHOLD = 0.5
MEDQUAD_SEED = 7


@dataclass(frozen=True, slots=True)
class Pair:
    """One labelled answer to one question."""

    id: str
    group: str
    question: str
    answer: str
    label: str  # on_topic | partial | off_topic


def overlap(question: str, answer: str) -> float:
    """The share of the question's content stems that the answer repeats."""
    wanted = set(content_stems(question))
    return len(wanted & set(content_stems(answer))) / len(wanted) if wanted else 0.0


def gold_groups() -> dict[str, list[Pair]]:
    """The repository's relevance gold, one group per file."""
    folder = default_datasets_dir() / "gold" / "relevance"
    out: dict[str, list[Pair]] = {}
    for file in sorted(folder.glob("*.jsonl")):
        rows = load_gold_relevance(file)
        out[file.stem] = [Pair(r.id, r.group, r.question, r.answer, r.label) for r in rows]
    return out


def medquad_pairs(folder: Path) -> list[Pair]:
    """One question per MedQuAD CancerGov document, with its own answer and another's."""
    rng = random.Random(MEDQUAD_SEED)
    out: list[Pair] = []
    for file in sorted((folder / "medquad-cancergov").glob("*.xml")):
        root = ElementTree.parse(file).getroot()
        qas = []
        for pair in root.iter("QAPair"):
            q, a = pair.find("Question"), pair.find("Answer")
            if q is not None and a is not None and q.text and a.text and a.text.strip():
                qas.append((q.get("qtype"), q.text.strip(), re.sub(r"[ \t]+", " ", a.text)))
        if len(qas) < 2:
            continue
        qtype, question, answer = qas[rng.randrange(len(qas))]
        others = [x for x in qas if x[0] != qtype]
        if not others:
            continue
        other = rng.choice(others)
        doc = root.get("id", file.stem)
        out.append(Pair(f"{doc}-on", doc, question, answer.strip(), "on_topic"))
        out.append(Pair(f"{doc}-off", doc, question, other[2].strip(), "off_topic"))
    return out


def measure(
    pairs: Sequence[Pair], score: Callable[[Pair], float | None], threshold: float
) -> dict[str, float]:
    """The figures of one scorer on one group."""
    scored = [(p, s) for p in pairs if (s := score(p)) is not None]
    by_group: dict[str, dict[str, float]] = {}
    for p, s in scored:
        by_group.setdefault(p.group, {})[p.label] = s
    wins = [
        g["on_topic"] > g["off_topic"]
        for g in by_group.values()
        if len(g.keys() & {"on_topic", "off_topic"}) == 2
    ]

    def flag_rate(label: str) -> float:
        got = [s < threshold for p, s in scored if p.label == label]
        return sum(got) / len(got) if got else float("nan")

    ends = [(s, p.label == "off_topic") for p, s in scored if p.label != "partial"]
    return {
        "pairs": sum(wins) / len(wins) if wins else float("nan"),
        "n_pairs": float(len(wins)),
        "flag_off": flag_rate("off_topic"),
        "flag_partial": flag_rate("partial"),
        "flag_on": flag_rate("on_topic"),
        "auc": roc_auc([s for s, _ in ends], [off for _, off in ends]),
    }


def youden_cut(pairs: Sequence[Pair], scores: dict[str, float | None]) -> tuple[float, float]:
    """The cut in 0.30..0.80 (by 0.01) with the largest off-topic minus on-topic flag
    rate over `pairs`, the lowest on a tie, and that difference."""
    best = (0.0, -2.0)
    for step in range(30, 81):
        cut = step / 100
        m = measure(pairs, lambda p: scores[p.id], cut)
        j = round(m["flag_off"] - m["flag_on"], 6)
        if j > best[1]:
            best = (cut, j)
    return best


def _row(name: str, m: dict[str, float]) -> str:
    return (
        f"  {name:18s} pairs {m['pairs']:.3f} ({int(m['n_pairs'])})  flag off {m['flag_off']:.3f}"
        f"  flag part {m['flag_partial']:.3f}  flag on {m['flag_on']:.3f}  AUC {m['auc']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default ../shared)")
    parser.add_argument("--misses", action="store_true", help="print the judge's misses")
    parser.add_argument("--cut-on", help="groups (comma-separated) to choose a cut on")
    args = parser.parse_args()
    groups = gold_groups()
    folder = shared_folder(args.shared) / "data"
    if (folder / "medquad-cancergov").is_dir():
        groups["medquad"] = medquad_pairs(folder)
    else:
        print(f"(no MedQuAD pairs: {folder / 'medquad-cancergov'} is absent)")
    judged_all: dict[str, float | None] = {}
    for name, pairs in groups.items():
        started = time.perf_counter()
        judged = {p.id: judge_relevance(p.question, p.answer) for p in pairs}
        took = time.perf_counter() - started
        print(f"{name}: {len(pairs)} answers, {len({p.group for p in pairs})} questions")
        scores = {i: j.score for i, j in judged.items()}
        judged_all.update(scores)
        print(_row("judge_relevance", measure(pairs, lambda p, s=scores: s[p.id], THRESHOLD)))
        print(
            _row(
                "word overlap",
                measure(pairs, lambda p: overlap(p.question, p.answer), OVERLAP_THRESHOLD),
            )
        )
        print(f"  ({took / max(len(pairs), 1) * 1000:.1f} ms per answer, cold encoder cache)")
        if args.misses:
            for p in pairs:
                j = judged[p.id]
                wrong = (p.label == "off_topic" and not j.flagged) or (
                    p.label == "on_topic" and j.flagged
                )
                if wrong:
                    print(f"    miss {p.id} [{p.label}] {j.score}: {p.question} | {j.reason}")
    if args.cut_on:
        names = [n.strip() for n in args.cut_on.split(",") if n.strip()]
        unknown = [n for n in names if n not in groups]
        if unknown:
            raise SystemExit(f"--cut-on: no group {unknown[0]!r} (groups: {', '.join(groups)})")
        pooled = [p for n in names for p in groups[n]]
        cut, j = youden_cut(pooled, judged_all)
        print(
            f"cut on {', '.join(names)}: {cut:.2f} (off-topic minus on-topic flagged {j:.3f});"
            f" the judge's threshold is {THRESHOLD}"
        )


if __name__ == "__main__":
    main()
