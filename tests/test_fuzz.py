"""Fuzzed scenarios: only DeckbuilderError may escape, nothing hangs, every field is safe HTML."""

from __future__ import annotations

import contextlib
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURE_LIBRARY, SCENARIOS
from deckbuilder.errors import DeckbuilderError
from deckbuilder.library import load_library
from deckbuilder.render import render_card
from deckbuilder.rules import FILES
from deckbuilder.sources import image_resolver
from safehtml import unsafe_parts

HANG_LIMIT_SECONDS = 60  # a hang detector, far above any real parse: not a speed assertion

BASE = {name: (FIXTURE_LIBRARY / "01-mini-serving" / name).read_bytes() for name in FILES}
DANGEROUS = [
    b"<script>alert(1)</script>",
    b"<img src=x onerror=alert(1)>",
    b"[x](javascript:alert(1))",
    b"![x](javascript:alert(1))",
    b"<iframe src=//evil>",
    b"<style>body{display:none}</style>",
    b"[x](JaVaScRiPt:alert(1))",
    b'<a href="javascript:alert(1)">x</a>',
    b"`<script>`",
    b"```html\n<script>alert(1)</script>\n```\n",
    b"[x]( javascript:alert(1) )",
    b"<svg onload=alert(1)>",
    b"[a](data:text/html;base64,PHNjcmlwdD4=)",
    b"&lt;script&gt;",
    b"**",
    b"|",
    b"{#",
    b"}",
    b"---\n",
    b"### ",
    b"- **X:** ",
    b"| a | b |\n| - | - |\n",
    b"\x00",
    b"\xff\xfe",
    "\ufeff".encode(),
    b"{{c1::",
    b"}}",
    b"\r\n",
    b"\t",
]


@contextlib.contextmanager
def hang_guard() -> Iterator[None]:
    def fail(_signum: int, _frame: object) -> None:
        raise AssertionError(f"parsing took over {HANG_LIMIT_SECONDS}s: a hang")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(HANG_LIMIT_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(BASE)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(FILES))
        data = files[name]
        at = draw(st.integers(0, len(data)))
        op = draw(
            st.sampled_from(["insert", "delete", "truncate", "noise", "nest", "huge", "text"])
        )
        if op == "insert":
            data = data[:at] + draw(st.sampled_from(DANGEROUS)) + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 400)) :]
        elif op == "truncate":
            data = data[:at]
        elif op == "noise":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif op == "nest":
            depth = draw(st.integers(10, 3000))
            marker = draw(st.sampled_from([b"> ", b"- ", b"  - x\n", b"1. ", b"* ", b"[", b"**"]))
            data = data[:at] + marker * depth + b"x\n" + data[at:]
        elif op == "huge":
            data = (
                data[:at]
                + draw(st.sampled_from([b"a", b"**1** ", b"| x ", b"`", b"*"]))
                * draw(st.integers(1000, 20_000))
                + data[at:]
            )
        else:
            data = data[:at] + draw(st.text(max_size=200)).encode() + data[at:]
        files[name] = data
    return files


def _check_files(files: dict[str, bytes]) -> None:
    """Write the four files as a one-scenario library and check it."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "scenarios"
        folder = root / "01-mini-serving"
        folder.mkdir(parents=True)
        (root / "topics.yaml").write_bytes((FIXTURE_LIBRARY / "topics.yaml").read_bytes())
        for name, data in files.items():
            (folder / name).write_bytes(data)
        _check_library(root)


def _check_library(root: Path) -> None:
    try:
        with hang_guard():
            library = load_library(root)
    except DeckbuilderError:
        return
    for scenario in library.scenarios:
        for card in scenario.cards:
            rendered = render_card(card, scenario.meta)
            for field in rendered.fields:
                assert unsafe_parts(field) == [], (card.full_key, field)


@given(mutated())
def test_mutated_scenarios_fail_cleanly_and_render_safely(files: dict[str, bytes]) -> None:
    """Random edits, truncation, noise, deep nesting and huge lines: a clean error or safe cards."""
    _check_files(files)


@given(
    st.text(max_size=400),
    st.sampled_from(["problem.md", "solution.md", "discussion_points.md", "rubric.md"]),
)
def test_arbitrary_text_in_card_sections(text: str, name: str) -> None:
    """Any text placed inside a card section parses to a clean error or safe cards."""
    anchors = {
        "problem.md": "- **Streaming:** ",
        "solution.md": "- **KV cache:** ",
        "discussion_points.md": "Users see progress sooner",
        "rubric.md": "- **Hire:** ",
    }
    files = dict(BASE)
    files[name] = files[name].replace(
        anchors[name].encode(), anchors[name].encode() + text.encode(), 1
    )
    _check_files(files)


def test_every_shipped_card_is_safe_html() -> None:
    """No field of any card built from scenarios/ carries script, handlers, frames or styles."""
    library = load_library(SCENARIOS)
    assert library.cards
    for scenario in library.scenarios:
        folder = SCENARIOS / scenario.meta.folder
        for card in scenario.cards:
            images = image_resolver(folder, scenario_id=scenario.meta.id)
            for field in render_card(card, scenario.meta, images=images).fields:
                assert unsafe_parts(field) == [], card.full_key


def test_the_safety_check_itself_catches_unsafe_html() -> None:
    """The checker flags each kind of unsafe HTML (so the properties above can fail)."""
    assert unsafe_parts("<p>fine &lt;script&gt;</p>") == []
    assert unsafe_parts("<script>x</script>")
    assert unsafe_parts('<img src="x" onerror="y">')
    assert unsafe_parts('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert unsafe_parts("<style>p{}</style>")
    assert unsafe_parts("<iframe></iframe>")
