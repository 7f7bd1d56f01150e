"""`workbench local-server`: llama.cpp's server with the bundled model answers on loopback."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.llamacpp import LlamaCppServer
from workbench.cli.main import main
from workbench.runs.local_server import bundled_model

KEY = "sk-local-test-5521"


@pytest.mark.local_model
def test_the_command_serves_the_bundled_model_on_loopback_behind_its_key(tmp_path: Path) -> None:
    model = bundled_model()
    assert model.name.endswith(".gguf") and model.stat().st_size > 50_000_000
    with LlamaCppServer(model, log=tmp_path / "server.log", api_key=KEY) as server:
        assert server.url.startswith("http://127.0.0.1:")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/models", timeout=10)
        refused.value.close()
        assert refused.value.code == 401
        request = urllib.request.Request(
            f"{server.url}/models", headers={"Authorization": f"Bearer {KEY}"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            models = json.load(reply)
        assert [m["id"] for m in models["data"]] == [str(model)]
        chat = urllib.request.Request(
            f"{server.url}/chat/completions",
            data=json.dumps(
                {"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8}
            ).encode(),
            headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(chat, timeout=120) as reply:
            answer = json.load(reply)
        assert answer["choices"][0]["message"]["content"].strip()
        assert 0 < answer["usage"]["completion_tokens"] <= 8


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "missing.gguf"], "missing.gguf: no model file there (a GGUF file is needed)"),
        (["--port", "70000"], "--port 70000: choose 0 (any free port) to 65535"),
        (["--threads", "0"], "--threads 0: must be at least 1"),
        (["--max-tokens", "0"], "--max-tokens 0: a positive number, or -1"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["local-server", *argv]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"workbench: {message}"]


def test_a_file_that_is_not_gguf_and_a_busy_port_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.gguf"
    notes.write_text("not a model")
    assert main(["local-server", "--model", str(notes)]) == 2
    assert capsys.readouterr().err == f"workbench: {notes}: not a GGUF model file\n"
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["local-server", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"workbench: --port {port}: 127.0.0.1:{port} is in use (is a server already "
        "running?); choose another port, or 0 for any free one\n"
    )
