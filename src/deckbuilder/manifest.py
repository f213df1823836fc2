"""The build manifest (``decks/manifest.json``) as a typed frozen value, with JSON in and out.

For every note it records the key, a hash of its content and when that content last
changed (that time becomes the note's modification time in every package); for every
removed note, its last content; for every package, a hash of what it holds and of its
bytes; for the note types, their hash and modification time.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from deckbuilder.errors import DeckbuilderError

FORMAT = 1


@dataclass(frozen=True)
class NoteRecord:
    key: str
    title: str
    scenario: str
    hash: str
    modified: int


@dataclass(frozen=True)
class RemovedNote:
    """A note no longer in the scenarios, kept with its last content and a newer date."""

    key: str
    title: str
    scenario: str
    deck: str
    cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    modified: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "scenario": self.scenario,
            "deck": self.deck,
            "cloze": self.cloze,
            "fields": list(self.fields),
            "tags": list(self.tags),
            "modified": self.modified,
        }


@dataclass(frozen=True)
class PackageRecord:
    content: str  # hash of everything the package holds
    sha256: str  # hash of its bytes as written


@dataclass(frozen=True)
class Manifest:
    notetype_hash: str | None = None
    notetype_modified: int = 0
    notes: Mapping[str, NoteRecord] = field(default_factory=dict)
    removed: Mapping[str, RemovedNote] = field(default_factory=dict)
    packages: Mapping[str, PackageRecord] = field(default_factory=dict)

    def to_json(self) -> bytes:
        notetype = (
            {"hash": self.notetype_hash, "modified": self.notetype_modified}
            if self.notetype_hash is not None
            else {}
        )
        # what json.dumps(indent=1) writes, with each note (most of the text) in one step
        q = _STRING
        notes = [
            f'  {q(guid)}: {{\n   "key": {q(n.key)},\n   "title": {q(n.title)},\n'
            f'   "scenario": {q(n.scenario)},\n   "hash": {q(n.hash)},\n'
            f'   "modified": {int(n.modified)}\n  }}'
            for guid, n in sorted(self.notes.items(), key=lambda item: item[1].key)
        ]
        removed = {
            guid: r.to_json()
            for guid, r in sorted(self.removed.items(), key=lambda item: item[1].key)
        }
        packages = {
            name: {"content": p.content, "sha256": p.sha256}
            for name, p in sorted(self.packages.items())
        }
        parts = [
            f' "format": {FORMAT}',
            f' "notetype": {_pretty(notetype, " ")}',
            ' "notes": ' + ("{\n" + ",\n".join(notes) + "\n }" if notes else "{}"),
            f' "removed": {_pretty(removed, " ")}',
            f' "packages": {_pretty(packages, " ")}',
        ]
        return ("{\n" + ",\n".join(parts) + "\n}\n").encode()

    @classmethod
    def from_json(cls, data: bytes, *, path: str) -> Manifest:
        """Read a manifest; anything that is not one, exactly, is a clear error."""
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.get("format") != FORMAT:
                raise ValueError("wrong format")
            notetype = _mapping(raw.get("notetype", {}))
            return cls(
                notetype_hash=_str(notetype["hash"]) if notetype else None,
                notetype_modified=_int(notetype["modified"]) if notetype else 0,
                notes={_str(g): _note(v) for g, v in _mapping(raw.get("notes", {})).items()},
                removed={_str(g): _removed(v) for g, v in _mapping(raw.get("removed", {})).items()},
                packages={
                    _str(name): PackageRecord(_str(v["content"]), _str(v["sha256"]))
                    for name, v in _mapping(raw.get("packages", {})).items()
                },
            )
        except (ValueError, KeyError, TypeError) as error:
            raise DeckbuilderError(
                f"{path}: not a deckbuilder manifest of format {FORMAT} ({error}); "
                "move it away to rebuild from scratch"
            ) from None


_STRING = json.encoder.encode_basestring  # the C function where Python has it


def _pretty(value: Any, indent: str) -> str:
    """``json.dumps(value, indent=1, ensure_ascii=False)``, several times faster: with an
    indent the standard library falls back to its pure-Python encoder, and the manifest of
    a big library holds hundreds of thousands of values (a test compares both)."""
    if isinstance(value, str):
        return str(_STRING(value))
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return int.__repr__(value)
    inner = indent + " "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_STRING(k)}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [inner + _pretty(v, inner) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    raise TypeError(f"not JSON: {type(value).__name__}")


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a mapping, not {type(value).__name__}")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, not {type(value).__name__}")
    return value


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, not {type(value).__name__}")
    return tuple(_str(v) for v in value)


def _note(value: Any) -> NoteRecord:
    v = _mapping(value)
    return NoteRecord(
        key=_str(v["key"]),
        title=_str(v["title"]),
        scenario=_str(v["scenario"]),
        hash=_str(v["hash"]),
        modified=_int(v["modified"]),
    )


def _removed(value: Any) -> RemovedNote:
    v = _mapping(value)
    if not isinstance(v["cloze"], bool):
        raise TypeError("expected a boolean")
    return RemovedNote(
        key=_str(v["key"]),
        title=_str(v["title"]),
        scenario=_str(v["scenario"]),
        deck=_str(v["deck"]),
        cloze=v["cloze"],
        fields=_strs(v["fields"]),
        tags=_strs(v["tags"]),
        modified=_int(v["modified"]),
    )
