"""LLM path throughput against a loopback endpoint with a fixed latency and capacity.

Starts `tests/loopback.py` in its own process: every call takes L seconds and at most C
are served at once (an endpoint with C slots). Then, for N answers (the data set's
questions, repeated with a variant tag until there are N), does what `workbench generate
--backend openai` and `workbench score --judge ragas` do (pre-flight, then the batch at
concurrency C) and measures:

1. ours: the generation and judging batches' wall time as a ratio to the ideal
   ceil(N*k/C)*L, k = 3 calls per answer (1 answer + 2 ragas calls);
2. plain ragas: ragas' own `Faithfulness.abatch_score` (its `llm_factory` LLM on the
   official client) on the same N answers and excerpts, against our judging batch on
   the same server: the ratio ours / plain ragas;
3. the cached rerun: both commands again into a new store: endpoint calls, wall time.

The pre-flight (estimates, and loading the rules and analysing the excerpts, as the CLI
does before it starts a batch) is timed apart. Figures are the median of `--repeat` runs.

    .venv/bin/python benchmarks/llm_throughput.py [--n 200] [--latency 0.1] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")

from openai import AsyncOpenAI
from ragas.llms.base import llm_factory
from ragas.metrics.collections import Faithfulness

from workbench.data.datasets import Corpus, load_corpus
from workbench.generation.openai_backend import OpenAIBackend
from workbench.generation.retrieval import BM25Retriever
from workbench.llm import LLMSettings, Secret, open_client
from workbench.models import Question
from workbench.runs.batch import generate_batch, score_batch
from workbench.runs.plan import default_run_id
from workbench.runs.preflight import generation_preflight, judging_preflight
from workbench.scoring.evaluate import scoring_inputs, warm_up
from workbench.scoring.ragas_judge import RagasJudge
from workbench.store import SQLiteStore, Store

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "patient_answer@v1"
MODEL = "gpt-4o-mini"


@dataclass
class Timing:
    preflight: float
    generate: float
    judge: float
    hits: int
    samples: list[dict[str, object]]

    @property
    def total(self) -> float:
        return self.generate + self.judge


def endpoint_calls(url: str) -> int:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/stats") as r:
        return int(json.load(r)["calls"])


def questions(n: int) -> list[Question]:
    base = load_corpus().questions
    out = []
    for i in range(n):
        q, tag = base[i % len(base)], i // len(base)
        text = q.text + (f" (variant {tag})" if tag else "")
        out.append(replace(q, id=f"{q.id}-v{tag}", text=text))
    return out


def generate(
    store: Store, corpus: Corpus, backend: OpenAIBackend, qs: list[Question]
) -> tuple[float, float]:
    """`workbench generate --backend openai`: pre-flight, then the batch; their seconds."""
    retriever = BM25Retriever(corpus.excerpts.values())
    started = time.perf_counter()
    run_id = default_run_id(PROMPT, backend)
    generation_preflight(store, corpus, backend, qs, {PROMPT: run_id}, retriever=retriever)
    batch_start = time.perf_counter()
    report = generate_batch(
        store,
        corpus,
        backend,
        PROMPT,
        qs,
        questions_source="bench",
        retriever=retriever,
        progress=False,
    )
    assert report.done in (0, len(qs))
    return batch_start - started, time.perf_counter() - batch_start


def judge(store: Store, corpus: Corpus, ragas: RagasJudge) -> tuple[float, float]:
    """`workbench score --judge ragas`: pre-flight, then the batch; their seconds."""
    started = time.perf_counter()
    judging_preflight(store, corpus, ragas)
    warm_up()
    batch_start = time.perf_counter()
    score_batch(store, corpus, ragas, progress=False)
    return batch_start - started, time.perf_counter() - batch_start


def ours(folder: Path, name: str, settings: LLMSettings, qs: list[Question]) -> Timing:
    """Both commands into a new store in `folder` (whose call cache they share)."""
    corpus = replace(load_corpus(), questions=tuple(qs))
    path = folder / name
    with SQLiteStore(path) as store:
        backend = OpenAIBackend(open_client(settings, store_path=path))
        pre_gen, gen_s = generate(store, corpus, backend, qs)
        ragas = RagasJudge(open_client(settings, store_path=path))
        pre_judge, judge_s = judge(store, corpus, ragas)
        samples: list[dict[str, object]] = []
        for a in store.answers():
            q, ex = scoring_inputs(a, corpus)  # type: ignore[misc]
            contexts = [e.text for e in ex]
            samples.append(
                {"user_input": q.text, "response": a.text, "retrieved_contexts": contexts}
            )
        assert len(store.evaluations()) == len(qs)
    hits = backend.client.stats.cache_hits + ragas.client.stats.cache_hits
    return Timing(pre_gen + pre_judge, gen_s, judge_s, hits, samples)


async def plain_ragas(url: str, samples: list[dict[str, object]]) -> float:
    """ragas' own Faithfulness over the samples, on the same server; its seconds."""
    client = AsyncOpenAI(base_url=url, api_key="sk-bench")
    metric = Faithfulness(llm=llm_factory(MODEL, client=client))
    started = time.perf_counter()
    results = await metric.abatch_score(samples)
    elapsed = time.perf_counter() - started
    await client.close()
    assert len(results) == len(samples)
    return elapsed


def one_round(url: str, settings: LLMSettings, qs: list[Question]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before = endpoint_calls(url)
        first = ours(folder, "first.db", settings, qs)
        ours_calls = endpoint_calls(url) - before
        ragas_s = asyncio.run(plain_ragas(url, first.samples))
        ragas_calls = endpoint_calls(url) - before - ours_calls
        before = endpoint_calls(url)
        rerun = ours(folder, "rerun.db", settings, qs)
        return {
            "preflight": first.preflight,
            "generate": first.generate,
            "judge": first.judge,
            "total": first.total,
            "calls": ours_calls,
            "ragas": ragas_s,
            "ragas_calls": ragas_calls,
            "rerun": rerun.total + rerun.preflight,
            "rerun_calls": endpoint_calls(url) - before,
            "rerun_hits": rerun.hits,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="runs, each in a new process")
    parser.add_argument("--url", help=argparse.SUPPRESS)  # one run against this server
    args = parser.parse_args()
    n, lat, c = args.n, args.latency, args.concurrency
    if args.url:
        settings = LLMSettings(model=MODEL, base_url=args.url, api_key=Secret("sk"), concurrency=c)
        print(json.dumps(one_round(args.url, settings, questions(n))))
        return
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "loopback.py"),
            "--latency",
            str(lat),
            "--capacity",
            str(c),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        one = [sys.executable, __file__, "--n", str(n), "--concurrency", str(c), "--url", url]
        rounds = [
            json.loads(subprocess.run(one, capture_output=True, text=True, check=True).stdout)
            for _ in range(args.repeat)
        ]
    finally:
        server.terminate()
        server.wait()
    m = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ideal = math.ceil(n * 3 / c) * lat
    ideal_judge = math.ceil(n * 2 / c) * lat
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"N={n} answers, L={lat * 1000:.0f} ms per call, C={c} (client and server), k=3; "
        f"median of {args.repeat} runs, each in a new process"
    )
    print(
        f"ours: generation {m['generate']:.2f} s + ragas judging {m['judge']:.2f} s = "
        f"{m['total']:.2f} s for {m['calls']:.0f} calls; ideal {ideal:.2f} s; "
        f"ratio {m['total'] / ideal:.3f} (pre-flight before them: {m['preflight']:.2f} s)"
    )
    print(
        f"judging: ours {m['judge']:.2f} s (ideal {ideal_judge:.2f} s); plain ragas "
        f"Faithfulness.abatch_score {m['ragas']:.2f} s ({m['ragas_calls']:.0f} calls); "
        f"ours / plain ragas = {m['judge'] / m['ragas']:.3f}"
    )
    print(
        f"cached rerun: {m['rerun_calls']:.0f} endpoint calls, {m['rerun_hits']:.0f} cache "
        f"hits, wall time {m['rerun']:.2f} s (pre-flight included)"
    )
    print(
        "runs:",
        "; ".join(f"{r['total'] / ideal:.3f} / {r['judge'] / r['ragas']:.3f}" for r in rounds),
    )


if __name__ == "__main__":
    main()
