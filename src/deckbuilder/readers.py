"""The readers: one section of a Document -> its entries, each with the line it starts on.

Labelled bullets (``**Label:** body``), bare bullets and list items, trade-off tables and
other tables, numbered questions and a section's first paragraph. Each reader cuts the
author's own markdown from the file by the tokens' source maps (``parse.py``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from deckbuilder import markdown
from deckbuilder.model import Problem
from deckbuilder.parse import EXPLICIT_ID, Document, Section, split_explicit_id

_BULLET = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")
_LABEL = re.compile(r"^\*\*(?P<label>[^\n]+?)\*\*(?P<rest>.*)\Z", re.DOTALL)
_QUESTION_NUMBER = re.compile(r"^(?:Q\s*)?\d{1,3}\s*[.):]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LabelledItem:
    """A bullet of the form ``**Label:** body`` (or ``**Label**: body``)."""

    label: str
    explicit_id: str | None
    body: str
    line: int
    context: tuple[str, ...]


@dataclass(frozen=True)
class TradeoffEntry:
    decision: str
    explicit_id: str | None
    intro: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells)
    choice: str | None
    choice_line: int
    line: int


@dataclass(frozen=True)
class QuestionEntry:
    question: str
    explicit_id: str | None
    answer: str
    points: tuple[str, ...]
    line: int


def _item_source(doc: Document, token: markdown.Token) -> str:
    """The markdown of one list item, without its bullet and with continuation lines dedented."""
    assert token.map is not None
    start, end = token.map
    raw = list(doc.lines[start:end])
    match = _BULLET.match(raw[0])
    indent = len(match.group(0)) if match else 0
    body = [raw[0][indent:]]
    for line in raw[1:]:
        stripped = len(line) - len(line.lstrip(" "))
        body.append(line[min(indent, stripped) :])
    return "\n".join(body).strip()


def _top_level_items(doc: Document, first: int, end: int) -> Iterator[tuple[int, markdown.Token]]:
    """List items at the outermost list depth in tokens[first:end]."""
    depth = 0
    for index in range(first, end):
        token = doc.tokens[index]
        if token.type in {"bullet_list_open", "ordered_list_open"}:
            depth += 1
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            yield index, token


def labelled_items(
    doc: Document, section: Section, *, problems: list[Problem]
) -> list[LabelledItem]:
    """Every top-level ``**Label:** body`` bullet in the section and its subsections."""
    items: list[LabelledItem] = []
    subsections = [
        s
        for s in doc.sections
        if section.heading_token < s.heading_token < section.end_token and s.level > section.level
    ]
    starts = [s.line for s in subsections]  # ascending: sections are in document order
    for _index, token in _top_level_items(doc, section.first_token, section.end_token):
        assert token.map is not None
        line = token.map[0] + 1
        parsed = parse_label(_item_source(doc, token))
        if parsed is None:
            continue
        label, explicit, body = parsed
        # the innermost heading above the item: a binary search, not a scan per item
        within = bisect.bisect_right(starts, line)
        context = (subsections[within - 1].title,) if within else ()
        if not label:
            problems.append(Problem(doc.at(line), "a bold label is empty"))
            continue
        items.append(LabelledItem(label, explicit, body, line, (section.title, *context)))
    return items


def parse_label(source: str) -> tuple[str, str | None, str] | None:
    """Split ``**Label:** body`` into its parts; None when the item has no bold label and colon."""
    match = _LABEL.match(source)
    if match is None:
        return None
    label, rest = match.group("label").strip(), match.group("rest")
    label, explicit = split_explicit_id(label)
    id_match = EXPLICIT_ID.match(rest.lstrip())
    if id_match is not None:
        explicit = explicit or id_match.group("id")
        rest = rest.lstrip()[id_match.end() :].lstrip()
    if label.endswith(":"):
        label = label[:-1].rstrip()
        body = rest
    elif rest.lstrip().startswith(":"):
        body = rest.lstrip()[1:]
    else:
        return None
    return label, explicit, body.strip()


def tradeoffs(doc: Document, section: Section, *, problems: list[Problem]) -> list[TradeoffEntry]:
    entries: list[TradeoffEntry] = []
    for sub in doc.subsections(section):
        intro: list[str] = []
        header: tuple[str, ...] = ()
        rows: list[tuple[int, tuple[str, ...]]] = []
        choice: str | None = None
        choice_line = sub.line
        index = sub.first_token
        while index < sub.end_token:
            token = doc.tokens[index]
            if token.type == "table_open":
                index, header, rows = _read_table(doc, index)
                continue
            if token.type == "paragraph_open" and token.level == 0 and token.map is not None:
                content = doc.tokens[index + 1].content
                text = doc.text(*token.map)
                choice_match = re.match(r"^\*\*Choice:?\*\*:?\s*", content)
                if choice_match:
                    choice = text[choice_match.end() :].strip() if text.startswith("**") else text
                    choice_line = token.map[0] + 1
                elif not header:
                    intro.append(text)
            index += 1
        if not header:
            problems.append(
                Problem(doc.at(sub.line), f"trade-off '{sub.title}' has no options table")
            )
            continue
        entries.append(
            TradeoffEntry(
                decision=sub.title,
                explicit_id=sub.explicit_id,
                intro="\n\n".join(intro),
                header=header,
                rows=tuple(rows),
                choice=choice,
                choice_line=choice_line,
                line=sub.line,
            )
        )
    return entries


def _read_table(
    doc: Document, index: int
) -> tuple[int, tuple[str, ...], list[tuple[int, tuple[str, ...]]]]:
    header: list[str] = []
    rows: list[tuple[int, tuple[str, ...]]] = []
    current: list[str] = []
    row_line = 0
    in_head = False
    while doc.tokens[index].type != "table_close":
        token = doc.tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            current = []
            row_line = (token.map[0] + 1) if token.map else 0
        elif token.type == "inline":
            current.append(token.content.strip())
        elif token.type == "tr_close":
            if in_head:
                header = current
            else:
                rows.append((row_line, tuple(current)))
        index += 1
    return index + 1, tuple(header), rows


def questions(doc: Document, section: Section) -> list[QuestionEntry]:
    entries: list[QuestionEntry] = []
    for sub in doc.subsections(section):
        question = _QUESTION_NUMBER.sub("", sub.title).strip()
        answer = doc.text(sub.line, sub.end_line)
        points = []
        for index, _token in _top_level_items(doc, sub.first_token, sub.end_token):
            inline = doc.tokens[index + 2]
            if inline.type == "inline":
                points.append(inline.content.strip())
        entries.append(QuestionEntry(question, sub.explicit_id, answer, tuple(points), sub.line))
    return entries


def bare_items(doc: Document, section: Section) -> list[LabelledItem]:
    """Every top-level bullet; the bold label is optional (empty when absent)."""
    items = []
    for _index, token in _top_level_items(doc, section.first_token, section.end_token):
        assert token.map is not None
        source = _item_source(doc, token)
        parsed = parse_label(source)
        label, explicit, body = parsed if parsed is not None else ("", None, source)
        if parsed is None:
            body, explicit = split_explicit_id(body)
        items.append(LabelledItem(label, explicit, body, token.map[0] + 1, (section.title,)))
    return items


def list_items(doc: Document, first: int, end: int) -> list[tuple[int, str]]:
    """Every top-level list item in tokens[first:end] as (1-based line, its markdown)."""
    found = []
    for _index, token in _top_level_items(doc, first, end):
        assert token.map is not None
        found.append((token.map[0] + 1, _item_source(doc, token)))
    return found


@dataclass(frozen=True)
class Table:
    line: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells)


def tables(doc: Document, section: Section) -> list[Table]:
    """Every table in a section (its subsections included), in document order."""
    found = []
    index = section.first_token
    while index < section.end_token:
        token = doc.tokens[index]
        if token.type == "table_open":
            line = (token.map[0] + 1) if token.map else section.line
            index, header, rows = _read_table(doc, index)
            found.append(Table(line, header, tuple(rows)))
            continue
        index += 1
    return found


def first_paragraph(doc: Document, section: Section) -> tuple[int, str] | None:
    """The first top-level paragraph of a section (before any subsection): (line, text)."""
    for index in range(section.first_token, section.end_token):
        token = doc.tokens[index]
        if token.type == "heading_open":
            return None
        if token.type == "paragraph_open" and token.level == 0 and token.map is not None:
            return token.map[0] + 1, doc.text(*token.map)
    return None
