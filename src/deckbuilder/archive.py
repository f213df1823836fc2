"""Every note's last content, by content hash, kept beside the build (``.cache/notes.sqlite``).

When a note leaves the scenarios its last content must be re-emitted in ``removed.apkg``.
It is looked up by the content hash the manifest recorded, so it can never be newer content
than the manifest describes, whatever state a killed build left the packages in. Each
entry carries a MAC under this user's key, so a planted or damaged entry is a miss; a
miss is read back from the packages (checked against the same hashes), as in a fresh
clone. An SQLite file, so that a build reads only the entries it needs and writes only
the new ones: an edit costs the edit, not the library. Updated before anything is
swapped into place.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from deckbuilder import apkg, cache
from deckbuilder.plan import NoteContent, note_hash
from deckbuilder.storage import make_folder

NOTES = "notes.sqlite"
_SCHEMA = "CREATE TABLE IF NOT EXISTS notes (hash TEXT PRIMARY KEY, content BLOB, mac BLOB)"
_CHUNK = 500  # hashes per query (SQLite's limit on parameters is 32766 or 999)


def _connect(folder: Path, *, write: bool) -> sqlite3.Connection | None:
    """The archive's database; None when it is missing (to read) or cannot be opened."""
    path = folder / NOTES
    if not write and not path.is_file():
        return None
    try:
        if not write:  # read-only: ``build --check`` writes nothing
            return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        make_folder(folder)
        db = sqlite3.connect(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        db.execute("PRAGMA synchronous = OFF")
        db.execute(_SCHEMA)
    except sqlite3.Error:  # damaged: start again (it only ever saves reading the packages)
        db.close()
        with contextlib.suppress(OSError):
            path.unlink()
        return _connect(folder, write=True) if not path.exists() else None
    return db


def _signed(content_hash: str, data: bytes) -> bytes:
    return cache.mac(content_hash.encode() + b"\0" + data)


def hashes(folder: Path) -> set[str]:
    """The content hashes the archive holds (their entries are checked when read)."""
    db = _connect(folder, write=False)
    if db is None:
        return set()
    try:
        return {h for (h,) in db.execute("SELECT hash FROM notes")}
    except sqlite3.Error:
        return set()
    finally:
        db.close()


def lookup(folder: Path, wanted: Iterable[str]) -> dict[str, NoteContent]:
    """The entries for these hashes whose MAC holds (a planted or damaged one is left out)."""
    found: dict[str, NoteContent] = {}
    wanted = sorted(set(wanted))
    db = _connect(folder, write=False)
    if db is None:
        return found
    try:
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT hash, content, mac FROM notes WHERE hash IN ({marks})", chunk
            )
            for content_hash, data, mac in rows:
                if not isinstance(data, bytes) or not isinstance(mac, bytes):
                    continue
                if not hmac.compare_digest(mac, _signed(content_hash, data)):
                    continue
                with contextlib.suppress(ValueError, TypeError):
                    deck, cloze, fields, tags = json.loads(data)
                    found[content_hash] = NoteContent(
                        str(deck), bool(cloze), tuple(map(str, fields)), tuple(map(str, tags))
                    )
    except sqlite3.Error:
        pass  # a damaged archive: what it could not give is read from the packages
    finally:
        db.close()
    return found


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


def update(folder: Path, *, add: Mapping[str, NoteContent], keep: set[str], held: set[str]) -> None:
    """Add the entries not yet held and drop those outside ``keep`` (``held``: the hashes
    the archive held when this build read it)."""
    new = [(h, c) for h, c in add.items() if h not in held]
    drop = sorted(held - keep)
    if not new and not drop:
        return
    with contextlib.suppress(OSError):
        (folder / "notes.json").unlink(missing_ok=True)  # the archive of earlier versions
    db = _connect(folder, write=True)
    if db is None:
        return
    rows = []
    for content_hash, content in new:
        data = json.dumps(content.to_json(), ensure_ascii=False).encode()
        rows.append((content_hash, data, _signed(content_hash, data)))
    try:
        for start in range(0, len(drop), _CHUNK):
            chunk = drop[start : start + _CHUNK]
            db.execute(f"DELETE FROM notes WHERE hash IN ({','.join('?' * len(chunk))})", chunk)
        db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?)", rows)
        db.commit()
    except sqlite3.Error:
        pass  # a full disk or a damaged file: later builds read the packages instead
    finally:
        db.close()
