"""Trade-off cards: per option "when is it the right choice?" and "what does it cost?",
and one "which option does the design choose, and why?" card that does not list the options."""

from __future__ import annotations

import re
from collections.abc import Iterable

from deckbuilder.cards import plain, slug
from deckbuilder.model import Card, CardKind, Problem, ScenarioMeta, SourceLocation
from deckbuilder.parse import split_explicit_id
from deckbuilder.readers import TradeoffEntry

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


def _option_cards(
    meta: ScenarioMeta,
    *,
    entry: TradeoffEntry,
    decision_key: str,
    row: dict[str, str],
    location: SourceLocation,
) -> list[Card]:
    """The "right choice when" card (keeps the first release's key, so its history stays)
    and the "what does it cost" card; the pros are context on both, never asked."""
    option_text, option_id = split_explicit_id(row["option"].strip())
    option = plain(option_text)
    key = f"{decision_key}--{option_id or slug(option_text)}"
    pros = row.get("pros", "").strip()
    extra = f"**Pros:** {pros}" if pros else ""
    common = {
        "scenario_id": meta.id,
        "kind": CardKind.TRADEOFF,
        "context": (meta.deck_title, "Trade-offs", entry.decision),
        "source": location,
        "extra": extra,
    }
    cards = [
        Card(
            key=key,
            title=f"{entry.decision}: {option}",
            front=f"{meta.title}, **{entry.decision}**: when is **{option}** the right choice?",
            back=row["wins"].strip(),
            **common,  # type: ignore[arg-type]
        )
    ]
    cons = row.get("cons", "").strip()
    if cons:
        cards.append(
            Card(
                key=f"{key}--cost",
                title=f"{entry.decision}: {option}, its cost",
                front=f"{meta.title}, **{entry.decision}**: what does **{option}** cost?",
                back=cons,
                **common,  # type: ignore[arg-type]
            )
        )
    return cards


def tradeoff_cards(
    meta: ScenarioMeta, *, entries: Iterable[TradeoffEntry], path: str, problems: list[Problem]
) -> list[Card]:
    cards: list[Card] = []
    for entry in entries:
        decision_key = entry.explicit_id or slug(entry.decision)
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
        options = 0
        for line, cells in entry.rows:
            row = dict(zip(columns, cells, strict=False))
            location = SourceLocation(path, line)
            if not row.get("option", "").strip():
                problems.append(
                    Problem(location, f"trade-off '{entry.decision}' has a row with no option")
                )
                continue
            if not row.get("wins", "").strip():
                problems.append(
                    Problem(location, f"option '{plain(row['option'])}' has no 'Wins when' text")
                )
                continue
            options += 1
            cards += _option_cards(
                meta, entry=entry, decision_key=decision_key, row=row, location=location
            )
        if options < 2:
            problems.append(
                Problem(
                    SourceLocation(path, entry.line),
                    f"trade-off '{entry.decision}' needs at least two options, found {options}",
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
                    front=f"{meta.title}, **{entry.decision}**: which option does the design "
                    "choose, and why?",
                    back=entry.choice,
                    context=(meta.deck_title, "Trade-offs", entry.decision),
                    source=location,
                )
            )
    return cards
