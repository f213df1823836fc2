"""The ``list`` tables, as lines that fit 80 columns and show the ids commands accept."""

from __future__ import annotations

import textwrap
from collections import Counter

from deckbuilder.model import CardKind, Library

WIDTH = 80
# column heads: each kind's first three letters (the legend under the table spells them out)
_COLUMN = 4  # three digits and a space: eleven kinds and an id still fit in 80 columns


def _head(kind: CardKind) -> str:
    return kind.value[:3]


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def list_lines(library: Library, *, by: str | None) -> list[str]:
    """Cards per scenario (by number and id) and kind, per topic (id and title), per kind."""
    kinds = list(CardKind)
    lines: list[str] = []
    if by in (None, "scenario"):
        names = [f"{s.meta.number:02d} {s.meta.id}" for s in library.scenarios]
        name = max([len("scenario"), *map(len, names)]) + 1
        heads = "".join(_head(k).rjust(_COLUMN) for k in kinds)
        lines.append("scenario".ljust(name) + heads + "total".rjust(_COLUMN + 2))
        for label, scenario in zip(names, library.scenarios, strict=True):
            counts = Counter(card.kind for card in scenario.cards)
            row = label.ljust(name) + "".join(str(counts[k]).rjust(_COLUMN) for k in kinds)
            lines.append(row + str(len(scenario.cards)).rjust(_COLUMN + 2))
        legend = ", ".join(f"{_head(k)} {k.value}" for k in kinds)
        lines += textwrap.wrap(f"({legend})", WIDTH - 2, subsequent_indent=" ")
        lines.append("")
    if by in (None, "topic"):
        lines.append("topic".ljust(24) + "title".ljust(WIDTH - 24 - 7) + "cards".rjust(7))
        for topic in library.topics:
            n = sum(1 for card in library.cards if topic.id in card.topics)
            lines.append(
                _fit(topic.id, 23).ljust(24)
                + _fit(topic.title, WIDTH - 32).ljust(WIDTH - 31)
                + str(n).rjust(7)
            )
        lines.append("")
    if by in (None, "kind"):
        lines.append("kind".ljust(24) + "cards".rjust(7))
        counts = Counter(card.kind for card in library.cards)
        for kind in kinds:
            lines.append(kind.value.ljust(24) + str(counts[kind]).rjust(7))
    return lines
