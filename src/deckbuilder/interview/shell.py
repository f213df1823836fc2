"""The interview's terminal face (plain lines or JSON lines), the transcript file and history."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from deckbuilder.errors import DeckbuilderError
from deckbuilder.interview.history import interviews, record_interview
from deckbuilder.interview.material import load_material
from deckbuilder.interview.session import Outcome, Quit, run_interview
from deckbuilder.model import Library, Scenario
from deckbuilder.quiz.store import Store


class LineInterviewIO:
    def __init__(
        self, stdin: IO[str], stdout: IO[str], *, as_json: bool, now: Callable[[], datetime]
    ) -> None:
        self._in, self._out, self._json, self._now = stdin, stdout, as_json, now
        self._started = now()
        self._deadline = ""  # shown in every prompt during a phase: "[07:12 / 14:42] > "

    def _write(self, text: str = "") -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _clock(self, suffix: str = "") -> str:
        """The visible timer: elapsed mm:ss, with the phase's end minute in line prompts."""
        seconds = int((self._now() - self._started).total_seconds())
        return f"[{seconds // 60:02d}:{seconds % 60:02d}{suffix}]"

    def line(self, prompt: str) -> str | None:
        if not self._json:
            self._out.write(f"{prompt}: " if prompt else f"{self._clock(self._deadline)} > ")
            self._out.flush()
        line = self._in.readline()
        return None if line == "" else line.rstrip("\n")

    def show(self, event: str, **data: Any) -> None:
        if self._json:
            self._write(json.dumps({"event": event, **data}, ensure_ascii=False))
            return
        write = self._write
        if event == "prompt":
            write(f"== {data['title']} ({data['minutes']:g} minutes) ==\n\n{data['prompt']}\n")
            write(
                "Timeline: "
                + "; ".join(f"{p['start']:g}-{p['end']:g} {p['phase']}" for p in data["phases"])
            )
        elif event == "questions":
            write(f"\nReference questions ({data['covered']} of {len(data['reference'])} covered):")
            for q in data["reference"]:
                mark = "x" if q["covered_by"] else " "
                write(f"  [{mark}] {q['question']}  ({q['source']})\n      why: {q['why']}")
        elif event == "reference":
            write(f"--- {data['title']} ---\n{data['text']}\n---")
        elif event == "ask":
            write(f"{self._clock()} {data['prompt']}")
        elif event == "checkpoint":
            write(
                f"{self._clock()} Checkpoint: minute {data['minute']:g} was the end of "
                f"'{data['phase']}'. By now: {data['covers']}"
            )
        elif event == "phase":
            end = round(float(data["end"]) * 60)
            self._deadline = f" / {end // 60:02d}:{end % 60:02d}"  # elapsed / end of the phase
            write(
                f"\n{self._clock()} Phase: {data['phase']} "
                f"(minute {data['start']:g} to {data['end']:g})"
            )
            write(f"  by minute {data['end']:g} a strong answer covers: {data['covers']}")
        elif event == "curveball":
            write(f"{self._clock()} CURVEBALL (minute {data['minute']:g}): {data['pivot']}")
        elif event == "phase-end":
            over = f", {data['over_by']:g} min over" if data["over_by"] else ""
            write(
                f"{self._clock()} End of '{data['phase']}' "
                f"(planned minute {data['planned_end']:g}{over})"
            )
            if data["reference"]:
                ref = data["reference"]
                write(f"  Reference: {ref['section']} ({ref['source']})")
                for point in ref["points"]:
                    write(f"    - {point}")
            for ball in data["curveballs"]:
                write(f"  Curveball '{ball['pivot']}' ({ball['source']}): expected pivots")
                for point in ball["points"]:
                    write(f"    - {point}")
        elif event == "dimension":
            write(f"\nScore: {data['dimension']} (weight {data['weight']:g}%)")
            for level in data["levels"]:
                write(f"  {level['level']}: {level['descriptor']}")
                if level["anchor"]:
                    write(f"      e.g. {level['anchor']}")
        elif event == "invalid":
            write(f"  {data['message']}")
        elif event == "decision":
            mean = "" if data["mean"] is None else f" (weighted mean {data['mean']:.2f})"
            write(f"\nDecision: {data['outcome']}{mean}")
            for reason in data["reasons"]:
                write(f"  - {reason}")
            for suggestion in data["suggestions"]:
                write(f"  Practise: {suggestion}")
        elif event == "saved":
            write(f"Transcript: {data['path']}")


def pick_scenario(library: Library, *, store: Store, rng: random.Random) -> Scenario:
    """Weighted towards scenarios practised least and scored lowest (number 0, the shared
    foundations set, is not an interview)."""
    choices = [s for s in library.scenarios if s.meta.number > 0]
    sessions: dict[str, int] = {}
    last_mean: dict[str, float] = {}
    for record in interviews(store):
        sessions[record.scenario] = sessions.get(record.scenario, 0) + 1
        if record.mean is not None:
            last_mean[record.scenario] = record.mean
    weights = [
        (1 / (1 + sessions.get(s.meta.id, 0))) * (1 + 4 - last_mean.get(s.meta.id, 2.0))
        for s in choices
    ]
    return rng.choices(choices, weights=weights)[0]


def run(
    library: Library,
    *,
    scenarios: Path,
    state: Path,
    transcripts: Path,
    only: str | None,
    minutes: float,
    as_json: bool,
    now: Callable[[], datetime],
    seed: int | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> Outcome | None:
    io = LineInterviewIO(stdin or sys.stdin, stdout or sys.stdout, as_json=as_json, now=now)
    with Store(state) as store:
        if only:
            matches = [
                s
                for s in library.scenarios
                if only in (s.meta.id, s.meta.folder) and s.meta.number > 0
            ]
            if not matches:
                raise DeckbuilderError(f"no scenario with the id or folder name '{only}'")
            scenario = matches[0]
        else:
            scenario = pick_scenario(library, store=store, rng=random.Random(seed))
        material = load_material(scenarios, scenario)
        topics = [(t.id, f"{t.title} {' '.join(t.keywords)}") for t in library.topics]
        try:
            outcome = run_interview(material, io=io, now=now, minutes=minutes, topics=topics)
        except Quit:
            io.show("end", saved=False)
            return None
        transcripts.mkdir(parents=True, exist_ok=True)
        path = transcripts / f"{outcome.started:%Y%m%d-%H%M%S}-{scenario.meta.id}.md"
        path.write_text(outcome.transcript, encoding="utf-8")
        record_interview(
            store,
            scenario=scenario.meta.id,
            started=outcome.started,
            finished=outcome.finished,
            minutes=minutes,
            decision=outcome.decision.outcome,
            mean=outcome.decision.mean,
            transcript=str(path),
            scores=[(s.dimension, s.weight, s.effective, s.prompted) for s in outcome.scores],
        )
        io.show("saved", path=str(path))
        return outcome
