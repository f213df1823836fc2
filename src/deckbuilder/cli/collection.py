"""Commands over the scenarios themselves: check, lint and list."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from deckbuilder.cli.common import JOBS, SCENARIOS, load, plural, reports_errors


@click.command(short_help="Validate the scenarios; report every problem as path:line.")
@SCENARIOS
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@JOBS
@reports_errors
def check(scenarios_dir: Path, only: tuple[str, ...], jobs: int | None) -> None:
    """Validate every scenario (or the named ones, by id or folder name).

    Every problem is reported as path:line: message; the exit status is 1 if there is any.
    """
    library = load(scenarios_dir, only=only, jobs=jobs)
    count = len(library.cards)
    click.echo(
        f"OK: {plural(len(library.scenarios), 'scenario')}, {plural(count, 'card')}, "
        f"{plural(len(library.topics), 'topic')}"
    )


@click.command(short_help="Check the cards against the card-design rules.")
@SCENARIOS
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
@JOBS
@reports_errors
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

    library = load(scenarios_dir, jobs=jobs)
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


@click.command("list", short_help="Count cards per scenario, topic and kind, with ids.")
@SCENARIOS
@click.option(
    "--by",
    type=click.Choice(["scenario", "topic", "kind"]),
    default=None,
    help="Show only one of the three tables.",
)
@click.argument("only", nargs=-1, metavar="[SCENARIO]...")
@reports_errors
def list_(scenarios_dir: Path, by: str | None, only: tuple[str, ...]) -> None:
    """Count cards per scenario, per topic and per kind (of every scenario or the named ones).

    Scenarios are shown by number and id, the values --scenario and check accept.
    """
    from deckbuilder.listing import list_lines

    library = load(scenarios_dir, only=only)
    for line in list_lines(library, by=by):
        click.echo(line.rstrip())
