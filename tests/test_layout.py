"""The layout holds: each heavy library has one owner, the quiz does not load the package
writer, and the test suite runs without the anki package."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

SOURCE = ROOT / "src" / "deckbuilder"


def _imported_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_the_quiz_does_not_load_the_package_writer() -> None:
    """Importing the quiz (cards, GUIDs, tags, stats) loads neither genanki nor the writer."""
    loaded = _imported_after(
        "import deckbuilder.quiz.app, deckbuilder.quiz.stats, deckbuilder.quiz.session"
    )
    assert "deckbuilder.identity" in loaded
    assert not {"genanki", "deckbuilder.apkg", "deckbuilder.build", "deckbuilder.commit"} & loaded


@pytest.mark.parametrize(
    ("library", "owner"),
    [
        ("genanki", "apkg.py"),
        ("markdown_it", "markdown.py"),
        ("pygments", "markdown.py"),
        ("click", "cli"),
        ("watchfiles", "watch.py"),
        ("fsrs", "quiz/scheduler.py"),
        ("anki", "sync.py"),
        ("yaml", "yamldoc.py"),
        ("jinja2", "preview/site.py"),
        ("markupsafe", "preview/site.py"),
        ("http.server", "preview/serve.py"),
        ("pint", "units.py"),
        ("rapidfuzz", "matching.py"),
    ],
)
def test_each_heavy_library_has_one_owner(library: str, owner: str) -> None:
    """Only its owning module (or package) imports a heavy library (cache.py reads versions
    only)."""
    pattern = re.compile(rf"^\s*(?:import|from) {library}\b", re.M)
    importers = sorted(
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if pattern.search(path.read_text()) and path.name != "cache.py"
    )
    assert importers, f"nothing imports {library}"
    # the owner is one module, or one package (the command line is the package cli/)
    assert all(path == owner or path.startswith(f"{owner}/") for path in importers), importers


def test_the_suite_runs_without_the_anki_package() -> None:
    """With anki unavailable, `pytest -m "not anki"` collects cleanly: the anki modules skip."""
    code = (
        "import sys; sys.modules['anki'] = None; import pytest; "
        "raise SystemExit(pytest.main(['-m', 'not anki', '--collect-only', '-q', '-p', "
        "'no:cacheprovider', 'tests']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in .*", summary), summary
    assert "test_sync.py::" not in result.stdout and "test_cli.py::" in result.stdout
