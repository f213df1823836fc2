"""Read one scenario markdown file into a Document: its sections, in order, and its links.

The parser works on markdown-it's block tokens and their source maps: a card's
text is the author's own markdown, cut from the file by line range, so nothing
is re-serialised and every entry keeps the line it starts on. The readers that
turn a section into entries (labelled bullets, tables, questions) are in
``readers.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deckbuilder import markdown
from deckbuilder.model import SourceLocation

# no leading \s*: searched with one, a long run of spaces is rescanned from every position
EXPLICIT_ID = re.compile(r"\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)\}")


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


def _normalise(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def split_explicit_id(text: str) -> tuple[str, str | None]:
    """``"Term {#my-id}"`` -> ``("Term", "my-id")``."""
    match = EXPLICIT_ID.search(text)
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
