"""Commands for studying and practising: quiz, stats, drill and interview."""

from __future__ import annotations

from pathlib import Path

import click

from deckbuilder.cli.common import SCENARIOS, STATE, load, reports_errors
from deckbuilder.errors import DeckbuilderError
from deckbuilder.model import CardKind


@click.command(short_help="Study the cards in the terminal with FSRS spaced repetition.")
@SCENARIOS
@STATE
@click.option(
    "--mode",
    type=click.Choice(["flip", "typed", "choice"]),
    default="flip",
    show_default=True,
    help="flip: reveal and self-grade; typed: type an answer and get key points "
    "checked; choice: multiple choice where it fits.",
)
@click.option(
    "--new",
    "new_limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="New cards per day, counted over the day from the review log.",
)
@click.option(
    "--max",
    "max_cards",
    type=click.IntRange(min=1),
    default=None,
    help="At most this many cards in this session.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    help="Only this scenario: a number, folder name or id (repeatable).",
)
@click.option("--topic", "topics", multiple=True, help="Only this topic id (repeatable).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([kind.value for kind in CardKind]),
    help="Only this card kind (repeatable).",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    help="Only cards with this tag, as in Anki, e.g. difficulty::hard (repeatable).",
)
@click.option(
    "--cram",
    is_flag=True,
    help="Review every selected card regardless of due dates; the schedule is kept.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Read answers line by line and print one JSON event per line.",
)
@click.option("--no-fuzz", is_flag=True, help="Schedule without FSRS's random interval fuzz.")
@click.option(
    "--learn-ahead",
    "learn_ahead",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Minutes a learning card may be shown early once nothing else is left (as in Anki).",
)
@click.option(
    "--plain",
    is_flag=True,
    help="On a terminal, print cards one after another instead of the full-screen reviewer.",
)
@reports_errors
def quiz(
    scenarios_dir: Path,
    state: Path | None,
    mode: str,
    new_limit: int,
    max_cards: int | None,
    scenarios: tuple[str, ...],
    topics: tuple[str, ...],
    kinds: tuple[str, ...],
    tags: tuple[str, ...],
    cram: bool,
    as_json: bool,
    no_fuzz: bool,
    learn_ahead: int,
    plain: bool,
) -> None:
    """Study the cards in the terminal with FSRS spaced repetition.

    On a terminal it is a full-screen reviewer. Keys: space reveals, 1-4 rate (Again,
    Hard, Good, Easy), Enter takes the suggested rating, u undoes the last answer, ? shows
    help, q or Ctrl-C quits. Every answer is saved at once. When stdin or stdout is not
    a terminal (or with --json), answers are read one per line.
    """
    from datetime import timedelta

    from deckbuilder.quiz.app import QuizOptions, default_state_path, run_quiz
    from deckbuilder.quiz.queue import Filters
    from deckbuilder.quiz.session import Mode

    library = load(scenarios_dir)
    options = QuizOptions(
        filters=Filters(
            scenarios=scenarios, topics=topics, kinds=tuple(CardKind(k) for k in kinds), tags=tags
        ),
        mode=Mode(mode),
        new_limit=new_limit,
        max_cards=max_cards,
        cram=cram,
        as_json=as_json,
        fuzz=not no_fuzz,
        learn_ahead=timedelta(minutes=learn_ahead),
        plain=plain,
    )
    run_quiz(library, state=state or default_state_path(), options=options)


@click.command(short_help="Reviews, retention, due cards and a 30-day forecast.")
@SCENARIOS
@STATE
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@reports_errors
def stats(scenarios_dir: Path, state: Path | None, as_json: bool) -> None:
    """Reviews today, true retention, and cards due today and in the next 7 days.

    Scenarios are shown as "NN id" and topics by id (what --scenario and --topic take),
    then a 30-day forecast of due cards and retention over the last 30 days. A state file
    that does not exist yet reads as empty and is not created.
    """
    import json

    from deckbuilder.quiz.app import compute_stats, default_state_path
    from deckbuilder.quiz.report import summary_lines

    library = load(scenarios_dir)
    result = compute_stats(library, state=state or default_state_path())
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=1))
        return
    for line in summary_lines(
        result,
        scenario_labels={s.meta.id: f"{s.meta.number:02d} {s.meta.id}" for s in library.scenarios},
        topic_labels={t.id: t.id for t in library.topics},
    ):
        click.echo(line.rstrip())


@click.command()
@SCENARIOS
@STATE
@click.option(
    "--family",
    "families",
    multiple=True,
    help="Drill only this formula family, due or not (repeatable); see the README for the list.",
)
@click.option(
    "--max", "max_items", type=click.IntRange(min=1), default=None, help="At most N exercises."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Read answers line by line and print one JSON event per line.",
)
@click.option(
    "--seed", type=int, default=None, help="Seed the exercise generator (repeatable runs)."
)
@click.option("--no-fuzz", is_flag=True, help="Schedule without FSRS's random interval fuzz.")
@reports_errors
def drill(
    scenarios_dir: Path,
    state: Path | None,
    families: tuple[str, ...],
    max_items: int | None,
    as_json: bool,
    seed: int | None,
    no_fuzz: bool,
) -> None:
    """Endless back-of-envelope drills: KV cache, decode, TP, cost.

    Ten formula families (KV cache, weights, decode, prefill, TP, cost and more); each
    formula family is scheduled with FSRS like a card, and every review draws a fresh
    exercise from the sourced reference data. Answers take units: 320KiB, 3.35 TB/s, $292k.
    """
    from deckbuilder.drill.families import BY_ID
    from deckbuilder.drill.reference import load_reference
    from deckbuilder.drill.shell import run_drill
    from deckbuilder.quiz.app import default_state_path, utc_now

    unknown = [f for f in families if f not in BY_ID]
    if unknown:
        raise DeckbuilderError(
            f"unknown drill family {', '.join(repr(u) for u in unknown)} "
            f"(known: {', '.join(BY_ID)})"
        )
    run_drill(
        load_reference(scenarios_dir),
        state=state or default_state_path(),
        families=families,
        limit=max_items,
        as_json=as_json,
        seed=seed,
        fuzz=not no_fuzz,
        now=utc_now,
    )


@click.command()
@SCENARIOS
@STATE
@click.argument("scenario", required=False)
@click.option(
    "--minutes",
    type=click.FloatRange(min=1),
    default=60,
    show_default=True,
    help="Length of the interview; the timeline and curveballs scale to it.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Read input line by line and print one JSON event per line.",
)
@click.option("--seed", type=int, default=None, help="Seed the choice of scenario.")
@reports_errors
def interview(
    scenarios_dir: Path,
    state: Path | None,
    scenario: str | None,
    minutes: float,
    as_json: bool,
    seed: int | None,
) -> None:
    """A timed mock interview on one scenario, scored with its rubric.

    Without SCENARIO, picks one weighted towards the least practised and weakest.
    Multi-line answers end with a line holding only '.'. The transcript is saved as
    markdown in the user data folder and the self-scores in the state file.
    """
    from deckbuilder.interview.shell import run
    from deckbuilder.quiz.app import default_state_path, transcripts_path, utc_now

    state = state or default_state_path()
    run(
        load(scenarios_dir),
        scenarios=scenarios_dir,
        state=state,
        transcripts=transcripts_path(),
        only=scenario,
        minutes=minutes,
        as_json=as_json,
        now=utc_now,
        seed=seed,
    )
