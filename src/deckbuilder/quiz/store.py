"""Quiz state in SQLite: card states and the full review log (sync.py reads collections too).

Every answer is committed in its own transaction when it is given (WAL mode, so
a second session on the same file waits instead of failing). A file that is not
ours, is damaged, read-only or from a newer version is refused and never written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deckbuilder.errors import DeckbuilderError
from deckbuilder.quiz.scheduler import CardState, Phase, Rating

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


class UndoRefused(StateError):
    """An answer cannot be taken back: the card was answered since, in another session."""


def iso(moment: datetime) -> str:
    """UTC, fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


@dataclass(frozen=True)
class Review:
    id: int
    guid: str
    card_key: str
    scenario: str
    kind: str
    rating: Rating
    reviewed_at: str
    mode: str
    cram: bool
    phase_before: Phase
    state_before: CardState | None
    state_after: CardState | None


@dataclass(frozen=True)
class CardIdentity:
    guid: str
    card_key: str
    scenario: str
    kind: str


class Store:
    """An open quiz state file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _open(path)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:  # one transaction: committed on success, rolled back on error
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
        except sqlite3.OperationalError as error:
            raise StateError(f"{self.path}: cannot save the answer: {error}") from error

    def states(self, guids: Iterable[str]) -> dict[str, CardState]:
        """States of the given cards that have one (batched lookups)."""
        found: dict[str, CardState] = {}
        chunk: list[str] = []
        for guid in guids:
            chunk.append(guid)
            if len(chunk) == 500:
                found.update(self._states_of(chunk))
                chunk = []
        if chunk:
            found.update(self._states_of(chunk))
        return found

    def _states_of(self, chunk: Sequence[str]) -> dict[str, CardState]:
        marks = ",".join("?" * len(chunk))
        rows = self._db.execute(
            f"SELECT guid, state FROM cards WHERE guid IN ({marks})", tuple(chunk)
        )
        return {guid: CardState(state) for guid, state in rows}

    def due(self, before: datetime) -> list[tuple[str, str]]:
        """(guid, due) of every card due before the moment, oldest first."""
        return list(
            self._db.execute(
                "SELECT guid, due FROM cards WHERE due <= ? ORDER BY due, guid", (iso(before),)
            )
        )

    def due_between(self, after: datetime, until: datetime) -> list[tuple[str, CardState]]:
        """(guid, state) of every card falling due in (after, until], soonest first.

        The quiz asks this during a session, so learning cards from any session come back
        when they fall due (an index range scan: cheap with a big state file).
        """
        rows = self._db.execute(
            "SELECT guid, state FROM cards WHERE due > ? AND due <= ? ORDER BY due, guid",
            (iso(after), iso(until)),
        )
        return [(guid, CardState(state)) for guid, state in rows]

    def upcoming(self, after: datetime) -> Iterator[tuple[str, str]]:
        """(guid, due) of the cards due after the moment, soonest first, read lazily."""
        yield from self._db.execute(
            "SELECT guid, due FROM cards WHERE due > ? ORDER BY due, guid", (iso(after),)
        )

    def reviewed_since(self, since: datetime) -> set[str]:
        """GUIDs answered since the moment outside cram: today's cards, for sibling burying."""
        rows = self._db.execute(
            "SELECT DISTINCT guid FROM reviews WHERE reviewed_at >= ? AND cram = 0", (iso(since),)
        )
        return {guid for (guid,) in rows}

    def all_cards(self) -> list[tuple[CardIdentity, str]]:
        rows = self._db.execute("SELECT guid, card_key, scenario, kind, due FROM cards")
        return [(CardIdentity(g, k, s, kd), due) for g, k, s, kd, due in rows]

    def new_introduced_since(self, since: datetime) -> int:
        """Cards seen for the first time since the moment (not counting cram or undone answers)."""
        row = self._db.execute(
            "SELECT count(*) FROM reviews WHERE reviewed_at >= ? AND phase_before = 0 AND cram = 0",
            (iso(since),),
        ).fetchone()
        return int(row[0])

    def reviews_since(self, since: datetime) -> list[Review]:
        rows = self._db.execute(
            "SELECT * FROM reviews WHERE reviewed_at >= ? ORDER BY id", (iso(since),)
        )
        return [_review(row) for row in rows]

    def record(
        self,
        card: CardIdentity,
        *,
        rating: Rating,
        at: datetime,
        mode: str,
        before: CardState | None,
        after: CardState | None,
        cram: bool = False,
    ) -> int:
        """Save one answer and the card's new state in one transaction; return the review id.

        ``before`` None means the card was new. ``after`` None (cram) leaves the schedule alone.
        """
        phase = Phase.NEW if before is None else before.phase
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO reviews (guid, card_key, scenario, kind, rating, reviewed_at, mode,"
                " cram, phase_before, state_before, state_after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card.guid,
                    card.card_key,
                    card.scenario,
                    card.kind,
                    int(rating),
                    iso(at),
                    mode,
                    int(cram),
                    int(phase),
                    None if before is None else before.data,
                    None if after is None else after.data,
                ),
            )
            if after is not None:
                db.execute(
                    "INSERT INTO cards (guid, card_key, scenario, kind, state, due)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(guid) DO UPDATE SET"
                    " card_key = excluded.card_key, scenario = excluded.scenario,"
                    " kind = excluded.kind, state = excluded.state, due = excluded.due",
                    (
                        card.guid,
                        card.card_key,
                        card.scenario,
                        card.kind,
                        after.data,
                        iso(after.due),
                    ),
                )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    def undo(self, review_id: int) -> Review:
        """Take back one answer: delete its log row and restore the card exactly as it was.

        Both or neither: if another session sharing the file has answered the card since,
        raises UndoRefused and changes nothing.
        """
        with self._write() as db:
            row = db.execute("SELECT * FROM reviews WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise StateError(f"{self.path}: review {review_id} is not in the log")
            review = _review(row)
            if not review.cram and review.state_after is not None:
                current = db.execute(
                    "SELECT state FROM cards WHERE guid = ?", (review.guid,)
                ).fetchone()
                if current is None or current[0] != review.state_after.data:
                    # answered again since, in another session sharing this file: taking
                    # this answer back would erase that one's schedule; change nothing
                    raise UndoRefused(
                        f"{review.card_key} was answered again in another session since; "
                        "this answer can no longer be taken back"
                    )
            db.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if not review.cram:
                if review.state_before is None:
                    db.execute("DELETE FROM cards WHERE guid = ?", (review.guid,))
                else:
                    db.execute(
                        "UPDATE cards SET state = ?, due = ? WHERE guid = ?",
                        (review.state_before.data, iso(review.state_before.due), review.guid),
                    )
            return review


def _review(row: tuple[object, ...]) -> Review:
    (id_, guid, key, scenario, kind, rating, at, mode, cram, phase, before, after) = row
    return Review(
        id=int(id_),  # type: ignore[call-overload]
        guid=str(guid),
        card_key=str(key),
        scenario=str(scenario),
        kind=str(kind),
        rating=Rating(int(rating)),  # type: ignore[call-overload]
        reviewed_at=str(at),
        mode=str(mode),
        cram=bool(cram),
        phase_before=Phase(int(phase)),  # type: ignore[call-overload]
        state_before=None if before is None else CardState(str(before)),
        state_after=None if after is None else CardState(str(after)),
    )


def _open(path: Path) -> sqlite3.Connection:
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
    return _open(path)


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
