"""`workbench review`: the review notebook served as a Voila app on 127.0.0.1.

The command becomes the Voila process (exec), so Ctrl-C or ending its pid stops the
server and nothing is left behind. Voila has no login of its own: it binds to the
loopback address only; docs/clinician-guide.md says how to serve it behind JupyterHub. The
store and data set folder reach the notebook's kernel as WORKBENCH_STORE and
WORKBENCH_DATASETS; code cells are stripped and tracebacks are not sent to browsers.

Fit for a network without internet access: the page is rendered with the package's own
Voila template (`workbench/ui/voila`), which loads nothing from outside the server. Each
page load starts a kernel; once its page is closed (no connection left) and it has been
idle for `--cull-after` seconds, the server shuts it down, so closed pages do not pile
up kernels. A page still open keeps its kernel however long the clinician reads.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workbench.cli.common import store_option
from workbench.errors import ConfigError
from workbench.runs.choices import StoreLocation
from workbench.workspace import DATASETS_ENV, STORE_ENV, default_store

__all__ = ["DEFAULT_PORT", "LOOPBACK", "REVIEW_NOTEBOOK", "add_review_server", "voila_command"]

DEFAULT_PORT = 8866
DEFAULT_CULL_AFTER = 300  # seconds a closed page's kernel may stay idle before it goes
LOOPBACK = "127.0.0.1"
REVIEW_NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_review.ipynb"
# A Jupyter data folder holding the `workbench` Voila template (found through JUPYTER_PATH).
TEMPLATES = Path(__file__).resolve().parents[1] / "ui" / "voila"


def voila_command(
    store: StoreLocation | Path,
    *,
    port: int,
    open_browser: bool,
    datasets: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cull_after: int = DEFAULT_CULL_AFTER,
) -> tuple[list[str], dict[str, str]]:
    """The Voila command line and environment that serve the review panel over `store`."""
    if not REVIEW_NOTEBOOK.is_file():
        raise ConfigError(f"{REVIEW_NOTEBOOK} not found: run `workbench review` from a clone")
    if importlib.util.find_spec("voila") is None:
        raise ConfigError("Voila is not installed: pip install -e '.[notebook]'")
    store = default_store(store)
    if store.is_file and not store.path.is_file():
        raise ConfigError(
            f"{store}: no store there; `workbench generate` or `workbench demo` makes one"
        )
    if not 0 < port < 65536:
        raise ConfigError(f"--port {port}: choose a port between 1 and 65535")
    if cull_after < 1:
        raise ConfigError(f"--cull-after {cull_after}: give a number of seconds, 1 or more")
    env = dict(os.environ if environ is None else environ)
    env[STORE_ENV] = str(store.path.resolve()) if store.is_file else store.target
    if datasets is not None:
        env[DATASETS_ENV] = str(datasets.resolve())
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES), *filter(None, [env.get("JUPYTER_PATH")])]
    )
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(REVIEW_NOTEBOOK),
        f"--Voila.ip={LOOPBACK}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.open_browser={open_browser}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.template=workbench",
        f"--MappingKernelManager.cull_idle_timeout={cull_after}",
        f"--MappingKernelManager.cull_interval={max(1, min(60, cull_after // 2))}",
        "--MappingKernelManager.cull_connected=False",
    ]
    return argv, env


def cmd_review(args: argparse.Namespace) -> int:
    store = default_store(args.store)
    argv, env = voila_command(
        store,
        port=args.port,
        open_browser=not args.no_browser,
        datasets=args.datasets,
        cull_after=args.cull_after,
    )
    print(
        f"serving the review panel over {store} at http://{LOOPBACK}:{args.port}/ "
        "(Ctrl-C stops it)",
        flush=True,
    )
    os.execve(argv[0], argv, env)  # becomes Voila: the signals and the pid are the server's
    return 0  # not reached


def add_review_server(sub: Any) -> None:
    """Add `workbench review` to the CLI's subcommands."""
    r = sub.add_parser("review", help="serve the review panel as a Voila app on 127.0.0.1")
    store_option(r)
    r.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    r.add_argument("--no-browser", action="store_true", help="do not open a browser")
    r.add_argument("--datasets", type=Path, help="data set folder (default: the repo's datasets/)")
    r.add_argument(
        "--cull-after",
        type=int,
        default=DEFAULT_CULL_AFTER,
        metavar="SECONDS",
        help="shut down a closed page's kernel after this long idle; keep it longer than a "
        f"page takes to load (default {DEFAULT_CULL_AFTER})",
    )
    r.set_defaults(func=cmd_review)
