"""The full-screen reviewer, driven key by key with Textual's pilot, and its screens as snapshots
(80x24 and 120x40, dark, light and NO_COLOR)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Input, Static
from textual.widgets.markdown import MarkdownFence

from conftest import FIXTURE_LIBRARY, Clock, edit, rows
from deckbuilder.library import load_library
from deckbuilder.model import CardKind
from deckbuilder.quiz import queue
from deckbuilder.quiz.app import QuizOptions, new_session, select
from deckbuilder.quiz.session import Mode
from deckbuilder.quiz.store import Store
from deckbuilder.quiz.tui import HelpScreen, Reviewer, ScreenIO


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "q.sqlite3") as opened:
        yield opened


def reviewer(
    store: Store,
    *,
    library: Path = FIXTURE_LIBRARY,
    mode: Mode = Mode.FLIP,
    kinds: tuple[CardKind, ...] = (),
    cram: bool = False,
    light: bool = False,
) -> Reviewer:
    """A reviewer on a real state file, with an injected clock (2026-03-02 09:00 UTC)."""
    clock = Clock()
    options = QuizOptions(queue.Filters(kinds=kinds), mode, cram=cram, fuzz=False)
    chosen = select(load_library(library), options.filters)
    plan = queue.plan(chosen, store=store, now=clock(), new_limit=20, max_cards=None, cram=cram)
    events = ScreenIO()
    session = new_session(chosen, plan=plan, store=store, io=events, options=options, now=clock)
    return Reviewer(session, events=events, now=clock, light=light)


def shown(app: Reviewer, name: str) -> str:
    content = app.query_one(name, Static).render()
    return content.plain if isinstance(content, Text) else str(content)


def test_reveal_rate_and_echo(store: Store) -> None:
    """space reveals the answer in place, 3 rates Good, the echo says when it is due next, and
    the counts move from new to learning."""

    async def scenario() -> None:
        app = reviewer(store)
        async with app.run_test(size=(80, 24)) as pilot:
            assert shown(app, "#counts").startswith("20 new · 0 learning · 0 due")
            assert not app.query_one("#back").display
            await pilot.press("space")
            assert app.query_one("#back").display
            assert shown(app, "#keys").startswith("1 Again 1m   2 Hard 6m   3 Good 10m   4 Easy 8d")
            await pilot.press("3")
            assert shown(app, "#echo") == "Good → due in 10m"
            assert shown(app, "#counts").startswith("19 new · 1 learning · 0 due")
            assert not app.query_one("#back").display  # the next card: front only
        assert rows(store.path, "SELECT rating FROM reviews") == [(3,)]

    asyncio.run(scenario())


def test_undo_and_quit(store: Store) -> None:
    """u takes the last answer back and shows its card again; q ends with the summary."""

    async def scenario() -> None:
        app = reviewer(store)
        async with app.run_test(size=(80, 24)) as pilot:
            first = app.prompt.item.card.full_key if app.prompt else ""
            await pilot.press("space", "4", "u")
            assert shown(app, "#echo") == f"Undone: {first}"
            assert app.prompt is not None and app.prompt.item.card.full_key == first
            await pilot.press("q")
        assert app.return_value is not None and app.return_value.quit_early
        assert rows(store.path, "SELECT count(*) FROM reviews") == [(0,)]

    asyncio.run(scenario())


def test_typed_mode_has_line_editing_and_history(store: Store) -> None:
    """Typed answers go into a real input: the cursor moves, Enter checks, ↑ recalls."""

    async def scenario() -> None:
        app = reviewer(store, mode=Mode.TYPED, kinds=(CardKind.FOLLOWUP,))
        async with app.run_test(size=(80, 24)) as pilot:
            typed = app.query_one("#typed", Input)
            assert typed.has_focus
            await pilot.press(*"admission control on queued prefill tokns")
            await pilot.press("left", "left", "e")  # fix the typo in place
            assert typed.value == "admission control on queued prefill tokens"
            await pilot.press("enter")
            feedback = shown(app, "#feedback")
            assert "✓ Admission control on queued prefill tokens." in feedback
            assert shown(app, "#keys").endswith("Enter Good")
            await pilot.press("enter")
            assert typed.has_focus and typed.value == ""
            await pilot.press("up")
            assert typed.value == "admission control on queued prefill tokens"

    asyncio.run(scenario())


def test_choice_mode_and_cram_without_intervals(store: Store) -> None:
    """In choice mode 1-4 pick an option; --cram shows the rating keys without intervals."""

    async def scenario() -> None:
        app = reviewer(store, mode=Mode.CHOICE, kinds=(CardKind.CONCEPT,), cram=True)
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.prompt is not None and len(app.prompt.options) in (0, 4)
            await pilot.press("1" if app.prompt.options else "space")
            assert shown(app, "#keys").startswith("1 Again   2 Hard   3 Good   4 Easy")
            await pilot.press("2")
            assert shown(app, "#echo") == "Hard → logged (cram: the schedule is unchanged)"

    asyncio.run(scenario())


def test_help_overlay_and_resize(store: Store) -> None:
    """? opens the key overlay and any key closes it; the screen follows a resize."""

    async def scenario() -> None:
        app = reviewer(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("x")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.resize_terminal(50, 16)
            await pilot.pause()
            assert app.query_one("#header").size.width == 50
            assert app.query_one("#keys").region.bottom == 16

    asyncio.run(scenario())


def test_code_scrolls_sideways_and_tables_fit(library_copy: Path, store: Store) -> None:
    """A long code line is not wrapped (its block scrolls); a table fits the screen."""

    async def scenario() -> None:
        mistakes = library_copy / "01-mini-serving" / "discussion_points.md"
        long_line = "kv_bytes = 2 * layers * kv_heads * head_dim * bytes_per_element  # " + "x" * 80
        edit(
            mistakes,
            "GPU servers are bound by GPU memory and queue depth, so scale on those.",
            "GPU servers are bound by GPU memory and queue depth, so scale on those.\n\n"
            f"  ```python\n  {long_line}\n  ```\n\n"
            "  | model | KV per token |\n  | --- | --- |\n  | Llama-3-8B | 128 KiB |",
        )
        app = reviewer(store, library=library_copy, kinds=(CardKind.MISTAKE,))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("space")
            fence = app.query_one(MarkdownFence)
            assert fence.virtual_size.width > fence.size.width  # scrolls instead of wrapping
            assert fence.virtual_size.width >= len(long_line)  # the whole line on one row
            table = app.query_one("MarkdownTable")
            assert table.region.right <= 80

    asyncio.run(scenario())


# -- snapshots: pytest --snapshot-update rewrites them after a deliberate change


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_front_and_answer(
    snap_compare: object, store: Store, size: tuple[int, int]
) -> None:
    app = reviewer(store)
    assert snap_compare(app, press=["space"], terminal_size=size)  # type: ignore[operator]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_light_after_a_rating(
    snap_compare: object, store: Store, size: tuple[int, int]
) -> None:
    app = reviewer(store, light=True)
    assert snap_compare(app, press=["space", "3"], terminal_size=size)  # type: ignore[operator]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_no_color_typed(
    snap_compare: object, store: Store, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = reviewer(store, mode=Mode.TYPED, kinds=(CardKind.FOLLOWUP,))
    assert app.no_color  # Textual read it: the screen is drawn in monochrome
    press = [*"admission control on queued prefill tokens", "enter"]
    assert snap_compare(app, press=press, terminal_size=size)  # type: ignore[operator]


def test_snapshot_help(snap_compare: object, store: Store) -> None:
    assert snap_compare(reviewer(store), press=["question_mark"], terminal_size=(80, 24))  # type: ignore[operator]


def test_textual_is_imported_by_one_module() -> None:
    src = Path(__file__).resolve().parent.parent / "src" / "deckbuilder"
    users = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if re.search(r"^\s*(from|import) textual\b", p.read_text(), re.M)
    )
    assert users == ["quiz/tui.py"]


def test_card_text_keeps_list_periods_and_whole_code_lines() -> None:
    """Numbered lists keep "1."; a code line is cut at the edge, never wrapped into the next
    line (which breaks indentation), and code gets no blank lines around it."""
    from rich.console import Console

    from deckbuilder.quiz.screen_text import CardMarkdown

    console = Console(width=40, record=True, color_system=None)
    code = "if x:\n    y = 2 * layers * kv_heads * dim * size"
    console.print(CardMarkdown(f"1. First.\n2. Second.\n\n```python\n{code}\n```"))
    lines = [line.rstrip() for line in console.export_text().strip("\n").splitlines()]
    assert lines == [
        " 1. First.",
        " 2. Second.",
        "",
        "if x:",
        "    y = 2 * layers * kv_heads * dim * si",  # cut at 40 columns, not wrapped
    ]
