"""A throw-away PostgreSQL server for the tests and benchmarks: Debian's binaries, a
temporary folder, 127.0.0.1 on a free port and a Unix socket in that folder.

`initdb` refuses to run as root, so as root (the machine and CI) the cluster belongs to
the `postgres` system user, which Debian's package makes, and the temporary folder is
given to it. Durability is switched off (fsync, full page writes): the data is thrown
away at the end. `start()` returns a running `Cluster`; `stop()` ends it and removes
the folder. With $WORKBENCH_TEST_POSTGRES (a URL of a role that may create databases)
the tests use that server instead.

    python tests/pgcluster.py   # start one, print its URL, stop it on Enter
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

__all__ = ["Cluster", "find_bindir", "start"]

SUPERUSER = "workbench"


def find_bindir() -> Path:
    """The newest installed PostgreSQL's binaries (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError(
        "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: "
        "`apt-get install postgresql` (.ci/run does)"
    )


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running throw-away server (or an outside one named by the environment)."""

    url: str  # the superuser's URL to the `postgres` database
    folder: Path | None = None
    bindir: Path | None = None
    as_user: tuple[str, ...] = ()

    def database_url(self, name: str) -> str:
        """The URL of database `name` on this server."""
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{name}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.database_url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder (an outside server is left alone)."""
        if self.folder is None or self.bindir is None:
            return
        subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"),
             "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> Cluster:
    """Start a throw-away server, or use $WORKBENCH_TEST_POSTGRES; raises when it cannot."""
    outside = os.environ.get("WORKBENCH_TEST_POSTGRES", "").strip()
    if outside:
        with psycopg.connect(outside, connect_timeout=10):
            pass
        return Cluster(outside)
    bindir = find_bindir()
    root = os.geteuid() == 0
    # As root, under /tmp: the `postgres` user must be able to reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="workbench-pg-", dir="/tmp" if root else None))
    as_user: tuple[str, ...] = ()
    if root:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ("runuser", "-u", "postgres", "--")
    port = _free_port()
    data, log = folder / "data", folder / "server.log"
    cluster = Cluster(
        f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", folder, bindir, as_user
    )
    try:
        _run(*as_user, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
             "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200"
        )
        _run(*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log),
             "-o", options, "-w", "-t", "60", "start")  # fmt: skip
    except BaseException:
        text = log.read_text(errors="replace") if log.exists() else ""
        cluster.stop()
        raise RuntimeError(f"could not start PostgreSQL:\n{text}") from None
    return cluster


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")


if __name__ == "__main__":
    server = start()
    print(server.url, flush=True)
    try:
        input("PostgreSQL is running; press Enter to stop it\n")
    finally:
        server.stop()
