"""Which cards a session shows: due cards first, then new ones up to the daily limit."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from deckbuilder.model import Card, CardKind
from deckbuilder.quiz.scheduler import CardState, Phase, describe
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


def sibling_key(card: Card) -> str:
    """Cards from the same note or the same source bullet are siblings (buried for the day)."""
    return str(card.source)


@dataclass(frozen=True)
class Counts:
    """Anki's three counts: new cards, learning cards (due within the learn-ahead), reviews."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


def status(item: QuizCard) -> str:
    """new, learning, relearning or review: what Anki would call the card now."""
    if item.state is None:
        return "new"
    return {
        Phase.NEW: "new",
        Phase.LEARNING: "learning",
        Phase.RELEARNING: "relearning",
        Phase.REVIEW: "review",
    }[item.state.phase]


def count(items: Sequence[QuizCard]) -> Counts:
    new = learning = review = 0
    for item in items:
        kind = status(item)
        if kind == "new":
            new += 1
        elif kind == "review":
            review += 1
        else:
            learning += 1
    return Counts(new, learning, review)


@dataclass(frozen=True)
class QueuePlan:
    due: tuple[QuizCard, ...]
    new: tuple[QuizCard, ...]
    new_seen_today: int
    skipped_new: int = field(default=0)
    # sibling key -> the GUIDs answered today: their siblings are buried
    buried: Mapping[str, frozenset[str]] = field(default_factory=dict)
    new_limit: int = 0
    next_due: datetime | None = None  # the soonest card of the selection due after now

    @property
    def cards(self) -> tuple[QuizCard, ...]:
        return self.due + self.new

    def empty_message(self, *, now: datetime) -> str:
        """Why nothing is due, and when something will be."""
        reasons = []
        if self.skipped_new and self.new_seen_today >= self.new_limit:
            reasons.append(
                f"the daily limit of {self.new_limit} new cards is reached "
                f"({self.new_seen_today} seen today; raise it with --new {self.new_limit + 10})"
            )
        elif self.skipped_new:
            reasons.append(
                f"{self.skipped_new} new cards wait behind their siblings (buried until tomorrow)"
            )
        message = "Nothing due now"
        if reasons:
            message += ": " + "; ".join(reasons)
        message += "."
        if self.next_due is not None:
            wait = describe(self.next_due - now)
            message += f" Next card due in {wait} ({_when(self.next_due)})."
        return message + " Come back later, or use --cram."


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    return local.strftime("%Y-%m-%d %H:%M")


def day_start(now: datetime) -> datetime:
    """The start of the user's study day (local time) containing ``now``."""
    local = now.astimezone()
    start = datetime.combine(local.date(), DAY_STARTS_AT, tzinfo=local.tzinfo)
    if local < start:
        start -= timedelta(days=1)
    return start


def is_buried(item: QuizCard, buried: Mapping[str, Set[str]]) -> bool:
    """A new or review card is buried when another card of its note or bullet was answered."""
    if status(item) in ("learning", "relearning"):
        return False  # like Anki: learning cards are never buried
    answered = buried.get(sibling_key(item.card))
    return answered is not None and item.guid not in answered


def _unburied(items: Sequence[QuizCard], buried: dict[str, set[str]]) -> list[QuizCard]:
    """Drop new and review cards whose sibling was answered or is ahead in the queue."""
    kept = []
    for item in items:
        if is_buried(item, buried):
            continue
        if status(item) not in ("learning", "relearning"):
            buried.setdefault(sibling_key(item.card), set()).add(item.guid)
        kept.append(item)
    return kept


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
    studied ones first, regardless of due dates. Otherwise siblings are buried for the day:
    of the cards sharing a note or source bullet, only one new or review card is shown, and
    none if one was answered today.
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
    today = day_start(now)
    answered: dict[str, set[str]] = {}
    for guid in store.reviewed_since(today):
        if guid in by_guid:
            answered.setdefault(sibling_key(by_guid[guid]), set()).add(guid)
    buried = {key: set(guids) for key, guids in answered.items()}
    due = tuple(
        _unburied(
            [
                QuizCard(by_guid[guid], guid, states[guid])
                for guid, _due in store.due(now)
                if guid in by_guid
            ],
            buried,
        )
    )
    seen_today = store.new_introduced_since(today)
    allowance = max(new_limit - seen_today, 0)
    unseen = [QuizCard(c, g, None) for c, g in cards if g not in states]
    new = tuple(_unburied(unseen, buried)[:allowance])
    if max_cards is not None:
        due = due[:max_cards]
        new = new[: max(max_cards - len(due), 0)]
    next_due = None
    for guid, due_at in store.upcoming(now):
        if guid in by_guid:
            next_due = datetime.fromisoformat(due_at)
            break
    return QueuePlan(
        due=due,
        new=new,
        new_seen_today=seen_today,
        skipped_new=len(unseen) - len(new),
        buried={key: frozenset(guids) for key, guids in answered.items()},
        new_limit=new_limit,
        next_due=next_due,
    )


def bucket(item: QuizCard) -> str:
    """Which of Anki's three counts a card is in (relearning counts as learning)."""
    kind = status(item)
    return "learning" if kind == "relearning" else kind


class Upcoming:
    """Cards of the selection that fall due while a session runs, soonest first.

    The store is read in slices as time moves on, each range of due times once
    (``due_between(horizon, now + learn_ahead)``), so a learning card from any earlier
    session comes back when due, and a big state file costs one small query per card.
    Cards answered in the session are added directly when their new due date falls in
    a range already read.
    """

    def __init__(
        self,
        *,
        store: Store,
        selection: Mapping[str, Card],
        start: datetime,
        learn_ahead: timedelta,
        buried: Mapping[str, Set[str]],
    ) -> None:
        self._store = store
        self._selection = selection
        self._horizon = start
        self._learn_ahead = learn_ahead
        self._buried = buried
        self._items: dict[str, QuizCard] = {}
        self._heap: list[tuple[datetime, str]] = []
        self.counts: Counter[str] = Counter()

    def refresh(self, now: datetime, *, queued: Set[str]) -> None:
        until = now + self._learn_ahead
        if until <= self._horizon:
            return
        for guid, state in self._store.due_between(self._horizon, until):
            card = self._selection.get(guid)
            if card is None or guid in queued:
                continue
            item = QuizCard(card, guid, state)
            if not is_buried(item, self._buried):
                self.add(item)
        self._horizon = until

    def covers(self, moment: datetime) -> bool:
        """Whether the store has already been read up to this due time."""
        return moment <= self._horizon

    def add(self, item: QuizCard) -> None:
        assert item.state is not None
        self.discard(item.guid)
        self._items[item.guid] = item
        heapq.heappush(self._heap, (item.state.due, item.guid))
        self.counts[bucket(item)] += 1

    def discard(self, guid: str) -> None:
        old = self._items.pop(guid, None)
        if old is not None:
            self.counts[bucket(old)] -= 1

    def first(self) -> QuizCard | None:
        while self._heap:
            due, guid = self._heap[0]
            item = self._items.get(guid)
            if item is not None and item.state is not None and item.state.due == due:
                return item
            heapq.heappop(self._heap)  # a stale entry: taken, replaced or discarded
        return None

    def __bool__(self) -> bool:
        return bool(self._items)
