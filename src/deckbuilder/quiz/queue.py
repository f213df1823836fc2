"""Which cards a session shows: due cards first, then new ones up to the daily limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from deckbuilder.model import Card, CardKind
from deckbuilder.quiz.scheduler import CardState
from deckbuilder.quiz.store import Store

DAY_STARTS_AT = time(4, 0)  # like Anki: a late-night session still counts as the same day


@dataclass(frozen=True)
class QuizCard:
    """A card with its GUID and scheduling state (None: never studied)."""

    card: Card
    guid: str
    state: CardState | None


@dataclass(frozen=True)
class Filters:
    scenarios: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[CardKind, ...] = ()
    tags: tuple[str, ...] = ()

    def keep(self, card: Card, *, tags: Sequence[str]) -> bool:
        if self.scenarios and card.scenario_id not in self.scenarios:
            return False
        if self.topics and not set(self.topics) & set(card.topics):
            return False
        if self.kinds and card.kind not in self.kinds:
            return False
        return not self.tags or all(tag in tags for tag in self.tags)


@dataclass(frozen=True)
class QueuePlan:
    due: tuple[QuizCard, ...]
    new: tuple[QuizCard, ...]
    new_seen_today: int
    skipped_new: int = field(default=0)

    @property
    def cards(self) -> tuple[QuizCard, ...]:
        return self.due + self.new


def day_start(now: datetime) -> datetime:
    """The start of the user's study day (local time) containing ``now``."""
    local = now.astimezone()
    start = datetime.combine(local.date(), DAY_STARTS_AT, tzinfo=local.tzinfo)
    if local < start:
        start -= timedelta(days=1)
    return start


def plan(
    cards: Sequence[tuple[Card, str]],
    *,
    store: Store,
    now: datetime,
    new_limit: int,
    max_cards: int | None,
    cram: bool = False,
) -> QueuePlan:
    """Due cards (oldest due first), then unseen cards in collection order up to the daily limit.

    ``cards`` are (card, guid) pairs, already filtered. In cram mode every card is shown,
    studied ones first, regardless of due dates.
    """
    by_guid = {guid: card for card, guid in cards}
    states = store.states(by_guid)
    if cram:
        studied = tuple(QuizCard(c, g, states[g]) for c, g in cards if g in states)
        never = tuple(QuizCard(c, g, None) for c, g in cards if g not in states)
        everything = studied + never
        return QueuePlan(
            due=everything[:max_cards] if max_cards else everything, new=(), new_seen_today=0
        )
    due = tuple(
        QuizCard(by_guid[guid], guid, states[guid])
        for guid, _due in store.due(now)
        if guid in by_guid
    )
    seen_today = store.new_introduced_since(day_start(now))
    allowance = max(new_limit - seen_today, 0)
    unseen = [QuizCard(c, g, None) for c, g in cards if g not in states]
    new = tuple(unseen[:allowance])
    if max_cards is not None:
        due = due[:max_cards]
        new = new[: max(max_cards - len(due), 0)]
    return QueuePlan(
        due=due, new=new, new_seen_today=seen_today, skipped_new=len(unseen) - len(new)
    )
