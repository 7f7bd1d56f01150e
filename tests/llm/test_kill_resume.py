"""A batch killed with SIGKILL half-way, started again, finishes: nothing lost, nothing twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.llm.conftest import KEY
from tests.loopback import LoopbackServer
from workbench.data.datasets import load_questions

N = 10
COMMAND = [
    sys.executable,
    "-m",
    "workbench.cli.main",
    "generate",
    "--backend",
    "openai",
    "--prompt",
    "patient_answer@v1",
    "--limit",
    str(N),
    "--concurrency",
    "2",
    "-q",
]


def answered(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return {r[0] for r in con.execute("SELECT question_id FROM answers")}
    except sqlite3.OperationalError:  # the schema is not there yet
        return set()


def test_a_killed_batch_resumes_without_losing_or_repeating(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.latency = 0.3
    env = {
        **os.environ,
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": KEY,
        "WORKBENCH_MODEL": "gpt-4o-mini",
    }
    db = tmp_path / "workbench.db"
    child = subprocess.Popen(
        COMMAND, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(answered(db)) < 4 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    before_kill = answered(db)
    assert 4 <= len(before_kill) < N

    finished = subprocess.run(
        COMMAND, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    assert f"generated {N - len(before_kill)}, already done {len(before_kill)}" in finished.stdout

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT question_id FROM answers").fetchall()
    assert len(rows) == N and len({r[0] for r in rows}) == N  # none lost, none twice

    texts = {q.id: q.text for q in load_questions()}
    asked = Counter(
        qid
        for r in server.requests
        for qid, text in texts.items()
        if f"Question: {text}" in r["messages"][-1]["content"]
    )
    assert all(asked[qid] == 1 for qid in before_kill)  # finished answers were not asked again
    assert server.calls <= N + 2  # at most the two calls in flight at the kill were repeated
