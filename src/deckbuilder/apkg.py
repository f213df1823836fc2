"""Write Anki packages. The only module that imports genanki.

Packages are byte-reproducible: note and card ids derive from GUIDs, every
timestamp is given by the caller, and the zip has sorted entries with fixed dates.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from deckbuilder import render

# Bump when the bytes written for the same content change (zip settings, database layout),
# so that every package is rewritten and stays reproducible from scratch.
WRITER_VERSION = 3

BASIC_MODEL_ID = 1_684_250_712_301
CLOZE_MODEL_ID = 1_684_250_712_302
_FIELD_IDS = {
    "Front": 5_183_911_301_417_301,
    "Back": 5_183_911_301_417_302,
    "Text": 5_183_911_301_417_303,
    "Extra": 5_183_911_301_417_304,
    "Context": 5_183_911_301_417_305,
    "Source": 5_183_911_301_417_306,
}
_TEMPLATE_IDS = {"Card 1": 7_402_615_380_094_101, "Cloze": 7_402_615_380_094_102}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def stable_id(text: str, *, low: int = 1 << 40, high: int = 1 << 52) -> int:
    """A fixed integer id in [low, high) for a name, the same on every build."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return low + digest % (high - low)


def guid_for(key: str) -> str:
    """The Anki GUID of the note with this stable key (genanki's scheme, namespaced)."""
    return str(genanki.guid_for("deckbuilder", key))


@dataclass(frozen=True)
class NoteSpec:
    guid: str
    cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    modified: int  # seconds since the epoch: when this note's content last changed


@dataclass(frozen=True)
class DeckSpec:
    name: str
    description: str
    notes: tuple[NoteSpec, ...]

    @property
    def deck_id(self) -> int:
        return stable_id("deck:" + self.name)


def _fields(names: Sequence[str]) -> list[dict[str, Any]]:
    return [{"name": name, "id": _FIELD_IDS[name]} for name in names]


def _templates(templates: Sequence[dict[str, str]]) -> list[dict[str, Any]]:
    return [dict(t, id=_TEMPLATE_IDS[t["name"]]) for t in templates]


def _models() -> tuple[genanki.Model, genanki.Model]:
    css = render.css()
    basic = genanki.Model(
        BASIC_MODEL_ID,
        "deckbuilder Basic",
        fields=_fields(render.BASIC_FIELDS),
        templates=_templates(render.BASIC_TEMPLATES),
        css=css,
        sort_field_index=0,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "deckbuilder Cloze",
        fields=_fields(render.CLOZE_FIELDS),
        templates=_templates(render.CLOZE_TEMPLATES),
        css=css,
        model_type=genanki.Model.CLOZE,
        sort_field_index=0,
    )
    return basic, cloze


def notetype_digest() -> str:
    """A hash of everything a note type carries: a change must reach users' collections."""
    basic, cloze = _models()
    text = repr((basic.fields, basic.templates, basic.css, cloze.fields, cloze.templates))
    return hashlib.sha256(text.encode()).hexdigest()


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
    """Write one .apkg atomically: to a temporary file beside ``path``, then rename.

    ``media`` are (name, file) pairs: the images the notes' fields refer to by name.
    """
    basic, cloze = _models()
    gdecks = []
    for spec in decks:
        deck = genanki.Deck(spec.deck_id, spec.name, description=spec.description)
        for note in spec.notes:
            deck.add_note(_Note(note, cloze if note.cloze else basic))
        gdecks.append(deck)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=".db-") as scratch:
            db = Path(scratch) / "collection.anki2"
            _write_collection(db, gdecks, notetype_modified)
            media_map = {str(i): name for i, (name, _file) in enumerate(sorted(media))}
            with zipfile.ZipFile(tmp_name, "w") as archive:
                _add(archive, "collection.anki2", db)
                _add(archive, "media", json.dumps(media_map, sort_keys=True).encode())
                for i, (_name, file) in enumerate(sorted(media)):
                    _add(archive, str(i), file)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


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


@dataclass(frozen=True)
class PackagedNote:
    """A note as stored in an existing package."""

    guid: str
    cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str


def read_notes(path: Path) -> dict[str, PackagedNote]:
    """Every note in a package written by deckbuilder, by GUID (empty if there is no package)."""
    if not path.exists():
        return {}
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
                    "SELECT n.guid, n.mid, n.flds, n.tags, min(c.did) FROM notes n "
                    "JOIN cards c ON c.nid = n.id GROUP BY n.id"
                ).fetchall()
            finally:
                connection.close()
        except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error, ValueError):
            return {}
    return {
        guid: PackagedNote(
            guid=guid,
            cloze=mid == CLOZE_MODEL_ID,
            fields=tuple(flds.split("\x1f")),
            tags=tuple(tags.split()),
            deck=decks.get(did, ""),
        )
        for guid, mid, flds, tags, did in rows
    }
