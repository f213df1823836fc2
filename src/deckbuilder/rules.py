"""Which sections of which file become which cards: one table drives both the
"missing section" check and card building.

To add a card kind, write a reader (document section → entries) and a builder
(entries → cards), then add a row to ``RULES`` and document it in
``docs/scenario-format.md`` (a test checks that every heading and alias is named there).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deckbuilder import cards
from deckbuilder.model import Card, CardKind, Problem, ScenarioMeta
from deckbuilder.parse import (
    Document,
    Section,
    bare_items,
    labelled_items,
    questions,
    tradeoffs,
)

FILES = ("problem.md", "solution.md", "discussion_points.md", "rubric.md")
ANY_FILE = "*"

# reader: (document, its section, problems) -> entries
Reader = Callable[[Document, Section, list[Problem]], Sequence[Any]]
# builder: (scenario, entries, file label, problems) -> cards
Builder = Callable[[ScenarioMeta, Sequence[Any], str, list[Problem]], list[Card]]


@dataclass(frozen=True)
class SectionRule:
    """A level-2 section that becomes cards."""

    file: str  # one of FILES, or ANY_FILE
    heading: str  # the heading as documented (and named in the "missing" error)
    aliases: tuple[str, ...]  # every heading accepted (compared without case or punctuation)
    required: bool
    read: Reader
    build: Builder


def _labelled(doc: Document, section: Section, problems: list[Problem]) -> Sequence[Any]:
    return labelled_items(doc, section, problems=problems)


def _bare(doc: Document, section: Section, _problems: list[Problem]) -> Sequence[Any]:
    return bare_items(doc, section)


def _tradeoffs(doc: Document, section: Section, problems: list[Problem]) -> Sequence[Any]:
    return tradeoffs(doc, section, problems=problems)


def _questions(doc: Document, section: Section, _problems: list[Problem]) -> Sequence[Any]:
    return questions(doc, section)


def _dimensions(doc: Document, section: Section, problems: list[Problem]) -> Sequence[Any]:
    found = [
        (sub.title, sub.explicit_id, sub.line, labelled_items(doc, sub, problems=problems))
        for sub in doc.subsections(section)
    ]
    if not found:
        problems.append(Problem(doc.at(section.line), "'## Dimensions' has no '###' dimension"))
    return found


def _for_kind(build_cards: Callable[..., list[Card]], kind: CardKind) -> Builder:
    """A builder that makes cards of one kind from bullet items."""

    def build(
        meta: ScenarioMeta, items: Sequence[Any], path: str, problems: list[Problem]
    ) -> list[Card]:
        return build_cards(meta, kind=kind, items=items, path=path, problems=problems)

    return build


def _tradeoff_cards(
    meta: ScenarioMeta, entries: Sequence[Any], path: str, problems: list[Problem]
) -> list[Card]:
    return cards.tradeoff_cards(meta, entries=entries, path=path, problems=problems)


def _followup_cards(
    meta: ScenarioMeta, entries: Sequence[Any], path: str, problems: list[Problem]
) -> list[Card]:
    return cards.followup_cards(meta, entries=entries, path=path, problems=problems)


def _rubric_cards(
    meta: ScenarioMeta, entries: Sequence[Any], path: str, problems: list[Problem]
) -> list[Card]:
    return cards.rubric_cards(meta, dimensions=entries, path=path, problems=problems)


RULES: tuple[SectionRule, ...] = (
    SectionRule(
        "problem.md",
        "Requirements",
        ("requirements",),
        True,
        _labelled,
        _for_kind(cards.numbered_cards, CardKind.REQUIREMENT),
    ),
    SectionRule(
        "solution.md",
        "Key concepts",
        ("key concepts",),
        True,
        _labelled,
        _for_kind(cards.labelled_cards, CardKind.CONCEPT),
    ),
    SectionRule(
        "solution.md", "Trade-offs", ("trade-offs", "tradeoffs"), True, _tradeoffs, _tradeoff_cards
    ),
    SectionRule(
        "discussion_points.md",
        "Follow-up questions",
        ("follow-up questions", "follow-ups"),
        True,
        _questions,
        _followup_cards,
    ),
    SectionRule(
        "discussion_points.md",
        "Common mistakes",
        ("common mistakes",),
        False,
        _labelled,
        _for_kind(cards.labelled_cards, CardKind.MISTAKE),
    ),
    SectionRule(
        "rubric.md",
        "Dimensions",
        ("dimensions", "rubric dimensions", "scoring dimensions"),
        True,
        _dimensions,
        _rubric_cards,
    ),
    SectionRule(
        ANY_FILE,
        "Numbers to know",
        ("numbers to know",),
        False,
        _bare,
        _for_kind(cards.numbered_cards, CardKind.NUMBER),
    ),
)


def scenario_cards(
    meta: ScenarioMeta,
    docs: Mapping[str, Document],
    *,
    problems: list[Problem],
    rules: Sequence[SectionRule] = RULES,
) -> list[Card]:
    """Every card of one scenario's files, in file order (then line order), by the rules."""
    out: list[Card] = []
    for name, doc in docs.items():
        if name != "problem.md" and doc.front_matter is not None:
            problems.append(Problem(doc.at(1), "front matter belongs in problem.md only"))
        for rule in rules:
            if rule.file not in (name, ANY_FILE):
                continue
            section = doc.section(*rule.aliases)
            if section is None:
                if rule.required:
                    problems.append(
                        Problem(doc.at(1), f"missing required section '## {rule.heading}'")
                    )
                continue
            out += rule.build(meta, rule.read(doc, section, problems), doc.path, problems)
    return sorted(out, key=lambda c: (FILES.index(c.source.path.rsplit("/", 1)[1]), c.source.line))
