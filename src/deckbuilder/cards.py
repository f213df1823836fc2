"""Turn parsed entries into atomic cards: fronts that stand alone, one cloze per number."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from deckbuilder.model import Card, CardKind, Problem, ScenarioMeta, SourceLocation
from deckbuilder.parse import LabelledItem, QuestionEntry, TradeoffEntry, split_explicit_id

MAX_CLOZES_PER_BULLET = 12
RUBRIC_LEVELS = ("Strong Hire", "Hire", "Lean No Hire", "No Hire")
# a bold span may wrap onto the next line, but not across a blank line
_BOLD = re.compile(r"\*\*(?P<inner>(?:[^*\n]|\n(?!\s*\n))+?)\*\*")
_DIGIT = re.compile(r"\d")


def slug(text: str, *, limit: int = 64) -> str:
    """A lowercase ascii key: ``"Why P99, not mean?"`` -> ``"why-p99-not-mean"``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[`*_~\[\]()]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text or "untitled"


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed, for titles and reports."""
    text = re.sub(r"\*\*|`", "", markdown)
    text = re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", text)
    return " ".join(text.split())


def _short(text: str, limit: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _numbers(body: str) -> list[re.Match[str]]:
    return [m for m in _BOLD.finditer(body) if _DIGIT.search(m.group("inner"))]


def _cloze(body: str, target: re.Match[str]) -> str:
    """The body with one bold number turned into ``{{c1::...}}`` and the others left bold."""
    inner = target.group("inner").replace("}}", "} }")
    return body[: target.start()] + "{{c1::" + inner + "}}" + body[target.end() :]


def numbered_cards(
    meta: ScenarioMeta,
    *,
    kind: CardKind,
    items: Iterable[LabelledItem],
    path: str,
    problems: list[Problem],
) -> list[Card]:
    """Requirement or number cards: a cloze per bold number, else a question and answer."""
    cards: list[Card] = []
    for item in items:
        location = SourceLocation(path, item.line)
        if not item.body:
            problems.append(
                Problem(location, f"'{_plain(item.label)}' has no text after the label")
            )
            continue
        numbers = _numbers(item.body)
        if len(numbers) > MAX_CLOZES_PER_BULLET:
            problems.append(
                Problem(
                    location,
                    f"{len(numbers)} bold numbers in one bullet; split it "
                    f"(at most {MAX_CLOZES_PER_BULLET}, one card each)",
                )
            )
            continue
        key = item.explicit_id or slug(item.label or _BOLD.sub("", item.body))
        label = f"**{item.label}:** " if item.label else ""
        if not numbers and kind is CardKind.NUMBER:
            problems.append(
                Problem(
                    location,
                    f"number '{_plain(item.label or item.body)[:60]}' has no bold number to hide",
                )
            )
            continue
        if not numbers:
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=kind,
                    key=key,
                    title=_plain(item.label),
                    front=f"What does the design require for **{_plain(item.label)}**?",
                    back=item.body,
                    context=(meta.deck_title, *item.context),
                    source=location,
                )
            )
            continue
        for position, number in enumerate(numbers, start=1):
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=kind,
                    key=key if position == 1 else f"{key}-{position}",
                    title=(
                        f"{_plain(item.label)}: {number.group('inner')}"
                        if item.label
                        else _short(_plain(item.body))
                    ),
                    front=label + _cloze(item.body, number),
                    back="",
                    context=(meta.deck_title, *item.context),
                    source=location,
                    cloze=True,
                )
            )
    return cards


# Cards made from "**Label**: body" bullets: the front asks about the label.
_LABELLED = {
    CardKind.CONCEPT: (
        "What is **{label}**, and why does it matter here?",
        "concept '{label}' has no definition",
    ),
    CardKind.MISTAKE: (
        "Common mistake: **{label}**. Why is it wrong, and what should you do instead?",
        "mistake '{label}' has no explanation",
    ),
}


def labelled_cards(
    meta: ScenarioMeta,
    *,
    kind: CardKind,
    items: Iterable[LabelledItem],
    path: str,
    problems: list[Problem],
) -> list[Card]:
    """Concept or mistake cards: one per bullet, the bold label on the front."""
    front, missing = _LABELLED[kind]
    cards = []
    for item in items:
        location = SourceLocation(path, item.line)
        label = _plain(item.label)
        if not item.body:
            problems.append(Problem(location, missing.format(label=label)))
            continue
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=kind,
                key=item.explicit_id or slug(item.label),
                title=label,
                front=front.format(label=label),
                back=item.body,
                context=(meta.deck_title, *item.context),
                source=location,
            )
        )
    return cards


_COLUMNS = {
    "option": "option",
    "options": "option",
    "approach": "option",
    "pros": "pros",
    "pro": "pros",
    "advantages": "pros",
    "cons": "cons",
    "con": "cons",
    "disadvantages": "cons",
    "winswhen": "wins",
    "whenitwins": "wins",
    "bestwhen": "wins",
    "usewhen": "wins",
}


def tradeoff_cards(
    meta: ScenarioMeta, *, entries: Iterable[TradeoffEntry], path: str, problems: list[Problem]
) -> list[Card]:
    cards: list[Card] = []
    for entry in entries:
        decision_key = entry.explicit_id or slug(entry.decision)
        context = (meta.deck_title, "Trade-offs", entry.decision)
        columns = [_COLUMNS.get(re.sub(r"[^a-z]", "", h.lower()), h) for h in entry.header]
        missing = [
            name
            for name, want in (("Option", "option"), ("Wins when", "wins"))
            if want not in columns
        ]
        if missing:
            problems.append(
                Problem(
                    SourceLocation(path, entry.line),
                    f"trade-off '{entry.decision}' table needs a column "
                    + " and a column ".join(f"'{m}'" for m in missing),
                )
            )
            continue
        options: list[str] = []
        for line, cells in entry.rows:
            row = dict(zip(columns, cells, strict=False))
            option = row.get("option", "").strip()
            location = SourceLocation(path, line)
            if not option:
                problems.append(
                    Problem(location, f"trade-off '{entry.decision}' has a row with no option")
                )
                continue
            if not row.get("wins", "").strip():
                problems.append(
                    Problem(location, f"option '{_plain(option)}' has no 'Wins when' text")
                )
                continue
            options.append(_plain(option))
            parts = []
            for column, header in zip(columns, entry.header, strict=False):
                if column == "option" or not row.get(column, "").strip():
                    continue
                name = {"pros": "Pros", "cons": "Cons", "wins": "Wins when"}.get(column, header)
                parts.append(f"**{name}:** {row[column]}")
            option_text, option_id = split_explicit_id(option)
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=CardKind.TRADEOFF,
                    key=f"{decision_key}--{option_id or slug(option_text)}",
                    title=f"{entry.decision}: {_plain(option_text)}",
                    front=f"**{entry.decision}**: when does **{_plain(option_text)}** win, "
                    "and what does it cost?",
                    back="\n\n".join(parts),
                    context=context,
                    source=location,
                )
            )
        if len(options) < 2:
            problems.append(
                Problem(
                    SourceLocation(path, entry.line),
                    f"trade-off '{entry.decision}' needs at least two options, "
                    f"found {len(options)}",
                )
            )
        if entry.choice is not None:
            location = SourceLocation(path, entry.choice_line)
            if not entry.choice.strip():
                problems.append(
                    Problem(location, f"trade-off '{entry.decision}' has an empty choice")
                )
                continue
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=CardKind.TRADEOFF,
                    key=f"{decision_key}--choice",
                    title=f"{entry.decision}: the choice",
                    front=f"**{entry.decision}** ({' vs '.join(options)}): which option does the "
                    "reference design choose, and why?",
                    back=entry.choice,
                    context=context,
                    source=location,
                )
            )
    return cards


def followup_cards(
    meta: ScenarioMeta, *, entries: Iterable[QuestionEntry], path: str, problems: list[Problem]
) -> list[Card]:
    cards = []
    for entry in entries:
        location = SourceLocation(path, entry.line)
        if not entry.question:
            problems.append(Problem(location, "a follow-up question is empty"))
            continue
        if not entry.answer:
            problems.append(Problem(location, f"question '{entry.question}' has no answer"))
            continue
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=CardKind.FOLLOWUP,
                key=entry.explicit_id or slug(entry.question),
                title=_plain(entry.question),
                front=entry.question,
                back=entry.answer,
                context=(meta.deck_title, "Follow-up questions"),
                source=location,
                points=entry.points,
            )
        )
    return cards


def rubric_cards(
    meta: ScenarioMeta,
    *,
    dimensions: Sequence[tuple[str, str | None, int, list[LabelledItem]]],
    path: str,
    problems: list[Problem],
) -> list[Card]:
    cards = []
    for dimension, explicit, line, items in dimensions:
        by_level = {_plain(item.label).lower(): item for item in items}
        missing = [level for level in RUBRIC_LEVELS if level.lower() not in by_level]
        if missing:
            problems.append(
                Problem(
                    SourceLocation(path, line),
                    f"rubric dimension '{dimension}' is missing "
                    + ", ".join(f"'{m}'" for m in missing),
                )
            )
        for level in RUBRIC_LEVELS:
            item = by_level.get(level.lower())
            if item is None:
                continue
            location = SourceLocation(path, item.line)
            if not item.body:
                problems.append(
                    Problem(location, f"rubric level '{level}' of '{dimension}' is empty")
                )
                continue
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=CardKind.RUBRIC,
                    key=f"{explicit or slug(dimension)}--{slug(level)}",
                    title=f"{dimension}: {level}",
                    front=f"Rubric, **{dimension}**: what does a **{level}** answer look like?",
                    back=item.body,
                    context=(meta.deck_title, "Rubric", dimension),
                    source=location,
                )
            )
    return cards
