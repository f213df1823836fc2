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
    CLARIFYING = "clarifying"
    FAILURE_MODE = "failure-mode"
    ESTIMATION = "estimation"
    CURVEBALL = "curveball"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def study(self) -> bool:
        """Whether cards of this kind are studied (packages, quiz). Recital kinds are parsed
        for the interview mode only: the prompt states the requirements, and a rubric
        level can be guessed from its name."""
        return self not in RECITAL_KINDS


_KIND_LABELS = {
    CardKind.REQUIREMENT: "Requirement",
    CardKind.CONCEPT: "Key concept",
    CardKind.TRADEOFF: "Trade-off",
    CardKind.NUMBER: "Number to know",
    CardKind.FOLLOWUP: "Follow-up question",
    CardKind.MISTAKE: "Common mistake",
    CardKind.RUBRIC: "Rubric",
    CardKind.CLARIFYING: "Clarifying question",
    CardKind.FAILURE_MODE: "Failure mode",
    CardKind.ESTIMATION: "Estimation method",
    CardKind.CURVEBALL: "Curveball",
}
# the one place that decides what is studied: every package and the quiz's queue follow it
RECITAL_KINDS = frozenset({CardKind.REQUIREMENT, CardKind.RUBRIC})


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

    @property
    def is_foundations(self) -> bool:
        """The shared foundations set (number 0): concepts every scenario builds on."""
        return self.number == 0


@dataclass(frozen=True)
class Card:
    """One flashcard (one Anki note), in markdown, with where it came from.

    ``front`` and ``back`` are markdown. For a cloze card ``front`` holds the whole
    text with its deletions ``{{c1::...}}``, ``{{c2::...}}``, ... (one note, siblings
    buried together) and ``back`` is empty. ``extra`` is shown after the answer and is
    never asked: derivations, sources, examples, a trade-off's pros, a rubric anchor.
    ``essay`` is the whole model answer a follow-up card was cut from, for the terminal's
    typed and interview modes; ``minute`` is when a curveball fits in a 60-minute interview.
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
    extra: str = ""
    essay: str = ""
    minute: int | None = None

    @property
    def full_key(self) -> str:
        """The stable identity of the card: scenario id, kind and key."""
        return f"{self.scenario_id}/{self.kind.value}/{self.key}"


@dataclass(frozen=True, order=True)
class Notice:
    """Something the format allows but the card rules advise against, found while parsing
    (a bullet without a cue, a v2 section that is missing); ``deckbuilder lint`` reports it."""

    location: SourceLocation
    rule: str
    message: str


@dataclass(frozen=True)
class RubricLevel:
    level: str  # "Strong Hire" | "Hire" | "Lean No Hire" | "No Hire"
    descriptor: str
    anchor: str
    source: SourceLocation


@dataclass(frozen=True)
class RubricDimension:
    name: str
    weight: int | None  # percent, from "Weight about NN%."
    levels: tuple[RubricLevel, ...]
    source: SourceLocation


@dataclass(frozen=True)
class Rubric:
    """A scenario's rubric for the interview mode: dimensions and the decision rule's
    parameters (the rule itself is the shared scoring protocol)."""

    dimensions: tuple[RubricDimension, ...]
    must_reach_hire: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Scenario:
    meta: ScenarioMeta
    cards: tuple[Card, ...]
    digest: str = ""  # hash of the folder's files, topics and deckbuilder's code: the cache key
    rubric: Rubric | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def study_cards(self) -> tuple[Card, ...]:
        return tuple(card for card in self.cards if card.kind.study)


@dataclass(frozen=True)
class Library:
    """Everything loaded from a scenarios folder."""

    root: str
    topics: tuple[Topic, ...]
    scenarios: tuple[Scenario, ...]

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for scenario in self.scenarios for card in scenario.cards)
