"""FSRS scheduling through the maintained ``fsrs`` package. The only module that imports fsrs."""

from __future__ import annotations

import enum
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fsrs


class Rating(enum.IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Phase(enum.IntEnum):
    """Where a card is in its life; NEW is ours (fsrs has no 'new' state)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state, as stored: fsrs's own serialisation."""

    data: str  # fsrs.Card.to_json()

    @property
    def due(self) -> datetime:
        return _summary(self.data)[0]

    @property
    def phase(self) -> Phase:
        return _summary(self.data)[1]


@functools.lru_cache(maxsize=8192)
def _summary(data: str) -> tuple[datetime, Phase]:
    """Due date and phase read straight from fsrs's JSON: the queue asks for them before
    every card, and a full fsrs.Card costs several times more to rebuild."""
    fields = json.loads(data)
    due = datetime.fromisoformat(fields["due"])
    phase = Phase.NEW if fields.get("last_review") is None else Phase(int(fields["state"]))
    return due, phase


def _card(state: CardState) -> fsrs.Card:
    return fsrs.Card.from_json(state.data)


def card_id_for(guid: str) -> int:
    """fsrs's Card() without an id reads the clock and sleeps; derive one from the GUID."""
    return int.from_bytes(hashlib.sha256(guid.encode()).digest()[:6], "big")


def utc(moment: datetime) -> datetime:
    """fsrs accepts only timezone-aware UTC datetimes."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC)


class Scheduler:
    """FSRS with fixed learning steps; fuzzing off when the caller needs determinism."""

    def __init__(self, *, desired_retention: float = 0.9, fuzz: bool = True) -> None:
        self._fsrs = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)
        self._exact = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=False)

    def new(self, guid: str, *, now: datetime) -> CardState:
        card = fsrs.Card(card_id=card_id_for(guid), due=utc(now))
        return CardState(card.to_json())

    def review(self, state: CardState, rating: Rating, *, now: datetime) -> CardState:
        card, _log = self._fsrs.review_card(
            _card(state), fsrs.Rating(int(rating)), review_datetime=utc(now)
        )
        return CardState(card.to_json())

    def preview(self, state: CardState, *, now: datetime) -> dict[Rating, timedelta]:
        """The interval each rating would give, for the buttons (before any fuzz)."""
        result = {}
        for rating in Rating:
            card, _log = self._exact.review_card(
                _card(state), fsrs.Rating(int(rating)), review_datetime=utc(now)
            )
            result[rating] = card.due - utc(now)
        return result


def describe(interval: timedelta) -> str:
    """A short human interval: 1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(interval.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
