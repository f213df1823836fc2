"""The quiz's two faces: an interactive terminal (rich, single keys) and a line protocol
for scripts (stdin lines in, text or JSON lines out). The only module that imports rich."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, Any

from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

from deckbuilder.quiz import grading
from deckbuilder.quiz.scheduler import Rating, describe
from deckbuilder.quiz.session import Command, Prompt, Reveal
from deckbuilder.quiz.values import back_markdown, front_markdown

WIDTH = 80


def console(stream: IO[str] | None = None) -> Console:
    """A console that uses colour only on a terminal and never when NO_COLOR is set."""
    return Console(
        file=stream,
        width=min(WIDTH, Console(file=stream).width),
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        soft_wrap=False,
    )


def _intervals(reveal: Reveal) -> str:
    if reveal.prompt.cram:  # nothing is rescheduled: no interval to promise
        return "  ".join(f"{int(r)} {r.label}" for r in Rating) + "  (cram: schedule unchanged)"
    return "  ".join(f"{int(r)} {r.label} ({describe(reveal.intervals[r])})" for r in Rating)


class _Base:
    def __init__(self, out: Console) -> None:
        self.out = out

    def __enter__(self) -> _Base:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def show_front(self, prompt: Prompt) -> None:
        card = prompt.item.card
        self.out.print(Rule(style="dim"))
        header = " › ".join(card.context)
        c = prompt.counts
        self.out.print(
            Text(
                f"{header}   [{card.kind.value}, {prompt.status}; "
                f"{c.new} new · {c.learning} learning · {c.review} due]",
                style="dim",
                no_wrap=True,
                overflow="ellipsis",
            )
        )
        from deckbuilder.quiz.screen_text import CardMarkdown  # rich.markdown: when shown

        self.out.print(CardMarkdown(front_markdown(prompt)))
        for number, option in enumerate(prompt.options, start=1):
            self.out.print(Text(f"  {number}) {option}"))

    def show_back(self, reveal: Reveal) -> None:
        from deckbuilder.quiz.screen_text import CardMarkdown

        self.out.print(
            Panel(
                CardMarkdown(back_markdown(reveal.prompt)),
                title="Answer",
                title_align="left",
                border_style="green",
            )
        )
        if reveal.feedback is not None:
            for point in reveal.feedback.recognised:
                self.out.print(Text(f"  ✓ {grading.display(point)}", style="green"))
            for point in reveal.feedback.missing:
                self.out.print(Text(f"  ✗ {grading.display(point)}", style="red"))
        if reveal.correct is not None and reveal.chosen is not None:
            verdict = (
                "right"
                if reveal.chosen == reveal.correct
                else (f"wrong: the answer is {reveal.correct + 1}")
            )
            self.out.print(Text(f"  Your choice {reveal.chosen + 1}: {verdict}"))
        self.out.print(Text(f"Source: {reveal.prompt.item.card.source}", style="dim"))
        hint = f"   Enter = {reveal.suggested.label}" if reveal.suggested else ""
        self.out.print(Text(_intervals(reveal) + hint, style="bold"))

    def show_event(self, name: str, **data: Any) -> None:
        if name == "undo":
            self.out.print(
                Text(
                    "Undone: " + str(data.get("key"))
                    if data.get("ok")
                    else str(data.get("reason") or "Nothing to undo in this session."),
                    style="yellow",
                )
            )
        elif name == "empty":
            self.out.print(str(data["message"]))
        elif name == "end":
            ratings = data["ratings"]
            self.out.print(Rule(style="dim"))
            self.out.print(
                f"Session over: {data['reviewed']} answered ({data['new']} new), "
                f"again {ratings['again']}, hard {ratings['hard']}, good {ratings['good']}, "
                f"easy {ratings['easy']}. Every answer is saved."
            )


class TerminalIO(_Base):
    """Interactive: single keys for reveal and ratings, a line for typed answers."""

    def __init__(self, out: Console | None = None) -> None:
        super().__init__(out or console())

    def __enter__(self) -> TerminalIO:
        """Single keys for the whole session: cbreak mode from start to end.

        Switching modes per key would race with keys typed ahead (a Ctrl-D sent
        before the switch is lost), so the terminal stays in cbreak mode and only
        typed answers switch back to line editing. The saved mode is always restored.
        """
        import termios
        import tty

        self._fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd, termios.TCSANOW)  # cbreak keeps ISIG: Ctrl-C interrupts
        return self

    def __exit__(self, *_exc: object) -> None:
        import termios

        termios.tcsetattr(self._fd, termios.TCSANOW, self._saved)

    def _key(self) -> str:
        char = os.read(self._fd, 1).decode(errors="ignore")
        if char in ("\x04", ""):
            raise EOFError
        return char

    def _line(self, prompt: str) -> str:
        import termios
        import tty

        termios.tcsetattr(self._fd, termios.TCSANOW, self._saved)  # echo and line editing
        try:
            return self.out.input(prompt)
        finally:
            tty.setcbreak(self._fd, termios.TCSANOW)

    def ask_reveal(self) -> Command | None:
        self.out.print(Text("[space] reveal   u undo   q quit", style="dim"))
        while True:
            key = self._key()
            if key in (" ", "\n", "\r"):
                return None
            if key == "u":
                return Command.UNDO
            if key == "q":
                return Command.QUIT

    def ask_typed(self) -> str | Command:
        self.out.print(Text("Type your answer and press Enter (u undo, q quit):", style="dim"))
        line = self._line("> ")
        return {"q": Command.QUIT, "u": Command.UNDO}.get(line.strip(), line)

    def ask_choice(self, count: int) -> int | Command:
        self.out.print(Text(f"Choose 1-{count}   u undo   q quit", style="dim"))
        while True:
            key = self._key()
            if key.isdigit() and 1 <= int(key) <= count:
                return int(key) - 1
            if key == "u":
                return Command.UNDO
            if key == "q":
                return Command.QUIT

    def ask_rating(self, suggested: Rating | None) -> Rating | Command:
        while True:
            key = self._key()
            if key in "1234" and key:
                return Rating(int(key))
            if key in ("\n", "\r", " ") and suggested is not None:
                return suggested
            if key == "u":
                return Command.UNDO
            if key == "q":
                return Command.QUIT


class LineIO(_Base):
    """Scripted: one answer per line on stdin; text or one JSON event per line on stdout."""

    def __init__(self, stdin: IO[str], out: Console, *, as_json: bool = False) -> None:
        super().__init__(out)
        self._in = stdin
        self._json = as_json

    def _emit(self, event: str, **data: Any) -> None:
        line = json.dumps({"event": event, **data}, ensure_ascii=False)
        self.out.file.write(line + "\n")
        self.out.file.flush()

    def _line(self) -> str:
        line = self._in.readline()
        if line == "":
            raise EOFError
        return line.rstrip("\n")

    def _command(self, line: str) -> Command | None:
        return {"q": Command.QUIT, "u": Command.UNDO}.get(line.strip())

    def show_front(self, prompt: Prompt) -> None:
        if not self._json:
            super().show_front(prompt)
            return
        card = prompt.item.card
        self._emit(
            "card",
            key=card.full_key,
            guid=prompt.item.guid,
            scenario=card.scenario_id,
            kind=card.kind.value,
            new=prompt.item.state is None,
            mode=prompt.mode.value,
            front=front_markdown(prompt),
            options=list(prompt.options),
            remaining=prompt.remaining,
            status=prompt.status,
            counts={
                "new": prompt.counts.new,
                "learning": prompt.counts.learning,
                "review": prompt.counts.review,
            },
        )

    def show_back(self, reveal: Reveal) -> None:
        if not self._json:
            super().show_back(reveal)
            return
        feedback = reveal.feedback
        self._emit(
            "answer",
            key=reveal.prompt.item.card.full_key,
            back=back_markdown(reveal.prompt),
            intervals={r.label.lower(): describe(reveal.intervals[r]) for r in Rating},
            suggested=None if reveal.suggested is None else int(reveal.suggested),
            recognised=list(feedback.recognised) if feedback else None,
            missing=list(feedback.missing) if feedback else None,
            correct=None if reveal.correct is None else reveal.correct + 1,
        )

    def show_event(self, name: str, **data: Any) -> None:
        if self._json:
            self._emit(name, **data)
        else:
            super().show_event(name, **data)

    def ask_reveal(self) -> Command | None:
        return self._command(self._line())

    def ask_typed(self) -> str | Command:
        line = self._line()
        return self._command(line) or line

    def ask_choice(self, count: int) -> int | Command:
        while True:
            line = self._line()
            if (command := self._command(line)) is not None:
                return command
            if line.strip().isdigit() and 1 <= int(line) <= count:
                return int(line) - 1
            self._complain(f"expected a number from 1 to {count}, got {line!r}")

    def ask_rating(self, suggested: Rating | None) -> Rating | Command:
        while True:
            line = self._line().strip()
            if (command := self._command(line)) is not None:
                return command
            if line in ("1", "2", "3", "4"):
                return Rating(int(line))
            if line == "" and suggested is not None:
                return suggested
            self._complain(f"expected a rating 1-4, u or q, got {line!r}")

    def _complain(self, message: str) -> None:
        if self._json:
            self._emit("invalid", message=message)
        else:
            self.out.print(Text(message, style="red"))
