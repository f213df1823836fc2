"""One study session: show, answer, grade, save; learning steps come back in the same session.

The session talks to the user through a ``QuizIO`` (lines on stdin, or the plain terminal)
with ``run()``, or is stepped one event at a time by the full-screen reviewer
(``next_prompt``, ``reveal``, ``rate``, ``undo``). It reads the time only from the injected
clock, so whole sessions run in tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from deckbuilder.model import Card
from deckbuilder.quiz import grading
from deckbuilder.quiz.queue import Counts, QuizCard, Upcoming, bucket, is_buried, sibling_key
from deckbuilder.quiz.scheduler import CardState, Rating, Scheduler
from deckbuilder.quiz.store import CardIdentity, Store, UndoRefused
from deckbuilder.quiz.values import Command, Mode, Prompt, QuizIO, Reveal, Summary, summary_data

__all__ = [
    "LEARN_AHEAD",
    "Command",
    "Mode",
    "Prompt",
    "QuizIO",
    "Reveal",
    "Session",
    "Summary",
    "summary_data",
]

LEARN_AHEAD = timedelta(minutes=20)  # like Anki: a learning card due this soon may be shown early


@dataclass
class _Answered:
    review_id: int
    item: QuizCard
    rating: Rating
    buried: tuple[QuizCard, ...] = ()
    newly_buried: bool = False


class Session:
    """Shows the queue, then every card of the selection that falls due during the session.

    The store is asked again before every card, so learning cards from this or any earlier
    session come back when due, or up to ``learn_ahead`` early once nothing else is left.
    Siblings of an answered card (same note or source bullet) are buried for the day.
    """

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
        selection: Mapping[str, Card] | None = None,
        buried: Mapping[str, frozenset[str]] | None = None,
        learn_ahead: timedelta = LEARN_AHEAD,
    ) -> None:
        self._queue: list[QuizCard] = []
        self._queued: set[str] = set()
        self._counts: Counter[str] = Counter()
        for item in cards:
            self._push(item, at_end=True)
        self._selection = (
            dict(selection) if selection is not None else {q.guid: q.card for q in cards}
        )
        self._buried = {key: set(guids) for key, guids in (buried or {}).items()}
        self._store = store
        self._scheduler = scheduler
        self._io = io
        self._now = now
        self._upcoming = Upcoming(
            store=store,
            selection=self._selection,
            start=now(),
            learn_ahead=learn_ahead,
            buried=self._buried,
        )
        self._mode = mode
        self._pool = grading.ChoicePool(pool if mode is Mode.CHOICE else ())
        self._cram = cram
        self._history: list[_Answered] = []
        self.summary = Summary()

    def _push(self, item: QuizCard, *, at_end: bool = False) -> None:
        if at_end:
            self._queue.append(item)
        else:
            self._queue.insert(0, item)
        self._queued.add(item.guid)
        self._counts[bucket(item)] += 1

    def _pop(self) -> QuizCard:
        item = self._queue.pop(0)
        self._queued.discard(item.guid)
        self._counts[bucket(item)] -= 1
        return item

    def counts(self) -> Counts:
        """Anki's new · learning · review counts for what is left."""
        extra = self._upcoming.counts
        return Counts(
            new=self._counts["new"],
            learning=self._counts["learning"] + extra["learning"],
            review=self._counts["review"] + extra["review"],
        )

    @property
    def remaining(self) -> int:
        return self.counts().total

    def _next(self) -> tuple[QuizCard, Counts] | None:
        now = self._now()
        if not self._cram:
            self._upcoming.refresh(now, queued=self._queued)
        soonest = self._upcoming.first()
        while soonest is not None and is_buried(soonest, self._buried):
            self._upcoming.discard(soonest.guid)
            soonest = self._upcoming.first()
        counts = self.counts()
        if soonest is not None and soonest.state is not None and soonest.state.due <= now:
            self._upcoming.discard(soonest.guid)
            return soonest, counts
        if self._queue:
            return self._pop(), counts
        if soonest is not None:
            self._upcoming.discard(soonest.guid)  # learn ahead: nothing else is left
            return soonest, counts
        return None

    def has_cards(self) -> bool:
        if not self._cram:
            self._upcoming.refresh(self._now(), queued=self._queued)
        return bool(self._queue) or bool(self._upcoming)

    def run(self) -> Summary:
        try:
            while (found := self._next()) is not None:
                item, counts = found
                if self._study(item, counts) is Command.QUIT:
                    self._push(item)
                    self.summary.quit_early = True
                    break
        except (KeyboardInterrupt, EOFError):
            self.summary.quit_early = True
        self._io.show_event("end", **summary_data(self.summary))
        return self.summary

    def _prompt(self, item: QuizCard, counts: Counts) -> Prompt:
        mode = self._mode
        options: tuple[str, ...] = ()
        correct = -1
        if mode is Mode.CHOICE:
            found, correct = grading.choices(item.card, self._pool, seed=item.guid)
            options = tuple(found)
            if not options:
                mode = Mode.FLIP
        position = self.summary.reviewed + 1
        return Prompt(
            item,
            mode,
            options,
            correct,
            position=position,
            remaining=counts.total,
            counts=counts,
            cram=self._cram,
        )

    # -- the step API: the screen calls these one event at a time; run() strings them together

    def next_prompt(self) -> Prompt | None:
        """Take the next card off the queue (or a learning card now due); None when done."""
        found = self._next()
        return None if found is None else self._prompt(*found)

    def reveal(
        self, prompt: Prompt, *, typed: str | None = None, chosen: int | None = None
    ) -> Reveal:
        """The answer side: intervals per rating and, for typed or choice, the verdict."""
        feedback = None if typed is None else grading.grade(prompt.item.card, typed)
        suggested = None if feedback is None else feedback.suggested
        correct = None
        if chosen is not None:
            correct = prompt.correct
            suggested = Rating.GOOD if chosen == correct else Rating.AGAIN
        now = self._now()
        state = prompt.item.state or self._scheduler.new(prompt.item.guid, now=now)
        intervals = self._scheduler.preview(state, now=now)
        return Reveal(prompt, intervals, feedback, chosen, correct, suggested, state)

    def rate(self, reveal: Reveal, rating: Rating) -> CardState | None:
        """Save the answer; returns the card's new state (None in cram: schedule untouched)."""
        item = reveal.prompt.item
        state = reveal.state or self._scheduler.new(item.guid, now=self._now())
        return self._answer(item, rating, state)

    def put_back(self, prompt: Prompt) -> None:
        """The shown card was not answered (quit, or undo before rating): it comes first again."""
        self._push(prompt.item)

    @property
    def cram(self) -> bool:
        return self._cram

    @property
    def mode(self) -> Mode:
        return self._mode

    def _study(self, item: QuizCard, counts: Counts) -> Command | None:
        """Ask one card; on undo, re-ask the card taken back. Returns QUIT to stop."""
        prompt = self._prompt(item, counts)
        self._io.show_front(prompt)
        if prompt.mode is Mode.FLIP:
            answer = self._io.ask_reveal()
            if answer is not None:
                return self._command(answer, item)
            reveal = self.reveal(prompt)
        elif prompt.mode is Mode.TYPED:
            typed = self._io.ask_typed()
            if isinstance(typed, Command):
                return self._command(typed, item)
            reveal = self.reveal(prompt, typed=typed)
        else:
            picked = self._io.ask_choice(len(prompt.options))
            if isinstance(picked, Command):
                return self._command(picked, item)
            reveal = self.reveal(prompt, chosen=picked)
        self._io.show_back(reveal)
        rating = self._io.ask_rating(reveal.suggested)
        if isinstance(rating, Command):
            return self._command(rating, item)
        self.rate(reveal, rating)
        return None

    def _command(self, command: Command, item: QuizCard) -> Command | None:
        if command is Command.QUIT:
            return Command.QUIT
        self._push(item)
        self.undo()
        return None

    def _answer(self, item: QuizCard, rating: Rating, state: CardState) -> CardState | None:
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
        if after is not None and self._upcoming.covers(after.due):
            self._upcoming.add(QuizCard(card, item.guid, after))  # a learning step this session
        newly = item.guid not in self._buried.get(sibling_key(card), set())
        buried = self._bury(item)
        self._history.append(_Answered(review_id, item, rating, buried, newly))
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
        return after

    def _bury(self, answered: QuizCard) -> tuple[QuizCard, ...]:
        """Like Anki: the new and review siblings of an answered card wait until tomorrow."""
        if self._cram:
            return ()  # cram shows every selected card
        key = sibling_key(answered.card)
        self._buried.setdefault(key, set()).add(answered.guid)
        removed = tuple(
            q for q in self._queue if sibling_key(q.card) == key and is_buried(q, self._buried)
        )
        for item in removed:
            self._queue.remove(item)
            self._queued.discard(item.guid)
            self._counts[bucket(item)] -= 1
        return removed  # buried cards among the upcoming ones are dropped when they come up

    def undo(self) -> bool:
        """Take back the last answer of this session; its card is asked again next."""
        if not self._history:
            self._io.show_event("undo", ok=False)
            return False
        last = self._history[-1]
        try:
            self._store.undo(last.review_id)
        except UndoRefused as refused:
            # another session answered the card since: its answer stands, and so does ours
            self._io.show_event("undo", ok=False, reason=str(refused))
            return False
        self._history.pop()
        self._upcoming.discard(last.item.guid)
        for sibling in reversed(last.buried):
            self._push(sibling)
        if last.newly_buried:
            self._buried.get(sibling_key(last.item.card), set()).discard(last.item.guid)
        self._push(last.item)
        self.summary.reviewed -= 1
        self.summary.new -= last.item.state is None
        self.summary.ratings[last.rating] -= 1
        self.summary.again -= last.rating is Rating.AGAIN
        self.summary.undone += 1
        self._io.show_event("undo", ok=True, guid=last.item.guid, key=last.item.card.full_key)
        return True
