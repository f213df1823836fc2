"""Checks and tags over one scenario's whole set of cards: unique keys, and topics."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

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
    word: str
    tokens: frozenset[str]  # all its tokens: a card without one of them cannot match

    def search(self, text: str) -> bool:
        return _pattern(self.word).search(text) is not None


def _keyword(word: str) -> _Keyword:
    tokens = _TOKEN.findall(word.lower())
    first = tokens[0] if tokens and word[:1].isalnum() else None
    return _Keyword(first, word, frozenset(tokens) if first is not None else frozenset())


@lru_cache(maxsize=4096)
def _pattern(word: str) -> re.Pattern[str]:
    """A keyword's pattern: case-insensitive, on word boundaries, plurals allowed
    ("benchmark" matches "benchmarks"), and a space or hyphen matching either. Compiled
    only once a card holds the keyword's first word."""
    escaped = re.sub(r"(\\ |\\-|-)", r"[-\\s]", re.escape(word))
    left = r"(?<![\w])" if word[:1].isalnum() else ""
    right = r"(?:s|es)?(?![\w])" if word[-1:].isalnum() else ""
    return re.compile(left + escaped + right, re.IGNORECASE)


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

    One pass over the card's words: every keyword is indexed by its first word, so only
    the keywords whose first word the card contains run their exact pattern (a keyword
    that starts with no word always does).
    """
    by_word: dict[str, list[tuple[int, _Keyword]]] = {}
    always: list[tuple[int, _Keyword]] = []
    for index, topic in enumerate(topics):
        for word in topic.keywords:
            keyword = _keyword(word)
            if keyword.first is None:
                always.append((index, keyword))
            else:
                by_word.setdefault(keyword.first, []).append((index, keyword))
    result = []
    for card in cards:
        # the author's words only: the fronts of most kinds are our own template text
        own_front = card.front if card.cloze else card.title
        haystack = "\n".join((own_front, card.back, card.extra, *card.context[1:]))
        first = primary[card.scenario_id]
        found = {i for i, topic in enumerate(topics) if topic.id == first}
        candidates = [*always]
        words = _tokens(haystack)
        for word in words & by_word.keys():
            candidates += by_word[word]
        for index, keyword in candidates:
            if index not in found and keyword.tokens <= words and keyword.search(haystack):
                found.add(index)
        result.append(replace(card, topics=tuple(topics[i].id for i in sorted(found))))
    return result
