"""Wire the quiz together: library, filters, state file, queue, session, terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from deckbuilder.errors import DeckbuilderError
from deckbuilder.identity import guid_for, tags_for
from deckbuilder.model import Card, Library
from deckbuilder.quiz import queue as queue_mod
from deckbuilder.quiz import stats as stats_mod
from deckbuilder.quiz.scheduler import Scheduler
from deckbuilder.quiz.session import Mode, Session, Summary
from deckbuilder.quiz.store import Store

STATE_ENV = "DECKBUILDER_STATE"


def default_state_path() -> Path:
    """``--state``, else $DECKBUILDER_STATE, else the user data folder."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("deckbuilder", appauthor=False) / "quiz.sqlite3"


def utc_now() -> datetime:
    return datetime.now(UTC)


def tagged_cards(library: Library) -> list[tuple[Card, str, tuple[str, ...]]]:
    """Every card with its GUID and the tags it carries in the Anki packages."""
    result = []
    for scenario in library.scenarios:
        meta = scenario.meta
        for card in scenario.study_cards:
            result.append((card, guid_for(card.full_key), tags_for(card, meta)))
    return result


@dataclass(frozen=True)
class QuizOptions:
    filters: queue_mod.Filters
    mode: Mode
    new_limit: int = 20
    max_cards: int | None = None
    cram: bool = False
    as_json: bool = False
    fuzz: bool = True


def select(library: Library, filters: queue_mod.Filters) -> list[tuple[Card, str]]:
    chosen = [(c, g) for c, g, tags in tagged_cards(library) if filters.keep(c, tags=tags)]
    if not chosen:
        raise DeckbuilderError("no cards match the filters")
    return chosen


def run_quiz(
    library: Library,
    *,
    state: Path,
    options: QuizOptions,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Summary:
    from deckbuilder.quiz.terminal import LineIO, TerminalIO, console

    stdin = stdin or sys.stdin
    chosen = select(library, options.filters)
    with Store(state) as store:
        plan = queue_mod.plan(
            chosen,
            store=store,
            now=now(),
            new_limit=options.new_limit,
            max_cards=options.max_cards,
            cram=options.cram,
        )
        interactive = stdin.isatty() and not options.as_json
        io = (
            TerminalIO(console(stdout))
            if interactive
            else LineIO(stdin, console(stdout), as_json=options.as_json)
        )
        with io:
            if not plan.cards:
                io.show_event(
                    "empty",
                    new_seen_today=plan.new_seen_today,
                    message="Nothing due now. Come back later, or use --cram.",
                )
            session = Session(
                cards=plan.cards,
                store=store,
                scheduler=Scheduler(fuzz=options.fuzz),
                io=io,
                now=now,
                mode=options.mode,
                pool=[c for c, _ in chosen],
                cram=options.cram,
            )
            return session.run()


def compute_stats(
    library: Library, *, state: Path, now: Callable[[], datetime] = utc_now
) -> stats_mod.Stats:
    cards = [(c, g) for c, g, _tags in tagged_cards(library)]
    with Store(state) as store:
        return stats_mod.compute(cards, store=store, now=now())


def summary_lines(stats: stats_mod.Stats, *, titles: dict[str, str]) -> Sequence[str]:
    """The stats as an aligned text table."""

    def row(name: str, c: stats_mod.Counts) -> str:
        retention = "-" if c.retention is None else f"{c.retention:.0%}"
        return (
            f"{name[:34]:<34}{c.cards:>7}{c.studied:>8}{c.due_today:>7}{c.due_week:>7}"
            f"{c.reviews_today:>9}{retention:>10}"
        )

    header = (
        f"{'':<34}{'cards':>7}{'studied':>8}{'due':>7}{'7 days':>7}{'reviews':>9}{'retention':>10}"
    )
    lines = [header, row("All", stats.total), "", "By scenario"]
    lines += [
        row(titles.get(k, k), v)
        for k, v in sorted(stats.by_scenario.items(), key=lambda kv: titles.get(kv[0], kv[0]))
    ]
    lines += ["", "By topic"]
    lines += [row(titles.get(k, k), v) for k, v in sorted(stats.by_topic.items())]
    if stats.removed:
        lines += [
            "",
            f"{len(stats.removed)} studied cards are no longer in the scenarios "
            "(kept in the history, never shown):",
        ]
        lines += [f"  {key}" for key in sorted(stats.removed)]
    return lines
