"""Cards cut from cue bullets: follow-up questions, curveballs and clarifying questions.

A cue bullet starts with a bold cue, a short question that (with its heading) makes the
bullet answerable alone: ``- **Why can K and V be cached?** With a causal mask ...``.
Each cue bullet is one card; the heading's whole answer stays on every card as ``essay``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckbuilder.cards import plain, slug
from deckbuilder.model import Card, CardKind, Notice, Problem, ScenarioMeta
from deckbuilder.parse import Document, Section, split_explicit_id
from deckbuilder.readers import first_paragraph, list_items

_CUE = re.compile(r"^\*\*(?P<cue>(?:[^*]|\*(?!\*))+?)\*\*:?[ \t]*(?P<rest>.*)\Z", re.DOTALL)
_QUESTION_NUMBER = re.compile(r"^(?:Q\s*)?\d{1,3}\s*[.):]\s*", re.IGNORECASE)
_MINUTE = re.compile(r"^\*\*Minute:?\*\*:?\s*(?P<n>\S+?)\.?\s*$", re.IGNORECASE)
MAX_MINUTE = 60


@dataclass(frozen=True)
class CueItem:
    line: int
    cue: str  # empty: the bullet has no bold cue
    explicit_id: str | None
    answer: str  # the rest of the bullet, nested bullets included: the cue asks for all of it


def cue_items(doc: Document, first: int, end: int) -> list[CueItem]:
    """The top-level bullets in tokens[first:end], each split into its cue and answer."""
    items = []
    for line, source in list_items(doc, first, end):
        match = _CUE.match(source)
        if match is None:
            items.append(CueItem(line, "", None, source))
            continue
        cue, explicit = split_explicit_id(" ".join(match.group("cue").split()))
        items.append(CueItem(line, cue.rstrip(":").strip(), explicit, match.group("rest").strip()))
    return items


def _cue_cards(
    meta: ScenarioMeta,
    *,
    kind: CardKind,
    doc: Document,
    sub: Section,
    parent: Section,
    heading: str,
    front: str,
    minute: int | None,
    problems: list[Problem],
    notices: list[Notice],
) -> list[Card]:
    """One card per cue bullet under one ``###`` heading; uncued bullets are notices."""
    base = sub.explicit_id or slug(heading)
    essay = doc.text(sub.line, sub.end_line)
    cards = []
    items = cue_items(doc, sub.first_token, sub.end_token)
    if not items:
        notices.append(
            Notice(
                doc.at(sub.line),
                "missing-cue",
                f"'{heading}' has no cue bullets, so it makes no study card",
            )
        )
    for item in items:
        if not item.cue:
            notices.append(
                Notice(
                    doc.at(item.line),
                    "missing-cue",
                    "bullet has no bold cue (`- **Short question?** answer`), "
                    "so it makes no study card",
                )
            )
            continue
        if not item.answer:
            problems.append(Problem(doc.at(item.line), f"cue '{plain(item.cue)}' has no answer"))
            continue
        cue = plain(item.cue)
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=kind,
                key=f"{base}--{item.explicit_id or slug(item.cue)}",
                title=f"{heading} — {cue}",
                front=front.format(title=meta.title, heading=heading, cue=cue),
                back=item.answer,
                context=(meta.deck_title, parent.title, heading),
                source=doc.at(item.line),
                essay=essay,
                minute=minute,
            )
        )
    return cards


def followup_cards(
    meta: ScenarioMeta,
    *,
    doc: Document,
    section: Section,
    problems: list[Problem],
    notices: list[Notice],
) -> list[Card]:
    cards = []
    for sub in doc.subsections(section):
        question = _QUESTION_NUMBER.sub("", sub.title).strip()
        if not question:
            problems.append(Problem(doc.at(sub.line), "a follow-up question is empty"))
            continue
        if not doc.text(sub.line, sub.end_line):
            problems.append(Problem(doc.at(sub.line), f"question '{question}' has no answer"))
            continue
        cards += _cue_cards(
            meta,
            kind=CardKind.FOLLOWUP,
            doc=doc,
            sub=sub,
            parent=section,
            heading=question,
            front="{heading} — **{cue}**",
            minute=None,
            problems=problems,
            notices=notices,
        )
    return cards


def curveball_cards(
    meta: ScenarioMeta,
    *,
    doc: Document,
    section: Section,
    problems: list[Problem],
    notices: list[Notice],
) -> list[Card]:
    """Each ``###`` is what the interviewer says; its first paragraph ``**Minute:** N``."""
    cards = []
    for sub in doc.subsections(section):
        paragraph = first_paragraph(doc, sub)
        match = _MINUTE.match(paragraph[1]) if paragraph else None
        if match is None:
            problems.append(
                Problem(
                    doc.at(sub.line),
                    f"curveball '{sub.title}' needs '**Minute:** N' as its first paragraph",
                )
            )
            continue
        if not match.group("n").isdigit() or int(match.group("n")) > MAX_MINUTE:
            assert paragraph is not None
            problems.append(
                Problem(
                    doc.at(paragraph[0]),
                    f"curveball minute '{match.group('n')}' must be a whole number "
                    f"from 0 to {MAX_MINUTE}",
                )
            )
            continue
        cards += _cue_cards(
            meta,
            kind=CardKind.CURVEBALL,
            doc=doc,
            sub=sub,
            parent=section,
            heading=sub.title,
            front="{title} — curveball: *{heading}* — **{cue}**",
            minute=int(match.group("n")),
            problems=problems,
            notices=notices,
        )
    return cards


def clarifying_cards(
    meta: ScenarioMeta,
    *,
    doc: Document,
    section: Section,
    problems: list[Problem],
    notices: list[Notice],
) -> list[Card]:
    """``1. **Question?** why it matters`` -> "you ask: Question? What does it change?"."""
    cards = []
    for item in cue_items(doc, section.first_token, section.end_token):
        question = plain(item.cue).strip('"“” ')
        if not question.endswith("?"):
            notices.append(
                Notice(
                    doc.at(item.line),
                    "missing-cue",
                    "a clarifying question starts with the question in bold, ending in '?'",
                )
            )
            continue
        if not item.answer:
            problems.append(
                Problem(doc.at(item.line), f"clarifying question '{question}' has no answer")
            )
            continue
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=CardKind.CLARIFYING,
                key=item.explicit_id or slug(question),
                title=question,
                front=f"{meta.title} — you ask: *{question}* "
                "What does the answer change in the design?",
                back=item.answer,
                context=(meta.deck_title, section.title),
                source=doc.at(item.line),
            )
        )
    return cards
