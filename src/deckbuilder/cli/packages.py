"""Commands that build packages: build, sync, watch and preview."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from deckbuilder.cli.common import JOBS, OUT, SCENARIOS, build_and_report, load, reports_errors
from deckbuilder.errors import DeckbuilderError

if TYPE_CHECKING:
    from deckbuilder.model import Library


@click.command(short_help="Build the combined, per-scenario and per-topic Anki packages.")
@SCENARIOS
@OUT
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 and list the stale packages if OUT does not match.",
)
@JOBS
@click.option("--verbose", "-v", is_flag=True, help="List every changed note, however many.")
@reports_errors
def build(
    scenarios_dir: Path, out_dir: Path, check_only: bool, jobs: int | None, verbose: bool
) -> None:
    """Build the combined, per-scenario and per-topic Anki packages.

    Prints the notes added, changed and removed since the last build (a summary when
    there are many; --verbose lists each), then the packages written.
    """
    from deckbuilder.changes import report_lines

    if not check_only:
        build_and_report(scenarios_dir, out_dir, jobs, verbose=verbose)
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


@click.command(short_help="Build, then import into an Anki collection file (Anki closed).")
@SCENARIOS
@OUT
@click.option(
    "--collection",
    "collection",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The Anki collection file (collection.anki2 in your Anki profile folder).",
)
@reports_errors
def sync(scenarios_dir: Path, out_dir: Path, collection: Path) -> None:
    """Build, then apply the build to an Anki collection file (Anki must be closed)."""
    from deckbuilder.outputs import COMBINED, REMOVED
    from deckbuilder.sync import check_collection
    from deckbuilder.sync import sync as run_sync

    check_collection(collection)  # before building: a wrong path is the likeliest mistake
    build_and_report(scenarios_dir, out_dir)
    packages = [out_dir / COMBINED] + ([out_dir / REMOVED] if (out_dir / REMOVED).exists() else [])
    for result in run_sync(collection, packages=packages):
        click.echo(
            f"{Path(result.package).name}: {result.new} added, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.conflicting} conflicting"
        )


@click.command(short_help="Rebuild on every save of a scenario file.")
@SCENARIOS
@OUT
@reports_errors
def watch(scenarios_dir: Path, out_dir: Path) -> None:
    """Rebuild on every save of a scenario file and print what changed (Ctrl-C stops)."""
    import time

    from deckbuilder.errors import BuildLocked
    from deckbuilder.watch import watch as run_watch

    def rebuild() -> None:
        waiting = False
        while True:
            try:
                build_and_report(scenarios_dir, out_dir)
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

    library = load(scenarios_dir, jobs=jobs)
    site = build_site(library, warnings=_lint_notes(library), live=live, jobs=jobs)
    write_site(site, out=out_dir)
    count = sum(len(scenario.study_cards) for scenario in library.scenarios)
    return (
        f"Preview of {count} cards in {len(library.scenarios)} scenarios: {out_dir / 'index.html'}"
    )


@click.command()
@SCENARIOS
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
@JOBS
@reports_errors
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
