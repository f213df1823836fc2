"""Write Anki packages (and read one back). The only module that imports genanki.

Packages are byte-reproducible: note and card ids derive from GUIDs, every
timestamp is given by the caller, and the zip has sorted entries with fixed dates.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import genanki

from deckbuilder import notetype
from deckbuilder.errors import DeckbuilderError
from deckbuilder.identity import stable_id
from deckbuilder.plan import DeckSpec, NoteContent, NoteSpec
from deckbuilder.storage import write_atomic

# Bump when the bytes written for the same content change (zip settings, database layout),
# so that every package is rewritten and stays reproducible from scratch.
WRITER_VERSION = 3

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _models() -> tuple[genanki.Model, genanki.Model]:
    css = notetype.css()
    basic = genanki.Model(
        notetype.BASIC_MODEL_ID,
        notetype.BASIC_NAME,
        fields=notetype.fields(notetype.BASIC_FIELDS),
        templates=notetype.templates(notetype.BASIC_TEMPLATES),
        css=css,
        sort_field_index=0,
    )
    cloze = genanki.Model(
        notetype.CLOZE_MODEL_ID,
        notetype.CLOZE_NAME,
        fields=notetype.fields(notetype.CLOZE_FIELDS),
        templates=notetype.templates(notetype.CLOZE_TEMPLATES),
        css=css,
        model_type=genanki.Model.CLOZE,
        sort_field_index=0,
    )
    return basic, cloze


class _Note(genanki.Note):  # type: ignore[misc]
    """A genanki note with its own modification time and an id derived from its GUID."""

    def __init__(self, spec: NoteSpec, model: genanki.Model) -> None:
        super().__init__(
            model=model, fields=list(spec.fields), tags=list(spec.tags), guid=spec.guid
        )
        self._modified = spec.modified
        # ids step by 16 so a cloze note's cards (one per deletion) never collide
        self._base_id = stable_id("note:" + spec.guid) // 16 * 16

    def write_to_db(
        self, cursor: Any, timestamp: float, deck_id: int, id_gen: Iterator[int]
    ) -> None:
        super().write_to_db(cursor, self._modified, deck_id, itertools.count(self._base_id))


def write_package(
    path: Path,
    *,
    decks: Sequence[DeckSpec],
    notetype_modified: int,
    media: Sequence[tuple[str, Path]] = (),
) -> None:
    """Write one .apkg atomically (a temporary file beside ``path``, then a rename).

    ``media`` are (name, file) pairs: the images the notes' fields refer to by name.
    """
    basic, cloze = _models()
    gdecks = []
    for spec in decks:
        deck = genanki.Deck(stable_id("deck:" + spec.name), spec.name, description=spec.description)
        for note in spec.notes:
            deck.add_note(_Note(note, cloze if note.cloze else basic))
        gdecks.append(deck)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".db-") as scratch:
        db = Path(scratch) / "collection.anki2"
        try:
            _write_collection(db, gdecks, notetype_modified)
        except sqlite3.Error as error:  # the scratch database cannot be written: a full disk
            raise DeckbuilderError(
                f"{path.name}: cannot write the package: {error} (is the disk full?)"
            ) from None
        media_map = {str(i): name for i, (name, _file) in enumerate(sorted(media))}

        def write(handle: BinaryIO) -> None:
            with zipfile.ZipFile(handle, "w") as archive:
                _add(archive, "collection.anki2", db)
                _add(archive, "media", json.dumps(media_map, sort_keys=True).encode())
                for i, (_name, file) in enumerate(sorted(media)):
                    _add(archive, str(i), file)

        write_atomic(path, write)


def _write_collection(db: Path, decks: Sequence[genanki.Deck], notetype_modified: int) -> None:
    """genanki's tables in a scratch SQLite file: no journal and no fsync (the file is
    thrown away if anything fails), so writing costs CPU, not disk waits."""
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # genanki warns about HTML tags it does not know
            genanki.Package(list(decks)).write_to_db(
                connection.cursor(), notetype_modified, itertools.count(1)
            )
        connection.commit()
    finally:
        connection.close()


def _add(archive: zipfile.ZipFile, name: str, data: bytes | Path) -> None:
    """One zip entry with a fixed date and mode, streamed from disk for big files."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    # deflate level 1: fast, and packages are rebuilt often (the attribute is public from 3.13)
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)
    info.external_attr = 0o644 << 16
    with archive.open(info, "w", force_zip64=True) as entry:
        if isinstance(data, bytes):
            entry.write(data)
            return
        with data.open("rb") as source:
            while chunk := source.read(1 << 20):
                entry.write(chunk)


def read_notes(path: Path) -> list[NoteContent]:
    """Every note in a package written by deckbuilder (empty if it cannot be read)."""
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "collection.anki2"
        try:
            with zipfile.ZipFile(path) as archive:
                db.write_bytes(archive.read("collection.anki2"))
            connection = sqlite3.connect(db)
            try:
                decks = {
                    int(deck_id): str(deck["name"])
                    for deck_id, deck in json.loads(
                        connection.execute("SELECT decks FROM col").fetchone()[0]
                    ).items()
                }
                rows = connection.execute(
                    "SELECT n.mid, n.flds, n.tags, min(c.did) FROM notes n "
                    "JOIN cards c ON c.nid = n.id GROUP BY n.id"
                ).fetchall()
            finally:
                connection.close()
        except (OSError, KeyError, TypeError, zipfile.BadZipFile, sqlite3.Error, ValueError):
            return []
    return [
        NoteContent(
            deck=decks.get(did, ""),
            cloze=mid == notetype.CLOZE_MODEL_ID,
            fields=tuple(flds.split("\x1f")),
            tags=tuple(tags.split()),
        )
        for mid, flds, tags, did in rows
    ]
