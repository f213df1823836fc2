"""The benchmark scripts run (at a tiny size): a smoke test, not a timing assertion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_generated_library_is_valid(tmp_path: Path) -> None:
    """The synthetic library generator writes scenarios that pass 'deckbuilder check'."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(tmp_path / "scenarios", 3, seed=1)
    from deckbuilder.library import load_library
    from deckbuilder.model import CardKind

    library = load_library(tmp_path / "scenarios")
    assert len(library.scenarios) == 3
    assert {card.kind for card in library.cards} == set(CardKind)


@pytest.mark.slow
def test_build_benchmark_runs_at_n10(tmp_path: Path) -> None:
    """benchmarks/run.py --sizes 10 prints every row and writes its JSON."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "10",
            "--repeat",
            "1",
            "--startup-runs",
            "3",
            "--jobs1-sizes",
            "10",
            "--peers",
            "",
            "--json",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=ROOT,
    )
    data = json.loads(out.read_text())
    size = data["sizes"]["10"]
    for key in ("full_vs_floor", "one_edit_vs_full", "noop_vs_full", "peak_memory_mb"):
        assert key in size
    assert "startup" in data
    assert "floor" in result.stdout.lower()
    for row in ("check, real library", "quiz time to first card", "default jobs / --jobs 1"):
        assert row in result.stdout
    assert data["real"]["check_s"] > 0 and data["sizes"]["10"]["default_vs_jobs1"] > 0


@pytest.mark.slow
def test_quiz_benchmark_times_the_full_screen_reviewer(tmp_path: Path) -> None:
    """benchmarks/quiz_next_card.py runs the line and Textual paths at a tiny size."""
    out = tmp_path / "quiz.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "quiz_next_card.py"),
            *("--cards", "300", "--reviews", "900", "--answers", "5", "--base", "3"),
            *("--modes", "flip", "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        cwd=ROOT,
    )
    results = json.loads(out.read_text())["results"]
    assert results["tui/big"]["next_card"]["count"] == 5
    assert "full-screen reviewer" in result.stdout


@pytest.mark.slow
def test_edit_phases_names_every_phase(tmp_path: Path) -> None:
    """benchmarks/edit_phases.py times a one-answer rebuild phase by phase."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    library, out = tmp_path / "scenarios", tmp_path / "decks"
    generate(library, 2, seed=1)
    script = [sys.executable, str(ROOT / "benchmarks" / "edit_phases.py"), str(library), str(out)]
    subprocess.run(script, capture_output=True, text=True, timeout=600, check=True)  # builds
    second = subprocess.run(
        [*script, "--round", "2"], capture_output=True, text=True, timeout=600, check=True
    )
    assert "\nedited " in second.stdout  # after the build's own report
    for phase in ("plan (every note)", "write the changed packages", "manifest to text"):
        assert phase in second.stdout
