"""What the reviewer shows, as rich text and plain values, without Textual: the key help,
the coloured counts, the feedback under an answer, and the session's event sink."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, ListItem, Markdown, MarkdownElement
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text

from deckbuilder.quiz import grading
from deckbuilder.quiz.scheduler import Rating, describe
from deckbuilder.quiz.session import Command, Prompt, Reveal

# Anki's colours for the three counts
NEW, LEARNING, REVIEW = "#3b82f6", "#dc2626", "#16a34a"

HELP = (
    ("space, Enter", "show the answer"),
    ("1 2 3 4", "rate Again, Hard, Good, Easy"),
    ("Enter", "the suggested rating (typed, choice)"),
    ("1-4 on the front", "pick an option (choice)"),
    ("↑ ↓", "earlier answers (typed)"),
    ("u", "undo the last answer"),
    ("q, Ctrl-C", "quit: every answer is saved"),
    ("?", "this help; any key closes it"),
)


def help_text() -> Text:
    text = Text("Keys\n\n", style="bold")
    for key, meaning in HELP:
        text.append(f"{key:>17}  ", style="bold")
        text.append(meaning + "\n")
    text.append("\nHeader counts: ")
    text.append("new", style=f"bold {NEW}")
    text.append(" · ")
    text.append("learning", style=f"bold {LEARNING}")
    text.append(" · ")
    text.append("due", style=f"bold {REVIEW}")
    return text


class ScreenIO:
    """What the session reports while the screen steps it (undo notices, ratings)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, object]]] = []

    def show_event(self, name: str, **data: object) -> None:
        self.events.append((name, data))

    # the screen steps the session itself: Session.run(), which asks these, is never called
    def show_front(self, prompt: Prompt) -> None:
        raise NotImplementedError

    def show_back(self, reveal: Reveal) -> None:
        raise NotImplementedError

    def ask_reveal(self) -> Command | None:
        raise NotImplementedError

    def ask_typed(self) -> str | Command:
        raise NotImplementedError

    def ask_choice(self, count: int) -> int | Command:
        raise NotImplementedError

    def ask_rating(self, suggested: Rating | None) -> Rating | Command:
        raise NotImplementedError


def counts_text(prompt: Prompt | None, *, counts: tuple[int, int, int]) -> Text:
    new, learning, review = counts
    text = Text()
    current = "" if prompt is None else prompt.status
    for number, label, colour, bucket in (
        (new, "new", NEW, ("new",)),
        (learning, "learning", LEARNING, ("learning", "relearning")),
        (review, "due", REVIEW, ("review",)),
    ):
        style = f"bold {colour}" + (" underline" if current in bucket else "")
        text.append(f"{number}", style=style)
        text.append(f" {label}", style=colour)
        text.append(" · " if bucket[0] != "review" else " ")
    return text


def feedback_text(reveal: Reveal, *, typed: str | None) -> Text:
    """What was typed, the key points recognised (✓) and missed (✗), or the choice's verdict;
    points are shown as the author wrote them."""
    text = Text()
    if reveal.feedback is not None:
        if typed:
            text.append(f"You typed: {typed}\n", style="italic")
        for point in reveal.feedback.recognised:
            text.append(f"✓ {grading.display(point)}\n", style="green")
        for point in reveal.feedback.missing:
            text.append(f"✗ {grading.display(point)}\n", style="red")
    if reveal.correct is not None and reveal.chosen is not None:
        right = reveal.chosen == reveal.correct
        text.append(
            f"Your choice {reveal.chosen + 1}: "
            + ("right" if right else f"wrong, the answer is {reveal.correct + 1}"),
            style="green" if right else "red",
        )
    return text


def keys_text(reveal: Reveal, *, cram: bool) -> Text:
    """The rating keys with the interval each gives (none in cram) and the suggestion."""
    text = Text()
    for rating in Rating:
        text.append(
            f"{int(rating)}", style="bold reverse" if rating is reveal.suggested else "bold"
        )
        text.append(f" {rating.label}")
        if not cram:
            text.append(f" {describe(reveal.intervals[rating])}", style="dim")
        text.append("   ")
    if reveal.suggested is not None:
        text.append(f"Enter {reveal.suggested.label}", style="dim")
    return text


class _NumberedItem(ListItem):
    """An ordered-list item that keeps its period ("1. first"), as the author wrote it."""

    def render_number(
        self, console: Console, options: ConsoleOptions, number: int, last_number: int
    ) -> RenderResult:
        width = len(str(last_number)) + 3
        lines = console.render_lines(
            self.elements, options.update(width=options.max_width - width), style=self.style
        )
        style = console.get_style("markdown.item.number", default="none")
        for index, line in enumerate(lines):
            yield Segment(f"{number}.".rjust(width - 1) + " " if index == 0 else " " * width, style)
            yield from line
            yield Segment("\n")


class _Code(CodeBlock):
    """A code block that keeps its lines whole (cut at the edge, never wrapped: wrapping
    breaks indentation) and adds no blank lines around itself."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Syntax(str(self.text).rstrip(), self.lexer_name, theme=self.theme, word_wrap=False)


class CardMarkdown(Markdown):
    """rich's Markdown with the fixes a card needs: numbered lists keep their periods, and
    code is neither wrapped nor padded with blank lines."""

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **Markdown.elements,
        "list_item_open": _NumberedItem,
        "fence": _Code,
        "code_block": _Code,
    }
