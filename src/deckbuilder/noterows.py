"""The rows of a package's ``notes`` and ``cards`` tables, computed directly.

They are exactly the rows genanki's per-note writer (``Note.write_to_db``) inserts, so a
deck's notes go in with one ``executemany`` each for notes and cards instead of one
statement per note and per card. Which cards a note gets is its note type's
``CardRule``, worked out once from genanki's note type (in apkg.py, the only module that
imports genanki).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deckbuilder.plan import NoteSpec

NOTE_INSERT = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)"
CARD_INSERT = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

Row = tuple[Any, ...]

# genanki's patterns: the fields a cloze template's front names, and a field's deletions
_CLOZE_REFERENCES = (re.compile(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}"), re.compile("<%cloze:(.+?)%>"))
_DELETION = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)


@dataclass(frozen=True)
class CardRule:
    """Which cards a note of one note type gets, decided as genanki decides it.

    A front/back note type has ``requirements`` (genanki's ``Model._req``): per template
    its ord, whether all (else any) of the listed fields must be non-empty, and those
    fields. A cloze note type has ``cloze_fields``: the fields its first template's front
    shows as cloze, in genanki's order (-1 for a name that is not a field).
    """

    model_id: int
    field_count: int
    sort_field: int
    requirements: tuple[tuple[int, bool, tuple[int, ...]], ...] = ()
    cloze_fields: tuple[int, ...] | None = None

    @classmethod
    def of(cls, model: Any, *, cloze: bool) -> CardRule:
        """The rule of a genanki ``Model`` (``cloze``: its type is genanki's cloze type)."""
        if cloze:
            return cls.cloze(
                model_id=model.model_id,
                field_names=[f["name"] for f in model.fields],
                sort_field=model.sort_field_index,
                front=model.templates[0]["qfmt"],
            )
        return cls.front_back(
            model_id=model.model_id,
            field_count=len(model.fields),
            sort_field=model.sort_field_index,
            req=model._req,
        )

    @classmethod
    def front_back(
        cls, *, model_id: int, field_count: int, sort_field: int, req: Sequence[Sequence[Any]]
    ) -> CardRule:
        requirements = tuple(
            (int(ord_), {"all": True, "any": False}[kind], tuple(int(i) for i in fields))
            for ord_, kind, fields in req
        )
        return cls(model_id, field_count, sort_field, requirements=requirements)

    @classmethod
    def cloze(
        cls, *, model_id: int, field_names: Sequence[str], sort_field: int, front: str
    ) -> CardRule:
        # iterated as genanki iterates it: a set of the names, built the same way
        names = set(_CLOZE_REFERENCES[0].findall(front) + _CLOZE_REFERENCES[1].findall(front))
        indexes = tuple(
            next((i for i, f in enumerate(field_names) if f == name), -1) for name in names
        )
        return cls(model_id, len(field_names), sort_field, cloze_fields=indexes)

    def ords(self, fields: Sequence[str]) -> list[int]:
        """The ords of a note's cards, in the order genanki writes them."""
        if self.cloze_fields is None:
            return [
                ord_
                for ord_, needs_all, required in self.requirements
                if (all if needs_all else any)(fields[i] for i in required)
            ]
        ords: set[int] = set()  # genanki's card order is this set's order
        for index in self.cloze_fields:
            value = fields[index] if index >= 0 else ""
            ords.update(int(m) - 1 for m in _DELETION.findall(value) if int(m) > 0)
        # genanki's fallback to one card compares this set with a dict, so it never
        # applies: a cloze note without a deletion gets no card
        return list(ords)


def add_note(
    note: NoteSpec,
    *,
    rule: CardRule,
    note_id: int,
    deck_id: int,
    notes: list[Row],
    cards: list[Row],
) -> None:
    """Append a note's row to ``notes`` and its cards' rows (ids following the note's)
    to ``cards``, with genanki's checks that raise (not those that only warn)."""
    fields = note.fields
    if len(fields) != rule.field_count:
        raise ValueError(f"note {note.guid} has {len(fields)} fields, not {rule.field_count}")
    if " " in "".join(note.tags):
        raise ValueError(f"note {note.guid} has a tag with a space: {note.tags}")
    modified = int(note.modified)
    notes.append(
        (
            note_id,
            note.guid,
            rule.model_id,
            modified,
            -1,  # usn
            " " + " ".join(note.tags) + " ",
            "\x1f".join(fields),
            fields[rule.sort_field],
            0,  # csum
            0,  # flags
            "",  # data
        )
    )
    cards.extend(
        (card_id, note_id, deck_id, ord_, modified, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "")
        for card_id, ord_ in enumerate(rule.ords(fields), start=note_id + 1)
    )
