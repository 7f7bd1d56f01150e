"""The answer-level signals tried for judge version 5, one by one and combined, on each
public set (RAGTruth style, as `public_judges.py` reads them): ROC AUC of each, and the
balanced accuracy of each round's combination at the cut written down before its run
(chosen on our gold claims of group A). It reproduces the version 5 rounds of docs/scoring.md.

    .venv/bin/python benchmarks/judge_signals.py [--shared PATH]

G: word overlap of the whole answer; A: the weakest claim's overlap x best window
coverage; N: novel content mass; J: version 4's answer score (`claims_score`); B: word
pair overlap; S: anchored numbers and names; L: the weakest claim's overlap with its best
window. Without the shared folder it says so and stops.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from functools import lru_cache

from public_judges import Item, public_sets, shared_folder

from workbench.data.text import STOP_WORDS, sentences, stem, words
from workbench.scoring.evidence import PREFIX, Analysed, analyse
from workbench.scoring.faithfulness import judge_faithfulness
from workbench.scoring.judge_card import balanced_accuracy, roc_auc
from workbench.scoring.lexicon import canonical
from workbench.scoring.matching import cover, name_in, norm
from workbench.scoring.novelty import _windows
from workbench.scoring.support import NEAR_MATCH, SourceIndex, source_index

NOVEL_WEIGHT = 6.0


def claims_score(supports: list[float]) -> float:
    """Version 4's claims part (3/4 the weakest claim's support, 1/4 the mean), kept here
    for this measurement after version 6 replaced it with the length-fair aggregation."""
    return 0.75 * min(supports) + 0.25 * sum(supports) / len(supports)


_STOP = frozenset(stem(w) for w in STOP_WORDS) | {"not"}
_ABBR = frozenset({"er", "iv", "us", "uk", "md", "rn", "am", "pm", "ok", "tv"})


def share(text: str, known: frozenset[str]) -> float:
    ws = words(text)
    return sum(w in known for w in ws) / len(ws) if ws else 1.0


@lru_cache(maxsize=8)
def source_facts(
    sources: tuple[str, ...],
) -> tuple[frozenset[str], frozenset[tuple[str, str]], tuple[Analysed, ...], list[frozenset[str]]]:
    known = frozenset(words(" ".join(sources)))
    pairs: set[tuple[str, str]] = set()
    sents: list[Analysed] = []
    word_windows: list[frozenset[str]] = []
    for text in sources:
        ss = [s.text for s in sentences(text)]
        for s in ss:
            w = words(s)
            pairs |= set(itertools.pairwise(w))
            sents.append(analyse(s))
        for k in (1, 2, 3):
            word_windows += [
                frozenset(words(" ".join(ss[i : i + k]))) for i in range(len(ss) - k + 1)
            ]
    return known, frozenset(pairs), tuple(sents), word_windows


def pair_share(text: str, pairs: frozenset[tuple[str, str]]) -> float:
    total = got = 0
    for s in sentences(text):
        w = words(s.text)
        for p in itertools.pairwise(w):
            total += 1
            got += p in pairs
    return got / total if total else 1.0


def credit(term: str, index: SourceIndex) -> float:
    if term in index.where:
        return 1.0
    if len(term) >= PREFIX and term[:PREFIX] in index.prefix_where:
        return NEAR_MATCH
    return 0.0


def anchored(claims: list[str], sents: tuple[Analysed, ...]) -> float:
    total = got = 0
    for text in claims:
        c = analyse(text)
        content = [canonical(r) for r in c.raw_stems if r not in _STOP and canonical(r) in c.terms]
        specs: list[tuple[str, object]] = [("num", n) for n in c.numbers]
        specs += [("name", n) for n in (c.names | c.proper) - _ABBR]
        for kind, value in specs:
            total += 1
            if kind == "num":
                hold = [s for s in sents if value in s.numbers]
            else:
                hold = [s for s in sents if name_in(str(value), norm(s.text))]
            if not hold:
                continue
            key = canonical(stem(str(value))) if kind == "name" else None
            others = [t for t in content if t != key]
            if (
                not others
                or max(sum(t in s.stems for t in others) / len(others) for s in hold) >= 0.5
            ):
                got += 1
    return got / total if total else 1.0


def features(item: Item) -> dict[str, float]:
    src = item.excerpts
    result = judge_faithfulness(item.answer, list(src))
    claims = [v.claim for v in result.verdicts]
    supports = [v.support_score or 0.0 for v in result.verdicts]
    index = source_index(src)
    known, pairs, sents, word_windows = source_facts(src)
    windows = _windows(src)
    gl: list[float] = []
    local_words: list[float] = []
    mass, longest, specifics = 0.0, 0, set()
    for text in claims:
        c = analyse(text)
        gl.append(share(text, known) * max((cover(c, *w) for w in windows), default=0.0))
        cw = words(text)
        local_words.append(
            max((sum(x in w for x in cw) / len(cw) for w in word_windows), default=0.0)
            if cw
            else 1.0
        )
        content = frozenset(r for r in c.raw_stems if canonical(r) in c.terms)
        run = 0
        for raw in c.raw_stems:
            if raw in _STOP or raw not in content:
                continue
            got = credit(canonical(raw), index)
            mass += c.terms.get(canonical(raw), 0.0) * (1.0 - got)
            run = run + 1 if got == 0.0 else 0
            longest = max(longest, run)
        specifics |= {f"#{n:g}" for n in c.numbers - index.numbers}
        specifics |= {
            n for n in c.names | c.proper if n not in _ABBR and not name_in(n, norm(" ".join(src)))
        }
    mass += NOVEL_WEIGHT * len(specifics)
    f = {
        "J": claims_score(supports) if supports else 1.0,
        "G": share(item.answer, known),
        "A": min(gl, default=1.0),
        "N": 1.0 / (1.0 + mass / NOVEL_WEIGHT),
        "novel run": 1.0 / (1.0 + longest),
        "novel numbers and names": 1.0 / (1.0 + len(specifics)),
        "product of overlap x window": math.prod(gl),
        "product of claim supports": math.prod(supports),
        "L": min(local_words, default=1.0),
        "number of claims": -float(len(claims)),
        "number of words": -float(len(words(item.answer))),
        "B": pair_share(item.answer, pairs),
        "weakest claim's B": min((pair_share(t, pairs) for t in claims), default=1.0),
        "S": anchored(claims, sents),
    }
    g, a, n, j, b, s = (f[k] for k in ("G", "A", "N", "J", "B", "S"))
    f["round 1: mean of G, A, N, J"] = (g + a + n + j) / 4
    f["round 2: geometric mean of G, A, J"] = (g * a * j) ** (1 / 3)
    f["round 2: mean of G, A, J"] = (g + a + j) / 3
    f["round 3: geometric mean of G, B, A, J"] = (g * b * a * j) ** 0.25
    f["round 3: geometric mean of G, A, J, S"] = (g * a * j * s) ** 0.25
    return f


CUTS = {  # written down before each round's run, chosen on gold group A
    "round 1: mean of G, A, N, J": 0.85,
    "round 2: geometric mean of G, A, J": 0.65,
    "round 3: geometric mean of G, B, A, J": 0.71,
    "round 3: geometric mean of G, A, J, S": 0.72,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared folder (default ../shared)")
    args = parser.parse_args()
    folder = shared_folder(args.shared)
    if not folder.is_dir():
        print(f"skipped: {folder} does not exist (pass --shared PATH)")
        return 0
    for name, items in public_sets(folder).items():
        rows = [features(i) for i in items]
        labels = [i.hallucinated for i in items]
        print(f"{name}: {len(items)} answers, {sum(labels)} hallucinated")
        for key in rows[0]:
            scores = [r[key] for r in rows]
            line = f"  {key:42} AUC {roc_auc(scores, labels):.3f}"
            if key in CUTS:
                flags = [x < CUTS[key] for x in scores]
                hit = sum(f and h for f, h in zip(flags, labels, strict=True))
                line += (
                    f"  balanced acc. at {CUTS[key]} {balanced_accuracy(flags, labels):.3f}"
                    f"  flagged {hit}/{sum(labels)} hallucinated,"
                    f" {sum(flags) - hit}/{len(labels) - sum(labels)} faithful"
                )
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
