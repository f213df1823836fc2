"""Read the card structures out of one scenario markdown file.

The parser works on markdown-it's block tokens and their source maps: a card's
text is the author's own markdown, cut from the file by line range, so nothing
is re-serialised and every entry keeps the line it starts on.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from deckbuilder import markdown
from deckbuilder.model import Problem, SourceLocation

_BULLET = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])(\s+|$)")
_LABEL = re.compile(r"^\*\*(?P<label>[^\n]+?)\*\*(?P<rest>.*)\Z", re.DOTALL)
# no leading \s*: searched with one, a long run of spaces is rescanned from every position
_EXPLICIT_ID = re.compile(r"\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)\}")
_QUESTION_NUMBER = re.compile(r"^(?:Q\s*)?\d{1,3}\s*[.):]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    level: int
    title: str
    heading_token: int
    explicit_id: str | None
    line: int  # 1-based line of the heading
    first_token: int  # index of the first token after the heading
    end_token: int  # index one past the section's last token
    end_line: int  # 0-based line one past the section's end


@dataclass(frozen=True)
class Document:
    """One parsed markdown file."""

    path: str
    lines: tuple[str, ...]
    tokens: tuple[markdown.Token, ...]
    sections: tuple[Section, ...]
    front_matter: str | None

    def at(self, line: int) -> SourceLocation:
        return SourceLocation(self.path, line)

    def section(self, *names: str) -> Section | None:
        """The first level-2 section whose normalised title is one of ``names``."""
        wanted = {_normalise(n) for n in names}
        for section in self.sections:
            if section.level == 2 and _normalise(section.title) in wanted:
                return section
        return None

    def subsections(self, parent: Section) -> list[Section]:
        return [
            s
            for s in self.sections
            if s.level == parent.level + 1
            and parent.heading_token < s.heading_token < parent.end_token
        ]

    def text(self, start: int, end: int) -> str:
        """Source lines ``start`` (0-based) up to ``end``, trimmed of blank edges."""
        return "\n".join(self.lines[start:end]).strip("\n").rstrip()


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


def _normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def split_explicit_id(text: str) -> tuple[str, str | None]:
    """``"Term {#my-id}"`` -> ``("Term", "my-id")``."""
    match = _EXPLICIT_ID.search(text)
    if match is None:
        return text.strip(), None
    before, after = text[: match.start()].rstrip(), text[match.end() :].lstrip()
    return (before + " " + after).strip(), match.group("id")


def read_document(path: str, text: str) -> Document:
    tokens = tuple(markdown.parse(text))
    lines = tuple(text.split("\n"))
    front_matter: str | None = None
    if tokens and tokens[0].type == "front_matter":
        front_matter = tokens[0].content
    headings: list[tuple[int, int, str, int]] = []  # (token index, level, title, line0)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            title = tokens[index + 1].content
            headings.append((index, int(token.tag[1]), title, token.map[0]))
    sections: list[Section] = []
    for position, (index, level, title, line0) in enumerate(headings):
        end_token, end_line = len(tokens), len(lines)
        for later_index, later_level, _title, later_line in headings[position + 1 :]:
            if later_level <= level:
                end_token, end_line = later_index, later_line
                break
        clean, explicit = split_explicit_id(title)
        sections.append(
            Section(
                level=level,
                title=clean,
                heading_token=index,
                explicit_id=explicit,
                line=line0 + 1,
                first_token=index + 3,
                end_token=end_token,
                end_line=end_line,
            )
        )
    return Document(
        path=path,
        lines=lines,
        tokens=tokens,
        sections=tuple(sections),
        front_matter=front_matter,
    )


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
    id_match = _EXPLICIT_ID.match(rest.lstrip())
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


@dataclass(frozen=True)
class Reference:
    """A link or image target written in the document."""

    kind: str  # "link" | "image"
    target: str
    line: int


def references(doc: Document) -> list[Reference]:
    """Every link and image target, with the line it is written on."""
    found: list[Reference] = []
    for token in doc.tokens:
        if token.type != "inline" or not token.children or token.map is None:
            continue
        start, end = token.map
        for child in token.children:
            if child.type == "link_open":
                kind, target = "link", str(child.attrGet("href") or "")
            elif child.type == "image":
                kind, target = "image", str(child.attrGet("src") or "")
            else:
                continue
            line = start + 1
            for number in range(start, end):
                if target and (
                    f"({target}" in doc.lines[number] or f"]: {target}" in doc.lines[number]
                ):
                    line = number + 1
                    break
            found.append(Reference(kind, target, line))
    return found


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
