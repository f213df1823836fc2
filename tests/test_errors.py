"""Every kind of bad input: its exact path:line: message, exit 1, nothing written."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import cli, edit, run, snapshot
from deckbuilder.sources import MAX_FILE_BYTES

SCENARIO = "01-mini-serving"


def check(library: Path) -> tuple[int, str]:
    code, _out, err = cli("check", "--scenarios", str(library))
    return code, err


# Each row: what to do to a copy of the fixture library, and the exact problem line it gives
# (the library's folder is 'scenarios'; {tmp} is the test's temporary folder).
Damage = Callable[[Path], None]


def _in(name: str, old: str, new: str) -> Damage:
    return lambda library: edit(library / SCENARIO / name, old, new)


def _duplicate_scenario(library: Path) -> None:
    shutil.copytree(library / SCENARIO, library / "02-copy")
    edit(library / "02-copy" / "problem.md", "number: 1", "number: 2")


def _oversized(library: Path) -> None:
    path = library / SCENARIO / "solution.md"
    data = path.read_bytes()
    path.write_bytes(data + b"x" * (MAX_FILE_BYTES + 1 - len(data)))


def _symlink_loop(library: Path) -> None:
    (library / SCENARIO / "rubric.md").unlink()
    os.symlink("rubric.md", library / SCENARIO / "rubric.md")


def _symlink_outside(library: Path) -> None:
    outside = library.parent / "elsewhere.md"
    shutil.copy(library / SCENARIO / "rubric.md", outside)
    (library / SCENARIO / "rubric.md").unlink()
    os.symlink(outside, library / SCENARIO / "rubric.md")


def _topics(content: str) -> Damage:
    return lambda library: (library / "topics.yaml").write_text(content)


def _front_matter_in_rubric(library: Path) -> None:
    path = library / SCENARIO / "rubric.md"
    path.write_text("---\nid: x\n---\n" + path.read_text())


TOPIC = "  - id: {id}\n    title: S\n    description: d\n    keywords: [a]\n"

CASES: list[tuple[str, Damage, str]] = [
    (
        "duplicate scenario id",
        _duplicate_scenario,
        "scenarios/02-copy/problem.md:2: duplicate scenario id 'mini-serving' "
        "(first at scenarios/01-mini-serving/problem.md:2)",
    ),
    (
        "file over the size limit",
        _oversized,
        "scenarios/01-mini-serving/solution.md:1: file is 1,048,577 bytes; the limit is 1,048,576",
    ),
    ("symlink loop", _symlink_loop, "scenarios/01-mini-serving/rubric.md:1: symlink loop ("),
    (
        "symlink leaving the folder",
        _symlink_outside,
        "scenarios/01-mini-serving/rubric.md:1: symlink leads outside the scenarios folder ({tmp}/elsewhere.md)",
    ),
    ("topics: invalid YAML", _topics("topics: ["), "scenarios/topics.yaml:1: invalid YAML: "),
    (
        "topics: not a mapping",
        _topics("- just a list\n"),
        "scenarios/topics.yaml:1: expected a mapping with a 'topics' list",
    ),
    (
        "topics: duplicate id",
        _topics("topics:\n" + TOPIC.format(id="serving") + TOPIC.format(id="serving")),
        "scenarios/topics.yaml:6: duplicate topic id 'serving' (first at scenarios/topics.yaml:2)",
    ),
    (
        "topics: keywords not a list",
        _topics("topics:\n" + TOPIC.format(id="serving").replace("[a]", "a")),
        "scenarios/topics.yaml:5: 'keywords' must be a list, not a string",
    ),
    (
        "topics: bad id",
        _topics("topics:\n" + TOPIC.format(id="Serving Stuff")),
        "scenarios/topics.yaml:2: topic id 'Serving Stuff' must be lowercase letters, digits and '-'",
    ),
    (
        "topics: id ending in a newline",
        _topics("topics:\n" + TOPIC.format(id='"serving\\n"')),
        "scenarios/topics.yaml:2: topic id 'serving\\n' must be lowercase letters, digits and '-'",
    ),
    (
        "topics: duplicate key",
        _topics("topics:\n" + TOPIC.format(id="serving") + "    title: T\n"),
        "scenarios/topics.yaml:6: duplicate key 'title' (first at scenarios/topics.yaml:3)",
    ),
    (
        "front matter: id ending in a newline",
        _in("problem.md", "id: mini-serving", 'id: "mini-serving\\n"'),
        "scenarios/01-mini-serving/problem.md:2: id 'mini-serving\\n' must be lowercase letters, digits and '-'",
    ),
    (
        "front matter: duplicate key",
        _in("problem.md", "number: 1\n", "number: 1\nnumber: 2\n"),
        "scenarios/01-mini-serving/problem.md:4: duplicate key 'number' "
        "(first at scenarios/01-mini-serving/problem.md:3)",
    ),
    (
        "deeply nested YAML",
        _in("problem.md", "topics: [serving, continuous-batching]", "topics: " + "[" * 5000),
        "scenarios/01-mini-serving/problem.md:2: invalid YAML: nested too deeply",
    ),
    (
        "empty question",
        _in("discussion_points.md", "### Why stream tokens? {#why-stream}", "###"),
        "scenarios/01-mini-serving/discussion_points.md:11: a follow-up question is empty",
    ),
    (
        "empty concept definition",
        _in(
            "solution.md",
            "- **KV cache:** the attention keys and values kept for every generated token.",
            "- **KV cache:**",
        ),
        "scenarios/01-mini-serving/solution.md:8: concept 'KV cache' has no definition",
    ),
    (
        "front matter outside problem.md",
        _front_matter_in_rubric,
        "scenarios/01-mini-serving/rubric.md:1: front matter belongs in problem.md only",
    ),
    (
        "too many numbers in one bullet",
        _in("problem.md", "with **2** replicas.", "with " + "**2** " * 13 + "replicas."),
        "scenarios/01-mini-serving/problem.md:28: 14 bold numbers in one bullet; "
        "split it (at most 12, one cloze each)",
    ),
    *(
        (
            f"reference: {text}",
            _in("solution.md", "## References\n", f"## References\n\n{text}\n"),
            f"scenarios/01-mini-serving/{message}",
        )
        for text, message in [
            ("![diagram](missing.png)", "solution.md:54: image 'missing.png' does not exist"),
            (
                "![diagram](../../secret.png)",
                "solution.md:54: image '../../secret.png' is outside the scenario folder",
            ),
            (
                "See [the notes](/etc/passwd).",
                "solution.md:54: link target '/etc/passwd' is outside the scenario folder",
            ),
            (
                "See [the notes](notes.md).",
                "solution.md:54: link target 'notes.md' does not exist",
            ),
        ]
    ),
]


@pytest.mark.parametrize(("damage", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_reported_at_its_line(
    library_copy: Path, damage: Damage, message: str
) -> None:
    """Each kind of bad input gives its exact path:line: message and exit 1."""
    damage(library_copy)
    code, err = check(library_copy)
    assert code == 1
    assert "Traceback" not in err
    lines = err.removeprefix("Error: ").splitlines()
    expected = message.format(tmp=library_copy.parent.resolve())
    assert any(line.startswith(expected) for line in lines), err


def test_good_references_pass(library_copy: Path) -> None:
    """Web links, anchors and local files inside the folder are fine."""
    (library_copy / SCENARIO / "fig.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(
        library_copy / SCENARIO / "solution.md",
        "## References\n",
        "## References\n\n![f](fig.png) [vLLM](https://docs.vllm.ai) [up](#key-concepts) [p](problem.md)\n",
    )
    assert check(library_copy)[0] == 0


def test_usage_errors_exit_2(library_copy: Path) -> None:
    """Wrong options are usage errors: exit 2 with click's message, not 1."""
    code, _out, err = cli("build", "--no-such-option")
    assert code == 2 and "No such option '--no-such-option'" in err
    assert cli("quiz", "--scenarios", str(library_copy), "--new", "-1")[0] == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("01-mini-serving/solution.md", "scenarios/01-mini-serving/solution.md:1: cannot read: "),
        ("topics.yaml", "scenarios/topics.yaml:1: cannot read: "),
    ],
)
def test_unreadable_files(library_copy: Path, name: str, message: str) -> None:
    """A file deckbuilder may not read is a problem at its path, not a traceback."""
    (library_copy / name).chmod(0)
    result = run("check", "--scenarios", str(library_copy), as_user=True, timeout=60)
    assert result.returncode == 1
    assert f"{message}Permission denied\n" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreadable_image(library_copy: Path, tmp_path: Path) -> None:
    """An image that cannot be read fails the build clearly, and decks/ is not created."""
    image = library_copy / SCENARIO / "arch.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    edit(library_copy / SCENARIO / "solution.md", "decoding step.", "decoding step. ![a](arch.png)")
    image.chmod(0)
    out = tmp_path / "decks"
    result = run("build", "--scenarios", str(library_copy), "--out", str(out), as_user=True)
    assert (result.returncode, result.stderr) == (
        1,
        f"Error: {image}: cannot read the image 'arch.png': Permission denied\n",
    )
    assert snapshot(out) == {}


def test_a_huge_stray_file_is_read_in_chunks(library_copy: Path, tmp_path: Path) -> None:
    """A 300 MiB file beside the scenario files is hashed in chunks: a build in 200 MiB of
    address space still works (reading it whole could not)."""
    with (library_copy / SCENARIO / "recording.bin").open("wb") as handle:
        handle.truncate(300 << 20)
    out = tmp_path / "decks"
    result = run("build", "--scenarios", str(library_copy), "--out", str(out), memory=200 << 20)
    assert result.returncode == 0, result.stderr
    assert "Built 11 packages" in result.stdout
