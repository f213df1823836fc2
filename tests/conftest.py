from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture scenario library."""
    target = tmp_path / "scenarios"
    shutil.copytree(FIXTURE_LIBRARY, target)
    return target


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


class Clock:
    """A settable clock for builds: seconds since the epoch."""

    def __init__(self, start: float = 1_760_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()
