"""The full-screen reviewer: one card at a time on the alternate screen, like Anki's.

The only module that imports Textual. It steps the session one event at a time
(``next_prompt`` → ``reveal`` → ``rate``), so the screen never holds a thread or a loop of
its own, and tests drive it with Textual's pilot and snapshots.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Markdown, Rule, Static

from deckbuilder.quiz import grading
from deckbuilder.quiz.scheduler import Rating, describe
from deckbuilder.quiz.screen_text import (
    CardMarkdown,
    ScreenIO,
    counts_text,
    feedback_text,
    help_text,
    keys_text,
)
from deckbuilder.quiz.session import Mode, Prompt, Reveal, Session, Summary

__all__ = ["HelpScreen", "HistoryInput", "Reviewer", "ScreenIO", "run"]
from deckbuilder.quiz.values import back_markdown, front_markdown

_TABLE = re.compile(r"^\s*\|.*\|\s*$", re.M)


class HelpScreen(ModalScreen[None]):
    """The key overlay; any key closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: 60; max-width: 100%; height: auto; border: round $accent;
                          background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(help_text())

    def on_key(self) -> None:
        self.dismiss()


class HistoryInput(Input):
    """A line editor (Textual's Input) that also recalls earlier answers with ↑ and ↓."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "older", show=False),
        Binding("down", "newer", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._at = 0

    def remember(self, line: str) -> None:
        if line and (not self.history or self.history[-1] != line):
            self.history.append(line)
        self._at = len(self.history)

    def action_older(self) -> None:
        if self._at > 0:
            self._at -= 1
            self.value = self.history[self._at]
            self.cursor_position = len(self.value)

    def action_newer(self) -> None:
        self._at = min(self._at + 1, len(self.history))
        self.value = self.history[self._at] if self._at < len(self.history) else ""
        self.cursor_position = len(self.value)


class Reviewer(App[Summary]):
    """One card at a time: the front, then the answer revealed in place, then a rating."""

    TITLE = "deckbuilder quiz"
    CSS = """
    Screen { layout: vertical; }
    #header { height: 1; background: $panel; }
    #header > Static { width: 1fr; height: 1; }
    #path { text-overflow: ellipsis; text-wrap: nowrap; }
    #counts { width: auto; padding: 0 0 0 2; }
    #meta { height: 1; color: $text-muted; padding: 0 1; }
    #card { height: 1fr; padding: 0 1; }
    #options { height: auto; padding: 0 2; }
    #front, #back { height: auto; margin: 1 0; }
    #feedback, #source { height: auto; }
    #source { color: $text-muted; }
    #answer-rule { margin: 0; }
    #typed { dock: bottom; margin-bottom: 2; }
    #echo { dock: bottom; height: 1; margin-bottom: 1; padding: 0 1; }
    #keys { dock: bottom; height: 1; background: $panel; padding: 0 1; }
    MarkdownFence { max-height: 20; }
    .hidden { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "reveal", "Show answer", show=False),
        Binding("enter", "enter", show=False),
        *(Binding(str(n), f"key({n})", show=False) for n in range(1, 5)),
        Binding("u", "undo", show=False),
        Binding("q", "quit_session", show=False),
        Binding("ctrl+c", "quit_session", show=False, priority=True),
        Binding("question_mark", "help", show=False),
    ]

    def __init__(
        self,
        session: Session,
        *,
        events: ScreenIO,
        now: Callable[[], datetime],
        light: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.events = events
        self.now = now
        self.light = light
        self.prompt: Prompt | None = None
        self.revealed: Reveal | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield Static(id="path")
            yield Static(id="counts")
        yield Static(id="meta")
        with VerticalScroll(id="card"):
            yield Static(id="front")
            yield Markdown(id="front-wide", classes="hidden")
            yield Static(id="options")
            yield Rule(id="answer-rule", classes="hidden")
            yield Static(id="back", classes="hidden")
            yield Markdown(id="back-wide", classes="hidden")
            yield Static(id="feedback", classes="hidden")
            yield Static(id="source", classes="hidden")
        yield Static(id="keys")
        yield Static(id="echo")
        yield HistoryInput(
            id="typed", placeholder="Type your answer, Enter to check", classes="hidden"
        )

    async def on_mount(self) -> None:
        if self.light:
            self.theme = "textual-light"
        if self.session.mode is Mode.TYPED:
            from deckbuilder import units

            # pint's unit registry takes about a second to build: build it while the
            # learner reads the first card, not when they press Enter
            self.run_worker(units.warm_up, thread=True, exit_on_error=False)
        await self.next_card()

    # -- showing

    async def next_card(self) -> None:
        self.revealed = None
        self.prompt = self.session.next_prompt()
        if self.prompt is None:
            self.exit(self.session.summary)
            return
        prompt = self.prompt
        card = prompt.item.card
        self.query_one("#path", Static).update(Text(" " + " › ".join(card.context)))
        c = prompt.counts
        self.query_one("#counts", Static).update(
            counts_text(prompt, counts=(c.new, c.learning, c.review))
        )
        self.query_one("#meta", Static).update(f"{card.kind.label} · {prompt.status}")
        await self._show_markdown("front", front_markdown(prompt))
        options = "\n".join(f"{n}) {grading.display(o)}" for n, o in enumerate(prompt.options, 1))
        self.query_one("#options", Static).update(Text(options))
        for name in ("#answer-rule", "#back", "#back-wide", "#feedback", "#source"):
            self.query_one(name).display = False
        typed = self.query_one("#typed", HistoryInput)
        typed.display = prompt.mode is Mode.TYPED
        if prompt.mode is Mode.TYPED:
            typed.value = ""
            typed.focus()
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self._keys()

    async def show_answer(self, *, typed: str | None = None, chosen: int | None = None) -> None:
        assert self.prompt is not None
        reveal = self.session.reveal(self.prompt, typed=typed, chosen=chosen)
        self.revealed = reveal
        self.query_one("#typed").display = False
        self.set_focus(None)
        await self._show_markdown("back", back_markdown(reveal.prompt))
        feedback = feedback_text(reveal, typed=typed)
        self.query_one("#feedback", Static).update(feedback)
        self.query_one("#source", Static).update(f"Source: {reveal.prompt.item.card.source}")
        for name in ("#answer-rule", "#source"):
            self.query_one(name).display = True
        self.query_one("#feedback").display = bool(feedback.plain)
        self._keys()

    async def _show_markdown(self, name: str, text: str) -> None:
        """Plain markdown goes to a Static (one render, no widgets mounted: the fast path);
        code blocks and tables go to Textual's Markdown widget, whose code blocks scroll
        sideways instead of wrapping and whose tables fit the width."""
        wide = "```" in text or "~~~" in text or _TABLE.search(text) is not None
        quick, full = self.query_one(f"#{name}", Static), self.query_one(f"#{name}-wide", Markdown)
        if wide:
            await full.update(text)
        else:
            quick.update(CardMarkdown(text))
        # display, not CSS classes: a class change restyles the whole tree (slow per card)
        quick.display = not wide
        full.display = wide

    def _keys(self) -> None:
        keys = self.query_one("#keys", Static)
        if self.prompt is None:
            return
        if self.revealed is None:
            if self.prompt.mode is Mode.TYPED:
                hint = "Enter check   ↑↓ history   empty q quits, u undoes"
            elif self.prompt.mode is Mode.CHOICE:
                hint = f"1-{len(self.prompt.options)} choose   u undo   q quit   ? help"
            else:
                hint = "space show answer   u undo   q quit   ? help"
            keys.update(Text(hint))
            return
        text = keys_text(self.revealed, cram=self.session.cram)
        keys.update(text)

    def echo(self, message: str) -> None:
        self.query_one("#echo", Static).update(Text(message))

    # -- keys

    async def action_reveal(self) -> None:
        if self.prompt is not None and self.revealed is None and self.prompt.mode is Mode.FLIP:
            with self.batch_update():
                await self.show_answer()

    async def action_enter(self) -> None:
        if self.revealed is not None and self.revealed.suggested is not None:
            await self.rate(self.revealed.suggested)
        else:
            await self.action_reveal()

    async def action_key(self, number: int) -> None:
        if self.prompt is None:
            return
        if self.revealed is not None:
            await self.rate(Rating(number))
        elif self.prompt.mode is Mode.CHOICE and number <= len(self.prompt.options):
            await self.show_answer(chosen=number - 1)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value
        command = line.strip()
        if command == "q":
            await self.action_quit_session()
        elif command == "u":
            await self.action_undo()
        else:
            self.query_one("#typed", HistoryInput).remember(line)
            await self.show_answer(typed=line)

    async def rate(self, rating: Rating) -> None:
        assert self.revealed is not None
        after = self.session.rate(self.revealed, rating)
        with self.batch_update():  # one screen update for the echo and the next card
            if after is None:
                self.echo(f"{rating.label} → logged (cram: the schedule is unchanged)")
            else:
                self.echo(f"{rating.label} → due in {describe(after.due - self.now())}")
            await self.next_card()

    async def action_undo(self) -> None:
        if self.prompt is not None:
            self.session.put_back(self.prompt)
        undone = self.session.undo()
        _name, data = self.events.events[-1]
        if undone:
            self.echo(f"Undone: {data.get('key')}")
        else:
            self.echo(str(data.get("reason") or "Nothing to undo in this session."))
        await self.next_card()

    async def action_quit_session(self) -> None:
        if self.prompt is not None:
            self.session.put_back(self.prompt)
        self.session.summary.quit_early = True
        self.exit(self.session.summary)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())


def run(session: Session, *, events: ScreenIO, now: Callable[[], datetime]) -> Summary:
    """Run the reviewer on the alternate screen; the summary when the user quits or is done."""
    app = Reviewer(session, events=events, now=now)
    result = app.run()
    return result if result is not None else session.summary
