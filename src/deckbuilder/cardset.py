"""Checks and tags over one scenario's whole set of cards: unique keys, and topics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from deckbuilder.model import Card, Problem, Topic


def check_duplicate_keys(cards: Iterable[Card], *, problems: list[Problem]) -> list[Card]:
    """Drop and report cards whose key repeats an earlier card's; name both places."""
    seen: dict[str, Card] = {}
    unique = []
    for card in cards:
        first = seen.get(card.full_key)
        if first is not None:
            problems.append(
                Problem(
                    card.source,
                    f"duplicate {card.kind.value} key '{card.key}' (first at {first.source})",
                )
            )
            continue
        seen[card.full_key] = card
        unique.append(card)
    return unique


_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class _Keyword:
    first: str | None  # the keyword's first alphanumeric token, for a cheap pre-check
    pattern: re.Pattern[str]


def _keyword(word: str) -> _Keyword:
    """A keyword matcher: case-insensitive, on word boundaries, plurals allowed ("benchmark"
    matches "benchmarks"), and a space or hyphen matching either."""
    escaped = re.sub(r"(\\ |\\-|-)", r"[-\\s]", re.escape(word))
    left = r"(?<![\w])" if word[:1].isalnum() else ""
    right = r"(?:s|es)?(?![\w])" if word[-1:].isalnum() else ""
    tokens = _TOKEN.findall(word.lower())
    first = tokens[0] if tokens and word[:1].isalnum() else None
    return _Keyword(first, re.compile(left + escaped + right, re.IGNORECASE))


def _tokens(text: str) -> set[str]:
    """Lowercase alphanumeric tokens of a text, with plural endings also stripped."""
    found = set(_TOKEN.findall(text.lower()))
    found |= {t[:-1] for t in found if t.endswith("s")} | {
        t[:-2] for t in found if t.endswith("es")
    }
    return found


def assign_topics(
    cards: Iterable[Card], *, topics: Sequence[Topic], primary: dict[str, str]
) -> list[Card]:
    """Tag each card with its primary topic and every topic whose keywords it mentions.

    Each keyword is first checked by its first word against the card's word set (a set
    lookup); only the few that pass run their exact pattern.
    """
    matchers = [(topic.id, [_keyword(k) for k in topic.keywords]) for topic in topics]
    result = []
    for card in cards:
        # the author's words only: the fronts of most kinds are our own template text
        own_front = card.front if card.cloze else card.title
        haystack = "\n".join((own_front, card.back, card.extra, *card.context[1:]))
        words = _tokens(haystack)
        first = primary[card.scenario_id]
        found = tuple(
            topic_id
            for topic_id, keywords in matchers
            if topic_id == first
            or any(
                (k.first is None or k.first in words) and k.pattern.search(haystack)
                for k in keywords
            )
        )
        result.append(replace(card, topics=found))
    return result
