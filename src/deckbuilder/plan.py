"""Plan a build, purely: (library, rendered cards, previous manifest, clock) → the notes, the
packages to write or keep or delete, the change report and the new manifest.

Nothing here touches the disk: what is on disk comes in as values (the hashes of the
package files present, and the last content of notes, by content hash).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckbuilder import notetype, render
from deckbuilder.identity import REMOVED_TAG, guid_for
from deckbuilder.manifest import Manifest, NoteRecord, PackageRecord, RemovedNote
from deckbuilder.model import Library
from deckbuilder.outputs import COMBINED, REMOVED, NoteChange
from deckbuilder.render import RenderedCard

ROOT_DECK = "LLM System Design"
TOPIC_ROOT_DECK = "LLM System Design Topics"


@dataclass(frozen=True)
class NoteSpec:
    guid: str
    cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    modified: int  # seconds since the epoch: when this note's content last changed
    content_hash: str = ""  # ``note_hash`` of the above, when the planner knows it

    def digest(self) -> str:
        """``note_hash`` of the note's content (type, fields, tags)."""
        return self.content_hash or note_hash(cloze=self.cloze, fields=self.fields, tags=self.tags)


@dataclass(frozen=True)
class DeckSpec:
    name: str
    description: str
    notes: tuple[NoteSpec, ...]


@dataclass(frozen=True)
class NoteContent:
    """What a note held: enough to re-emit it once it is removed from the scenarios."""

    deck: str
    cloze: bool
    fields: tuple[str, ...]
    tags: tuple[str, ...]

    def to_json(self) -> list[Any]:
        return [self.deck, self.cloze, list(self.fields), list(self.tags)]


@dataclass(frozen=True)
class PackagePlan:
    relative: str  # path inside the output folder
    decks: tuple[DeckSpec, ...]
    media: tuple[tuple[str, Path], ...]
    content: str  # hash of everything the package holds


@dataclass(frozen=True)
class Plan:
    manifest: Manifest  # the new manifest; packages to write have no record yet
    write: tuple[PackagePlan, ...]
    unchanged: tuple[str, ...]
    delete: tuple[str, ...]
    changes: tuple[NoteChange, ...]
    notes: int
    contents: Mapping[str, NoteContent]  # content hash -> content, of every note planned

    @property
    def stale(self) -> tuple[str, ...]:
        """What a build would write or delete."""
        return tuple(sorted([p.relative for p in self.write] + list(self.delete)))


def digest(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def note_hash(*, cloze: bool, fields: Sequence[str], tags: Sequence[str]) -> str:
    return digest([cloze, list(fields), list(tags)])


def gone(library: Library, previous: Manifest) -> list[str]:
    """GUIDs of notes in the previous manifest that are no longer studied in the library
    (recital kinds are never packaged: a rubric note of an earlier build is gone)."""
    present = {guid_for(c.full_key) for s in library.scenarios for c in s.study_cards}
    return [guid for guid in previous.notes if guid not in present]


def plan(
    library: Library,
    rendered: Sequence[Sequence[RenderedCard]],
    *,
    previous: Manifest,
    now: Callable[[], float],
    on_disk: Mapping[str, str],
    archive: Mapping[str, NoteContent],
    writer_version: int,
) -> Plan:
    """The build: ``rendered`` holds each scenario's rendered cards, in library order;
    ``on_disk`` the SHA-256 of every package file present; ``archive`` the last content
    of notes by content hash (needed for notes that disappear)."""
    stamp = int(now())
    type_hash = notetype.digest()
    if previous.notetype_hash == type_hash:
        type_modified = previous.notetype_modified
    else:
        type_modified = max(stamp, previous.notetype_modified + 1)

    records: dict[str, NoteRecord] = {}
    specs: dict[str, NoteSpec] = {}
    media: dict[str, tuple[tuple[str, Path], ...]] = {}
    contents: dict[str, NoteContent] = {}
    changes: list[NoteChange] = []
    by_scenario: dict[str, list[str]] = {}
    by_topic: dict[str, list[str]] = {}
    for scenario, cards in zip(library.scenarios, rendered, strict=True):
        meta = scenario.meta
        deck = f"{ROOT_DECK}::{meta.deck_title}"
        # recital kinds are parsed for the interview mode, never packaged (CardKind.study)
        for card, result in zip(scenario.study_cards, cards, strict=True):
            guid = result.guid or guid_for(card.full_key)
            content_hash = result.content_hash or note_hash(
                cloze=card.cloze, fields=result.fields, tags=result.tags
            )
            old = previous.notes.get(guid)
            title = f"{meta.deck_title}: {card.kind.label}: {card.title}"
            if old is None:
                modified = stamp
                changes.append(NoteChange("added", title, card.full_key))
            elif old.hash != content_hash:
                modified = max(stamp, old.modified + 1)
                changes.append(NoteChange("changed", title, card.full_key))
            else:
                modified = old.modified
            records[guid] = NoteRecord(card.full_key, title, meta.id, content_hash, modified)
            specs[guid] = NoteSpec(
                guid, card.cloze, result.fields, result.tags, modified, content_hash
            )
            media[guid] = result.media
            contents[content_hash] = NoteContent(deck, card.cloze, result.fields, result.tags)
            by_scenario.setdefault(meta.id, []).append(guid)
            for topic_id in card.topics:
                by_topic.setdefault(topic_id, []).append(guid)

    removed = {guid: r for guid, r in previous.removed.items() if guid not in records}
    for guid in sorted(
        (g for g in previous.notes if g not in records), key=lambda g: previous.notes[g].key
    ):
        old = previous.notes[guid]
        changes.append(NoteChange("removed", old.title, old.key))
        last = archive.get(old.hash)
        if last is None:
            continue  # its content is nowhere to be found: report only
        removed[guid] = RemovedNote(
            key=old.key,
            title=old.title,
            scenario=old.scenario,
            deck=last.deck,
            cloze=last.cloze,
            fields=last.fields,
            tags=tuple(sorted({*last.tags, REMOVED_TAG})),
            modified=max(stamp, old.modified + 1),
        )

    def notes(guids: Sequence[str]) -> tuple[NoteSpec, ...]:
        return tuple(specs[g] for g in guids)

    layout: dict[str, list[DeckSpec]] = {COMBINED: []}
    for scenario in library.scenarios:
        meta = scenario.meta
        spec = DeckSpec(
            f"{ROOT_DECK}::{meta.deck_title}",
            render.scenario_description(meta),
            notes(by_scenario.get(meta.id, [])),
        )
        layout[COMBINED].append(spec)
        layout[f"scenarios/{meta.folder}.apkg"] = [spec]
    for topic in library.topics:
        if topic.id in by_topic:
            layout[f"topics/{topic.id}.apkg"] = [
                DeckSpec(
                    f"{TOPIC_ROOT_DECK}::{topic.title}",
                    render.topic_description(topic.description),
                    notes(by_topic[topic.id]),
                )
            ]
    removed_decks: dict[str, list[NoteSpec]] = {}
    for guid, entry in sorted(removed.items(), key=lambda item: item[1].key):
        removed_decks.setdefault(entry.deck, []).append(
            NoteSpec(guid, entry.cloze, entry.fields, entry.tags, entry.modified)
        )
    if removed_decks:
        layout[REMOVED] = [
            DeckSpec(name, "", tuple(specs)) for name, specs in sorted(removed_decks.items())
        ]

    hashes = {guid: r.hash for guid, r in records.items()}
    hashes.update({guid: digest(entry.to_json()) for guid, entry in removed.items()})
    packages: dict[str, PackageRecord] = {}
    unchanged: list[str] = []
    write: list[PackagePlan] = []
    for relative, decks in sorted(layout.items()):
        package_media = tuple(
            sorted({item for d in decks for n in d.notes for item in media.get(n.guid, ())})
        )
        content = digest(
            [
                writer_version,
                type_hash,
                type_modified,
                [
                    [d.name, d.description, [[n.guid, hashes[n.guid], n.modified] for n in d.notes]]
                    for d in decks
                ],
                [name for name, _file in package_media],  # names carry the content hash
            ]
        )
        old_package = previous.packages.get(relative)
        if (
            old_package is not None
            and old_package.content == content
            and on_disk.get(relative) == old_package.sha256
        ):
            unchanged.append(relative)
            packages[relative] = old_package
        else:
            write.append(PackagePlan(relative, tuple(decks), package_media, content))
    manifest = Manifest(
        notetype_hash=type_hash,
        notetype_modified=type_modified,
        notes=records,
        removed=removed,
        packages=packages,
    )
    return Plan(
        manifest=manifest,
        write=tuple(write),
        unchanged=tuple(unchanged),
        delete=tuple(sorted(set(on_disk) - set(layout))),
        changes=tuple(changes),
        notes=len(records),
        contents=contents,
    )
