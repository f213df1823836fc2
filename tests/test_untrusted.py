"""A stranger's scenario folder: no local file ships, no control character passes, no silent drop.

Each test is one of the adversarial tester's reproductions: `check` names the exact
`path:line`, and `build` writes nothing.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURE_LIBRARY, edit, run
from deckbuilder.cli import main
from deckbuilder.errors import DeckbuilderError
from deckbuilder.library import load_library
from deckbuilder.render import render_card
from deckbuilder.sources import image_resolver

SCENARIO = "01-mini-serving"
SOLUTION = f"scenarios/{SCENARIO}/solution.md"


def check(library: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--scenarios", str(library)])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def build(library: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--scenarios", str(library), "--out", str(out)])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stderr


def packaged_bytes(out: Path) -> bytes:
    """Every byte of every entry of every package written under ``out``."""
    data = b""
    for package in sorted(out.rglob("*.apkg")):
        with zipfile.ZipFile(package) as archive:
            data += b"".join(archive.read(name) for name in archive.namelist())
    return data


# --- #1: a scenario can ship any local file ---------------------------------------------

SECRET = "deckbuilder-test-secret-0xC0FFEE"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the scenarios folder that no package may ever contain."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def _assert_refused(library: Path, tmp_path: Path, expected: str) -> None:
    code, err = check(library)
    assert code == 1
    assert expected in err, err
    out = tmp_path / "decks"
    code, err = build(library, out)
    assert code == 1 and expected in err, err
    assert SECRET.encode() not in packaged_bytes(out)


def test_image_in_a_concept_label_code_span(
    library_copy: Path, tmp_path: Path, secret: Path
) -> None:
    """Backticks in a label are dropped from the front, turning code into an image: refused."""
    edit(
        library_copy / SCENARIO / "solution.md",
        "- **KV cache:**",
        f"- **`![x]({secret})`**: hidden.\n- **KV cache:**",
    )
    _assert_refused(
        library_copy,
        tmp_path,
        f"Error: {SOLUTION}:8: image '{secret}' is outside the scenario folder\n",
    )


def test_image_in_a_tradeoff_option_cell(library_copy: Path, tmp_path: Path, secret: Path) -> None:
    """The same through a trade-off option cell, whose code marks the front also drops."""
    edit(library_copy / SCENARIO / "solution.md", "| Static batching |", f"| `![y]({secret})` |")
    _assert_refused(
        library_copy, tmp_path, f"{SOLUTION}:19: image '{secret}' is outside the scenario folder\n"
    )


def test_image_in_an_item_indented_five_spaces(
    library_copy: Path, tmp_path: Path, secret: Path
) -> None:
    """Code in the document (5 spaces after the bullet), a paragraph once cut out: refused."""
    relative = os.path.relpath(secret, library_copy / SCENARIO)
    edit(
        library_copy / SCENARIO / "solution.md",
        "- **KV cache:**",
        f"-      **Sneaky:** ![z]({relative})\n- **KV cache:**",
    )
    _assert_refused(
        library_copy,
        tmp_path,
        f"{SOLUTION}:8: image '{relative}' is outside the scenario folder\n",
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("missing.png", "image 'missing.png' does not exist"),
        ("images", "image 'images' is not a regular file"),
        ("/dev/zero", "image '/dev/zero' is outside the scenario folder"),
        ("zero.png", "image 'zero.png' is outside the scenario folder"),  # a symlink to /dev/zero
        ("fifo.png", "image 'fifo.png' is not a regular file"),
    ],
)
def test_an_image_that_is_not_a_file_is_a_clear_error(
    library_copy: Path, tmp_path: Path, target: str, message: str
) -> None:
    """A missing path, a folder, a device or a FIFO: `path:line: message`, never a traceback."""
    folder = library_copy / SCENARIO
    (folder / "images").mkdir()
    (folder / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.png")
    edit(
        folder / "solution.md",
        "- **KV cache:**",
        f"- **`![x]({target})`**: hidden.\n- **KV cache:**",
    )
    _assert_refused(library_copy, tmp_path, f"{SOLUTION}:8: {message}\n")


def test_rendering_refuses_a_file_outside_the_folder(library_copy: Path, secret: Path) -> None:
    """The image resolver checks again what it reads into a package, whatever loading let
    through."""
    library = load_library(library_copy)
    scenario = library.scenarios[0]
    card = scenario.cards[0]
    images = image_resolver(library_copy / SCENARIO, scenario_id=scenario.meta.id)
    for target in (str(secret), f"//{str(secret).lstrip('/')}", "../../outside/secret.txt"):
        planted = replace(card, back=f"![x]({target})")
        with pytest.raises(DeckbuilderError, match="outside the scenario folder"):
            render_card(planted, scenario.meta, images=images)


# --- #4 and #11: control characters --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "name"),
    [
        ("a\x1fb", 18, "U+001F (unit separator)"),  # Anki's field separator
        ("\x1b]52;c;cHduZWQ=\x07", 17, "U+001B (ESC)"),  # OSC 52: write the clipboard
        ("\x1b]0;title\x07", 17, "U+001B (ESC)"),  # set the window title
        ("\x1b[2J", 17, "U+001B (ESC)"),  # clear the screen
        ("\x9b2J", 17, "U+009B (CSI)"),  # the same through a C1 control
        ("\x00", 17, "U+0000 (NUL)"),
        ("\x7f", 17, "U+007F (DEL)"),
        ("\x08", 17, "U+0008"),
    ],
)
def test_control_characters_are_refused_where_files_are_read(
    library_copy: Path, tmp_path: Path, text: str, column: int, name: str
) -> None:
    """Refused with path:line and column; the error itself prints no raw control character."""
    edit(library_copy / SCENARIO / "solution.md", "- **KV cache:** ", "- **KV cache:** " + text)
    expected = (
        f"Error: {SOLUTION}:8: control character {name} at column {column}; "
        "only tab and newline are allowed\n1 problem found\n"
    )
    code, err = check(library_copy)
    assert (code, err) == (1, expected)
    out = tmp_path / "decks"
    assert build(library_copy, out) == (1, expected)
    assert not list(out.rglob("*.apkg"))
    quiz = CliRunner().invoke(
        main,
        ["quiz", "--scenarios", str(library_copy), "--state", str(tmp_path / "q.sqlite3")],
        input="\n",
    )
    assert quiz.exit_code == 1 and quiz.stderr == expected
    assert not (tmp_path / "q.sqlite3").exists()


def test_control_characters_in_yaml_and_front_matter(library_copy: Path) -> None:
    """topics.yaml and the front matter go through the same gate; every line is reported."""
    edit(library_copy / "topics.yaml", "topics:", "topics: # \x1f")
    edit(library_copy / SCENARIO / "problem.md", "title: Mini Serving", "title: Mini \x1b[31m")
    code, err = check(library_copy)
    assert code == 1
    assert err == (
        f"Error: scenarios/{SCENARIO}/problem.md:4: control character U+001B (ESC) at column 13;"
        " only tab and newline are allowed\n"
        "scenarios/topics.yaml:5: control character U+001F (unit separator) at column 11;"
        " only tab and newline are allowed\n2 problems found\n"
    )


def test_many_lines_with_control_characters_are_summarised(library_copy: Path) -> None:
    path = library_copy / SCENARIO / "rubric.md"
    path.write_text(path.read_text() + "\x1f\n" * 25)
    code, err = check(library_copy)
    assert code == 1
    assert err.count("control character U+001F") == 10
    assert "scenarios/01-mini-serving/rubric.md:71: 15 more lines hold control characters\n" in err


def test_a_control_character_in_a_folder_name(library_copy: Path) -> None:
    """A folder name is text that reaches the Source field and the terminal too."""
    (library_copy / SCENARIO).rename(library_copy / "01-mini\x1bserving")
    code, err = check(library_copy)
    assert code == 1
    assert "\x1b" not in err
    assert (
        "scenarios/01-mini\\x1bserving/problem.md:1: the file's path holds a control character"
        in err
    )


# --- #10: lists nested beyond the parser's limit --------------------------------------------


def test_lists_nested_ten_deep_are_an_error_not_a_silent_drop(library_copy: Path) -> None:
    """markdown-it stops at 20 levels (10 nested lists) and drops the rest of the file."""
    deep = "".join("  " * depth + "- x\n" for depth in range(10))
    edit(library_copy / SCENARIO / "solution.md", "## Trade-offs", deep + "\n## Trade-offs")
    code, err = check(library_copy)
    assert code == 1
    assert (
        f"Error: {SOLUTION}:20: lists or quotes nest too deeply (at most 9 levels of lists)\n"
        in err
    )


def test_quotes_nested_too_deeply(library_copy: Path) -> None:
    edit(library_copy / SCENARIO / "rubric.md", "## Green flags", "> " * 25 + "x\n\n## Green flags")
    code, err = check(library_copy)
    assert code == 1
    assert (
        f"scenarios/{SCENARIO}/rubric.md:36: lists or quotes nest too deeply "
        "(at most 9 levels of lists)\n" in err
    )


def test_nine_levels_are_fine(library_copy: Path) -> None:
    deep = "".join("  " * depth + "- x\n" for depth in range(9))
    edit(library_copy / SCENARIO / "solution.md", "## Trade-offs", deep + "\n## Trade-offs")
    assert check(library_copy) == (0, "")


# --- #16: an unreadable folder is not a "symlink loop" ----------------------------------------


def test_an_unreadable_scenario_folder_is_reported_as_unreadable(tmp_path: Path) -> None:
    library = tmp_path / "scenarios"
    shutil.copytree(FIXTURE_LIBRARY, library)
    (library / SCENARIO).chmod(0o000)
    try:
        result = run("check", "--scenarios", str(library), as_user=True)
    finally:
        (library / SCENARIO).chmod(0o755)
    assert result.returncode == 1
    assert "Permission denied" in result.stderr
    assert "symlink loop" not in result.stderr and "Traceback" not in result.stderr
