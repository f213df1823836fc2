"""Check a typed answer against a card's key points; build multiple-choice options.

Pure functions over card text: no I/O, no randomness beyond the seed given.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from deckbuilder.model import Card, CardKind
from deckbuilder.quiz.scheduler import Rating

CLOZE = re.compile(r"\{\{c1::(.+?)\}\}", re.DOTALL)
_WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")
_STOP = frozenset(
    (
        "a an and are as at be because but by can do does for from has have how if in into is it"
        " its not of on or so than that the their then there these this to use used uses was we"
        " what when where which while who why will with you your one more less per each only also"
        " just any all both same other"
    ).split()
)


def cloze_answer(card: Card) -> str:
    match = CLOZE.search(card.front)
    return match.group(1).strip() if match else ""


def plain(markdown: str) -> str:
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_#>|]", " ", text)
    return " ".join(text.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> set[str]:
    found = set()
    for word in _WORD.findall(plain(text).lower()):
        word = word.replace(",", "") if re.fullmatch(r"[0-9,.]+", word) else word
        if word not in _STOP:
            found.add(_stem(word))
    return found


def key_points(card: Card) -> tuple[str, ...]:
    """What a complete answer covers: the author's bullets, else the answer's sentences."""
    if card.cloze:
        return (cloze_answer(card),)
    if card.points:
        return card.points
    bullets = [
        line.lstrip("-*+ ").strip() for line in card.back.splitlines() if re.match(r"^[-*+] ", line)
    ]
    if bullets:
        return tuple(bullets)
    sentences = [s.strip() for s in re.split(r"(?<=[.;])\s+", plain(card.back)) if s.strip()]
    return tuple(sentences[:4]) or (plain(card.back),)


@dataclass(frozen=True)
class Feedback:
    recognised: tuple[str, ...]
    missing: tuple[str, ...]
    suggested: Rating

    @property
    def score(self) -> float:
        total = len(self.recognised) + len(self.missing)
        return len(self.recognised) / total if total else 0.0


def _covered(point: str, answer: set[str]) -> bool:
    wanted = words(point)
    if not wanted:
        return False
    hits = len(wanted & answer)
    # short points need every word; longer ones about half of their content words
    return hits == len(wanted) if len(wanted) <= 2 else hits / len(wanted) >= 0.5


def grade(card: Card, answer: str) -> Feedback:
    """Which key points the typed answer recognisably covers, and a suggested rating."""
    if card.cloze:
        expected = cloze_answer(card)
        right = words(expected) <= words(answer) and bool(words(expected))
        return Feedback(
            recognised=(expected,) if right else (),
            missing=() if right else (expected,),
            suggested=Rating.GOOD if right else Rating.AGAIN,
        )
    answer_words = words(answer)
    points = key_points(card)
    recognised = tuple(p for p in points if _covered(p, answer_words))
    missing = tuple(p for p in points if p not in recognised)
    share = len(recognised) / len(points) if points else 0.0
    if share >= 0.75:
        suggested = Rating.GOOD
    elif share >= 0.34:
        suggested = Rating.HARD
    else:
        suggested = Rating.AGAIN
    return Feedback(recognised, missing, suggested)


CHOICE_KINDS = frozenset({CardKind.CONCEPT, CardKind.NUMBER, CardKind.REQUIREMENT})


def _choice_text(card: Card) -> str:
    if card.cloze:
        return cloze_answer(card)
    first = plain(card.back.split("\n\n")[0])
    return first if len(first) <= 220 else first[:219].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class _Option:
    key: str
    scenario: str
    text: str
    norm: str


class ChoicePool:
    """Every card's short answer, normalised once and grouped by kind, for distractors.

    Built once per session: choosing options is then a scan of one small group, not a
    re-normalisation of the whole library for every question.
    """

    def __init__(self, cards: Sequence[Card]) -> None:
        self._groups: dict[tuple[CardKind, bool], list[_Option]] = {}
        self._by_scenario: dict[tuple[CardKind, bool, str], list[_Option]] = {}
        for card in cards:
            if card.kind not in CHOICE_KINDS:
                continue
            text = _choice_text(card)
            norm = " ".join(sorted(words(text)))
            if not norm:
                continue
            option = _Option(card.full_key, card.scenario_id, text, norm)
            self._groups.setdefault((card.kind, card.cloze), []).append(option)
            self._by_scenario.setdefault((card.kind, card.cloze, card.scenario_id), []).append(
                option
            )

    def distractors(self, card: Card, right_norm: str, *, want: int) -> list[str]:
        """Distinct wrong answers, preferring the card's own scenario (the plausible ones)."""
        for group in (
            self._by_scenario.get((card.kind, card.cloze, card.scenario_id), []),
            self._groups.get((card.kind, card.cloze), []),
        ):
            seen = {right_norm}
            found = []
            for option in group:
                if option.key != card.full_key and option.norm not in seen:
                    seen.add(option.norm)
                    found.append(option.text)
            if len(found) >= want:
                return found
        return []


def choices(card: Card, pool: ChoicePool, *, seed: str, count: int = 4) -> tuple[list[str], int]:
    """Options for a multiple-choice question and the index of the right one.

    Distractors are answers of other cards of the same kind (and both cloze or both
    not), never equal to the right answer once normalised. Empty when the card's kind
    does not suit multiple choice or there are too few distinct distractors.
    """
    if card.kind not in CHOICE_KINDS or (card.kind is CardKind.REQUIREMENT and not card.cloze):
        return [], -1
    right = _choice_text(card)
    right_norm = " ".join(sorted(words(right)))
    if not right_norm:
        return [], -1
    candidates = pool.distractors(card, right_norm, want=count - 1)
    if not candidates:
        return [], -1
    rng = random.Random(seed)
    options = [*rng.sample(candidates, count - 1), right]
    rng.shuffle(options)
    return options, options.index(right)
