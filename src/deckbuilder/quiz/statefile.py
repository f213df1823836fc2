"""The quiz state file itself: its schema and migrations, and opening it safely.

A file that is not ours (another program's SQLite database, not a regular file), is
damaged, truncated, read-only or from a newer version is refused with a StateError and
never written. A new file is built under a unique temporary name and linked into place.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
from pathlib import Path

from deckbuilder.errors import DeckbuilderError

APPLICATION_ID = 0x44424B51  # "DBKQ"
SCHEMA_VERSION = 2
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cards (
    guid TEXT PRIMARY KEY,
    card_key TEXT NOT NULL,
    scenario TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    due TEXT NOT NULL
);
CREATE INDEX cards_due ON cards(due);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL,
    card_key TEXT NOT NULL,
    scenario TEXT NOT NULL,
    kind TEXT NOT NULL,
    rating INTEGER NOT NULL,
    reviewed_at TEXT NOT NULL,
    mode TEXT NOT NULL,
    cram INTEGER NOT NULL,
    phase_before INTEGER NOT NULL,
    state_before TEXT,
    state_after TEXT
);
CREATE INDEX reviews_time ON reviews(reviewed_at);
CREATE INDEX reviews_guid ON reviews(guid);
"""


# Additive migrations: version -> SQL that brings the previous version up to it.
_MIGRATIONS = {
    2: """
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    minutes REAL NOT NULL,
    decision TEXT NOT NULL,
    mean REAL,
    transcript TEXT NOT NULL
);
CREATE TABLE interview_scores (
    interview_id INTEGER NOT NULL REFERENCES interviews(id),
    dimension TEXT NOT NULL,
    weight REAL NOT NULL,
    level INTEGER,
    prompted INTEGER NOT NULL,
    PRIMARY KEY (interview_id, dimension)
);
""",
}


class StateError(DeckbuilderError):
    """The quiz state file cannot be used; it has not been changed."""


def open_state(path: Path) -> sqlite3.Connection:
    """Open (or create) a state file, refusing anything that is not a usable deckbuilder state."""
    if path.exists():
        _check_existing(path)
        try:
            db = sqlite3.connect(path, timeout=10, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            _migrate(db)
        except sqlite3.DatabaseError as error:
            raise StateError(f"{path}: cannot open the quiz state: {error}") from error
        return db
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StateError(f"{path}: cannot create the quiz state folder: {error}") from error
    # unique per process and call: two sessions creating the same state file at once
    # each build their own, and the first link wins
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.new")
    try:
        db = sqlite3.connect(temporary, isolation_level=None)
        # WAL is recorded in the file: sessions opening it at once then need no switch of
        # journal mode, which can fail with "database is locked" without waiting
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(_SCHEMA + "".join(_MIGRATIONS.values()))
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("INSERT INTO meta VALUES ('application', 'deckbuilder quiz')")
        db.close()
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)  # atomic, and never replaces a file another process made
        temporary.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as error:
        temporary.unlink(missing_ok=True)
        raise StateError(f"{path}: cannot create the quiz state: {error}") from error
    return open_state(path)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring an older state file up to SCHEMA_VERSION in one transaction (additive only)."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version >= SCHEMA_VERSION:
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another process won?
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[target].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")


def _check_existing(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block the check
    except OSError as error:
        raise StateError(f"{path}: cannot read the quiz state: {error}") from error
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise StateError(f"{path}: not a deckbuilder quiz state file (not a regular file)")
        header = os.read(fd, 100)
    except OSError as error:
        raise StateError(f"{path}: cannot read the quiz state: {error}") from error
    finally:
        os.close(fd)
    if not header.startswith(_SQLITE_MAGIC):
        raise StateError(f"{path}: not a deckbuilder quiz state file (not an SQLite database)")
    if len(header) < 100:
        raise StateError(f"{path}: the quiz state file is truncated")
    application_id = int.from_bytes(header[68:72], "big")
    version = int.from_bytes(header[60:64], "big")
    if application_id != APPLICATION_ID:
        raise StateError(
            f"{path}: not a deckbuilder quiz state file (an SQLite database of another program)"
        )
    if version > SCHEMA_VERSION:
        raise StateError(
            f"{path}: made by a newer deckbuilder (schema {version}; this one reads "
            f"{SCHEMA_VERSION}); upgrade deckbuilder"
        )
    if not os.access(path, os.W_OK):
        raise StateError(f"{path}: the quiz state file is read-only")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        # SQLite keeps its write-ahead log next to the file: the folder must be writable
        raise StateError(f"{path}: the folder holding the quiz state is read-only")
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"  # as_uri escapes '#', '?' and '%'
        db = sqlite3.connect(uri, uri=True)
        try:
            result = db.execute("PRAGMA quick_check").fetchone()
            db.execute("SELECT count(*) FROM cards").fetchone()
            db.execute("SELECT count(*) FROM reviews").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        raise StateError(f"{path}: the quiz state file is damaged ({error})") from error
    if result is None or result[0] != "ok":
        raise StateError(f"{path}: the quiz state file is damaged ({result[0] if result else ''})")
