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

CLOZE = re.compile(r"\{\{c1::(.+?)\}\}", re.DOTALL)  # the deletion being asked (always c1)
_ANY_CLOZE = re.compile(r"\{\{c(\d+)::(.+?)(?:::[^{}]*?)?\}\}", re.DOTALL)


def cloze_answer(card: Card) -> str:
    """The hidden text of the card's asked deletion (several spans joined with "; ")."""
    return "; ".join(m.strip() for m in CLOZE.findall(card.front))


def cloze_ordinals(front: str) -> list[int]:
    """The cloze numbers of a note's text, in order: Anki makes one card of each."""
    return sorted({int(m.group(1)) for m in _ANY_CLOZE.finditer(front)})


def cloze_card(front: str, ordinal: int) -> str:
    """The note's text as card ``ordinal`` asks it: that deletion becomes c1 (asked), the
    others are shown as plain text, as Anki shows a cloze card's siblings' deletions."""
    return _ANY_CLOZE.sub(
        lambda m: f"{{{{c1::{m.group(2)}}}}}" if int(m.group(1)) == ordinal else m.group(2), front
    )


# A link's label and target stop at the next bracket: an unclosed "[a](x[a](x..." is then
# scanned once, not once per bracket (quadratic on long adversarial text).
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\[\]]*\)")


def plain(markdown: str) -> str:
    """Text for comparisons only (markup and symbols gone); never shown to the user."""
    text = re.sub(r"`([^`]*)`", r"\1", markdown)
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[*_#>|]", " ", text)
    return " ".join(text.split())


_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|`([^`]*)`")


def display(markdown: str) -> str:
    """The text as the author wrote it, for a one-line display: only emphasis markers, code
    backticks and link targets go; every other character (``n > 1``, ``kv_heads``) stays."""
    text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2) or m.group(3) or "", markdown)
    text = _LINK.sub(r"\1", text)
    return " ".join(text.split())


def words(text: str) -> set[str]:
    """The normalised content words and numbers of a text (to tell options apart)."""
    from deckbuilder.matching import content_words

    numbers = {n.replace(",", "") for n in re.findall(r"[0-9][0-9,.]*", text)}
    return set(content_words(text)) | numbers


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


def grade(card: Card, answer: str) -> Feedback:
    """Which key points the typed answer recognisably covers, and a suggested rating.

    Matching is deckbuilder.matching's: normalised words compared fuzzily, and numbers
    compared with their units (800KiB = 800 KiB = 819,200 bytes).
    """
    from deckbuilder.matching import covers

    if card.cloze:
        expected = cloze_answer(card)
        right = covers(answer, expected, exact=True)
        return Feedback(
            recognised=(expected,) if right else (),
            missing=() if right else (expected,),
            suggested=Rating.GOOD if right else Rating.AGAIN,
        )
    points = key_points(card)
    recognised = tuple(p for p in points if covers(answer, p))
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
    first = display(card.back.split("\n\n")[0])
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
