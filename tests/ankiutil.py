"""Import packages into a real Anki collection with the official library (our oracle)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int


def import_package(col: Collection, path: Path) -> ImportLog:
    """Import with Anki's default options, as a user clicking Import would."""
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    return ImportLog(
        new=len(log.new),
        updated=len(log.updated),
        duplicate=len(log.duplicate),
        conflicting=len(log.conflicting),
        first_field_match=len(log.first_field_match),
    )


def fresh_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def add_deckbuilder_notetypes(col: Collection) -> tuple[Any, Any]:
    """The basic and cloze note types, with deckbuilder's fields, templates and CSS."""
    from deckbuilder import notetype as types

    made = []
    for name, fields, templates, cloze in (
        ("deckbuilder Basic", types.BASIC_FIELDS, types.BASIC_TEMPLATES, False),
        ("deckbuilder Cloze", types.CLOZE_FIELDS, types.CLOZE_TEMPLATES, True),
    ):
        models = col.models
        notetype = models.new(name)
        notetype["type"] = 1 if cloze else 0
        for field in fields:
            models.add_field(notetype, models.new_field(field))
        for spec in templates:
            template = models.new_template(spec["name"])
            template["qfmt"], template["afmt"] = spec["qfmt"], spec["afmt"]
            models.add_template(notetype, template)
        notetype["css"] = types.css()
        models.add(notetype)
        made.append(models.by_name(name))
    return made[0], made[1]


def anki_sides(col: Collection, notetype: Any, fields: Sequence[str]) -> list[tuple[str, str]]:
    """(question, answer) HTML of every card Anki generates for these fields, as Anki renders it."""
    note = col.new_note(notetype)
    for index, value in enumerate(fields):
        note.fields[index] = value
    ordinals = list(note.cloze_numbers_in_fields()) if notetype["type"] == 1 else [1]
    sides = []
    for ordinal in sorted(ordinals):
        output = note.ephemeral_card(ordinal - 1).render_output()
        sides.append((output.question_text, output.answer_text))
    return sides
