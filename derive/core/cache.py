"""The user's cache: reports of files already checked, keyed by content.

A report is stored under a key made of everything its verdicts depend on: the package's own
source (any change to derive makes every entry stale), the versions of SymPy and mpmath, the
file's bytes and the budget. Entries live in the user's own cache directory (never a shared
temporary directory); a folder another user owns, or one that cannot be written, turns the
cache off. ``DERIVE_NO_CACHE=1`` (or ``derive check --no-cache``) turns it off too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pathlib
import pickle
import tempfile
from functools import cache
from typing import Any


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
    """A digest of the package's source and of the libraries that decide its verdicts."""
    import mpmath
    import sympy

    digest = hashlib.sha256(f"{sympy.__version__} {mpmath.__version__}".encode())
    package = pathlib.Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".lark") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(*parts: bytes | str) -> str:
    digest = hashlib.sha256(source_digest().encode())
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


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
