"""A drill session: each formula family is one FSRS item; every review draws a fresh exercise.

Pure core: the user is reached only through a ``DrillIO``, the time only through the
injected clock and randomness only through the injected ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from deckbuilder.drill.exercise import Exercise, Family
from deckbuilder.drill.families import FAMILIES
from deckbuilder.drill.reference import Reference
from deckbuilder.drill.units import UnitError, parse, relative_error
from deckbuilder.quiz.scheduler import CardState, Rating, Scheduler, describe
from deckbuilder.quiz.store import CardIdentity, Store

KIND = "drill"  # the store's kind and scenario for drill items
QUIT, SKIP = "q", "?"


def identity(family: Family) -> CardIdentity:
    key = f"{KIND}/{family.id}"
    return CardIdentity(guid=key, card_key=key, scenario=KIND, kind=KIND)


@dataclass(frozen=True)
class Verdict:
    rating: Rating
    error: float | None  # relative error; None when the user gave up
    message: str


def grade(exercise: Exercise, value: float | None) -> Verdict:
    """Within tolerance: Good; within three times it: Hard; else (or gave up): Again."""
    if value is None:
        return Verdict(Rating.AGAIN, None, "Shown without an answer.")
    error = relative_error(value, exercise.answer)
    if error <= exercise.tolerance:
        return Verdict(
            Rating.GOOD, error, "Right." if error < 5e-4 else f"Right (off by {error:.1%})."
        )
    if error <= 3 * exercise.tolerance:
        return Verdict(
            Rating.HARD,
            error,
            f"Close: off by {error:.1%}; aim for {exercise.tolerance:.0%}.{_hint(exercise, value)}",
        )
    return Verdict(Rating.AGAIN, error, f"Not quite: off by {error:.0%}.{_hint(exercise, value)}")


_SLIPS = (
    (1000.0, "a factor of 1,000: check the unit prefix"),
    (1024.0, "a factor of 1,024: check the unit prefix"),
    (8.0, "a factor of 8: bits or bytes?"),
    (2.0, "a factor of 2: K and V both, or the bytes per value?"),
    (2**30 / 1e9, "the GB/GiB difference"),
)


def _hint(exercise: Exercise, value: float) -> str:
    ratio = value / exercise.answer
    for factor, name in _SLIPS:
        if any(abs(ratio * side - 1) <= exercise.tolerance for side in (factor, 1 / factor)):
            return f" You are off by {name}."
    return ""


class DrillIO(Protocol):
    def ask(self, exercise: Exercise, *, position: int, remaining: int) -> str | None:
        """The typed answer; None at end of input."""

    def show(self, event: str, **data: object) -> None: ...


@dataclass(frozen=True)
class Due:
    family: Family
    state: CardState | None


def plan(store: Store, *, now: datetime, families: Sequence[Family] = FAMILIES) -> list[Due]:
    """Due families (oldest first), then families never drilled; nothing else."""
    states = store.states(identity(f).guid for f in families)
    due = [Due(f, states[identity(f).guid]) for f in families if identity(f).guid in states]
    due = [d for d in due if d.state is not None and d.state.due <= now]
    due.sort(key=lambda d: d.state.due if d.state else now)
    new = [Due(f, None) for f in families if identity(f).guid not in states]
    return due + new


@dataclass
class DrillSummary:
    answered: int = 0
    ratings: dict[str, int] = field(default_factory=lambda: {r.label.lower(): 0 for r in Rating})


def run(
    queue: Sequence[Due],
    *,
    reference: Reference,
    store: Store,
    scheduler: Scheduler,
    io: DrillIO,
    now: Callable[[], datetime],
    rng: random.Random,
    limit: int | None = None,
) -> DrillSummary:
    summary = DrillSummary()
    pending = list(queue)
    retried: set[str] = set()
    while pending and (limit is None or summary.answered < limit):
        item = pending.pop(0)
        exercise = item.family.make(rng, reference)
        answer = _ask(exercise, io=io, position=summary.answered + 1, remaining=len(pending))
        if answer == QUIT:
            break
        value = None if answer == SKIP else float(answer)
        verdict = grade(exercise, value)
        moment = now()
        before = item.state or scheduler.new(identity(item.family).guid, now=moment)
        after = scheduler.review(before, verdict.rating, now=moment)
        store.record(
            identity(item.family),
            rating=verdict.rating,
            at=moment,
            mode=KIND,
            before=item.state,
            after=after,
        )
        summary.answered += 1
        summary.ratings[verdict.rating.label.lower()] += 1
        io.show(
            "graded",
            family=exercise.family,
            expected=exercise.shown_answer,
            expected_value=exercise.answer,
            given=value,
            relative_error=None if verdict.error is None else round(verdict.error, 4),
            tolerance=exercise.tolerance,
            rating=verdict.rating.label.lower(),
            message=verdict.message,
            steps=list(exercise.steps),
            next=describe(after.due - moment),
        )
        if verdict.rating is Rating.AGAIN and item.family.id not in retried:
            retried.add(item.family.id)  # one more, fresh exercise this session
            pending.append(Due(item.family, after))
    io.show("end", answered=summary.answered, ratings=summary.ratings)
    return summary


def _ask(exercise: Exercise, *, io: DrillIO, position: int, remaining: int) -> str:
    """The answer as a float string, SKIP or QUIT; nonsense is explained and asked again."""
    while True:
        text = io.ask(exercise, position=position, remaining=remaining)
        if text is None or text.strip().lower() in ("q", "quit"):
            return QUIT
        if text.strip() in (SKIP, "s", "skip"):
            return SKIP
        try:
            return repr(parse(text, kind=exercise.kind).value)
        except UnitError as error:
            io.show("invalid", message=str(error))
