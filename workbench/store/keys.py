"""The decision log's key: where it is looked for, made by default, and when it is required.

The key signs each decision's hash (HMAC-SHA256). It never lives in the store: whoever can
write the store's rows then still cannot forge a MAC. It is looked for, in this order:

1. a key file given to the command (`--key-file`);
2. `$WORKBENCH_LOG_KEY` (the key itself);
3. `$WORKBENCH_LOG_KEY_FILE` (a file holding it): a team's shared key, the way a team
   working on one PostgreSQL store gives every member the same key;
4. `log.key` in the user's config folder (`$WORKBENCH_CONFIG_DIR`, else
   `$XDG_CONFIG_HOME/workbench`, else `~/.config/workbench`).

When none is found, the first decision on a log that carries no MAC yet makes the last one
(64 random hex digits, mode 0600, its folder 0700), so every store is keyed without anyone
thinking about it. Once a log carries a MAC, a decision is appended only under the key
that signed it: without a key, or under another one, it is refused.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from workbench.errors import ConfigError

__all__ = [
    "CONFIG_ENV",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "KEY_NAME",
    "LAST_KEYED_SQL",
    "MIN_KEY_BYTES",
    "config_key_file",
    "ensure_user_key",
    "key_for_append",
    "key_places",
    "load_log_key",
    "only_own_key",
]

KEY_ENV = "WORKBENCH_LOG_KEY"
KEY_FILE_ENV = "WORKBENCH_LOG_KEY_FILE"
CONFIG_ENV = "WORKBENCH_CONFIG_DIR"
KEY_NAME = "log.key"
MIN_KEY_BYTES = 16
# The newest decision that carries a MAC: what `key_for_append` checks a new one against
# (the same SQL on SQLite and PostgreSQL).
LAST_KEYED_SQL = (
    "SELECT hash, mac FROM decision_log WHERE mac IS NOT NULL ORDER BY seq DESC LIMIT 1"
)


def config_key_file() -> Path:
    """The user's own key file: `log.key` in the user's config folder."""
    folder = os.environ.get(CONFIG_ENV, "").strip()
    if folder:
        return Path(folder) / KEY_NAME
    xdg = os.environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "workbench" / KEY_NAME


def key_places(key_file: Path | None = None) -> str:
    """Where a key was looked for, for one line of a message."""
    if key_file is not None:
        return f"--key-file {key_file}"
    return f"${KEY_ENV}, ${KEY_FILE_ENV} and {config_key_file()}"


def _read(path: Path, source: str) -> bytes:
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the log key ({exc.strerror or exc})") from exc
    return _checked(key, source)


def _checked(key: bytes, source: str) -> bytes:
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{source}: the log key is too short ({len(key)} bytes; at least {MIN_KEY_BYTES}): "
            "make one with `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return key


def load_log_key(key_file: Path | None = None) -> bytes | None:
    """The log key: `key_file`, else `$WORKBENCH_LOG_KEY`, else the file in
    `$WORKBENCH_LOG_KEY_FILE`, else the user's `log.key`; None when there is none.
    A short or unreadable key is refused."""
    if key_file is not None:
        return _read(key_file, str(key_file))
    if os.environ.get(KEY_ENV, "").strip():
        return _checked(os.environ[KEY_ENV].strip().encode(), f"${KEY_ENV}")
    env_file = os.environ.get(KEY_FILE_ENV, "").strip()
    if env_file:
        return _read(Path(env_file), env_file)
    own = config_key_file()
    return _read(own, str(own)) if own.is_file() else None


def only_own_key(key_file: Path | None = None) -> bool:
    """True when no key is named (no `key_file`, neither variable set): any key in reach
    is the user's own `log.key`, made for their stores, not one this log must carry."""
    named = os.environ.get(KEY_ENV, "").strip() or os.environ.get(KEY_FILE_ENV, "").strip()
    return key_file is None and not named


def ensure_user_key() -> bytes:
    """The user's `log.key`, made now (mode 0600, in a 0700 folder) when it does not exist.

    The key is written whole to a file of its own, then linked into place: two processes
    making it at once end up with the same key, and none ever reads half of one.
    """
    path = config_key_file()
    key = secrets.token_hex(32)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        os.link(tmp, path)
    except FileExistsError:
        return _read(path, str(path))
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot make the decision log's key there ({exc.strerror or exc}); "
            f"set ${CONFIG_ENV} to a writable folder, or give a key in ${KEY_FILE_ENV}"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return key.encode()


def key_for_append(
    key: bytes | None,
    last_keyed: Sequence[object] | None,
    *,
    may_create: bool,
    where: str,
) -> bytes | None:
    """The key a new decision is signed with, or a `ConfigError` when it may not be added.

    `last_keyed` is the (hash, MAC) row of the newest decision that carries a MAC, as
    `LAST_KEYED_SQL` reads it (None: the log has none). A keyed log takes a decision only
    under the key that signed it: an unkeyed row after keyed ones would read as a removed
    MAC. A log with no MAC yet gets the user's key (`may_create`: made now if need be).
    """
    if key is None and may_create:
        key = load_log_key()  # made since the store was opened (by another process, say)
    if last_keyed is None:
        return key if key is not None or not may_create else ensure_user_key()
    digest, mac = str(last_keyed[0]), str(last_keyed[1])
    if key is None:
        raise ConfigError(
            f"{where}: the decision log is keyed and no log key is in reach (looked in "
            f"{key_places()}); the decision was not recorded: give the key that signed the log"
        )
    expected = hmac.new(key, digest.encode("ascii"), "sha256").hexdigest()
    if not hmac.compare_digest(mac, expected):
        raise ConfigError(
            f"{where}: the log key in reach (looked in {key_places()}) is not the key that "
            "signed this decision log; the decision was not recorded: give the log's key"
        )
    return key
