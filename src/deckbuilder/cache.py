"""A content-addressed cache of per-scenario work (parsed cards, rendered fields), as JSON.

Keys hash every byte that can change the result: the scenario folder's files,
topics.yaml, and deckbuilder's own source code together with the versions of the
libraries that shape a card (``code_digest``). So an edit to the parser, a card
builder or the renderer, or an upgrade, can never serve stale cards.

Entries are plain JSON, so a planted entry cannot run code; an entry that does not
decode into the expected values is a miss. The cache can make a build faster, never
different. Builds keep it in ``<out>/.cache`` (ignored by git); commands without an
output folder keep it in the user's cache folder, one sub-folder per scenarios folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

CACHE_FORMAT = 2
SUFFIX = ".json"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of deckbuilder's own source files and of the libraries that shape a card."""
    import markdown_it
    import mdit_py_plugins
    import pygments
    import yaml

    import deckbuilder

    digest = hashlib.sha256(f"cache {CACHE_FORMAT}\0".encode())
    for module in (markdown_it, mdit_py_plugins, pygments, yaml):
        digest.update(f"{module.__name__} {getattr(module, '__version__', '?')}\0".encode())
    package = Path(deckbuilder.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def user_cache_dir(root: Path) -> Path:
    """The cache for a scenarios folder read without an output folder (check, list, quiz)."""
    from platformdirs import user_cache_path

    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    folder = user_cache_path("deckbuilder", appauthor=False) / "libraries"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def load(directory: Path | None, kind: str, key: str) -> Any | None:
    """The entry's JSON value, or None: a missing, partial or foreign entry is a miss."""
    if directory is None:
        return None
    try:
        with (directory / kind / f"{key}{SUFFIX}").open("rb") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def store(directory: Path | None, kind: str, key: str, value: object) -> None:
    """Write an entry atomically; a cache that cannot be written only costs speed.

    The cache folder is created only inside an existing parent (never the output folder
    itself), so a read-only run such as ``build --check`` creates no output folder.
    """
    if directory is None or not directory.parent.is_dir():
        return
    folder = directory / kind
    tmp = ""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, folder / f"{key}{SUFFIX}")
    except OSError:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def prune(directory: Path | None, kind: str, keep: set[str]) -> None:
    """Drop entries no longer used, so the cache does not grow with every edit."""
    if directory is None:
        return
    try:
        entries = list((directory / kind).iterdir())
    except OSError:
        return
    for entry in entries:
        legacy = entry.suffix == ".pickle"  # entries of earlier versions: never read
        if legacy or (entry.suffix == SUFFIX and entry.stem not in keep):
            with contextlib.suppress(OSError):
                entry.unlink()
