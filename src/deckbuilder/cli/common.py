"""What every command shares: the scenarios, jobs, output and state options, loading the
library, turning errors into 'Error: ...' with exit status 1, and the build report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from deckbuilder.errors import DeckbuilderError

if TYPE_CHECKING:
    from deckbuilder.build import BuildReport
    from deckbuilder.model import Library

F = TypeVar("F", bound=Callable[..., Any])

SCENARIOS = click.option(
    "--scenarios",
    "scenarios_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("scenarios"),
    show_default=True,
    help="Folder holding topics.yaml and one folder per scenario.",
)


JOBS = click.option(
    "--jobs",
    "jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for parsing and writing (default: $DECKBUILDER_JOBS, else all cores).",
)


def load(scenarios_dir: Path, *, only: tuple[str, ...] = (), jobs: int | None = None) -> Library:
    """The library, as every command loads it (``build`` does the same with its own cache)."""
    from deckbuilder.library import cache_for, load_library

    return load_library(scenarios_dir, only=only, jobs=jobs, cache_dir=cache_for(scenarios_dir))


def reports_errors(func: F) -> F:
    """Turn any DeckbuilderError, or a disk error no layer below explained, into
    'Error: ...' on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeckbuilderError as error:
            click.echo(f"Error: {rebased(error, kwargs.get('scenarios_dir'))}", err=True)
            sys.exit(1)
        except OSError as error:
            from deckbuilder.storage import disk_error

            click.echo(f"Error: {disk_error(error, doing='continue')}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def rebased(error: DeckbuilderError, scenarios_dir: Path | None) -> str:
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


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


OUT = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("decks"),
    show_default=True,
    help="Folder the packages are written to.",
)


def build_and_report(
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


STATE = click.option(
    "--state",
    "state",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Quiz state file (default: $DECKBUILDER_STATE, else the user data folder).",
)
