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

if TYPE_CHECKING:
    from deckbuilder.build import BuildReport

F = TypeVar("F", bound=Callable[..., Any])

_SCENARIOS = click.option(
    "--scenarios",
    "scenarios_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("scenarios"),
    show_default=True,
    help="Folder holding topics.yaml and one folder per scenario.",
)


def _reports_errors(func: F) -> F:
    """Turn any DeckbuilderError into 'Error: ...' on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeckbuilderError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckbuilder")
def main() -> None:
    """Turn LLM system-design scenarios written in markdown into Anki packages and a quiz."""


@main.command()
@_SCENARIOS
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@_reports_errors
def check(scenarios_dir: Path, only: tuple[str, ...]) -> None:
    """Validate every scenario (or the named ones, by id or folder name).

    Every problem is reported as path:line: message; the exit status is 1 if there is any.
    """
    from deckbuilder.scenario import load_library

    library = load_library(scenarios_dir, only=only)
    count = len(library.cards)
    click.echo(
        f"OK: {len(library.scenarios)} scenarios, {count} cards, {len(library.topics)} topics"
    )


@main.command("list")
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
    """Count cards per scenario, per topic and per kind (of every scenario or the named ones)."""
    from deckbuilder.model import CardKind
    from deckbuilder.scenario import load_library

    library = load_library(scenarios_dir, only=only)
    kinds = list(CardKind)
    if by in (None, "scenario"):
        header = (
            "scenario".ljust(44) + "".join(k.value[:9].rjust(11) for k in kinds) + "total".rjust(8)
        )
        click.echo(header)
        for scenario in library.scenarios:
            counts = Counter(card.kind for card in scenario.cards)
            row = scenario.meta.deck_title[:43].ljust(44)
            row += "".join(str(counts[k]).rjust(11) for k in kinds)
            click.echo(row + str(len(scenario.cards)).rjust(8))
        click.echo()
    if by in (None, "topic"):
        click.echo("topic".ljust(44) + "cards".rjust(8))
        for topic in library.topics:
            n = sum(1 for card in library.cards if topic.id in card.topics)
            click.echo(topic.title[:43].ljust(44) + str(n).rjust(8))
        click.echo()
    if by in (None, "kind"):
        click.echo("kind".ljust(44) + "cards".rjust(8))
        counts = Counter(card.kind for card in library.cards)
        for kind in kinds:
            click.echo(kind.value.ljust(44) + str(counts[kind]).rjust(8))


_OUT = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Folder the packages are written to.",
)


def _build_and_report(scenarios_dir: Path, out_dir: Path) -> BuildReport:
    import time

    from deckbuilder.build import build as run_build
    from deckbuilder.scenario import load_library

    report = run_build(load_library(scenarios_dir), out=out_dir, now=time.time)
    for change in report.changes:
        click.echo(f"{change.change:>8}  {change.title}")
    for relative in report.deleted:
        click.echo(f" deleted  {out_dir / relative}")
    click.echo(
        f"Built {len(report.packages)} packages ({len(report.written)} written, "
        f"{len(report.unchanged)} unchanged), {report.notes} notes, in {out_dir}"
    )
    return report


@main.command()
@_SCENARIOS
@_OUT
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 and list the stale packages if OUT does not match.",
)
@_reports_errors
def build(scenarios_dir: Path, out_dir: Path, check_only: bool) -> None:
    """Build the combined, per-scenario and per-topic Anki packages."""
    if not check_only:
        _build_and_report(scenarios_dir, out_dir)
        return
    import time

    from deckbuilder.build import build as run_build
    from deckbuilder.scenario import load_library

    report = run_build(load_library(scenarios_dir), out=out_dir, now=time.time, check=True)
    for change in report.changes:
        click.echo(f"{change.change:>8}  {change.title}")
    if report.stale:
        click.echo(
            f"Stale: {out_dir} does not match {scenarios_dir}; run 'deckbuilder build'.", err=True
        )
        for relative in report.stale:
            click.echo(f"  {out_dir / relative}", err=True)
        sys.exit(1)
    click.echo(f"Up to date: {len(report.packages)} packages, {report.notes} notes in {out_dir}")


@main.command()
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
    from deckbuilder.build import COMBINED, REMOVED
    from deckbuilder.sync import sync as run_sync

    _build_and_report(scenarios_dir, out_dir)
    packages = [out_dir / COMBINED] + ([out_dir / REMOVED] if (out_dir / REMOVED).exists() else [])
    for result in run_sync(collection, packages=packages):
        click.echo(
            f"{Path(result.package).name}: {result.new} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.conflicting} conflicting"
        )


@main.command()
@_SCENARIOS
@_OUT
def watch(scenarios_dir: Path, out_dir: Path) -> None:
    """Rebuild on every save of a scenario file and print what changed (Ctrl-C stops)."""
    from deckbuilder.watch import watch as run_watch

    def rebuild() -> None:
        try:
            _build_and_report(scenarios_dir, out_dir)
        except DeckbuilderError as error:
            click.echo(f"Error: {error}", err=True)
        click.echo(f"Watching {scenarios_dir} for changes (Ctrl-C stops)")

    try:
        run_watch(scenarios_dir, rebuild=rebuild)
    except KeyboardInterrupt:
        click.echo("Stopped.")
