"""`score --repeat K` against a real loopback endpoint whose verdicts differ by call."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from tests.loopback import NLI_MARK, LoopbackServer, Reply, smart_reply
from workbench.cli.main import main
from workbench.store import SQLiteStore


def _flipping() -> Any:
    """`smart_reply`, except that the verdicts on the same statements are all 1 on the
    first call, all 0 on the next, then 1 again: a judge that disagrees with itself."""
    turns: dict[str, itertools.count[int]] = {}

    def respond(request: dict[str, Any]) -> Reply:
        reply = smart_reply(request)
        prompt = str(request["messages"][-1]["content"])
        if NLI_MARK in prompt:
            verdict = next(turns.setdefault(prompt, itertools.count())) % 2 == 0
            data = json.loads(reply.content or "{}")
            for s in data["statements"]:
                s["verdict"] = int(verdict)
            return Reply(json.dumps(data))
        return reply

    return respond


@pytest.fixture
def flipping_env(monkeypatch: pytest.MonkeyPatch) -> Any:
    with LoopbackServer(_flipping()) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("WORKBENCH_MODEL", "gpt-4o-mini")
        yield server


def test_repeats_are_kept_averaged_cached_and_unstable_is_reported(
    flipping_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "2", "-q"]) == 0
    capsys.readouterr()
    assert main(["score", "--judge", "ragas", "--repeat", "3", "-q"]) == 0
    assert "12 calls, 0 from the cache, 12 to the endpoint" in capsys.readouterr().out
    calls = flipping_env.calls
    assert calls == 2 * 3 * 2  # two answers, three repeats, two prompts each
    with SQLiteStore("workbench.db") as store:
        evs = [e for e in store.evaluations() if e.judge.startswith("ragas")]
    assert len(evs) == 2
    for ev in evs:
        assert [j.repeat for j in ev.judgments] == [0, 1, 2]
        assert [j.score for j in ev.judgments] == [1.0, 0.0, 1.0]
        assert [j.flagged for j in ev.judgments] == [False, True, False]
        assert ev.unstable and ev.spread == 1.0 and ev.faithfulness == 0.6667
    # A rerun asks nothing: every repeat is done; one more repeat asks only for it.
    assert main(["score", "--judge", "ragas", "--repeat", "3", "-q"]) == 0
    assert flipping_env.calls == calls
    assert main(["score", "--judge", "ragas", "--repeat", "4", "-q"]) == 0
    assert "16 calls, 12 from the cache, 4 to the endpoint" in capsys.readouterr().out
    assert flipping_env.calls == calls + 2 * 2
    capsys.readouterr()
    assert main(["gate", "--judge", "ragas:gpt-4o-mini", "--max-unstable", "0"]) == 1
    out = capsys.readouterr().out
    assert "answers judged unstable" in out and "FAIL" in out


def test_the_offline_judge_is_deterministic_and_judged_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--prompt", "patient_answer@v1", "--limit", "1", "-q"]) == 0
    assert main(["score", "--repeat", "3", "-q"]) == 0
    assert "is deterministic" in capsys.readouterr().out
    with SQLiteStore("workbench.db") as store:
        (ev,) = store.evaluations()
    assert ev.judgments == () and not ev.unstable
    assert main(["gate", "--max-unstable", "0"]) == 0
    assert "offline is deterministic" in capsys.readouterr().out
