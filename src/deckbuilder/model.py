"""Frozen values that flow from the scenario files to packages and the quiz."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A line in a scenario file; ``path`` is relative to the scenarios folder's parent."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input, at a place in a file."""

    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class CardKind(enum.Enum):
    """What a card asks about. The value is part of the card's key, so it is frozen."""

    REQUIREMENT = "requirement"
    CONCEPT = "concept"
    TRADEOFF = "trade-off"
    NUMBER = "number"
    FOLLOWUP = "follow-up"
    MISTAKE = "mistake"
    RUBRIC = "rubric"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    CardKind.REQUIREMENT: "Requirement",
    CardKind.CONCEPT: "Key concept",
    CardKind.TRADEOFF: "Trade-off",
    CardKind.NUMBER: "Number to know",
    CardKind.FOLLOWUP: "Follow-up question",
    CardKind.MISTAKE: "Common mistake",
    CardKind.RUBRIC: "Rubric",
}


class Difficulty(enum.Enum):
    MEDIUM = "medium"
    HARD = "hard"
    VERY_HARD = "very-hard"

    @property
    def stars(self) -> str:
        filled = {"medium": 3, "hard": 4, "very-hard": 5}[self.value]
        return "★" * filled + "☆" * (5 - filled)


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    source: SourceLocation


@dataclass(frozen=True)
class ScenarioMeta:
    """The front matter of a scenario's ``problem.md``."""

    id: str
    number: int
    title: str
    difficulty: Difficulty
    level: str
    duration: str
    focus: str
    topics: tuple[str, ...]
    requirements: tuple[str, ...]
    folder: str
    source: SourceLocation

    @property
    def deck_title(self) -> str:
        return f"{self.number:02d} {self.title}"


@dataclass(frozen=True)
class Card:
    """One flashcard (one Anki note), in markdown, with where it came from.

    ``front`` and ``back`` are markdown. For a cloze card ``front`` holds the whole
    text with exactly one ``{{c1::...}}`` deletion and ``back`` any extra text.
    """

    scenario_id: str
    kind: CardKind
    key: str
    title: str
    front: str
    back: str
    context: tuple[str, ...]
    source: SourceLocation
    cloze: bool = False
    points: tuple[str, ...] = ()
    topics: tuple[str, ...] = field(default=())

    @property
    def full_key(self) -> str:
        """The stable identity of the card: scenario id, kind and key."""
        return f"{self.scenario_id}/{self.kind.value}/{self.key}"


@dataclass(frozen=True)
class Scenario:
    meta: ScenarioMeta
    cards: tuple[Card, ...]
    digest: str = ""  # hash of the folder's files, topics and deckbuilder's code: the cache key


@dataclass(frozen=True)
class Library:
    """Everything loaded from a scenarios folder."""

    root: str
    topics: tuple[Topic, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for scenario in self.scenarios for card in scenario.cards)
