"""Study statistics from the quiz state: pure computation over the store's rows."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deckbuilder.model import Card
from deckbuilder.quiz.queue import day_start
from deckbuilder.quiz.scheduler import Phase, Rating
from deckbuilder.quiz.store import Store, iso

RETENTION_WINDOW = timedelta(days=30)
FORECAST_DAYS = 30


@dataclass
class Counts:
    cards: int = 0
    studied: int = 0
    due_today: int = 0
    due_week: int = 0
    reviews_today: int = 0
    passed: int = 0  # review-phase answers other than Again (for true retention)
    graded: int = 0  # review-phase answers

    @property
    def retention(self) -> float | None:
        return self.passed / self.graded if self.graded else None

    def as_dict(self) -> dict[str, object]:
        return {
            "cards": self.cards,
            "studied": self.studied,
            "new": self.cards - self.studied,
            "due_today": self.due_today,
            "due_next_7_days": self.due_week,
            "reviews_today": self.reviews_today,
            "true_retention": None if self.retention is None else round(self.retention, 4),
            "retention_reviews": self.graded,
        }


@dataclass
class Stats:
    total: Counts = field(default_factory=Counts)
    by_scenario: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_topic: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    removed: list[str] = field(default_factory=list)  # keys of studied cards no longer in scenarios
    # cards due on each study day from today (today includes overdue cards)
    forecast: list[int] = field(default_factory=lambda: [0] * FORECAST_DAYS)
    # per study day over the retention window, oldest first: (passed, graded) review answers
    retention_days: list[tuple[int, int]] = field(
        default_factory=lambda: [(0, 0)] * RETENTION_WINDOW.days
    )
    today: str = ""  # the first day of the forecast, local date
    by_drill: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    interviews: dict[str, object] = field(default_factory=dict)  # filled by the interview history

    def as_dict(self) -> dict[str, object]:
        return {
            "today": self.today,
            "forecast": self.forecast,
            "retention_by_day": [
                {"passed": p, "reviews": g, "retention": None if not g else round(p / g, 4)}
                for p, g in self.retention_days
            ],
            "total": self.total.as_dict(),
            "scenarios": {k: v.as_dict() for k, v in sorted(self.by_scenario.items())},
            "topics": {k: v.as_dict() for k, v in sorted(self.by_topic.items())},
            "removed": sorted(self.removed),
            "drill": {k: v.as_dict() for k, v in sorted(self.by_drill.items())},
            "interviews": self.interviews,
        }


DRILL = "drill"  # the store's kind for drill families (see deckbuilder.drill.session)


def compute(
    cards: Sequence[tuple[Card, str]],
    *,
    store: Store | None,
    now: datetime,
    drills: Sequence[str] = (),
) -> Stats:
    """Counts per scenario and topic; ``store`` None is a state that does not exist yet.

    ``drills``: the drill family ids, each counted like a card under ``by_drill``.
    """
    stats = Stats()
    for family in drills:
        stats.by_drill[family].cards += 1
    by_guid = {guid: card for card, guid in cards}
    today = day_start(now)
    stats.today = today.date().isoformat()
    day_ends = [iso(today + timedelta(days=n + 1)) for n in range(FORECAST_DAYS)]
    window = RETENTION_WINDOW.days
    first_day = today - timedelta(days=window - 1)
    retention = [[0, 0] for _ in range(window)]
    end_today = today + timedelta(days=1)
    end_week = today + timedelta(days=8)

    def buckets(card: Card) -> list[Counts]:
        return [
            stats.total,
            stats.by_scenario[card.scenario_id],
            *(stats.by_topic[t] for t in card.topics),
        ]

    for card, _guid in cards:
        for bucket in buckets(card):
            bucket.cards += 1
    if store is None:
        return stats
    for identity, due in store.all_cards():
        if identity.kind == DRILL:
            drill = stats.by_drill[identity.card_key.removeprefix(f"{DRILL}/")]
            drill.studied += 1
            drill.due_today += due < iso(end_today)
            drill.due_week += due < iso(end_week)
            continue
        studied = by_guid.get(identity.guid)
        if studied is None:
            stats.removed.append(identity.card_key)
            continue
        for bucket in buckets(studied):
            bucket.studied += 1
            bucket.due_today += due < iso(end_today)
            bucket.due_week += due < iso(end_week)
        day = bisect.bisect_right(day_ends, due)
        if day < FORECAST_DAYS:
            stats.forecast[day] += 1
    for review in store.reviews_since(min(first_day, now - RETENTION_WINDOW)):
        if review.kind == DRILL:
            drill = stats.by_drill[review.card_key.removeprefix(f"{DRILL}/")]
            drill.reviews_today += review.reviewed_at >= iso(today)
            if review.phase_before is Phase.REVIEW:
                drill.graded += 1
                drill.passed += review.rating is not Rating.AGAIN
            continue
        reviewed = by_guid.get(review.guid)
        if reviewed is None or review.cram:
            continue
        if review.phase_before is Phase.REVIEW and review.reviewed_at >= iso(first_day):
            at = datetime.fromisoformat(review.reviewed_at)
            slot = (day_start(at) - first_day).days
            if 0 <= slot < window:
                retention[slot][0] += review.rating is not Rating.AGAIN
                retention[slot][1] += 1
        for bucket in buckets(reviewed):
            if review.reviewed_at >= iso(today):
                bucket.reviews_today += 1
            if review.phase_before is Phase.REVIEW and review.reviewed_at >= iso(
                now - RETENTION_WINDOW
            ):
                bucket.graded += 1
                bucket.passed += review.rating is not Rating.AGAIN
    stats.retention_days = [(p, g) for p, g in retention]
    return stats
