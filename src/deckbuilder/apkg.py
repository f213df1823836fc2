"""Write Anki packages (and read one back). The only module that imports genanki.

Packages are byte-reproducible: note and card ids derive from GUIDs, every
timestamp is given by the caller, and the zip has sorted entries with fixed dates.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import genanki

from deckbuilder import notetype
from deckbuilder.errors import DeckbuilderError
from deckbuilder.identity import stable_id
from deckbuilder.noterows import CARD_INSERT, NOTE_INSERT, CardRule, Row, add_note
from deckbuilder.plan import DeckSpec, NoteContent, NoteSpec
from deckbuilder.storage import write_atomic

# Bump when the bytes written for the same content change (zip settings, database layout),
# so that every package is rewritten and stays reproducible from scratch.
WRITER_VERSION = 4

# Collections bigger than this are stored in the zip, not deflated: deflating is most of
# the cost of rewriting a big package for one edit (see docs/performance.md).
STORE_ABOVE = 64 << 20

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


@dataclass(frozen=True)
class _NoteTypes:
    """genanki's two note types (basic, cloze) and their card rules."""

    models: tuple[genanki.Model, genanki.Model]
    rules: tuple[CardRule, CardRule]


def _note_types() -> _NoteTypes:
    """The note types as notetype.py defines them, built once for each definition rather
    than once per package (``to_json`` only fills in the same defaults again)."""
    return _note_types_for(notetype.digest())


@functools.lru_cache(maxsize=2)
def _note_types_for(digest: str) -> _NoteTypes:
    """``digest`` (fields, templates, CSS) is only the cache key."""
    models = _models()
    rules = [CardRule.of(m, cloze=m.model_type == genanki.Model.CLOZE) for m in models]
    return _NoteTypes(models, (rules[0], rules[1]))


def _note_id(guid: str) -> int:
    """A note's id, from its GUID; its cards take the next ids. Ids step by 16 so a cloze
    note's cards (one per deletion) never collide."""
    return stable_id("note:" + guid) // 16 * 16


def write_package(
    path: Path,
    *,
    decks: Sequence[DeckSpec],
    notetype_modified: int,
    media: Sequence[tuple[str, Path]] = (),
    database: Path | None = None,
    known: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Write one .apkg atomically (a temporary file beside ``path``, then a rename).

    ``media`` are (name, file) pairs: the images the notes' fields refer to by name.
    ``database`` is a working copy of the package's SQLite database kept between builds:
    when it exists it is brought up to date row by row (only notes whose content, date or
    deck changed are rewritten), else it is created. Either way the package holds a
    ``VACUUM INTO`` copy of it, whose bytes depend only on the rows, so an edited package
    is the same file as one built from scratch. ``known``: what ``database`` holds, as the
    last call returned it (without it the database is written afresh); returns the same
    for the database as this call leaves it: each note's GUID → its date, deck and
    content hash, so that the next update compares notes without reading their fields.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".db-") as scratch:
        db = Path(scratch) / "collection.anki2"
        work = database if database is not None else Path(scratch) / "work.anki2"
        try:
            rows = _write_collection(work, decks, notetype_modified, known=known)
            connection = sqlite3.connect(work)
            try:
                connection.execute("VACUUM INTO ?", (str(db),))
            finally:
                connection.close()
        except sqlite3.Error as error:  # the database cannot be written: a full disk
            if database is not None:
                database.unlink(missing_ok=True)
            raise DeckbuilderError(
                f"{path.name}: cannot write the package: {error} (is the disk full?)"
            ) from None
        media_map = {str(i): name for i, (name, _file) in enumerate(sorted(media))}
        # deflating a big collection is most of the cost of rewriting it for one edit
        method = zipfile.ZIP_STORED if db.stat().st_size > STORE_ABOVE else zipfile.ZIP_DEFLATED

        def write(handle: BinaryIO) -> None:
            with zipfile.ZipFile(handle, "w") as archive:
                _add(archive, "collection.anki2", db, method=method)
                _add(archive, "media", json.dumps(media_map, sort_keys=True).encode())
                for i, (_name, file) in enumerate(sorted(media)):
                    _add(archive, str(i), file)

        write_atomic(path, write)
    return rows


def _write_collection(
    db: Path,
    decks: Sequence[DeckSpec],
    notetype_modified: int,
    *,
    known: Mapping[str, str] | None,
) -> dict[str, str]:
    """Create or update genanki's tables in ``db``: no journal and no fsync (the file is
    thrown away if anything fails), so writing costs CPU, not disk waits. The rows are
    genanki's (see ``noterows``), written a deck at a time."""
    types = _note_types()
    basic, cloze = types.rules
    if known is None:  # a database whose content is not on record is written again
        db.unlink(missing_ok=True)
    fresh = not db.exists()
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        cursor = connection.cursor()
        old: dict[str, str] = {}
        if fresh:
            cursor.executescript(genanki.apkg_schema.APKG_SCHEMA)
        else:
            old = dict(known or {})
        rows: dict[str, str] = {}
        _write_col(cursor, decks=decks, models=types.models, timestamp=notetype_modified)
        for spec in decks:
            deck_id = stable_id("deck:" + spec.name)
            stale: list[int] = []
            notes: list[Row] = []
            cards: list[Row] = []
            for note in spec.notes:
                rule = cloze if note.cloze else basic
                note_id = _note_id(note.guid)
                current = old.pop(note.guid, None)
                rows[note.guid] = row = _row(note, deck_id=deck_id)
                if current is not None:
                    if current == row:
                        continue
                    stale.append(note_id)
                add_note(
                    note, rule=rule, note_id=note_id, deck_id=deck_id, notes=notes, cards=cards
                )
            _delete(cursor, stale)
            cursor.executemany(NOTE_INSERT, notes)
            cursor.executemany(CARD_INSERT, cards)
        _delete(cursor, [_note_id(guid) for guid in old])
        connection.commit()
    finally:
        connection.close()
    return rows


def _row(note: NoteSpec, *, deck_id: int) -> str:
    """What the database holds for a note, in short: its date, deck and content hash (the
    hash covers its type, fields and tags; its id follows from its GUID)."""
    return f"{note.modified}:{deck_id}:{note.digest()[:32]}"


def _delete(cursor: sqlite3.Cursor, note_ids: Sequence[int]) -> None:
    """Remove these notes and their cards."""
    cursor.executemany("DELETE FROM cards WHERE nid = ?", [(i,) for i in note_ids])
    cursor.executemany("DELETE FROM notes WHERE id = ?", [(i,) for i in note_ids])


def _write_col(
    cursor: sqlite3.Cursor,
    *,
    decks: Sequence[DeckSpec],
    models: tuple[genanki.Model, genanki.Model],
    timestamp: int,
) -> None:
    """The collection row: genanki's template with these decks and the note types they
    use, exactly as genanki's own writer fills it in.

    genanki reads the row's JSON back, adds one deck and writes it again, deck by deck:
    quadratic in the number of decks (the combined package of a big library has one per
    scenario). The same text is built here in one pass, simulating each round trip: a
    note type keyed by an integer id sits beside the string key the round trip left,
    and only the last deck's stay that way (``test_apkg_rows`` compares both writers).
    """
    basic, cloze = models
    cursor.execute("DELETE FROM col")
    cursor.executescript(genanki.apkg_col.APKG_COL)
    if not decks:
        return
    decks_json, models_json = cursor.execute("SELECT decks, models FROM col").fetchone()
    all_decks = json.loads(decks_json)
    all_models = json.loads(models_json)
    last: dict[int, Any] = {}
    for index, spec in enumerate(decks):
        deck = genanki.Deck(stable_id("deck:" + spec.name), spec.name, description=spec.description)
        for model in (basic, cloze):
            if any(n.cloze == (model is cloze) for n in spec.notes):
                deck.add_model(model)
        all_decks[str(deck.deck_id)] = json.loads(json.dumps(deck.to_json()))
        added = {m.model_id: m.to_json(timestamp, deck.deck_id) for m in deck.models.values()}
        if index < len(decks) - 1:
            all_models.update(json.loads(json.dumps(added)))  # its keys become strings
        else:
            last = added
    cursor.execute("UPDATE col SET decks = ?", (json.dumps(all_decks),))
    cursor.execute("UPDATE col SET models = ?", (json.dumps({**all_models, **last}),))


def _add(
    archive: zipfile.ZipFile, name: str, data: bytes | Path, *, method: int = zipfile.ZIP_DEFLATED
) -> None:
    """One zip entry with a fixed date and mode, streamed from disk for big files."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = method
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
