"""Work on adversarial input grows linearly with its size, counted in CPU instructions.

Each case runs in one process under valgrind's callgrind, which counts the instructions
executed inside ``operator.call`` only (nothing else in the program calls it): the
function under test on inputs of size n, 2n and 4n, after a warm-up call. A linear
function doubles its count when the input doubles; a quadratic one quadruples it. The
count is exact and repeatable, so this is a bound on work, not a timing.

The same functions are also checked against the regular expressions they replace, so
making them linear changed no result.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckbuilder.cards import plain as _plain
from deckbuilder.parse import split_explicit_id

pytestmark = pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")

GROWTH_LIMIT = 2.5  # linear: 2.0 per doubling (plus noise); quadratic: 4.0

# Each case: setup code defining ``arg(n)`` and the function ``f``; then f(arg(n)) is counted.
CASES = {
    "plain: '_x ' after a bold number": (
        "from deckbuilder.cards import plain as f\ndef arg(n): return '**1** ' + '_x ' * n",
        500,
    ),
    "plain: '*x ' runs": (
        "from deckbuilder.cards import plain as f\ndef arg(n): return '*a ' * n + '*'",
        500,
    ),
    "quiz grading: unclosed links": (
        "from deckbuilder.quiz.grading import plain as f\ndef arg(n): return '[a](x' * n",
        500,
    ),
    "split_explicit_id: a heading full of spaces": (
        "from deckbuilder.parse import split_explicit_id as f\n"
        "def arg(n): return 'a' + ' ' * n + 'b {#'",
        2_000,
    ),
    "labelled items: each concept under its own subsection": (
        "from deckbuilder.parse import read_document\n"
        "from deckbuilder.readers import labelled_items\n"
        "def arg(n):\n"
        "    text = '## Key concepts\\n\\n' + ''.join(\n"
        "        f'### S{i}\\n\\n- **C{i}:** b\\n\\n' for i in range(n))\n"
        "    doc = read_document('x.md', text)\n"
        "    return doc, doc.section('key concepts')\n"
        "def f(a): return labelled_items(a[0], a[1], problems=[])",
        100,
    ),
}

_RUNNER = """
import functools, itertools, operator
{setup}
n = {size}
f(arg(8))  # warm-up: regex compilation, first-call caches
small, medium, large = arg(n), arg(2 * n), arg(4 * n)
operator.call(f, small)
functools.reduce(lambda _, value: f(value), [medium], None)
list(itertools.starmap(f, [(large,)]))
"""
# C functions that nothing else in the program calls: collection is on only inside them
_MARKERS = ("_operator_call", "functools_reduce", "starmap_next")


def instructions(case: str, tmp_path: Path) -> list[int]:
    """Instructions executed by the calls on inputs of size n, 2n and 4n."""
    setup, size = CASES[case]
    out = tmp_path / "callgrind.out"
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            *(f"--toggle-collect={marker}" for marker in _MARKERS),
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            _RUNNER.format(setup=setup, size=size),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    report = subprocess.run(
        ["callgrind_annotate", "--inclusive=yes", str(out)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    counts = {}
    for line in report.splitlines():
        found = re.match(r"\s*([\d,]+) .*:(\w+) ", line)
        if found and found.group(2) in _MARKERS:
            counts[found.group(2)] = int(found.group(1).replace(",", ""))
    if not counts:
        pytest.skip("this Python's binary has no symbols for callgrind to find")
    return [counts[marker] for marker in _MARKERS]


@pytest.mark.parametrize("case", sorted(CASES))
def test_work_grows_linearly(case: str, tmp_path: Path) -> None:
    counts = instructions(case, tmp_path)
    assert len(counts) == 3, counts
    growth = [counts[1] / counts[0], counts[2] / counts[1]]
    assert max(growth) < GROWTH_LIMIT, (case, counts, growth)


def test_the_measure_sees_quadratic_work(tmp_path: Path) -> None:
    """The method itself: the regular expression `_plain` used to run is caught."""
    CASES["old plain"] = (
        "import re\n"
        "def f(t): return re.sub(r'(?<![\\w*])[*_](?=\\S)(.+?)(?<=\\S)[*_](?![\\w*])', r'\\1', t)\n"
        "def arg(n): return '_x ' * n",
        200,
    )
    try:
        counts = instructions("old plain", tmp_path)
    finally:
        del CASES["old plain"]
    assert counts[2] / counts[1] > 3.5, counts


_OLD_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")
_OLD_ID = re.compile(r"\s*\{#(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)\}\s*")


def _old_plain(markdown: str) -> str:
    text = re.sub(r"\*\*|`", "", markdown)
    return " ".join(_OLD_EMPHASIS.sub(r"\1", text).split())


def _old_split(text: str) -> tuple[str, str | None]:
    match = _OLD_ID.search(text)
    if match is None:
        return text.strip(), None
    return (text[: match.start()] + " " + text[match.end() :]).strip(), match.group("id")


_MARKDOWNISH = st.text(alphabet="*_`x1 \n\t.é{#}-a\u00a0", max_size=40)


@given(_MARKDOWNISH)
def test_plain_matches_the_regular_expression_it_replaces(text: str) -> None:
    assert _plain(text) == _old_plain(text)


@given(_MARKDOWNISH)
def test_split_explicit_id_matches_the_regular_expression_it_replaces(text: str) -> None:
    assert split_explicit_id(text) == _old_split(text)
