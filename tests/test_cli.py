"""The command line: exact output and error text, exit codes, no tracebacks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, edit
from conftest import cli as run
from deckbuilder import __version__
from deckbuilder.cli import main


def test_check_valid_library(library_copy: Path) -> None:
    """check on a valid library prints a one-line summary and exits 0."""
    code, out, _ = run("check", "--scenarios", str(library_copy))
    assert (code, out) == (0, "OK: 2 scenarios, 42 cards, 14 topics\n")


def test_check_broken_front_matter(library_copy: Path) -> None:
    """Invalid YAML in front matter is reported as path:line: message with exit 1."""
    edit(library_copy / "01-mini-serving" / "problem.md", "number: 1", "number: [1")
    code, _out, err = run("check", "--scenarios", str(library_copy))
    assert code == 1
    assert err.startswith("Error: scenarios/01-mini-serving/problem.md:4: invalid YAML: ")
    assert err.endswith("\n1 problem found\n")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "problem.md",
            "---\nid:",
            "id:",
            "scenarios/01-mini-serving/problem.md:1: missing front matter (a YAML block between '---' lines at the top)",
        ),
        (
            "problem.md",
            "requirements:\n  - 100 QPS\n  - P99 TTFT under 200 ms\n---",
            "requirements: []",
            "scenarios/01-mini-serving/problem.md:1: front matter is not closed (no second '---' line)",
        ),
        (
            "problem.md",
            "number: 1",
            "number: one",
            "scenarios/01-mini-serving/problem.md:3: 'number' must be an integer, not a string",
        ),
        (
            "problem.md",
            "focus: A small",
            "colour: red\nfocus: A small",
            "scenarios/01-mini-serving/problem.md:8: unknown key 'colour' in the front matter "
            "(known: id, number, title, difficulty, level, duration, focus, topics, requirements)",
        ),
        (
            "problem.md",
            "topics: [serving, continuous-batching]",
            "topics: [serving, astrology]",
            "scenarios/01-mini-serving/problem.md:9: unknown topic 'astrology' (not in topics.yaml)",
        ),
        (
            "problem.md",
            "difficulty: medium",
            "difficulty: easy",
            "scenarios/01-mini-serving/problem.md:5: difficulty 'easy' must be one of medium, hard, very-hard",
        ),
        (
            "problem.md",
            "title: Mini Serving\n",
            "",
            "scenarios/01-mini-serving/problem.md:2: the front matter is missing 'title'",
        ),
        (
            "solution.md",
            "## Trade-offs",
            "## Choices",
            "scenarios/01-mini-serving/solution.md:1: missing required section '## Trade-offs'",
        ),
        (
            "solution.md",
            "| Model server | Few clients | Lowest latency | Auth everywhere |\n",
            "",
            "scenarios/01-mini-serving/solution.md:24: trade-off 'Where to stream from' needs at least two options, found 1",
        ),
        (
            "solution.md",
            "| Option | Wins when |",
            "| Option | Best for |",
            "scenarios/01-mini-serving/solution.md:24: trade-off 'Where to stream from' table needs a column 'Wins when'",
        ),
        (
            "solution.md",
            "- **KV cache:** the attention",
            "- **Continuous batching:** the attention",
            "scenarios/01-mini-serving/solution.md:8: duplicate concept key 'continuous-batching' "
            "(first at scenarios/01-mini-serving/solution.md:5)",
        ),
        (
            "discussion_points.md",
            "- **What do users gain?** They see progress sooner; total time is unchanged.\n",
            "",
            "scenarios/01-mini-serving/discussion_points.md:11: question 'Why stream tokens?' has no answer",
        ),
        (
            "rubric.md",
            "- **Lean No Hire:** guesses a number.\n",
            "",
            "scenarios/01-mini-serving/rubric.md:5: rubric dimension 'Capacity estimation' is missing 'Lean No Hire'",
        ),
    ],
)
def test_check_reports_exact_message(
    library_copy: Path, file: str, old: str, new: str, message: str
) -> None:
    """Each kind of broken input gives its exact path:line: message and exit 1."""
    edit(library_copy / "01-mini-serving" / file, old, new)
    code, _, err = run("check", "--scenarios", str(library_copy))
    assert code == 1
    assert f"Error: {message}\n" in err or f"\n{message}\n" in err, err


def test_check_reports_every_problem(library_copy: Path) -> None:
    """Problems in several files are all reported in one run, in file order, with a count."""
    edit(library_copy / "01-mini-serving" / "problem.md", "difficulty: medium", "difficulty: easy")
    edit(library_copy / "01-mini-serving" / "rubric.md", "- **No Hire:** no estimate.\n", "")
    (library_copy / "01-mini-serving" / "solution.md").write_bytes(b"# Bad \xff byte\n")
    code, _, err = run("check", "--scenarios", str(library_copy))
    assert code == 1
    assert err == (
        "Error: scenarios/01-mini-serving/problem.md:5: difficulty 'easy' must be one of medium, hard, very-hard\n"
        "scenarios/01-mini-serving/solution.md:1: not valid UTF-8 (byte 0xff)\n"
        "2 problems found\n"
    )


def test_missing_file_and_topics(library_copy: Path) -> None:
    """A missing scenario file and a missing topics.yaml are each named."""
    (library_copy / "01-mini-serving" / "rubric.md").unlink()
    (library_copy / "topics.yaml").unlink()
    code, _, err = run("check", "--scenarios", str(library_copy))
    assert code == 1
    assert "scenarios/topics.yaml:1: required file is missing\n" in err
    assert "scenarios/01-mini-serving/rubric.md:1: required file is missing\n" in err


def test_list_counts(library_copy: Path) -> None:
    """list shows the cards per scenario and kind."""
    code, out, _ = run("list", "--scenarios", str(library_copy), "--by", "kind")
    assert code == 0
    assert re.search(r"^trade-off\s+9$", out, re.M)
    assert re.search(r"^rubric\s+8$", out, re.M)


def test_build_then_check(library_copy: Path, tmp_path: Path) -> None:
    """build writes every package; build --check then passes, and fails once a scenario changes."""
    out = tmp_path / "decks"
    code, stdout, _ = run("build", "--scenarios", str(library_copy), "--out", str(out))
    assert code == 0
    assert stdout.endswith(f"31 notes, in {out}\n")
    assert (out / "llm-system-design.apkg").exists()
    assert (out / "scenarios" / "01-mini-serving.apkg").exists()
    assert (out / "topics" / "serving.apkg").exists()
    code, stdout, _ = run("build", "--check", "--scenarios", str(library_copy), "--out", str(out))
    assert (code, stdout) == (0, f"Up to date: 11 packages, 31 notes in {out}\n")
    edit(library_copy / "00-foundations" / "foundations.md", "all tokens at once.", "all at once.")
    code, stdout, err = run("build", "--check", "--scenarios", str(library_copy), "--out", str(out))
    assert code == 1
    assert "changed  00 Foundations: Key concept: Prefill" in stdout
    assert f"  {out / 'llm-system-design.apkg'}\n" in err
    assert f"  {out / 'scenarios' / '00-foundations.apkg'}\n" in err


def test_version() -> None:
    """--version prints the package version."""
    code, out, _ = run("--version")
    assert (code, out) == (0, f"deckbuilder, version {__version__}\n")


def test_every_command_has_help_and_is_documented() -> None:
    """Each command answers --help and is named in the README."""
    readme = (ROOT / "README.md").read_text()
    for name in main.commands:  # type: ignore[attr-defined]
        code, out, _ = run(name, "--help")
        assert code == 0 and out.startswith("Usage: ")
        assert f"deckbuilder {name}" in readme, f"README does not document 'deckbuilder {name}'"


def test_check_named_scenario_ignores_the_others(library_copy: Path) -> None:
    """check SCENARIO validates only that scenario: another folder's problems are not reported."""
    import shutil

    other = library_copy / "02-broken"
    shutil.copytree(library_copy / "01-mini-serving", other)
    (other / "rubric.md").unlink()
    edit(other / "problem.md", "id: mini-serving\nnumber: 1", "id: broken\nnumber: 2")
    code, _, err = run("check", "--scenarios", str(library_copy), "mini-serving")
    assert code == 0
    code, _, err = run("check", "--scenarios", str(library_copy), "02-broken")
    assert code == 1
    assert "scenarios/02-broken/rubric.md:1: required file is missing\n" in err
    assert "01-mini-serving" not in err
    code, _, err = run("check", "--scenarios", str(library_copy), "nothing-here")
    assert (code, err) == (1, "Error: no scenario with the id or folder name 'nothing-here'\n")
