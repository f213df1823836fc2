"""The command line: a thin click shell over the core. Only this package imports click.

The group lives here; the commands live beside it, by what they work on: the scenarios
(``collection``), the packages (``packages``) and studying (``study``).
"""

from __future__ import annotations

import click

from deckbuilder import __version__
from deckbuilder.cli.collection import check, lint, list_
from deckbuilder.cli.packages import build, preview, sync, watch
from deckbuilder.cli.study import drill, interview, quiz, stats


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="deckbuilder")
def main() -> None:
    """Turn LLM system-design scenarios written in markdown into Anki packages and a quiz."""


for command in (check, lint, list_, build, sync, watch, preview, quiz, stats, drill, interview):
    main.add_command(command)
