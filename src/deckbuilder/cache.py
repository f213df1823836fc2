"""A content-addressed cache of per-scenario work (parsed cards, rendered fields).

Keys hash every byte that can change the result: the scenario folder's files,
topics.yaml, and deckbuilder's version. Entries are pickles written atomically;
an unreadable entry is treated as a miss, so the cache can never make a build
wrong, only faster. It lives in ``<out>/.cache`` (ignored by git).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from deckbuilder import __version__

CACHE_FORMAT = 1


def folder_digest(folder: Path, *, extra: bytes = b"") -> str:
    """A hash of every file under a scenario folder (names and bytes), plus ``extra``."""
    digest = hashlib.sha256(f"deckbuilder {__version__} cache {CACHE_FORMAT}\0".encode())
    digest.update(extra)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


def load(directory: Path | None, kind: str, key: str) -> Any | None:
    if directory is None:
        return None
    try:
        with (directory / kind / f"{key}.pickle").open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, partial or stale entry is just a miss
        return None


def store(directory: Path | None, kind: str, key: str, value: object) -> None:
    if directory is None:
        return
    folder = directory / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{key}.pickle")
    except OSError:
        return  # a cache that cannot be written only costs speed


def prune(directory: Path | None, kind: str, keep: set[str]) -> None:
    """Drop entries no longer used, so the cache does not grow with every edit."""
    if directory is None or not (directory / kind).is_dir():
        return
    for entry in (directory / kind).iterdir():
        if entry.suffix == ".pickle" and entry.stem not in keep:
            entry.unlink(missing_ok=True)
