"""The package writer's notes and cards rows are exactly those genanki's own per-note
writer (``Note.write_to_db``) puts in a fresh database, for a new and an updated database."""

from __future__ import annotations

import itertools
import sqlite3
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import genanki

from deckbuilder import apkg
from deckbuilder.identity import stable_id
from deckbuilder.plan import DeckSpec, NoteSpec


def _basic(
    guid: str, front: str, *, context: str = "ctx", modified: int = 1_700_000_000
) -> NoteSpec:
    return NoteSpec(
        guid, False, (front, "<p>back</p>", context, "a/b.md"), ("kind::fact",), modified
    )


def _cloze(guid: str, text: str, *, modified: int = 1_700_000_000) -> NoteSpec:
    return NoteSpec(
        guid, True, (text, "extra", "ctx", "a/numbers.md"), ("kind::number", "topic::kv"), modified
    )


DECKS = (
    DeckSpec(
        "deckbuilder::One",
        "first",
        (
            _basic("g-basic", "<p>What is <b>it</b>?</p>"),
            _basic("g-unknown-tag", "<p>a <x-tag y=1 < 3> and <!-- c --></p>", context=""),
            _basic("g-context-only", "", context="only context"),
            _basic("g-empty", "", context=""),  # genanki writes no card for it
            _cloze("g-c1", "KV per token: {{c1::320 KiB}}"),
            _cloze("g-c123", "{{c1::80}} layers, {{c2::8}} heads,\n{{c3::128\ndims}}"),
            _cloze("g-repeat", "{{c2::a}} then {{c1::b}} and {{c2::c}}"),
        ),
    ),
    DeckSpec(
        "deckbuilder::Two",
        "second",
        (
            _cloze("g-c2-c9", "{{c9::nine}} and {{c2::two}}"),  # a set of ords out of order
            _cloze("g-none", "no deletion at all"),
            _cloze("g-c0", "{{c0::zero}} is not a deletion"),
            _basic("g-second", "<p>Second deck</p>", modified=1_700_000_123),
        ),
    ),
)


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    connection = sqlite3.connect(db)
    try:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("notes", "cards")
        }
    finally:
        connection.close()


def _genanki_tables(db: Path, decks: Sequence[DeckSpec]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows genanki's ``Note.write_to_db`` writes for these decks, as the writer
    used it: each note with its own time and ids counted from its GUID's id."""
    basic, cloze = apkg._models()
    connection = sqlite3.connect(db)
    cursor = connection.cursor()
    cursor.executescript(genanki.apkg_schema.APKG_SCHEMA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for spec in decks:
            deck_id = stable_id("deck:" + spec.name)
            for note in spec.notes:
                genanki.Note(
                    model=cloze if note.cloze else basic,
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=note.guid,
                ).write_to_db(
                    cursor,
                    note.modified,
                    deck_id,
                    itertools.count(stable_id("note:" + note.guid) // 16 * 16),
                )
    connection.commit()
    connection.close()
    return _tables(db)


def _ords(tables: dict[str, list[tuple[Any, ...]]], guid: str) -> list[int]:
    """A note's card ords in card id order."""
    (note_id,) = [row[0] for row in tables["notes"] if row[1] == guid]
    return [row[3] for row in tables["cards"] if row[1] == note_id]


def test_fresh_rows_are_genanki_rows(tmp_path: Path) -> None:
    apkg._write_collection(tmp_path / "ours.anki2", DECKS, 1_700_000_000, known=None)
    ours = _tables(tmp_path / "ours.anki2")
    theirs = _genanki_tables(tmp_path / "genanki.anki2", DECKS)
    assert ours == theirs
    # the cases the comparison is about are all there
    assert len(ours["notes"]) == 11
    assert _ords(ours, "g-c123") == [0, 1, 2]
    assert _ords(ours, "g-repeat") == [0, 1]  # each deletion once
    assert _ords(ours, "g-c2-c9") == [8, 1]  # the set's order, not ascending
    assert _ords(ours, "g-none") == _ords(ours, "g-c0") == []
    assert _ords(ours, "g-empty") == []
    assert _ords(ours, "g-context-only") == [0]


def test_updated_rows_are_genanki_rows(tmp_path: Path) -> None:
    """An existing database brought up to date (a note edited, one moved to the other
    deck, one dropped, one added) holds genanki's rows for the new decks."""
    db = tmp_path / "ours.anki2"
    known = apkg._write_collection(db, DECKS, 1_700_000_000, known=None)
    one, two = DECKS
    moved = two.notes[0]
    edited = _cloze("g-c123", "{{c1::80}} layers, {{c4::8}} heads", modified=1_700_000_500)
    new_decks = (
        DeckSpec(
            one.name,
            one.description,
            (*(edited if n.guid == "g-c123" else n for n in one.notes), moved),
        ),
        DeckSpec(
            two.name,
            two.description,
            (*two.notes[1:-1], _basic("g-added", "<p>new</p>", modified=1_700_000_500)),
        ),
    )
    rows = apkg._write_collection(db, new_decks, 1_700_000_500, known=known)
    ours = _tables(db)
    assert ours == _genanki_tables(tmp_path / "genanki.anki2", new_decks)
    assert _ords(ours, "g-c123") == [0, 3]
    assert "g-second" not in {row[1] for row in ours["notes"]}
    # the record returned names exactly the notes now in the database
    assert set(rows) == {row[1] for row in ours["notes"]}


def _col(cursor: sqlite3.Cursor) -> tuple[str, str]:
    decks, models = cursor.execute("SELECT decks, models FROM col").fetchone()
    return decks, models


def test_the_collection_row_is_genankis(tmp_path: Path) -> None:
    """The collection row (decks and note types as JSON) is the text genanki's own
    package writer leaves, deck after deck read back and written again, for one deck
    and for many decks mixing both note types."""
    basic, cloze = apkg._note_types().models
    many = tuple(
        DeckSpec(
            f"deckbuilder::D{i}",
            f"deck {i}",
            (_basic(f"b{i}", "x"),) * (i % 3 != 2) + (_cloze(f"c{i}", "{{c1::y}}"),) * (i % 3 != 0),
        )
        for i in range(7)
    )
    for case, decks in enumerate((DECKS[:1], DECKS, many)):
        ours = sqlite3.connect(tmp_path / f"ours-{case}.anki2")
        ours.executescript(genanki.apkg_schema.APKG_SCHEMA)
        apkg._write_col(ours.cursor(), decks=decks, models=(basic, cloze), timestamp=1_700_000_000)
        theirs = sqlite3.connect(tmp_path / f"theirs-{case}.anki2")
        gdecks = []
        for spec in decks:
            deck = genanki.Deck(stable_id("deck:" + spec.name), spec.name, spec.description)
            for model in (basic, cloze):
                if any(n.cloze == (model is cloze) for n in spec.notes):
                    deck.add_model(model)
            gdecks.append(deck)
        genanki.Package(gdecks).write_to_db(theirs.cursor(), 1_700_000_000, itertools.count())
        assert _col(ours.cursor()) == _col(theirs.cursor()), case
