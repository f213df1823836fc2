"""Every note's last content, by content hash, kept beside the build (``.cache/notes.json``).

When a note leaves the scenarios its last content must be re-emitted in ``removed.apkg``.
It is looked up by the content hash the manifest recorded, so it can never be newer content
than the manifest describes, whatever state a killed build left the packages in. Written
before anything is swapped into place; rebuilt from the packages (checked against the same
hashes) when missing, as in a fresh clone.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from deckbuilder import apkg, cache
from deckbuilder.plan import NoteContent, note_hash
from deckbuilder.storage import make_folder, write_atomic

NOTES = "notes.json"


def read(folder: Path) -> dict[str, NoteContent]:
    """The archive in ``folder`` (empty if it is missing, foreign or damaged). Its seal
    proves a build of this user wrote it, and builds write only content under its hash."""
    try:
        data: Any = cache.unseal((folder / NOTES).read_bytes())
        return {
            h: NoteContent(str(d), bool(c), tuple(map(str, f)), tuple(map(str, t)))
            for h, (d, c, f, t) in data.items()
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def from_packages(packages: Iterable[Path], *, wanted: set[str]) -> dict[str, NoteContent]:
    """Notes' content read back from packages, kept only where the content hash is one the
    manifest recorded (a package on disk may already be newer than the manifest)."""
    found: dict[str, NoteContent] = {}
    for path in packages:
        if not wanted - set(found):
            break
        for note in apkg.read_notes(path):
            content_hash = note_hash(cloze=note.cloze, fields=note.fields, tags=note.tags)
            if content_hash in wanted and content_hash not in found:
                found[content_hash] = note
    return found


def write(
    folder: Path, archive: dict[str, NoteContent], *, held: Iterable[str] | None = None
) -> None:
    """Replace the archive (atomically), unless it already holds exactly these entries
    (``held``: the hashes it holds, when the caller has just read it)."""
    if set(read(folder) if held is None else held) == set(archive):
        return
    make_folder(folder)
    data = {h: c.to_json() for h, c in sorted(archive.items())}
    write_atomic(folder / NOTES, cache.seal(data))
