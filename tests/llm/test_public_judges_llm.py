"""`benchmarks/public_judges.py` with an endpoint: the ragas judge beside the offline one.

The endpoint is the loopback server, answering as a small local model behind llama.cpp's
or Ollama's OpenAI-compatible server would: mostly valid JSON, but one reply a bare word.
The public set is a tiny one in RAGTruth's format, written here in our own words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.loopback import LoopbackServer, Reply

REPO = Path(__file__).resolve().parents[2]
SOURCE = (
    "The town library opens at nine on weekdays.\n\n"
    "It lends laptops to students for two weeks at a time."
)
RESPONSES = [
    ("The library opens at nine on weekdays and lends laptops to students.", []),
    ("Students can borrow laptops from the library for two weeks.", []),
    ("The library opens at noon and charges students for laptops.", [{"text": "noon"}]),
    ("The library was built in 1850 by the mayor.", [{"text": "1850"}]),
]


def _tiny_public_set(folder: Path) -> Path:
    data = folder / "data" / "tiny-summaries"
    data.mkdir(parents=True)
    row = {
        "source_id": 1,
        "source": SOURCE,
        "responses": [{"response": r, "model": "m", "labels": lab} for r, lab in RESPONSES],
    }
    (data / "tiny.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    return folder


def _run_benchmark(server: LoopbackServer, tmp_path: Path) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OPENAI_BASE_URL": server.url,
        "WORKBENCH_MODEL": "tiny-local",
        "RAGAS_DO_NOT_TRACK": "true",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
    }
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "public_judges.py"),
         "--shared", str(_tiny_public_set(tmp_path / "shared")), "--llm-limit", "4", "--no-gold",
         "--llm-cache", str(tmp_path / "bench.db")],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_benchmark_measures_a_local_model_judge_and_counts_its_failures(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(Reply("Yes"))  # a one-word reply where JSON was asked for
    out = _run_benchmark(server, tmp_path)
    assert "tiny-summaries: 4 answers, 2 hallucinated" in out
    lines = {line.split("AUC")[0].strip(): line for line in out.splitlines() if "AUC" in line}
    assert {"word overlap", "ragas:tiny-local"} <= lines.keys()
    assert any(k.startswith("offline v") for k in lines)
    assert "(1 could not be judged)" in lines["ragas:tiny-local"]
    (why,) = [line for line in out.splitlines() if "could not judge 1:" in line]
    assert "1 \u00d7 " in why and "Yes" in why  # what the model said, not a bare count
    assert server.calls >= 7  # four statement calls, three verdict calls


def test_a_judge_that_never_replies_in_json_is_reported_without_figures(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(*[Reply("Supported") for _ in range(40)])  # every call, retries included
    out = _run_benchmark(server, tmp_path)
    (line,) = [line for line in out.splitlines() if line.strip().startswith("ragas:tiny-local")]
    assert "could not judge any of the 4 answers: 4 \u00d7 " in line and "Supported" in line
    assert "nan" not in out.lower()
