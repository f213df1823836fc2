"""What a mock interview needs from one scenario.

Clarifying questions, curveballs and the rubric (levels, anchors, decision rule) are
the values the loader parsed (cards of kinds clarifying and curveball, Scenario.rubric);
the prompt, scale assumptions, timeline and solution headings are read here with
parse.py. Anything missing gives an empty value, never an error, so any scenario runs.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from deckbuilder.model import CardKind, Problem, Rubric, Scenario, ScenarioMeta, SourceLocation
from deckbuilder.parse import Document, read_document
from deckbuilder.readers import labelled_items, tables
from deckbuilder.sources import read_text

_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")


@dataclass(frozen=True)
class Phase:
    name: str
    start: float  # minutes into a 60-minute (or the table's own) interview
    end: float
    covers: str
    source: SourceLocation


@dataclass(frozen=True)
class Question:
    question: str
    why: str
    source: SourceLocation


@dataclass(frozen=True)
class Curveball:
    pivot: str
    minute: float
    points: tuple[str, ...]
    source: SourceLocation


@dataclass(frozen=True)
class Level:
    name: str
    descriptor: str
    anchor: str  # "" when the scenario has no anchors yet


@dataclass(frozen=True)
class Dimension:
    name: str
    weight: float  # percent
    levels: tuple[Level, ...]
    source: SourceLocation


@dataclass(frozen=True)
class Section:
    title: str
    points: tuple[tuple[str, SourceLocation], ...]
    source: SourceLocation


@dataclass(frozen=True)
class Material:
    meta: ScenarioMeta
    prompt: str
    scale: str  # the scale assumptions (markdown), shown on request
    phases: tuple[Phase, ...]
    questions: tuple[Question, ...]
    curveballs: tuple[Curveball, ...]
    dimensions: tuple[Dimension, ...]
    must_reach: tuple[str, ...]
    solution: tuple[Section, ...]


def load_material(scenarios: Path, scenario: Scenario) -> Material:
    meta = scenario.meta
    docs: dict[str, Document] = {}
    problems: list[Problem] = []
    for name in ("problem.md", "solution.md"):
        label = f"{scenarios.name}/{meta.folder}/{name}"
        text = read_text(scenarios / meta.folder / name, label=label, problems=problems)
        docs[name] = read_document(label, text or "")
    problem = docs["problem.md"]
    rubric = scenario.rubric or Rubric(dimensions=())
    return Material(
        meta=meta,
        prompt=_prompt(problem, meta),
        scale=_section_text(problem, "scale assumptions"),
        phases=_phases(problem),
        questions=tuple(
            Question(card.title, _one_line(card.back), card.source)
            for card in scenario.cards
            if card.kind is CardKind.CLARIFYING
        ),
        curveballs=_curveballs(scenario),
        dimensions=_dimensions(rubric),
        must_reach=rubric.must_reach_hire,
        solution=_solution(docs["solution.md"]),
    )


def _prompt(doc: Document, meta: ScenarioMeta) -> str:
    section = doc.section("the prompt", "prompt")
    if section is None:
        return f"Design: {meta.title}. {meta.focus}."
    text = doc.text(section.line, section.end_line)
    return "\n".join(re.sub(r"^>\s?", "", line) for line in text.split("\n"))


def _section_text(doc: Document, name: str) -> str:
    section = doc.section(name)
    return "" if section is None else doc.text(section.line, section.end_line)


def _phases(doc: Document) -> tuple[Phase, ...]:
    section = next(
        (s for s in doc.sections if s.level == 2 and re.match(r"(?i)how the .*spent", s.title)),
        None,
    )
    if section is None:
        return ()
    found = tables(doc, section)
    if not found:
        return ()
    header, rows = found[0].header, found[0].rows
    lowered = [h.lower() for h in header]
    if "minutes" not in lowered or "phase" not in lowered:
        return ()
    minutes, phase = lowered.index("minutes"), lowered.index("phase")
    other = next((i for i in range(len(header)) if i not in (minutes, phase)), phase)
    spans = []
    for line, cells in rows:
        match = _RANGE.search(cells[minutes])
        if match:
            spans.append((float(match.group(1)), float(match.group(2)), line, cells))
    if not spans:
        return ()
    ranges = spans[0][0] == 0 and all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    result, clock = [], 0.0
    for low, high, line, cells in spans:
        start, end = (low, high) if ranges else (clock, clock + high)  # durations: upper bounds
        clock = end
        result.append(Phase(cells[phase], start, end, cells[other], doc.at(line)))
    return tuple(result)


def _curveballs(scenario: Scenario) -> tuple[Curveball, ...]:
    """One per interviewer pivot: its cue cards grouped under the pivot they share."""
    grouped: dict[str, list[tuple[str, SourceLocation, int]]] = {}
    for card in scenario.cards:
        if card.kind is CardKind.CURVEBALL:
            pivot = card.context[-1]
            cue = card.title.removeprefix(f"{pivot} — ")
            point = (f"**{cue}** {_one_line(card.back)}", card.source, card.minute or 30)
            grouped.setdefault(pivot, []).append(point)
    return tuple(
        Curveball(
            pivot=pivot.strip().strip('"“”'),
            minute=float(points[0][2]),
            points=tuple(p for p, _source, _minute in points),
            source=points[0][1],
        )
        for pivot, points in grouped.items()
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _dimensions(rubric: Rubric) -> tuple[Dimension, ...]:
    found = [
        Dimension(
            name=d.name,
            weight=float(d.weight or 0),
            levels=tuple(
                Level(lv.level, _one_line(lv.descriptor), _one_line(lv.anchor).strip('"“” '))
                for lv in d.levels
            ),
            source=d.source,
        )
        for d in rubric.dimensions
    ]
    if found and all(d.weight == 0 for d in found):  # no weights written: equal weights
        found = [Dimension(d.name, 100 / len(found), d.levels, d.source) for d in found]
    return tuple(found)


def _solution(doc: Document) -> tuple[Section, ...]:
    sections = []
    for section in doc.sections:
        if section.level != 2:
            continue
        points = [(s.title, doc.at(s.line)) for s in doc.subsections(section)]
        if not points:
            points = [
                (item.label, doc.at(item.line))
                for item in labelled_items(doc, section, problems=[])
            ]
        sections.append(Section(section.title, tuple(points[:6]), doc.at(section.line)))
    return tuple(sections)
