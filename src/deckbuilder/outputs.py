"""What a build leaves in its output folder, and what it reports: names and values only.

Kept apart from the planner and the package writer so that a no-op build, which only
proves that nothing changed, never imports them (or markdown-it, pygments and genanki).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.json"
COMBINED = "llm-system-design.apkg"
REMOVED = "removed.apkg"
LOCK = ".lock"
CACHE = ".cache"
SUBFOLDERS = ("scenarios", "topics")


@dataclass(frozen=True)
class NoteChange:
    change: str  # "added" | "changed" | "removed"
    title: str
    key: str


@dataclass(frozen=True)
class BuildReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    changes: tuple[NoteChange, ...]
    notes: int
    stale: tuple[str, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted(self.written + self.unchanged))


def package_paths(out: Path) -> list[Path]:
    """Every file in the layout a build writes: whatever is there is ours to keep or delete."""
    found = [p for p in (out / COMBINED, out / REMOVED) if p.is_file()]
    for folder in SUBFOLDERS:
        with contextlib.suppress(OSError):
            found += sorted(p for p in (out / folder).glob("*.apkg") if p.is_file())
    return found
