"""`workbench review`: the Voila command binds to loopback, hides code, and names the store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from workbench.cli.main import main
from workbench.cli.review_server import REVIEW_NOTEBOOK, TEMPLATES, voila_command
from workbench.errors import ConfigError
from workbench.store import SQLiteStore


def test_the_command_serves_the_review_notebook_on_loopback(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "r.db").close()
    argv, env = voila_command(
        tmp_path / "r.db", port=9123, open_browser=False, datasets=tmp_path, environ={}
    )
    assert argv[:4] == [sys.executable, "-m", "voila", str(REVIEW_NOTEBOOK)]
    assert "--Voila.ip=127.0.0.1" in argv and "--Voila.port=9123" in argv
    assert "--VoilaConfiguration.strip_sources=True" in argv
    assert "--VoilaConfiguration.show_tracebacks=False" in argv
    assert "--Voila.open_browser=False" in argv and "--Voila.port_retries=0" in argv
    assert "--VoilaConfiguration.template=workbench" in argv
    assert "--MappingKernelManager.cull_connected=False" in argv
    assert "--MappingKernelManager.cull_idle_timeout=300" in argv
    assert env == {
        "WORKBENCH_STORE": str((tmp_path / "r.db").resolve()),
        "WORKBENCH_DATASETS": str(tmp_path.resolve()),
        "JUPYTER_PATH": str(TEMPLATES),
    }
    template = TEMPLATES / "voila" / "templates" / "workbench" / "index.html.j2"
    assert template.is_file() and "https://" not in template.read_text()


def test_a_missing_store_or_a_bad_port_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--store", str(tmp_path / "none.db"), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "no store there" in err and "score" not in err  # `score` refuses a missing store
    SQLiteStore(tmp_path / "r.db").close()
    with pytest.raises(ConfigError, match="--port 0"):
        voila_command(tmp_path / "r.db", port=0, open_browser=False)
