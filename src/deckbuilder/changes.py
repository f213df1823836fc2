"""The build's change report as lines a person reads: short when long, with rename hints.

Pure text from the build's ``NoteChange`` values; the shell prints the lines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

LONG_REPORT = 10  # more changed notes than this are summarised unless --verbose


class Change(Protocol):
    @property
    def change(self) -> str: ...  # "added" | "changed" | "removed"
    @property
    def title(self) -> str: ...
    @property
    def key(self) -> str: ...  # scenario-id/kind/slug


def report_lines(changes: Sequence[Change], *, verbose: bool) -> list[str]:
    """One line per note, or, past LONG_REPORT notes, one line per kind of change."""
    if verbose or len(changes) <= LONG_REPORT:
        lines = [f"{c.change:>8}  {c.title}" for c in changes]
    else:
        lines = []
        for change in ("added", "changed", "removed"):
            chosen = [c for c in changes if c.change == change]
            if not chosen:
                continue
            scenarios = Counter(c.key.split("/", 1)[0] for c in chosen)
            where = ", ".join(f"{sid} {n:,}" for sid, n in sorted(scenarios.items()))
            lines.append(f"{change:>8}  {len(chosen):,} notes ({where})")
        lines.append(f"          {len(changes):,} changed notes in all; --verbose lists each one")
    return lines + rename_hints(changes)


def rename_hints(changes: Sequence[Change], *, most: int = 5) -> list[str]:
    """A note removed and one added with the same scenario and kind is most likely a renamed
    term, which loses its Anki history and quiz state unless the old key is pinned."""
    removed: dict[str, list[Change]] = {}
    for c in changes:
        if c.change == "removed":
            removed.setdefault(c.key.rsplit("/", 1)[0], []).append(c)
    hints = []
    for c in changes:
        if c.change != "added":
            continue
        candidates = removed.get(c.key.rsplit("/", 1)[0])
        if not candidates:
            continue
        old = candidates.pop(0)
        slug = old.key.rsplit("/", 1)[1]
        hints.append(
            f"    hint  renamed? {old.key} → {c.key}: to keep its Anki history and quiz "
            f"state, pin the old key: add {{#{slug}}} after the new heading or label"
        )
    if len(hints) > most:
        hints = [*hints[:most], f"    hint  … and {len(hints) - most} more possible renames"]
    return hints
