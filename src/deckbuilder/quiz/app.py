"""Wire the quiz together: library, filters, state file, queue, session, terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from deckbuilder.errors import DeckbuilderError
from deckbuilder.identity import guid_for, tags_for
from deckbuilder.model import Card, Library
from deckbuilder.quiz import queue as queue_mod
from deckbuilder.quiz import stats as stats_mod
from deckbuilder.quiz.scheduler import Scheduler
from deckbuilder.quiz.session import LEARN_AHEAD, Mode, QuizIO, Session, Summary, summary_data
from deckbuilder.quiz.store import Store

STATE_ENV = "DECKBUILDER_STATE"


def default_state_path() -> Path:
    """``--state``, else $DECKBUILDER_STATE, else the user data folder."""
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_path

    return user_data_path("deckbuilder", appauthor=False) / "quiz.sqlite3"


def transcripts_path() -> Path:
    """Where mock interviews leave their markdown transcripts: the user data folder."""
    from platformdirs import user_data_path

    return user_data_path("deckbuilder", appauthor=False) / "interviews"


def utc_now() -> datetime:
    return datetime.now(UTC)


def tagged_cards(library: Library) -> list[tuple[Card, str, tuple[str, ...]]]:
    """Every card with its GUID and the tags it carries in the Anki packages.

    A cloze note with deletions c1..cN is N cards, as in Anki: card n asks deletion n
    and shows the others. Card 1 keeps the note's GUID (so state from before multi-cloze
    notes still applies); card n is keyed ``GUID::cn`` and its key ends in ``::cn``.
    All of them share the note's source line, so they are siblings, buried together.
    """
    from deckbuilder.quiz.grading import cloze_card, cloze_ordinals

    result = []
    for scenario in library.scenarios:
        meta = scenario.meta
        for card in scenario.study_cards:
            guid, tags = guid_for(card.full_key), tags_for(card, meta)
            ordinals = cloze_ordinals(card.front) if card.cloze else []
            if len(ordinals) <= 1:
                result.append((card, guid, tags))
                continue
            for n in ordinals:
                asked = replace(card, front=cloze_card(card.front, n))
                if n != ordinals[0]:
                    asked = replace(asked, key=f"{card.key}::c{n}")
                result.append((asked, guid if n == ordinals[0] else f"{guid}::c{n}", tags))
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
    learn_ahead: timedelta = LEARN_AHEAD
    plain: bool = False  # on a terminal: the scrolling line interface instead of the screen


def resolve_scenarios(library: Library, wanted: Sequence[str]) -> tuple[str, ...]:
    """Scenario ids for what the user typed: a number ("3", "03"), a folder name or an id."""
    ids = []
    unknown = []
    for value in wanted:
        for scenario in library.scenarios:
            meta = scenario.meta
            number = value.isdigit() and int(value) == meta.number
            if value in (meta.id, meta.folder) or number:
                ids.append(meta.id)
                break
        else:
            unknown.append(value)
    if unknown:
        valid = "".join(
            f"\n  {s.meta.number:02d}  {s.meta.id}  ({s.meta.folder})" for s in library.scenarios
        )
        raise DeckbuilderError(
            "no scenario "
            + ", ".join(f"'{u}'" for u in unknown)
            + f"; use a number, folder name or id:{valid}"
        )
    return tuple(ids)


def select(library: Library, filters: queue_mod.Filters) -> list[tuple[Card, str]]:
    filters = replace(filters, scenarios=resolve_scenarios(library, filters.scenarios))
    tagged = tagged_cards(library)
    chosen = [(c, g) for c, g, tags in tagged if filters.keep(c, tags=tags)]
    if not chosen:
        raise DeckbuilderError(_no_match(filters, tagged=tagged, library=library))
    return chosen


def _no_match(
    filters: queue_mod.Filters,
    *,
    tagged: Sequence[tuple[Card, str, tuple[str, ...]]],
    library: Library,
) -> str:
    """Why nothing matched: every filter value that matches no card, with the valid values."""
    lines = ["no cards match the filters"]
    topics = sorted({t for c, _g, _t in tagged for t in c.topics})
    unknown_topics = [t for t in filters.topics if t not in topics]
    if unknown_topics:
        lines.append(f"  unknown topic {', '.join(unknown_topics)}; topics: {', '.join(topics)}")
    tags = sorted({t for _c, _g, ts in tagged for t in ts})
    unknown_tags = [t for t in filters.tags if t not in tags]
    if unknown_tags:
        lines.append(
            f"  unknown tag {', '.join(unknown_tags)}; tags look like "
            + ", ".join(t for t in tags if not t.startswith(("topic::", "scenario::")))
            + ", topic::<topic>, scenario::<id>"
        )
    if len(lines) == 1:
        scenarios = ", ".join(s.meta.id for s in library.scenarios)
        lines.append(
            "  no card has all of the chosen scenario, topic, kind and tag at once; "
            f"scenarios: {scenarios}; topics: {', '.join(topics)}"
        )
    return "\n".join(lines)


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
    out = stdout or sys.stdout
    chosen = select(library, options.filters)
    with Store(state) as store:
        start = now()
        plan = queue_mod.plan(
            chosen,
            store=store,
            now=start,
            new_limit=options.new_limit,
            max_cards=options.max_cards,
            cram=options.cram,
        )
        terminal = stdin.isatty() and out.isatty() and not options.as_json
        io: QuizIO
        if terminal and not options.plain:
            from deckbuilder.quiz import tui

            screen = tui.ScreenIO()
            session = new_session(
                chosen, plan=plan, store=store, io=screen, options=options, now=now
            )
            text = LineIO(stdin, console(stdout))
            if not session.has_cards():
                text.show_event("empty", message=plan.empty_message(now=start))
                return session.summary
            summary = tui.run(session, events=screen, now=now)
            text.show_event("end", **summary_data(summary))
            return summary
        io = (
            TerminalIO(console(stdout))
            if terminal
            else LineIO(stdin, console(stdout), as_json=options.as_json)
        )
        with io:
            session = new_session(chosen, plan=plan, store=store, io=io, options=options, now=now)
            if not session.has_cards():
                io.show_event(
                    "empty",
                    new_seen_today=plan.new_seen_today,
                    new_limit_reached=bool(plan.skipped_new)
                    and plan.new_seen_today >= plan.new_limit,
                    next_due=None if plan.next_due is None else plan.next_due.isoformat(),
                    message=plan.empty_message(now=start),
                )
            return session.run()


def new_session(
    chosen: Sequence[tuple[Card, str]],
    *,
    plan: queue_mod.QueuePlan,
    store: Store,
    io: QuizIO,
    options: QuizOptions,
    now: Callable[[], datetime],
) -> Session:
    """The session for a planned queue: the one wiring shared by the line and screen faces."""
    return Session(
        cards=plan.cards,
        store=store,
        scheduler=Scheduler(fuzz=options.fuzz),
        io=io,
        now=now,
        mode=options.mode,
        pool=[c for c, _ in chosen],
        cram=options.cram,
        selection={g: c for c, g in chosen},
        buried=plan.buried,
        learn_ahead=options.learn_ahead,
    )


def compute_stats(
    library: Library, *, state: Path, now: Callable[[], datetime] = utc_now
) -> stats_mod.Stats:
    """Statistics of a state file (cards, drill families, mock interviews); a missing one
    reads as empty and is not created."""
    from deckbuilder.drill.families import FAMILIES
    from deckbuilder.interview.history import history

    cards = [(c, g) for c, g, _tags in tagged_cards(library)]
    drills = [f.id for f in FAMILIES]
    if not state.exists():
        return stats_mod.compute(cards, store=None, now=now(), drills=drills)
    with Store(state) as store:
        result = stats_mod.compute(cards, store=store, now=now(), drills=drills)
        result.interviews = history(store)
        return result
