"""One study session: show, answer, grade, save; learning steps come back in the same session.

The session talks to the user only through a ``QuizIO`` (the terminal, or lines on stdin),
and reads the time only from the injected clock, so whole sessions run in tests.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from deckbuilder.model import Card
from deckbuilder.quiz import grading
from deckbuilder.quiz.queue import QuizCard
from deckbuilder.quiz.scheduler import CardState, Phase, Rating, Scheduler
from deckbuilder.quiz.store import CardIdentity, Store

LEARN_AHEAD = timedelta(minutes=20)  # like Anki: a learning card due this soon may be shown early


class Mode(enum.Enum):
    FLIP = "flip"
    TYPED = "typed"
    CHOICE = "choice"


class Command(enum.Enum):
    QUIT = "quit"
    UNDO = "undo"


@dataclass(frozen=True)
class Prompt:
    """What the user is asked: the card, its position and how it is to be answered."""

    item: QuizCard
    mode: Mode
    options: tuple[str, ...] = ()
    correct: int = -1
    position: int = 0
    remaining: int = 0


@dataclass(frozen=True)
class Reveal:
    prompt: Prompt
    intervals: dict[Rating, timedelta]
    feedback: grading.Feedback | None = None
    chosen: int | None = None
    correct: int | None = None
    suggested: Rating | None = None


@dataclass
class Summary:
    reviewed: int = 0
    new: int = 0
    again: int = 0
    undone: int = 0
    ratings: dict[Rating, int] = field(default_factory=lambda: {r: 0 for r in Rating})
    quit_early: bool = False


class QuizIO(Protocol):
    def show_front(self, prompt: Prompt) -> None: ...
    def ask_reveal(self) -> Command | None: ...
    def ask_typed(self) -> str | Command: ...
    def ask_choice(self, count: int) -> int | Command: ...
    def show_back(self, reveal: Reveal) -> None: ...
    def ask_rating(self, suggested: Rating | None) -> Rating | Command: ...
    def show_event(self, name: str, **data: object) -> None: ...


@dataclass
class _Answered:
    review_id: int
    item: QuizCard
    rating: Rating


class Session:
    def __init__(
        self,
        *,
        cards: Sequence[QuizCard],
        store: Store,
        scheduler: Scheduler,
        io: QuizIO,
        now: Callable[[], datetime],
        mode: Mode = Mode.FLIP,
        pool: Sequence[Card] = (),
        cram: bool = False,
    ) -> None:
        self._queue: list[QuizCard] = list(cards)
        self._learning: list[tuple[datetime, QuizCard]] = []
        self._store = store
        self._scheduler = scheduler
        self._io = io
        self._now = now
        self._mode = mode
        self._pool = grading.ChoicePool(pool if mode is Mode.CHOICE else ())
        self._cram = cram
        self._history: list[_Answered] = []
        self.summary = Summary()

    @property
    def remaining(self) -> int:
        return len(self._queue) + len(self._learning)

    def _next(self) -> QuizCard | None:
        now = self._now()
        self._learning.sort(key=lambda entry: entry[0])
        if self._learning and self._learning[0][0] <= now:
            return self._learning.pop(0)[1]
        if self._queue:
            return self._queue.pop(0)
        if self._learning and self._learning[0][0] <= now + LEARN_AHEAD:
            return self._learning.pop(0)[1]
        return None

    def run(self) -> Summary:
        try:
            while (item := self._next()) is not None:
                if self._study(item) is Command.QUIT:
                    self._queue.insert(0, item)
                    self.summary.quit_early = True
                    break
        except (KeyboardInterrupt, EOFError):
            self.summary.quit_early = True
        self._io.show_event("end", **_summary_data(self.summary))
        return self.summary

    def _prompt(self, item: QuizCard) -> Prompt:
        mode = self._mode
        options: tuple[str, ...] = ()
        correct = -1
        if mode is Mode.CHOICE:
            found, correct = grading.choices(item.card, self._pool, seed=item.guid)
            options = tuple(found)
            if not options:
                mode = Mode.FLIP
        position = self.summary.reviewed + 1
        return Prompt(item, mode, options, correct, position=position, remaining=self.remaining)

    def _study(self, item: QuizCard) -> Command | None:
        """Ask one card; on undo, re-ask the card taken back. Returns QUIT to stop."""
        prompt = self._prompt(item)
        self._io.show_front(prompt)
        feedback: grading.Feedback | None = None
        chosen: int | None = None
        correct: int | None = None
        suggested: Rating | None = None
        if prompt.mode is Mode.FLIP:
            answer = self._io.ask_reveal()
            if answer is not None:
                return self._command(answer, item)
        elif prompt.mode is Mode.TYPED:
            typed = self._io.ask_typed()
            if isinstance(typed, Command):
                return self._command(typed, item)
            feedback = grading.grade(item.card, typed)
            suggested = feedback.suggested
        else:
            picked = self._io.ask_choice(len(prompt.options))
            if isinstance(picked, Command):
                return self._command(picked, item)
            chosen = picked
            correct = prompt.correct
            suggested = Rating.GOOD if chosen == correct else Rating.AGAIN
        now = self._now()
        state = item.state or self._scheduler.new(item.guid, now=now)
        intervals = self._scheduler.preview(state, now=now)
        self._io.show_back(Reveal(prompt, intervals, feedback, chosen, correct, suggested))
        rating = self._io.ask_rating(suggested)
        if isinstance(rating, Command):
            return self._command(rating, item)
        self._answer(item, rating, state)
        return None

    def _command(self, command: Command, item: QuizCard) -> Command | None:
        if command is Command.QUIT:
            return Command.QUIT
        self._queue.insert(0, item)
        self.undo()
        return None

    def _answer(self, item: QuizCard, rating: Rating, state: CardState) -> None:
        now = self._now()
        card = item.card
        identity = CardIdentity(item.guid, card.full_key, card.scenario_id, card.kind.value)
        after = None if self._cram else self._scheduler.review(state, rating, now=now)
        review_id = self._store.record(
            identity,
            rating=rating,
            at=now,
            mode=self._mode.value,
            before=item.state,
            after=after,
            cram=self._cram,
        )
        self._history.append(_Answered(review_id, item, rating))
        self.summary.reviewed += 1
        self.summary.new += item.state is None
        self.summary.ratings[rating] += 1
        self.summary.again += rating is Rating.AGAIN
        self._io.show_event(
            "rated",
            guid=item.guid,
            key=card.full_key,
            rating=int(rating),
            due=None if after is None else after.due.isoformat(),
        )
        learning = after is not None and after.phase in (Phase.LEARNING, Phase.RELEARNING)
        if after is not None and learning and after.due - now < timedelta(hours=1):
            # a learning step of minutes: show it again in this session when it falls due
            self._learning.append((after.due, QuizCard(card, item.guid, after)))

    def undo(self) -> bool:
        """Take back the last answer of this session; its card is asked again next."""
        if not self._history:
            self._io.show_event("undo", ok=False)
            return False
        last = self._history.pop()
        self._store.undo(last.review_id)
        self._learning = [(due, q) for due, q in self._learning if q.guid != last.item.guid]
        self._queue.insert(0, last.item)
        self.summary.reviewed -= 1
        self.summary.new -= last.item.state is None
        self.summary.ratings[last.rating] -= 1
        self.summary.again -= last.rating is Rating.AGAIN
        self.summary.undone += 1
        self._io.show_event("undo", ok=True, guid=last.item.guid, key=last.item.card.full_key)
        return True


def _summary_data(summary: Summary) -> dict[str, object]:
    return {
        "reviewed": summary.reviewed,
        "new": summary.new,
        "again": summary.again,
        "undone": summary.undone,
        "quit_early": summary.quit_early,
        "ratings": {r.label.lower(): n for r, n in summary.ratings.items()},
    }
