"""What the session and its faces exchange: modes, commands, prompts, reveals, the summary.

The session talks to the user only through a ``QuizIO`` (the line protocol, or the
screen's adapter), so whole sessions run in tests.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from deckbuilder.quiz import grading
from deckbuilder.quiz.queue import Counts, QuizCard, status
from deckbuilder.quiz.scheduler import CardState, Rating


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
    counts: Counts = field(default_factory=Counts)
    cram: bool = False  # answers are logged, the schedule is not moved: no intervals to show

    @property
    def status(self) -> str:
        return status(self.item)


@dataclass(frozen=True)
class Reveal:
    prompt: Prompt
    intervals: dict[Rating, timedelta]
    feedback: grading.Feedback | None = None
    chosen: int | None = None
    correct: int | None = None
    suggested: Rating | None = None
    state: CardState | None = None  # the state the intervals were computed from


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


def front_markdown(prompt: Prompt) -> str:
    return grading.CLOZE.sub("**[…]**", prompt.item.card.front)


def back_markdown(prompt: Prompt) -> str:
    card = prompt.item.card
    if card.cloze:
        full = grading.CLOZE.sub(lambda m: f"**{m.group(1)}**", card.front)
        return full + (f"\n\n{card.back}" if card.back else "")
    return card.back


def summary_data(summary: Summary) -> dict[str, object]:
    """The summary as the end event carries it."""
    return {
        "reviewed": summary.reviewed,
        "new": summary.new,
        "again": summary.again,
        "undone": summary.undone,
        "quit_early": summary.quit_early,
        "ratings": {r.label.lower(): n for r, n in summary.ratings.items()},
    }
