"""Which sections of which file become which cards: one table drives the "missing section"
check, the format-v2 "expected section" notices and card building.

To add a card kind, write a reader (document section → entries) and a builder
(entries → cards), then add a row to ``RULES`` and document it in
``docs/scenario-format.md`` (a test checks that every heading and alias is named there).
Whether a kind is studied is the kind's own data (``CardKind.study``), not the table's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deckbuilder import cards, cues, methods, tradeoffs
from deckbuilder import rubric as rubricmod
from deckbuilder.frontmatter import FILES, FOUNDATION_FILES, FOUNDATIONS
from deckbuilder.model import Card, CardKind, Notice, Problem, Rubric, ScenarioMeta
from deckbuilder.parse import Document, Section
from deckbuilder.readers import bare_items, labelled_items
from deckbuilder.readers import tradeoffs as read_tradeoffs

ANY_FILE = "*"


@dataclass
class Report:
    """What building one scenario's cards finds besides cards: problems (errors), notices
    (for ``deckbuilder lint``) and the rubric the interview mode scores with."""

    problems: list[Problem]
    notices: list[Notice] = field(default_factory=list)
    rubric: Rubric | None = None


# reader: (document, its section, report) -> entries
Reader = Callable[[Document, Section, Report], Sequence[Any]]
# builder: (scenario, entries, file label, report) -> cards
Builder = Callable[[ScenarioMeta, Sequence[Any], str, Report], list[Card]]


@dataclass(frozen=True)
class SectionRule:
    """A level-2 section that becomes cards."""

    file: str  # one of FILES, FOUNDATIONS, or ANY_FILE
    heading: str  # the heading as documented (and named in the "missing" error)
    aliases: tuple[str, ...]  # every heading accepted (compared without case or punctuation)
    required: bool  # missing: an error
    read: Reader
    build: Builder
    expected: bool = False  # missing: a lint notice (format v2: convert one section at a time)


def _labelled(doc: Document, section: Section, report: Report) -> Sequence[Any]:
    return labelled_items(doc, section, problems=report.problems)


def _bare(doc: Document, section: Section, _report: Report) -> Sequence[Any]:
    return bare_items(doc, section)


def _tradeoffs(doc: Document, section: Section, report: Report) -> Sequence[Any]:
    return read_tradeoffs(doc, section, problems=report.problems)


def _whole(doc: Document, section: Section, _report: Report) -> Sequence[Any]:
    """The section itself, for builders that read cue bullets and tables in place."""
    return [(doc, section)]


def _for_kind(build_cards: Callable[..., list[Card]], kind: CardKind) -> Builder:
    """A builder that makes cards of one kind from bullet items."""

    def build(meta: ScenarioMeta, items: Sequence[Any], path: str, report: Report) -> list[Card]:
        return build_cards(meta, kind=kind, items=items, path=path, problems=report.problems)

    return build


def _estimations(meta: ScenarioMeta, items: Sequence[Any], path: str, report: Report) -> list[Card]:
    return methods.estimation_cards(meta, items=items, path=path, problems=report.problems)


def _tradeoff_cards(
    meta: ScenarioMeta, entries: Sequence[Any], path: str, report: Report
) -> list[Card]:
    return tradeoffs.tradeoff_cards(meta, entries=entries, path=path, problems=report.problems)


def _in_place(make: Callable[..., list[Card]]) -> Builder:
    """A builder for a section read in place (cue bullets, failure tables)."""

    def build(meta: ScenarioMeta, entries: Sequence[Any], _path: str, report: Report) -> list[Card]:
        ((doc, section),) = entries
        return make(
            meta, doc=doc, section=section, problems=report.problems, notices=report.notices
        )

    return build


def _rubric(meta: ScenarioMeta, entries: Sequence[Any], _path: str, report: Report) -> list[Card]:
    """Rubric level cards (never studied) and the rubric value with its decision rule."""
    ((doc, section),) = entries
    report.rubric, made = rubricmod.read_rubric(
        meta,
        doc=doc,
        dimensions=section,
        decision=doc.section("decision rule"),
        problems=report.problems,
        notices=report.notices,
    )
    return made


_CLARIFYING = ("clarifying questions a strong candidate asks", "clarifying questions")
_FAILURES = (
    "failure modes",
    "failure modes and metrics",
    "failure modes and metrics to watch",
    "failure modes and the metrics to watch",
    "failure modes and what to watch",
)

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
        "problem.md",
        "Clarifying questions a strong candidate asks",
        _CLARIFYING,
        False,
        _whole,
        _in_place(cues.clarifying_cards),
        expected=True,
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
        "solution.md",
        "Estimation methods",
        ("estimation methods",),
        False,
        _labelled,
        _estimations,
        expected=True,
    ),
    SectionRule(
        "solution.md",
        "Failure modes",
        _FAILURES,
        False,
        _whole,
        _in_place(methods.failure_cards),
        expected=True,
    ),
    SectionRule(
        "discussion_points.md",
        "Follow-up questions",
        ("follow-up questions", "follow-ups"),
        True,
        _whole,
        _in_place(cues.followup_cards),
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
        "discussion_points.md",
        "Curveballs",
        ("curveballs",),
        False,
        _whole,
        _in_place(cues.curveball_cards),
        expected=True,
    ),
    SectionRule(
        "rubric.md",
        "Dimensions",
        ("dimensions", "rubric dimensions", "scoring dimensions"),
        True,
        _whole,
        _rubric,
    ),
    SectionRule(
        ANY_FILE,
        "Numbers to know",
        ("numbers to know",),
        False,
        _bare,
        _for_kind(cards.numbered_cards, CardKind.NUMBER),
    ),
    SectionRule(
        FOUNDATIONS,
        "Key concepts",
        ("key concepts",),
        False,
        _labelled,
        _for_kind(cards.labelled_cards, CardKind.CONCEPT),
        expected=True,
    ),
    SectionRule(
        FOUNDATIONS,
        "Estimation methods",
        ("estimation methods",),
        False,
        _labelled,
        _estimations,
        expected=True,
    ),
)


def scenario_cards(
    meta: ScenarioMeta,
    docs: Mapping[str, Document],
    *,
    report: Report,
    rules: Sequence[SectionRule] = RULES,
) -> list[Card]:
    """Every card of one scenario's files, in file order (then line order), by the rules."""
    out: list[Card] = []
    files = FOUNDATION_FILES if FOUNDATIONS in docs else FILES
    for name, doc in docs.items():
        if name not in ("problem.md", FOUNDATIONS) and doc.front_matter is not None:
            report.problems.append(Problem(doc.at(1), "front matter belongs in problem.md only"))
        for rule in rules:
            if rule.file not in (name, ANY_FILE):
                continue
            section = doc.section(*rule.aliases)
            if section is None:
                if rule.required:
                    report.problems.append(
                        Problem(doc.at(1), f"missing required section '## {rule.heading}'")
                    )
                elif rule.expected:
                    report.notices.append(
                        Notice(
                            doc.at(1),
                            "missing-section",
                            f"no '## {rule.heading}' section (format v2)",
                        )
                    )
                continue
            out += rule.build(meta, rule.read(doc, section, report), doc.path, report)
    return sorted(out, key=lambda c: (files.index(c.source.path.rsplit("/", 1)[1]), c.source.line))
