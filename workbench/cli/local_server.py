"""`workbench local-server`: llama.cpp's server with a local GGUF model on 127.0.0.1.

The first line it prints is the base URL to export as OPENAI_BASE_URL; it then serves
until Ctrl-C or SIGTERM. The logic is `workbench.runs.local_server`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.runs.local_server import API_KEY_ENV, LocalServerSettings, serve

__all__ = ["add_local_server_command"]


def _ready(url: str, model: Path) -> None:
    print(url, flush=True)  # first, alone on its line: scripts read it
    print(
        f"serving {model.name} with llama.cpp on {url} (Ctrl-C stops it); in another shell:\n"
        f"  export OPENAI_BASE_URL={url} WORKBENCH_MODEL={model.stem}\n"
        "  workbench generate --backend openai --concurrency 1 --timeout 600 --free\n"
        "  workbench score --judge offline",
        flush=True,
    )


def cmd_local_server(args: argparse.Namespace) -> int:
    settings = LocalServerSettings(
        model=args.model,
        port=args.port,
        threads=args.threads,
        parallel=args.parallel,
        context=args.context,
        max_tokens=args.max_tokens,
    )
    serve(settings, on_ready=_ready)
    return 0  # not reached: the process ends with the server


def add_local_server_command(sub: Any) -> None:
    """Add `workbench local-server` to the CLI's subcommands."""
    d = LocalServerSettings()
    s = sub.add_parser(
        "local-server",
        help="serve a local GGUF model (default: the bundled SmolLM2-135M-Instruct) through "
        "llama.cpp's OpenAI-compatible server on 127.0.0.1",
        epilog=f"Set {API_KEY_ENV} in the environment to make the server require that key.",
    )
    s.add_argument("--model", type=Path, help="a GGUF file (default: the bundled SmolLM2-135M)")
    s.add_argument("--port", type=int, default=d.port, help=f"port (default {d.port}; 0: any)")
    s.add_argument("--threads", type=int, default=d.threads, help=f"CPU threads ({d.threads})")
    s.add_argument(
        "--parallel", type=int, default=d.parallel,
        help=f"requests served at once ({d.parallel}); give the same --concurrency to the "
        "workbench",
    )  # fmt: skip
    s.add_argument(
        "--context", type=int, default=d.context, help=f"tokens per request ({d.context})"
    )
    s.add_argument(
        "--max-tokens", type=int, default=d.max_tokens,
        help="the server's cap on a reply's tokens (default: none)",
    )  # fmt: skip
    s.set_defaults(func=cmd_local_server)
