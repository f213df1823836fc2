"""What links and images may point at: an existing regular file inside the scenario folder.

Checked twice: on the documents (what a reader of the markdown follows), and on every
card's final front and back as the renderer parses them. The second check is the one
that guards the packages: a fragment cut out of a document can read differently from
the document (a label's code span whose backticks the front drops, a block indented as
code in the file that becomes a paragraph once dedented), and only what is rendered
reaches a package.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from deckbuilder import markdown
from deckbuilder.controls import visible
from deckbuilder.model import Card, Problem, SourceLocation
from deckbuilder.parse import Document, references
from deckbuilder.sources import SCHEME

TOO_DEEP = "lists or quotes nest too deeply (at most 9 levels of lists)"


def check_document(doc: Document, *, folder: Path, problems: list[Problem]) -> None:
    """Every link and image written in the document."""
    for ref in references(doc):
        check_target(ref.kind, ref.target, at=doc.at(ref.line), folder=folder, problems=problems)


def check_cards(cards: Iterable[Card], *, folder: Path, problems: list[Problem]) -> None:
    """Every link and image each card will render; a problem the document check already
    reported (same file, same message) is not repeated at the card's line."""
    reported = {(p.location.path, p.message) for p in problems}
    for card in cards:
        found: list[Problem] = []
        for text in (card.front, card.back, card.extra):
            targets, too_deep = markdown.rendered_targets(text)
            for kind, target in targets:
                check_target(kind, target, at=card.source, folder=folder, problems=found)
            if too_deep is not None:
                found.append(Problem(card.source, TOO_DEEP))
        for problem in found:
            if (problem.location.path, problem.message) not in reported:
                reported.add((problem.location.path, problem.message))
                problems.append(problem)


def check_target(
    kind: str, target: str, *, at: SourceLocation, folder: Path, problems: list[Problem]
) -> None:
    """A web address passes; anything else must be a regular file inside ``folder``."""
    path_part = target.split("#", 1)[0].split("?", 1)[0]
    if not path_part or SCHEME.match(target):
        if kind == "image" and not target.startswith(("http://", "https://")):
            problems.append(Problem(at, f"image '{visible(target)}' has no file"))
        return
    what = "image" if kind == "image" else "link target"
    shown = visible(path_part)
    path = Path(unquote(path_part))
    base = folder.resolve()
    try:
        real = (base / path).resolve()
    except (RuntimeError, OSError):
        problems.append(Problem(at, f"{what} '{shown}' is a symlink loop"))
        return
    if path.is_absolute() or not real.is_relative_to(base):
        problems.append(Problem(at, f"{what} '{shown}' is outside the scenario folder"))
    elif not real.exists():
        problems.append(Problem(at, f"{what} '{shown}' does not exist"))
    elif not real.is_file():
        problems.append(Problem(at, f"{what} '{shown}' is not a regular file"))
