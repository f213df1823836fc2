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


# Hypothesis profiles: "ci" (default) runs a few hundred examples per property; "long" is the
# documented deep run: HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py  (10,000 examples).
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
