"""The one exception family the core raises; the CLI turns it into ``Error: ...``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deckbuilder.model import SourceLocation


class DeckbuilderError(Exception):
    """Base class for every error deckbuilder reports to a user."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in the input, at a place in a file."""

    location: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ValidationError(DeckbuilderError):
    """The scenarios have problems; every problem of the run is listed, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__("\n".join([*(str(p) for p in self.problems), summary]))
