"""Apply built packages to an Anki collection file; the one module importing the anki library."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deckbuilder.errors import DeckbuilderError


@dataclass(frozen=True)
class SyncResult:
    package: str
    new: int
    updated: int
    unchanged: int
    conflicting: int


COLLECTION_HINT = (
    "Anki keeps it as collection.anki2 in the profile folder, e.g. "
    "~/.local/share/Anki2/User 1/ on Linux, ~/Library/Application Support/Anki2/User 1/ "
    "on macOS, %APPDATA%\\Anki2\\User 1\\ on Windows"
)


def check_collection(collection: Path) -> None:
    """Refuse a path that holds no collection file, with where Anki keeps it (before a build)."""
    if collection.is_dir():
        raise DeckbuilderError(
            f"{collection}: a folder, not a collection file; pass its collection.anki2"
        )
    if not collection.is_file():
        raise DeckbuilderError(f"{collection}: no Anki collection file there ({COLLECTION_HINT})")


def sync(collection: Path, *, packages: Sequence[Path]) -> list[SyncResult]:
    """Import packages into the collection with Anki's default options ("update if newer").

    Scheduling and review history are never touched: an import only adds notes
    and updates the fields, tags and note types of notes that are older in the
    collection. A collection that Anki has open is refused, untouched.
    """
    try:
        from anki.collection import (
            Collection,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )
        from anki.errors import DBError
    except ImportError as error:  # pragma: no cover - depends on the install
        raise DeckbuilderError(
            "sync needs the official anki library: pip install 'deckbuilder[sync]' "
            "(in a clone of the repository: pip install -e '.[sync]')"
        ) from error
    check_collection(collection)
    _check_collection(collection)  # and only ever an Anki collection: opening writes to it
    try:
        col = Collection(str(collection))
    except DBError as error:
        raise DeckbuilderError(
            f"{collection}: the collection is open in Anki or locked ({error}); "
            "close Anki and try again"
        ) from error
    results = []
    try:
        for package in packages:
            request = ImportAnkiPackageRequest(
                package_path=str(package), options=ImportAnkiPackageOptions()
            )
            log = col.import_anki_package(request).log
            results.append(
                SyncResult(
                    package=str(package),
                    new=len(log.new),
                    updated=len(log.updated),
                    unchanged=len(log.duplicate),
                    conflicting=len(log.conflicting),
                )
            )
    finally:
        col.close()
    return results


_SQLITE_MAGIC = b"SQLite format 3\x00"
_ANKI_TABLES = {"col", "notes", "cards", "revlog", "notetypes", "decks"}


def _unicase(left: str, right: str) -> int:
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


def _check_collection(path: Path) -> None:
    """Refuse, untouched, anything that is not an Anki collection: opening a file with
    Anki's library would write Anki's tables into any SQLite file, even an empty one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the check
    except FileNotFoundError:
        raise DeckbuilderError(f"{path}: no Anki collection file there") from None
    except OSError as error:
        raise DeckbuilderError(f"{path}: cannot read the collection ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DeckbuilderError(f"{path}: not an Anki collection (not a regular file)")
        header = os.read(fd, 100)
    finally:
        os.close(fd)
    if not header:
        raise DeckbuilderError(f"{path}: not an Anki collection (the file is empty)")
    if not header.startswith(_SQLITE_MAGIC):
        raise DeckbuilderError(f"{path}: not an Anki collection (not an SQLite database)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if len(header) < 100 or info.st_size < page_size * pages:
        raise DeckbuilderError(f"{path}: the collection file is truncated")
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        db.create_collation("unicase", _unicase)  # Anki's indexes name it; quick_check needs it
        try:
            check = db.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        finally:
            db.close()
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            return  # held open by Anki: its own open fails next, and says so
        raise DeckbuilderError(f"{path}: the collection cannot be read ({error})") from error
    except sqlite3.DatabaseError as error:
        raise DeckbuilderError(f"{path}: the collection file is damaged ({error})") from error
    if check is None or check[0] != "ok":
        raise DeckbuilderError(
            f"{path}: the collection file is damaged ({check[0] if check else ''})"
        )
    if not tables >= _ANKI_TABLES:
        raise DeckbuilderError(
            f"{path}: not an Anki collection (an SQLite database of another program)"
        )
