"""Cards for what an interview tests beyond facts: estimation methods and failure modes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from deckbuilder.cards import plain, slug, split_nested
from deckbuilder.model import Card, CardKind, Notice, Problem, ScenarioMeta, SourceLocation
from deckbuilder.parse import Document, Section, split_explicit_id
from deckbuilder.readers import LabelledItem, tables

FAILURE_COLUMNS = ("Failure", "Symptom", "Detection", "Mitigation")
_STEPS = (
    ("symptom", "What symptom do you see?"),
    ("detection", "How do you detect it?"),
    ("mitigation", "How do you mitigate it?"),
)


def _lower_first(text: str) -> str:
    """ "The monthly cost" -> "the monthly cost"; "KV bytes" stays (an acronym)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def estimation_cards(
    meta: ScenarioMeta, *, items: Iterable[LabelledItem], path: str, problems: list[Problem]
) -> list[Card]:
    """``- **What is estimated:** method`` (nested ``Example:`` -> Extra)."""
    cards = []
    for item in items:
        location = SourceLocation(path, item.line)
        label = plain(item.label)
        method, extra = split_nested(item.body)
        if not method:
            problems.append(Problem(location, f"estimation method '{label}' has no method"))
            continue
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=CardKind.ESTIMATION,
                key=item.explicit_id or slug(item.label),
                title=label,
                front=f"How do you estimate {_lower_first(label)}?",
                back=method,
                context=(meta.deck_title, *item.context),
                source=location,
                extra=extra,
            )
        )
    return cards


def _column(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def failure_cards(
    meta: ScenarioMeta,
    *,
    doc: Document,
    section: Section,
    problems: list[Problem],
    notices: list[Notice],
) -> list[Card]:
    """A failure-mode table (first column ``Failure`` and at least two of the step columns)
    must have exactly the four columns; each row makes one card per step. Other tables in
    the section (metrics, or a first-release table not yet converted) make no cards."""
    cards: list[Card] = []
    found = False
    steps = {_column(c) for c in FAILURE_COLUMNS[1:]}
    for table in tables(doc, section):
        columns = tuple(_column(h) for h in table.header)
        named = sum(any(c.startswith(step[:6]) for c in columns) for step in steps)
        if not columns or columns[0] != "failure" or named < 2:
            continue
        found = True
        if columns != tuple(map(_column, FAILURE_COLUMNS)):
            problems.append(
                Problem(
                    doc.at(table.line),
                    "a failure-mode table needs exactly the columns "
                    f"'{' | '.join(FAILURE_COLUMNS)}' (found '{' | '.join(table.header)}')",
                )
            )
            continue
        for line, cells in table.rows:
            location = doc.at(line)
            name, explicit = split_explicit_id(cells[0] if cells else "")
            if len(cells) < 4 or not all(c.strip() for c in cells[:4]):
                problems.append(
                    Problem(location, f"failure '{plain(name)}' needs all four cells filled")
                )
                continue
            for (step, question), answer in zip(_STEPS, cells[1:4], strict=True):
                cards.append(
                    Card(
                        scenario_id=meta.id,
                        kind=CardKind.FAILURE_MODE,
                        key=f"{explicit or slug(name)}--{step}",
                        title=f"{plain(name)}: {step}",
                        front=f"{meta.title} — failure: **{plain(name)}**. {question}",
                        back=answer.strip(),
                        context=(meta.deck_title, section.title),
                        source=location,
                    )
                )
    if not found:
        notices.append(
            Notice(
                doc.at(section.line),
                "missing-section",
                f"'## {section.title}' has no '| {' | '.join(FAILURE_COLUMNS)} |' table, "
                "so it makes no failure-mode cards",
            )
        )
    return cards
