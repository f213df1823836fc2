"""Apply built packages to an Anki collection file; the one module importing the anki library."""

from __future__ import annotations

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
