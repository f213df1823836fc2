"""The card rules that can be checked mechanically, one function per rule (docs/card-design.md).

Each check takes the whole collection (some rules compare cards across scenarios) and
yields findings; ``lint.RULES`` is the table that names them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from deckbuilder.cards import plain
from deckbuilder.lintmeasures import (
    CLOZE,
    LIST_ITEM,
    MAX_ANSWER_WORDS,
    answer,
    derivable,
    front_key,
    is_list_answer,
    study,
    visible_text,
    words,
)
from deckbuilder.model import Card, CardKind, Library, SourceLocation

_REASON = re.compile(r"\b(?:because|since|so|as|given|which)\b|[:—–;]", re.IGNORECASE)
_TWO_CONCEPTS = re.compile(r"\s(?:and|&)\s", re.IGNORECASE)
_DANGLING = (
    (re.compile(r"\bsteps?\s+\d+", re.IGNORECASE), "points at a step the card does not show"),
    (re.compile(r"\bsection\s+\d+", re.IGNORECASE), "points at a section the card does not show"),
    (
        re.compile(
            r"\b(?:see|as|shown|described|listed|mentioned|defined|discussed|computed|derived)"
            r"\s+(?:above|below|earlier)\b",
            re.IGNORECASE,
        ),
        "points at text above or below the card",
    ),
    (
        re.compile(r"\bthe\s+(?:example|table|figure|diagram|list)\b(?!\s+of\b)", re.IGNORECASE),
        "points at an example, table or figure the card does not show",
    ),
    (re.compile(r"(?<![\w\]])\[\d+(?:\s*[,–-]\s*\d+)*\](?!\()"), "has a citation marker"),
)
_HERE = re.compile(r"\bhere\b", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Finding:
    location: SourceLocation
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: warning ({self.rule}): {self.message}"


def answer_length(library: Library) -> Iterator[Finding]:
    for card in study(library):
        count = words(answer(card))
        if count > MAX_ANSWER_WORDS:
            yield Finding(
                card.source,
                "answer-length",
                f"{card.kind.value} '{card.title}': the answer has {count} words "
                f"(at most {MAX_ANSWER_WORDS}); split it or move detail to a nested bullet",
            )


def list_answer(library: Library) -> Iterator[Finding]:
    for card in study(library):
        if is_list_answer(card):
            yield Finding(
                card.source,
                "list-answer",
                f"{card.kind.value} '{card.title}': the answer is a list of "
                f"{len(LIST_ITEM.findall(card.back))} items; make one card per item",
            )


def derivable_cloze(library: Library) -> Iterator[Finding]:
    for card in study(library):
        if card.cloze:
            for reason in derivable(card):
                yield Finding(card.source, "derivable-cloze", f"{reason}; move it to Derivation:")


def duplicate_front(library: Library) -> Iterator[Finding]:
    first: dict[str, Card] = {}
    for card in study(library):
        key = front_key(card)
        if key in first:
            yield Finding(
                card.source,
                "duplicate-front",
                f"front '{plain(card.front)[:80]}' is also the front of {first[key].source}; "
                "define it once (foundations) or make each front specific",
            )
        else:
            first[key] = card


def dangling_reference(library: Library) -> Iterator[Finding]:
    titles = {s.meta.id: s.meta.title.lower() for s in library.scenarios}
    for card in study(library):
        for side, text in (("front", card.front), ("answer", answer(card))):
            for pattern, why in _DANGLING:
                hit = pattern.search(plain(text))
                if hit is not None:
                    yield Finding(
                        card.source,
                        "dangling-reference",
                        f"the {side} '{hit.group(0)}' {why}; say what it means in place",
                    )
        front = plain(card.front)
        if _HERE.search(front) and titles[card.scenario_id] not in front.lower():
            yield Finding(
                card.source,
                "dangling-reference",
                "the front says 'here' without naming the design; name it or drop 'here'",
            )


def split_siblings(library: Library) -> Iterator[Finding]:
    groups: dict[tuple[str, str], list[Card]] = defaultdict(list)
    for card in study(library):
        if card.cloze:
            groups[("source", str(card.source))].append(card)
            # the sentence itself, without its label: two labels on one sentence still split it
            body = re.sub(r"^\*\*[^*\n]+\*\*\s*", "", card.front)
            groups[("text", " ".join(visible_text(body, 0).lower().split()))].append(card)
    reported: set[str] = set()
    for cards in groups.values():
        for card in cards[1:]:
            if card.full_key not in reported:
                reported.add(card.full_key)
                yield Finding(
                    card.source,
                    "split-siblings",
                    f"cloze note '{card.title}' shares its bullet or sentence with "
                    f"{cards[0].full_key}; make them one note with c1..cN",
                )


def choice_without_reason(library: Library) -> Iterator[Finding]:
    for card in study(library):
        choice = card.kind is CardKind.TRADEOFF and card.key.endswith("--choice")
        # the reason follows the option: look past the first few characters
        if choice and not _REASON.search(plain(card.back)[3:]):
            yield Finding(
                card.source,
                "choice-without-reason",
                f"'{card.title}' names an option without a reason ('<option>, because <reason>')",
            )


def _terms(title: str) -> set[frozenset[str]]:
    """A concept's names as sets of word stems: "Grouped-query attention (GQA)" ->
    {{group, query, atten}, {gqa}}; word order and endings do not matter."""
    inside = [p for group in re.findall(r"\(([^)]*)\)", title) for p in re.split(r",|;", group)]
    names = {*inside, re.sub(r"\([^)]*\)", "", title)}
    return {
        frozenset(word[:5] for word in re.findall(r"[a-z0-9]+", name.lower()))
        for name in names
        if name.strip()
    }


# words that narrow a term without naming a new concept ("decode phase", "compute-bound prefill")
_QUALIFIERS = frozenset(
    word[:5]
    for word in "phase automatic memory bandwidth bound compute style megatron at a latency "
    "slo level iteration scheduling the".split()
)


def _same_concept(term: frozenset[str], defined: frozenset[str]) -> bool:
    return defined <= term and term - defined <= _QUALIFIERS


_STOP = frozenset("a an and at for in is of on or per the to with about".split())


def _label_words(card: Card) -> set[str]:
    """The content words a cloze note shows besides its blanks (what the number is of)."""
    return set(re.findall(r"[a-z0-9]+", CLOZE.sub(" ", plain(card.front)).lower())) - _STOP


def foundations_redefined(library: Library) -> Iterator[Finding]:
    base = [s for s in library.scenarios if s.meta.is_foundations]
    if not base:
        return
    defined: dict[frozenset[str], Card] = {}
    hidden: dict[str, list[Card]] = defaultdict(list)
    for card in base[0].cards:
        if card.kind is CardKind.CONCEPT:
            defined.update(dict.fromkeys(_terms(card.title), card))
        elif card.cloze:
            for match in CLOZE.finditer(card.front):
                value = " ".join(plain(match.group("text")).lower().split())
                if re.search(r"\d", value) and re.search(r"[a-z]", value) and len(value) >= 4:
                    hidden[value].append(card)
    for scenario in library.scenarios:
        if scenario.meta.is_foundations:
            continue
        for card in scenario.study_cards:
            if card.kind is CardKind.CONCEPT:
                same = next(
                    (
                        c
                        for term in _terms(card.title)
                        for name, c in defined.items()
                        if _same_concept(term, name)
                    ),
                    None,
                )
                if same is not None:
                    yield Finding(
                        card.source,
                        "foundations-redefined",
                        f"'{card.title}' is defined in foundations ({same.source}); "
                        "drop this definition or ask what is specific to this scenario",
                    )
            elif card.cloze:
                for match in CLOZE.finditer(card.front):
                    value = " ".join(plain(match.group("text")).lower().split())
                    # the same value about the same thing (two shared label words)
                    twins = [
                        c
                        for c in hidden.get(value, [])
                        if len(_label_words(c) & _label_words(card)) >= 2
                    ]
                    if twins:
                        yield Finding(
                            card.source,
                            "foundations-redefined",
                            f"'{value}' is already taught by foundations "
                            f"({twins[0].source}); do not hide it again",
                        )


def two_concept_front(library: Library) -> Iterator[Finding]:
    for card in study(library):
        if card.kind is CardKind.CONCEPT and _TWO_CONCEPTS.search(card.title):
            yield Finding(
                card.source,
                "two-concept-front",
                f"term '{card.title}' joins two concepts; make one bullet per concept",
            )


def notices(rule: str, library: Library) -> Iterator[Finding]:
    for scenario in library.scenarios:
        for notice in scenario.notices:
            if notice.rule == rule:
                yield Finding(notice.location, notice.rule, notice.message)
