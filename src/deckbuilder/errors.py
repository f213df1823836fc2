"""The one exception family the core raises; the CLI turns it into ``Error: ...``.

Kept free of heavy imports: the command line imports it at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deckbuilder.model import Problem


class DeckbuilderError(Exception):
    """Base class for every error deckbuilder reports to a user."""


class ValidationError(DeckbuilderError):
    """The scenarios have problems; every problem of the run is listed, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([*(str(p) for p in self.problems), summary]))


class BuildLocked(DeckbuilderError):
    """Another build holds the output folder; trying again later will work."""
