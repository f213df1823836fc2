"""The command line: a thin click shell over the core. The only module that imports click."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from deckbuilder import __version__
from deckbuilder.errors import DeckbuilderError
from deckbuilder.model import CardKind

if TYPE_CHECKING:
    from deckbuilder.build import BuildReport
    from deckbuilder.model import Library

F = TypeVar("F", bound=Callable[..., Any])

_SCENARIOS = click.option(
    "--scenarios",
    "scenarios_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("scenarios"),
    show_default=True,
    help="Folder holding topics.yaml and one folder per scenario.",
)


_JOBS = click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for parsing and writing (default: $DECKBUILDER_JOBS, else all cores).",
)


def _load(scenarios_dir: Path, *, only: tuple[str, ...] = (), jobs: int | None = None) -> Library:
    """The library, as every command loads it (``build`` does the same with its own cache)."""
    from deckbuilder.library import cache_for, load_library

    return load_library(scenarios_dir, only=only, jobs=jobs, cache_dir=cache_for(scenarios_dir))


def _reports_errors(func: F) -> F:
    """Turn any DeckbuilderError, or a disk error no layer below explained, into
    'Error: ...' on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeckbuilderError as error:
            click.echo(f"Error: {_rebased(error, kwargs.get('scenarios_dir'))}", err=True)
            sys.exit(1)
        except OSError as error:
            from deckbuilder.storage import disk_error

            click.echo(f"Error: {disk_error(error, doing='continue')}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _rebased(error: DeckbuilderError, scenarios_dir: Path | None) -> str:
    """Problems name files relative to the scenarios folder's parent ("scenarios/03-x/a.md");
    with a relative --scenarios elsewhere, print paths that open from where the command runs.
    (An absolute --scenarios keeps the short form, which the Anki Source field also uses.)"""
    from deckbuilder.errors import ValidationError

    if not isinstance(error, ValidationError) or scenarios_dir is None:
        return str(error)
    if scenarios_dir.is_absolute():
        return str(error)
    prefix = scenarios_dir.name + "/"
    if str(scenarios_dir) + "/" == prefix:
        return str(error)
    lines = []
    for problem in error.problems:
        path = problem.location.path
        if path.startswith(prefix):
            path = str(scenarios_dir / path.removeprefix(prefix))
        lines.append(f"{path}:{problem.location.line}: {problem.message}")
    count = len(error.problems)
    return "\n".join([*lines, f"{count} problem{'s' if count != 1 else ''} found"])


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="deckbuilder")
def main() -> None:
    """Turn LLM system-design scenarios written in markdown into Anki packages and a quiz."""


@main.command(short_help="Validate the scenarios; report every problem as path:line.")
@_SCENARIOS
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@_JOBS
@_reports_errors
def check(scenarios_dir: Path, only: tuple[str, ...], jobs: int | None) -> None:
    """Validate every scenario (or the named ones, by id or folder name).

    Every problem is reported as path:line: message; the exit status is 1 if there is any.
    """
    library = _load(scenarios_dir, only=only, jobs=jobs)
    count = len(library.cards)
    click.echo(
        f"OK: {_plural(len(library.scenarios), 'scenario')}, {_plural(count, 'card')}, "
        f"{_plural(len(library.topics), 'topic')}"
    )


@main.command(short_help="Check the cards against the card-design rules.")
@_SCENARIOS
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@click.option(
    "--decks",
    "decks_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Built packages whose manifest is checked for recital cards (skipped if absent).",
)
@click.option("--stats", is_flag=True, help="Print card-quality measures instead of warnings.")
@click.option("--json", "as_json", is_flag=True, help="With --stats: print them as JSON.")
@_JOBS
@_reports_errors
def lint(
    scenarios_dir: Path,
    only: tuple[str, ...],
    decks_dir: Path,
    stats: bool,
    as_json: bool,
    jobs: int | None,
) -> None:
    """Check the cards against the card-design rules (docs/card-design.md).

    Every finding is printed as path:line: warning (rule-id): message; the exit status is
    1 if there is any. Rules that compare cards (duplicate fronts, foundations) look at the
    whole collection even when scenarios are named.
    """
    import json

    from deckbuilder import lint as lintmod

    library = _load(scenarios_dir, jobs=jobs)
    if stats:
        measured = lintmod.measure(library).as_dict()
        if as_json:
            click.echo(json.dumps(measured, indent=1))
        else:
            for name, value in measured.items():
                click.echo(f"{name:28} {value}")
        return
    manifest = decks_dir / "manifest.json"
    packaged = (
        lintmod.packaged_keys(manifest.read_text(encoding="utf-8"), path=str(manifest))
        if manifest.is_file()
        else []
    )
    findings = lintmod.lint(library, only=only, packaged=packaged)
    for finding in findings:
        click.echo(str(finding))
    if findings:
        rules = Counter(f.rule for f in findings)
        summary = ", ".join(f"{n} {rule}" for rule, n in sorted(rules.items()))
        click.echo(f"{len(findings)} warnings ({summary})", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(library.scenarios)} scenarios, no card warnings")


@main.command("list", short_help="Count cards per scenario, topic and kind, with ids.")
@_SCENARIOS
@click.option(
    "--by",
    type=click.Choice(["scenario", "topic", "kind"]),
    default=None,
    help="Show only one of the three tables.",
)
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@_reports_errors
def list_(scenarios_dir: Path, by: str | None, only: tuple[str, ...]) -> None:
    """Count cards per scenario, per topic and per kind (of every scenario or the named ones).

    Scenarios are shown by number and id, the values --scenario and check accept.
    """
    from deckbuilder.listing import list_lines

    library = _load(scenarios_dir, only=only)
    for line in list_lines(library, by=by):
        click.echo(line.rstrip())


_OUT = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Folder the packages are written to.",
)


def _build_and_report(
    scenarios_dir: Path, out_dir: Path, jobs: int | None = None, *, verbose: bool = False
) -> BuildReport:
    import time

    from deckbuilder.build import build as run_build
    from deckbuilder.changes import report_lines

    report = run_build(scenarios_dir, out=out_dir, now=time.time, jobs=jobs)
    for line in report_lines(report.changes, verbose=verbose):
        click.echo(line)
    for relative in report.deleted:
        click.echo(f" deleted  {out_dir / relative}")
    click.echo(
        f"Built {len(report.packages)} packages ({len(report.written)} written, "
        f"{len(report.unchanged)} unchanged), {report.notes} notes, in {out_dir}"
    )
    return report


@main.command(short_help="Build the combined, per-scenario and per-topic Anki packages.")
@_SCENARIOS
@_OUT
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 and list the stale packages if OUT does not match.",
)
@_JOBS
@click.option("--verbose", "-v", is_flag=True, help="List every changed note, however many.")
@_reports_errors
def build(
    scenarios_dir: Path, out_dir: Path, check_only: bool, jobs: int | None, verbose: bool
) -> None:
    """Build the combined, per-scenario and per-topic Anki packages.

    Prints the notes added, changed and removed since the last build (a summary when
    there are many; --verbose lists each), then the packages written.
    """
    from deckbuilder.changes import report_lines

    if not check_only:
        _build_and_report(scenarios_dir, out_dir, jobs, verbose=verbose)
        return
    import time

    from deckbuilder.build import build as run_build

    report = run_build(scenarios_dir, out=out_dir, now=time.time, check=True, jobs=jobs)
    for line in report_lines(report.changes, verbose=verbose):
        click.echo(line)
    if report.stale:
        click.echo(
            f"Stale: {out_dir} does not match {scenarios_dir}; run 'deckbuilder build'.", err=True
        )
        for relative in report.stale:
            click.echo(f"  {out_dir / relative}", err=True)
        sys.exit(1)
    click.echo(f"Up to date: {len(report.packages)} packages, {report.notes} notes in {out_dir}")


@main.command(short_help="Build, then import into an Anki collection file (Anki closed).")
@_SCENARIOS
@_OUT
@click.option(
    "--collection",
    "collection",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The Anki collection file (collection.anki2 in your Anki profile folder).",
)
@_reports_errors
def sync(scenarios_dir: Path, out_dir: Path, collection: Path) -> None:
    """Build, then apply the build to an Anki collection file (Anki must be closed)."""
    from deckbuilder.plan import COMBINED, REMOVED
    from deckbuilder.sync import check_collection
    from deckbuilder.sync import sync as run_sync

    check_collection(collection)  # before building: a wrong path is the likeliest mistake
    _build_and_report(scenarios_dir, out_dir)
    packages = [out_dir / COMBINED] + ([out_dir / REMOVED] if (out_dir / REMOVED).exists() else [])
    for result in run_sync(collection, packages=packages):
        click.echo(
            f"{Path(result.package).name}: {result.new} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.conflicting} conflicting"
        )


@main.command(short_help="Rebuild on every save of a scenario file.")
@_SCENARIOS
@_OUT
@_reports_errors
def watch(scenarios_dir: Path, out_dir: Path) -> None:
    """Rebuild on every save of a scenario file and print what changed (Ctrl-C stops)."""
    import time

    from deckbuilder.errors import BuildLocked
    from deckbuilder.watch import watch as run_watch

    def rebuild() -> None:
        waiting = False
        while True:
            try:
                _build_and_report(scenarios_dir, out_dir)
                return
            except BuildLocked as error:  # another build is writing: this save waits its turn
                if not waiting:
                    click.echo(f"Waiting: {error}", err=True)
                    waiting = True
                time.sleep(0.2)
            except DeckbuilderError as error:
                click.echo(f"Error: {error}", err=True)
                return

    def ready() -> None:
        click.echo(f"Watching {scenarios_dir} for changes (Ctrl-C stops)")

    try:
        run_watch(scenarios_dir, rebuild=rebuild, ready=ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _lint_notes(library: Library) -> list[tuple[str, str]]:
    """(card "path:line", message) for each card-rule warning, shown on the card in the preview."""
    from deckbuilder.lint import lint as run_lint

    return [(str(f.location), f"{f.message} ({f.rule})") for f in run_lint(library)]


def _write_preview(scenarios_dir: Path, out_dir: Path, *, live: bool, jobs: int | None) -> str:
    from deckbuilder.preview.output import write_site
    from deckbuilder.preview.site import build_site

    library = _load(scenarios_dir, jobs=jobs)
    site = build_site(library, warnings=_lint_notes(library), live=live, jobs=jobs)
    write_site(site, out=out_dir)
    count = sum(len(scenario.study_cards) for scenario in library.scenarios)
    return (
        f"Preview of {count} cards in {len(library.scenarios)} scenarios: {out_dir / 'index.html'}"
    )


@main.command()
@_SCENARIOS
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks/preview"),
    show_default=True,
    help="Folder the site is written to.",
)
@click.option("--serve", is_flag=True, help="Serve the site on 127.0.0.1 and rebuild it on save.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8000,
    show_default=True,
    help="Port for --serve (0 picks a free one).",
)
@_JOBS
@_reports_errors
def preview(scenarios_dir: Path, out_dir: Path, serve: bool, port: int, jobs: int | None) -> None:
    """Write a browsable site of every card as Anki renders it.

    An index counts cards per scenario, topic and kind; each scenario page has a search
    box, a tag filter, a dark-mode toggle (Anki's night mode) and a phone-width view.
    """
    if not serve:
        click.echo(_write_preview(scenarios_dir, out_dir, live=False, jobs=jobs))
        return
    from deckbuilder.preview.output import record_error
    from deckbuilder.preview.serve import start_server
    from deckbuilder.watch import watch as run_watch

    def rebuild() -> None:
        try:
            click.echo(_write_preview(scenarios_dir, out_dir, live=True, jobs=jobs))
        except DeckbuilderError as error:
            click.echo(f"Error: {error}", err=True)
            record_error(out_dir, str(error))

    server = start_server(out_dir, port=port)
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html"

    def ready() -> None:
        click.echo(f"Serving {url} and watching {scenarios_dir} (Ctrl-C stops)")

    try:
        run_watch(scenarios_dir, rebuild=rebuild, ready=ready)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.shutdown()


_STATE = click.option(
    "--state",
    "state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Quiz state file (default: $DECKBUILDER_STATE, else the user data folder).",
)


@main.command(short_help="Study the cards in the terminal with FSRS spaced repetition.")
@_SCENARIOS
@_STATE
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
@_reports_errors
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

    library = _load(scenarios_dir)
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


@main.command(short_help="Reviews, retention, due cards and a 30-day forecast.")
@_SCENARIOS
@_STATE
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@_reports_errors
def stats(scenarios_dir: Path, state: Path | None, as_json: bool) -> None:
    """Reviews today, true retention, and cards due today and in the next 7 days.

    Scenarios are shown as "NN id" and topics by id (what --scenario and --topic take),
    then a 30-day forecast of due cards and retention over the last 30 days. A state file
    that does not exist yet reads as empty and is not created.
    """
    import json

    from deckbuilder.quiz.app import compute_stats, default_state_path
    from deckbuilder.quiz.report import summary_lines

    library = _load(scenarios_dir)
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


@main.command()
@_SCENARIOS
@_STATE
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
@_reports_errors
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


@main.command()
@_SCENARIOS
@_STATE
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
@_reports_errors
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
        _load(scenarios_dir),
        scenarios=scenarios_dir,
        state=state,
        transcripts=transcripts_path(),
        only=scenario,
        minutes=minutes,
        as_json=as_json,
        now=utc_now,
        seed=seed,
    )
