"""The package writer's working databases, kept between builds in ``.cache/packages``.

Each package's SQLite database stays in the cache, so the next build updates only the
rows whose notes changed instead of writing every note again (see ``apkg.write_package``).
A database is used only if a record sealed with this user's key (``cache.seal``) names its
exact bytes: a planted, damaged or half-updated file (a build killed while updating it) is
deleted and the database is written from scratch. What the package holds never depends on
it: the rows are compared with what the build wants, and the package gets a ``VACUUM``
copy whose bytes depend only on the rows.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from deckbuilder import cache
from deckbuilder.storage import file_sha, write_atomic

FOLDER = "packages"
DATABASE = ".anki2"
SEAL = ".seal"


def _stem(folder: Path, relative: str) -> Path:
    return folder / FOLDER / hashlib.sha256(relative.encode()).hexdigest()[:32]


def claim(folder: Path, relative: str) -> tuple[Path | None, dict[str, str] | None]:
    """Where to keep the working database of the package ``relative``, and what it holds
    (each note's GUID → its date, deck and content hash, as the package writer returned
    it): the file the last build left there if its seal proves it untouched, else a free
    path and None (anything stale is removed). No path when the cache cannot be written:
    the package is written from scratch."""
    stem = _stem(folder, relative)
    database, seal = stem.with_suffix(DATABASE), stem.with_suffix(SEAL)
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None, None
    record = None
    with contextlib.suppress(OSError):
        record = cache.unseal(seal.read_bytes())
    rows = record.get("rows") if isinstance(record, dict) else None
    if (
        isinstance(record, dict)
        and record.get("package") == relative
        and record.get("sha256") == file_sha(database)
        and isinstance(rows, dict)
        and all(type(v) is str for v in rows.values())
    ):
        return database, rows
    with contextlib.suppress(OSError):
        database.unlink(missing_ok=True)
        seal.unlink(missing_ok=True)
    return database, None


def seal(folder: Path, relative: str, *, rows: dict[str, str]) -> None:
    """Record the working database's bytes and notes after a successful write (best
    effort: without a record the next build writes the database afresh)."""
    stem = _stem(folder, relative)
    with contextlib.suppress(OSError):
        sha = file_sha(stem.with_suffix(DATABASE))
        if sha is not None:
            record = {"package": relative, "sha256": sha, "rows": rows}
            write_atomic(stem.with_suffix(SEAL), cache.seal(record))


def prune(folder: Path, keep: set[str]) -> None:
    """Drop the working databases of packages the build no longer has."""
    wanted = {_stem(folder, relative).name for relative in keep}
    try:
        entries = list((folder / FOLDER).iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.suffix in (DATABASE, SEAL) and entry.stem not in wanted:
            with contextlib.suppress(OSError):
                entry.unlink()
