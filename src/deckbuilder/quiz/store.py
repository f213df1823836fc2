"""Quiz state in SQLite: card states and the full review log (sync.py reads collections too).

Every answer is committed in its own transaction when it is given (WAL mode, so
a second session on the same file waits instead of failing). A file that is not
ours, is damaged, read-only or from a newer version is refused and never written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deckbuilder.quiz.scheduler import CardState, Phase, Rating
from deckbuilder.quiz.statefile import StateError, open_state


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
        self._db = open_state(path)

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
