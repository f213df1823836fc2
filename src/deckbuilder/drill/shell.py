"""The drill's terminal face: one question, one typed line; plain text or JSON lines.

Line based on purpose: the same flow serves a person at a terminal and a script on stdin.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from deckbuilder.drill import session
from deckbuilder.drill.exercise import Exercise
from deckbuilder.drill.families import FAMILIES
from deckbuilder.drill.reference import Reference
from deckbuilder.drill.units import KINDS
from deckbuilder.quiz.scheduler import Scheduler
from deckbuilder.quiz.store import Store


class LineDrillIO:
    def __init__(self, stdin: IO[str], stdout: IO[str], *, as_json: bool) -> None:
        self._in, self._out, self._json = stdin, stdout, as_json
        self._retry = False  # after an unreadable answer, ask again without repeating the question

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _emit(self, event: str, **data: object) -> None:
        self._write(json.dumps({"event": event, **data}, ensure_ascii=False))

    def ask(self, exercise: Exercise, *, position: int, remaining: int) -> str | None:
        if self._json:
            self._emit(
                "exercise",
                family=exercise.family,
                question=exercise.question,
                expects=KINDS[exercise.kind][1],
                tolerance=exercise.tolerance,
                remaining=remaining,
            )
        elif not self._retry:
            self._write(f"\n[{position}] {exercise.family} ({remaining} more after this)")
            self._write(exercise.question)
            self._write(f"  answer with {KINDS[exercise.kind][1]}; ? shows the solution, q quits")
        if not self._json:
            self._out.write("> ")
            self._out.flush()
        self._retry = False
        line = self._in.readline()
        return None if line == "" else line.rstrip("\n")

    def show(self, event: str, **data: object) -> None:
        if self._json:
            self._emit(event, **data)
        elif event == "invalid":
            self._retry = True
            self._write(f"  {data['message']}. Try again.")
        elif event == "graded":
            self._write(f"  {data['message']} Answer: {data['expected']}")
            for step in data["steps"]:  # type: ignore[attr-defined]
                self._write(f"    {step}")
            self._write(f"  Rated {data['rating']}; next in {data['next']}.")
        elif event == "end":
            ratings = ", ".join(f"{k} {v}" for k, v in dict(data["ratings"]).items())  # type: ignore[call-overload]
            self._write(
                f"\nDrill over: {data['answered']} answered ({ratings}). Every answer is saved."
            )
        elif event == "empty":
            self._write(str(data["message"]))


def run_drill(
    reference: Reference,
    *,
    state: Path,
    families: tuple[str, ...] = (),
    limit: int | None = None,
    as_json: bool = False,
    seed: int | None = None,
    fuzz: bool = True,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    now: Callable[[], datetime],
) -> session.DrillSummary:
    chosen = tuple(f for f in FAMILIES if not families or f.id in families)
    io = LineDrillIO(stdin or sys.stdin, stdout or sys.stdout, as_json=as_json)
    with Store(state) as store:
        queue = session.plan(store, now=now(), families=chosen)
        if not queue and not families:
            message = "No drill is due now. Come back later, or name a family with --family."
            io.show("empty", message=message)
            return session.DrillSummary()
        if not queue:
            io.show("empty", message="Not due yet; drilling the named families anyway.")
            states = store.states(session.identity(f).guid for f in chosen)
            queue = [session.Due(f, states.get(session.identity(f).guid)) for f in chosen]
        return session.run(
            queue,
            reference=reference,
            store=store,
            scheduler=Scheduler(fuzz=fuzz),
            io=io,
            now=now,
            rng=random.Random(seed),
            limit=limit,
        )
