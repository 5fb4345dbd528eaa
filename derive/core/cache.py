"""The user's cache: reports of files already checked, keyed by content.

A report is stored under a key made of everything its verdicts depend on: the package's own
source (any change to derive makes every entry stale), the versions of SymPy and mpmath, the
file's bytes and the budget. Entries live in the user's own cache directory (never a shared
temporary directory); a folder another user owns, or one that cannot be written, turns the
cache off. ``DERIVE_NO_CACHE=1`` (or ``derive check --no-cache``) turns it off too.

Small entries that a run asks for by the hundred (the outcome of one comparison, one
derivative) are kept apart from the reports, as rows of one SQLite table per version of the
package (:func:`recall`, :func:`keep`): one file opened once per process, each row read by its
key and written by a single statement, so a row is written whole or not at all. The table of
an earlier version is removed when the next one is made.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
import pickle
import sqlite3
import tempfile
from functools import cache
from typing import Any

from derive.core.errors import BudgetExceeded


def folder() -> pathlib.Path | None:
    """``$XDG_CACHE_HOME/derive`` (or ``~/.cache/derive``), when it is the user's and writable."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = pathlib.Path(root) / "derive"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_uid != os.getuid() or not os.access(path, os.W_OK):
            return None
    except OSError:
        return None
    return path


def enabled() -> bool:
    return os.environ.get("DERIVE_NO_CACHE", "") in ("", "0")


@cache
def source_digest() -> str:
    """A digest of the package's source and of the libraries that decide its verdicts (their
    versions as installed: neither is imported for it)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for library in ("sympy", "mpmath"):
        try:
            versions.append(version(library))
        except PackageNotFoundError:  # importable from a path, not installed: its sources
            versions.append(_sources_of(library))
    digest = hashlib.sha256(" ".join(versions).encode())
    package = pathlib.Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _sources_of(library: str) -> str:
    """A digest of the Python sources of ``library``, found without importing it."""
    from importlib.util import find_spec

    spec = find_spec(library)
    digest = hashlib.sha256(library.encode())
    for root in (spec.submodule_search_locations or []) if spec is not None else []:
        for path in sorted(pathlib.Path(root).rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256(source_digest().encode())
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def report_name(path: str, text: str | None, budget: float) -> str | None:
    """The key of a file's report: its bytes (``text`` for standard input), its path and the
    budget; None for a file that cannot be read or is too large to keep, and when the cache
    is off (nothing is looked up or kept then, and the source digest is not worth taking)."""
    if not enabled():
        return None
    if text is not None:
        data = text.encode()
    else:
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 16 * 2**20:
                return None
            with open(path, "rb") as stream:
                data = stream.read()
        except OSError:
            return None
    return key("report", path, data, repr(budget))


def load(kind: str, name: str) -> Any | None:
    """The entry ``name`` of ``kind``, or None (absent, unreadable, or the cache is off)."""
    where = folder() if enabled() else None
    if where is None:
        return None
    path = where / kind / f"{name}.pickle"
    try:
        if path.stat().st_uid != os.getuid():
            return None
        with path.open("rb") as stream:
            return pickle.load(stream)  # our own entry, in the user's own folder
    except Exception:  # absent, truncated, or written by another version: not an entry
        return None


def store(kind: str, name: str, value: Any) -> None:
    """Keep ``value`` as entry ``name`` of ``kind``; written whole or not at all."""
    where = folder() if enabled() else None
    if where is None:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        (where / kind).mkdir(mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where / kind, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, where / kind / f"{name}.pickle")
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


# --- small entries: one SQLite table per version of the package -----------------------------

_TABLE = "entries"
"""The folder of the tables, one per source digest."""

_WAIT = 1.0
"""Seconds a write waits for another process's write to the same table; then it is dropped."""

_open: dict[tuple[str, int], sqlite3.Connection | None] = {}
"""The table of each folder, opened once per process (None: it cannot be used)."""


def _table() -> sqlite3.Connection | None:
    """This version's table in the user's cache, opened on first use in this process."""
    where = folder() if enabled() else None
    if where is None:
        return None
    path = where / _TABLE / f"{source_digest()[:32]}.sqlite"
    # a connection is never used across a fork: a worker process opens its own
    slot = (str(path), os.getpid())
    if slot not in _open:
        _open[slot] = _connected(path)
    return _open[slot]


def close_tables() -> None:
    """Close the tables this process opened (their entries stay); the next use opens them."""
    for (_, pid), connection in list(_open.items()):
        if pid == os.getpid() and connection is not None:
            with contextlib.suppress(sqlite3.Error):
                connection.close()
    _open.clear()


def _connected(path: pathlib.Path) -> sqlite3.Connection | None:
    """The table at ``path``, made when absent; a damaged file is removed and made again."""
    for attempt in range(2):
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            if not path.exists():
                for other in path.parent.iterdir():  # the tables of other versions are stale
                    if other.name.split(".")[0] != path.stem:
                        with contextlib.suppress(OSError):
                            other.unlink()
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            if path.stat().st_uid != os.getuid():
                return None
            connection = sqlite3.connect(path, timeout=_WAIT, isolation_level=None,
                                         check_same_thread=False)
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("CREATE TABLE IF NOT EXISTS entry (kind TEXT, name TEXT,"
                                   " value BLOB, PRIMARY KEY (kind, name)) WITHOUT ROWID")
            except BaseException:
                connection.close()
                raise
            return connection
        except BudgetExceeded:
            raise
        except sqlite3.DatabaseError as error:
            damaged = getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_NOTADB,
                                                                   sqlite3.SQLITE_CORRUPT)
            if not damaged or attempt > 0:  # busy, or damaged again: the cache is off
                return None
            for suffix in ("", "-wal", "-shm"):  # a damaged table is made again, once
                with contextlib.suppress(OSError):
                    os.unlink(f"{path}{suffix}")
        except Exception:  # no room, no rights: the cache is off
            return None
    return None


def recall(kind: str, name: str) -> Any | None:
    """The small entry ``name`` of ``kind``, or None (absent, unreadable, or the cache is off)."""
    try:
        connection = _table()
        if connection is None:
            return None
        row = connection.execute("SELECT value FROM entry WHERE kind = ? AND name = ?",
                                 (kind, name)).fetchone()
        return None if row is None else pickle.loads(row[0])  # our own table, our own folder
    except BudgetExceeded:
        raise
    except Exception:  # a damaged or foreign row is not an entry
        return None


def keep(kind: str, name: str, value: Any) -> None:
    """Keep ``value`` as the small entry ``name`` of ``kind``; written whole or not at all."""
    try:
        connection = _table()
        if connection is None:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        connection.execute("INSERT OR REPLACE INTO entry VALUES (?, ?, ?)", (kind, name, data))
    except BudgetExceeded:
        raise
    except Exception:  # a table that cannot be written (busy, full) is only slower
        return
