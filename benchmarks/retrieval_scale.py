"""Retrieval at the scale of imported guidelines: 10,000 excerpts, milliseconds a question.

Writes Markdown documents, imports them with `import_documents` (the path `workbench
import` takes) until the corpus holds at least `--size` excerpts, then times:

- the import (excerpts a second),
- building the retrieval index once, and fetching it again from the cache (what every
  later batch, form click and pre-flight over the same corpus pays),
- retrieving the top 6 excerpts for each question, over several rounds: mean, median,
  95th percentile and worst milliseconds a question, on the wall clock and in CPU time
  (the wall clock also counts waiting for a busy machine: the load average is printed).
  The bar is under 20 ms.

The documents are the CancerGov answers of MedQuAD (text written by NCI, not by us) from
`/work/shared/data/medquad-cancergov` when that folder exists, each answer a section
under its question; the questions are MedQuAD's and ours. Without the folder, the
embedded excerpts are the text and our questions the queries (it says which). The text
is imported again under other source titles ("edition 2", ...) until the size is reached.

    .venv/bin/python benchmarks/retrieval_scale.py [--size 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from workbench.data.datasets import load_corpus, load_excerpts
from workbench.generation.retrieval import retriever_for
from workbench.importing import import_documents
from workbench.models import Question

MEDQUAD = Path("/work/shared/data/medquad-cancergov")


def _medquad_documents() -> tuple[list[tuple[str, str]], list[Question]]:
    docs, questions = [], []
    for file in sorted(MEDQUAD.glob("*.xml")):
        root = ET.parse(file).getroot()
        focus = (root.findtext("Focus") or file.stem).strip()
        parts = [f"# {focus}\n"]
        for pair in root.iter("QAPair"):
            q = " ".join((pair.findtext("Question") or "").split())
            a = (pair.findtext("Answer") or "").strip()
            if q and a:
                lines = [" ".join(line.split()) for line in a.splitlines()]
                parts.append(f"## {q}\n\n" + "\n\n".join(x for x in lines if x) + "\n")
                questions.append(Question(f"mq-{len(questions)}", q, "general"))
        docs.append((focus, "\n".join(parts)))
    return docs, questions


def _embedded_documents() -> tuple[list[tuple[str, str]], list[Question]]:
    corpus = load_corpus()
    by_title: dict[str, list[str]] = {}
    for e in corpus.excerpts.values():
        by_title.setdefault(e.source_title, []).append(f"## {e.section}\n\n{e.text}\n")
    docs = [(t, f"# {t}\n\n" + "\n".join(parts)) for t, parts in sorted(by_title.items())]
    return docs, []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="excerpts at least")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    args = parser.parse_args()
    if MEDQUAD.is_dir():
        docs, questions = _medquad_documents()
        source = f"MedQuAD CancerGov answers ({len(docs)} documents)"
    else:
        docs, questions = _embedded_documents()
        source = f"embedded excerpts ({MEDQUAD} is absent)"
    questions += list(load_corpus().questions)

    with tempfile.TemporaryDirectory() as tmp:
        folder, into = Path(tmp) / "docs", Path(tmp) / "imported"
        folder.mkdir()
        total, edition, import_s = 0, 0, 0.0
        while total < args.size:
            edition += 1
            for i, (_, text) in enumerate(docs):
                (folder / f"{edition:02d}-{i:04d}.md").write_text(text, encoding="utf-8")
            started = time.perf_counter()
            result = import_documents(
                sorted(folder.glob(f"{edition:02d}-*.md")),
                into,
                source_title=f"{source}, edition {edition}",
            )
            import_s += time.perf_counter() - started
            total += len(result.excerpts)
        excerpts = load_excerpts(into / "excerpts")[: args.size]

    started = time.perf_counter()
    retriever = retriever_for(excerpts)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    again = retriever_for(excerpts)
    cached_s = time.perf_counter() - started
    assert again is retriever, "the second batch must reuse the index"

    times: list[float] = []
    cpu: list[float] = []
    for _ in range(args.rounds):
        for q in questions:
            t0, c0 = time.perf_counter(), time.thread_time()
            retriever.retrieve(q, k=6)
            cpu.append((time.thread_time() - c0) * 1000)
            times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    cpu.sort()

    def p95(values: list[float]) -> float:
        return values[int(0.95 * (len(values) - 1))]

    load = os.getloadavg()[0]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"text: {source}; {edition} editions")
    rate = total / import_s
    print(f"imported {total} excerpts in {import_s:.1f} s ({rate:.0f} excerpts/s); the first")
    print(f"{len(excerpts)} of them are the corpus")
    print(f"index built in {build_s:.2f} s; fetched from the cache in {cached_s * 1000:.1f} ms")
    print(f"retrieval over {len(questions)} questions x {args.rounds} rounds (bar: under 20 ms):")
    print(
        f"  wall clock: mean {statistics.fmean(times):.2f} ms, median "
        f"{statistics.median(times):.2f} ms, p95 {p95(times):.2f} ms, worst {times[-1]:.2f} ms"
    )
    print(
        f"  CPU time:   mean {statistics.fmean(cpu):.2f} ms, median {statistics.median(cpu):.2f}"
        f" ms, p95 {p95(cpu):.2f} ms, worst {cpu[-1]:.2f} ms (load average {load:.1f})"
    )


if __name__ == "__main__":
    main()
