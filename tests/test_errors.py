"""Every kind of bad input: its exact path:line: message, exit 1, nothing written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckbuilder.cli import main
from deckbuilder.sources import MAX_FILE_BYTES

SCENARIO = "01-mini-serving"


def check(library: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--scenarios", str(library)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_duplicate_scenario_id_names_both(library_copy: Path) -> None:
    """Two scenarios with one id: the second is reported with the place of the first."""
    shutil.copytree(library_copy / SCENARIO, library_copy / "02-copy")
    edit(library_copy / "02-copy" / "problem.md", "number: 1", "number: 2")
    code, err = check(library_copy)
    assert code == 1
    assert (
        "Error: scenarios/02-copy/problem.md:2: duplicate scenario id 'mini-serving' "
        "(first at scenarios/01-mini-serving/problem.md:2)\n"
    ) in err


def test_file_over_the_size_limit(library_copy: Path) -> None:
    """A file over the documented limit is refused without being parsed."""
    path = library_copy / SCENARIO / "solution.md"
    path.write_text(path.read_text() + "x" * MAX_FILE_BYTES)
    size = path.stat().st_size
    code, err = check(library_copy)
    assert code == 1
    assert (
        f"scenarios/01-mini-serving/solution.md:1: file is {size:,} bytes; the limit is 1,048,576\n"
        in err
    )


def test_symlink_loop(library_copy: Path) -> None:
    """A scenario file that is a symlink loop is reported, not followed forever."""
    path = library_copy / SCENARIO / "rubric.md"
    path.unlink()
    os.symlink("rubric.md", path)
    code, err = check(library_copy)
    assert code == 1
    assert err.startswith("Error: scenarios/01-mini-serving/rubric.md:1: symlink loop (")


def test_symlink_leaving_the_folder(library_copy: Path, tmp_path: Path) -> None:
    """A symlink that leads outside the scenarios folder is refused."""
    outside = tmp_path / "elsewhere.md"
    shutil.copy(library_copy / SCENARIO / "rubric.md", outside)
    (library_copy / SCENARIO / "rubric.md").unlink()
    os.symlink(outside, library_copy / SCENARIO / "rubric.md")
    code, err = check(library_copy)
    assert code == 1
    assert err == (
        "Error: scenarios/01-mini-serving/rubric.md:1: symlink leads outside the scenarios "
        f"folder ({outside.resolve()})\n1 problem found\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("![diagram](missing.png)", "solution.md:38: image 'missing.png' does not exist"),
        (
            "![diagram](../../secret.png)",
            "solution.md:38: image '../../secret.png' is outside the scenario folder",
        ),
        (
            "See [the notes](/etc/passwd).",
            "solution.md:38: link target '/etc/passwd' is outside the scenario folder",
        ),
        ("See [the notes](notes.md).", "solution.md:38: link target 'notes.md' does not exist"),
    ],
)
def test_bad_references(library_copy: Path, text: str, message: str) -> None:
    """Images and relative links must name an existing file inside the scenario folder."""
    edit(library_copy / SCENARIO / "solution.md", "## References\n", f"## References\n\n{text}\n")
    code, err = check(library_copy)
    assert code == 1
    assert f"scenarios/01-mini-serving/{message}\n" in err


def test_good_references_pass(library_copy: Path) -> None:
    """Web links, anchors and local files inside the folder are fine."""
    (library_copy / SCENARIO / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(
        library_copy / SCENARIO / "solution.md",
        "## References\n",
        "## References\n\n![f](fig.png) [vLLM](https://docs.vllm.ai) [up](#key-concepts) [p](problem.md)\n",
    )
    assert check(library_copy)[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("topics: [", "scenarios/topics.yaml:1: invalid YAML: "),
        ("- just a list\n", "scenarios/topics.yaml:1: expected a mapping with a 'topics' list"),
        (
            "topics:\n  - id: serving\n    title: S\n    description: d\n    keywords: [a]\n"
            "  - id: serving\n    title: T\n    description: d\n    keywords: [b]\n",
            "scenarios/topics.yaml:6: duplicate topic id 'serving' (first at scenarios/topics.yaml:2)",
        ),
        (
            "topics:\n  - id: serving\n    title: S\n    description: d\n    keywords: a\n",
            "scenarios/topics.yaml:5: 'keywords' must be a list, not a string",
        ),
        (
            "topics:\n  - id: Serving Stuff\n    title: S\n    description: d\n    keywords: [a]\n",
            "scenarios/topics.yaml:2: topic id 'Serving Stuff' must be lowercase letters, digits and '-'",
        ),
    ],
)
def test_malformed_topics(library_copy: Path, content: str, message: str) -> None:
    """A malformed topics.yaml is reported at its line."""
    (library_copy / "topics.yaml").write_text(content)
    code, err = check(library_copy)
    assert code == 1
    assert message in err


def test_empty_question(library_copy: Path) -> None:
    """A follow-up heading with no text is an empty question."""
    edit(
        library_copy / SCENARIO / "discussion_points.md",
        "### Why stream tokens? {#why-stream}",
        "###",
    )
    code, err = check(library_copy)
    assert code == 1
    assert (
        "scenarios/01-mini-serving/discussion_points.md:11: a follow-up question is empty\n" in err
    )


def test_empty_concept_definition(library_copy: Path) -> None:
    """A concept with a label but no definition is reported."""
    edit(
        library_copy / SCENARIO / "solution.md",
        "- **KV cache:** the attention keys and values kept for every generated token.",
        "- **KV cache:**",
    )
    code, err = check(library_copy)
    assert code == 1
    assert "scenarios/01-mini-serving/solution.md:8: concept 'KV cache' has no definition\n" in err


def test_front_matter_outside_problem(library_copy: Path) -> None:
    """Front matter is read from problem.md only; elsewhere it is an error."""
    path = library_copy / SCENARIO / "rubric.md"
    path.write_text("---\nid: x\n---\n" + path.read_text())
    code, err = check(library_copy)
    assert code == 1
    assert "scenarios/01-mini-serving/rubric.md:1: front matter belongs in problem.md only\n" in err


def test_usage_errors_exit_2(library_copy: Path) -> None:
    """Wrong options are usage errors: exit 2 with click's message, not 1."""
    result = CliRunner().invoke(main, ["build", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option '--no-such-option'" in result.stderr
    result = CliRunner().invoke(main, ["quiz", "--scenarios", str(library_copy), "--new", "-1"])
    assert result.exit_code == 2


def test_too_many_numbers_in_one_bullet(library_copy: Path) -> None:
    """A bullet with more bold numbers than the limit is refused instead of exploding into cards."""
    edit(
        library_copy / SCENARIO / "problem.md",
        "with **2** replicas.",
        "with " + "**2** " * 13 + "replicas.",
    )
    code, err = check(library_copy)
    assert code == 1
    assert (
        "scenarios/01-mini-serving/problem.md:28: 14 bold numbers in one bullet; split it (at most 12, one card each)\n"
        in err
    )


def test_deeply_nested_yaml(library_copy: Path) -> None:
    """Front matter nested thousands of levels deep is an error, not a crash (found by fuzzing)."""
    edit(
        library_copy / SCENARIO / "problem.md",
        "topics: [serving, continuous-batching]",
        "topics: " + "[" * 5000,
    )
    code, err = check(library_copy)
    assert code == 1
    assert "scenarios/01-mini-serving/problem.md:2: invalid YAML: nested too deeply\n" in err
