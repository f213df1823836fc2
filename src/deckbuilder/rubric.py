"""A scenario's rubric for the interview mode: dimensions with weights, levels and anchors,
and the decision rule's "Must reach Hire" dimensions. Rubric cards are never studied."""

from __future__ import annotations

import re

from deckbuilder.cards import plain, slug, split_nested
from deckbuilder.model import (
    Card,
    CardKind,
    Notice,
    Problem,
    Rubric,
    RubricDimension,
    RubricLevel,
    ScenarioMeta,
)
from deckbuilder.parse import Document, Section
from deckbuilder.readers import first_paragraph, labelled_items

RUBRIC_LEVELS = ("Strong Hire", "Hire", "Lean No Hire", "No Hire")
_WEIGHT = re.compile(r"^Weight\s+(?:about\s+|around\s+|~\s*)?(\d{1,3})\s*%", re.IGNORECASE)
_ANCHOR = re.compile(r"^[-*+]\s+Anchor:\s*(?P<text>.*)\Z", re.DOTALL | re.IGNORECASE)
MAX_MUST_REACH = 3


def _dimension(
    meta: ScenarioMeta,
    *,
    doc: Document,
    sub: Section,
    cards: list[Card],
    problems: list[Problem],
    notices: list[Notice],
) -> RubricDimension:
    paragraph = first_paragraph(doc, sub)
    weight = _WEIGHT.match(paragraph[1]) if paragraph else None
    if weight is None:
        notices.append(
            Notice(doc.at(sub.line), "rubric-format", f"'{sub.title}' has no 'Weight about NN%.'")
        )
    by_level = {plain(i.label).lower(): i for i in labelled_items(doc, sub, problems=problems)}
    missing = [level for level in RUBRIC_LEVELS if level.lower() not in by_level]
    if missing:
        problems.append(
            Problem(
                doc.at(sub.line),
                f"rubric dimension '{sub.title}' is missing "
                + ", ".join(f"'{m}'" for m in missing),
            )
        )
    levels = []
    for level in RUBRIC_LEVELS:
        item = by_level.get(level.lower())
        if item is None:
            continue
        descriptor, nested = split_nested(item.body)
        if not descriptor:
            problems.append(
                Problem(doc.at(item.line), f"rubric level '{level}' of '{sub.title}' is empty")
            )
            continue
        anchor = _ANCHOR.match(nested)
        if anchor is None:
            notices.append(
                Notice(
                    doc.at(item.line),
                    "rubric-format",
                    f"'{level}' of '{sub.title}' has no nested '- Anchor: \"...\"' bullet",
                )
            )
        levels.append(
            RubricLevel(
                level, descriptor, anchor.group("text").strip() if anchor else "", doc.at(item.line)
            )
        )
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=CardKind.RUBRIC,
                key=f"{sub.explicit_id or slug(sub.title)}--{slug(level)}",
                title=f"{sub.title}: {level}",
                front=f"Rubric, **{sub.title}**: what does a **{level}** answer look like?",
                back=descriptor,
                context=(meta.deck_title, "Rubric", sub.title),
                source=doc.at(item.line),
                extra=nested,
            )
        )
    return RubricDimension(
        sub.title, int(weight.group(1)) if weight else None, tuple(levels), doc.at(sub.line)
    )


def read_rubric(
    meta: ScenarioMeta,
    *,
    doc: Document,
    dimensions: Section,
    decision: Section | None,
    problems: list[Problem],
    notices: list[Notice],
) -> tuple[Rubric, list[Card]]:
    cards: list[Card] = []
    subs = doc.subsections(dimensions)
    if not subs:
        problems.append(Problem(doc.at(dimensions.line), "'## Dimensions' has no '###' dimension"))
    dims = tuple(
        _dimension(meta, doc=doc, sub=s, cards=cards, problems=problems, notices=notices)
        for s in subs
    )
    weights = [d.weight for d in dims]
    if dims and None not in weights and sum(w for w in weights if w is not None) != 100:
        notices.append(
            Notice(
                doc.at(dimensions.line),
                "rubric-format",
                f"dimension weights sum to {sum(w for w in weights if w is not None)}%, not 100%",
            )
        )
    if decision is None:
        notices.append(
            Notice(
                doc.at(1), "missing-section", "no '## Decision rule' (with '**Must reach Hire:**')"
            )
        )
        return Rubric(dims), cards
    return _decision(doc, decision, dims=dims, problems=problems), cards


def _decision(
    doc: Document, section: Section, *, dims: tuple[RubricDimension, ...], problems: list[Problem]
) -> Rubric:
    names = {d.name.lower(): d.name for d in dims}
    must: list[str] = []
    given = 0
    notes = ""
    seen = False
    for item in labelled_items(doc, section, problems=problems):
        label = plain(item.label).lower()
        if label == "notes":
            notes = item.body
            continue
        if label != "must reach hire":
            problems.append(
                Problem(
                    doc.at(item.line),
                    f"unknown decision-rule entry '{plain(item.label)}' "
                    "(known: Must reach Hire, Notes)",
                )
            )
            continue
        seen = True
        for name in (n.strip().rstrip(".") for n in plain(item.body).split(";")):
            if not name:
                continue
            given += 1
            if name.lower() not in names:
                problems.append(
                    Problem(
                        doc.at(item.line),
                        f"decision rule names '{name}', which is not a dimension "
                        f"(dimensions: {', '.join(d.name for d in dims)})",
                    )
                )
                continue
            must.append(names[name.lower()])
    if not seen:
        problems.append(
            Problem(
                doc.at(section.line), "'## Decision rule' needs a '- **Must reach Hire:**' bullet"
            )
        )
    elif not 1 <= given <= MAX_MUST_REACH:
        problems.append(
            Problem(
                doc.at(section.line),
                f"'Must reach Hire' names {given} dimensions (1 to {MAX_MUST_REACH})",
            )
        )
    return Rubric(dims, tuple(must), notes)
