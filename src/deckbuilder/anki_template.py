"""Anki's card templates and cloze deletions, rendered in Python exactly as Anki renders them.

The preview shows each card as Anki would without needing the ``anki`` package (an
optional extra). The tests render every card kind, the fixture libraries and the shipped
scenarios through the official library too and require the same HTML, byte for byte.
Supported: ``{{Field}}``, ``{{FrontSide}}``, ``{{#Field}}``/``{{^Field}}`` sections and
the ``cloze:`` filter (hints, nested deletions, several ordinals), which is all the
deckbuilder note types use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from deckbuilder import notetype

# --- templates -------------------------------------------------------------------------

_TAG = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
# Anki's field_is_empty: only whitespace, <br> and empty <div> tags
_EMPTY = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Section:
    key: str
    negated: bool
    body: tuple[_Node, ...]


_Node = str | tuple[str, ...] | _Section  # text | (filters..., field) | section


@lru_cache(maxsize=8)
def _parse(template: str) -> tuple[_Node, ...]:
    stack: list[tuple[str, bool, list[_Node]]] = [("", False, [])]
    position = 0
    for match in _TAG.finditer(template):
        if match.start() > position:
            stack[-1][2].append(template[position : match.start()])
        position = match.end()
        tag = match.group(1).strip()
        if tag.startswith(("#", "^")):
            stack.append((tag[1:].strip(), tag[0] == "^", []))
        elif tag.startswith("/"):
            key, negated, body = stack.pop()
            if key != tag[1:].strip() or not stack:
                raise ValueError(f"template section {{{{/{tag[1:]}}}}} does not close {key!r}")
            stack[-1][2].append(_Section(key, negated, tuple(body)))
        else:
            stack[-1][2].append(tuple(part.strip() for part in tag.split(":")))
    if len(stack) != 1:
        raise ValueError(f"template section {stack[-1][0]!r} is never closed")
    stack[0][2].append(template[position:])
    return tuple(stack[0][2])


def _render(
    nodes: Sequence[_Node],
    fields: Mapping[str, str],
    *,
    ordinal: int,
    question: bool,
    front_side: str,
) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, _Section):
            empty = _EMPTY.match(fields.get(node.key, "")) is not None
            if empty == node.negated:
                out.append(
                    _render(
                        node.body, fields, ordinal=ordinal, question=question, front_side=front_side
                    )
                )
        else:
            *filters, key = node
            text = front_side if key == "FrontSide" else fields[key]
            for name in reversed(filters):
                if name != "cloze":
                    raise ValueError(f"template filter {name!r} is not supported")
                text = reveal_cloze(text, ordinal=ordinal, question=question)
            out.append(text)
    return "".join(out)


def render_template(
    template: str, fields: Mapping[str, str], *, ordinal: int, question: bool, front_side: str = ""
) -> str:
    """One side of a card: ``ordinal`` is the card's 1-based cloze number (1 for basic cards)."""
    return _render(
        _parse(template), fields, ordinal=ordinal, question=question, front_side=front_side
    )


# --- cloze deletions -------------------------------------------------------------------

_CLOZE_TOKEN = re.compile(r"\{\{c(\d+(?:,\d+)*)::|\}\}")


@dataclass
class _Cloze:
    ordinals: tuple[int, ...]
    nodes: list[str | _Cloze]
    hint: str | None = None


def _parse_clozes(text: str) -> list[str | _Cloze]:
    top: list[str | _Cloze] = []
    stack: list[_Cloze] = []

    def add_text(piece: str) -> None:
        if not piece:
            return
        if stack:
            head, separator, tail = piece.partition("::")
            if separator and stack[-1].hint is None:
                piece, stack[-1].hint = head, tail
            stack[-1].nodes.append(piece)
        else:
            top.append(piece)

    position = 0
    for match in _CLOZE_TOKEN.finditer(text):
        add_text(text[position : match.start()])
        position = match.end()
        if match.group(1) is not None:
            ordinals = tuple(sorted({int(n) for n in match.group(1).split(",")}))
            stack.append(_Cloze(ordinals, []))
        elif stack:
            cloze = stack.pop()
            (stack[-1].nodes if stack else top).append(cloze)
        else:
            add_text(match.group(0))
    add_text(text[position:])
    return top  # as in Anki, an unclosed deletion and everything after it is dropped


def _encode_attribute(text: str) -> str:
    """Anki's attribute encoding: every Latin-1 character but ASCII letters and digits."""
    named = {'"': "&quot;", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
    return "".join(
        named.get(c, f"&#x{ord(c):02X};")
        if ord(c) < 256 and not (c.isascii() and c.isalnum())
        else c
        for c in text
    )


def _reveal(nodes: Sequence[str | _Cloze], *, ordinal: int, question: bool) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        numbers = ",".join(str(n) for n in node.ordinals)
        if ordinal not in node.ordinals:
            inner = _reveal(node.nodes, ordinal=ordinal, question=question)
            out.append(f'<span class="cloze-inactive" data-ordinal="{numbers}">{inner}</span>')
        elif question:
            content = _encode_attribute(_reveal(node.nodes, ordinal=ordinal, question=True))
            out.append(
                f'<span class="cloze" data-cloze="{content}" data-ordinal="{numbers}">'
                f"[{node.hint if node.hint is not None else '...'}]</span>"
            )
        else:
            inner = _reveal(node.nodes, ordinal=ordinal, question=False)
            out.append(f'<span class="cloze" data-ordinal="{numbers}">{inner}</span>')
    return "".join(out)


def reveal_cloze(text: str, *, ordinal: int, question: bool) -> str:
    """The ``cloze:`` filter: deletion ``ordinal`` hidden (question) or shown (answer)."""
    return _reveal(_parse_clozes(text), ordinal=ordinal, question=question)


def cloze_ordinals(text: str) -> tuple[int, ...]:
    """The card numbers a cloze text makes, one card per ordinal, in order."""
    found: set[int] = set()

    def walk(nodes: Sequence[str | _Cloze]) -> None:
        for node in nodes:
            if isinstance(node, _Cloze):
                found.update(node.ordinals)
                walk(node.nodes)

    walk(_parse_clozes(text))
    return tuple(sorted(n for n in found if n > 0))


# --- the deckbuilder note types --------------------------------------------------------


@dataclass(frozen=True)
class CardSide:
    """One Anki card of a note: its cloze ordinal (1 for basic notes), question and answer."""

    ordinal: int
    question: str
    answer: str


def card_sides(fields: Sequence[str], *, cloze: bool) -> tuple[CardSide, ...]:
    """Every card Anki makes from a deckbuilder note, rendered with the note type's templates."""
    names = notetype.CLOZE_FIELDS if cloze else notetype.BASIC_FIELDS
    values = dict(zip(names, fields, strict=True))
    template = (notetype.CLOZE_TEMPLATES if cloze else notetype.BASIC_TEMPLATES)[0]
    ordinals = cloze_ordinals(values["Text"]) if cloze else (1,)
    sides = []
    for ordinal in ordinals:
        front = render_template(template["qfmt"], values, ordinal=ordinal, question=True)
        back = render_template(
            template["afmt"], values, ordinal=ordinal, question=False, front_side=front
        )
        sides.append(CardSide(ordinal, front, back))
    return tuple(sides)
