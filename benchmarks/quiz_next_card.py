"""Time to show the next quiz card with a big state file, against an empty state.

    .venv/bin/python benchmarks/quiz_next_card.py [--cards 50000] [--reviews 200000]
        [--answers 200] [--modes flip,typed,choice] [--json PATH]

The library: a generated library of --base scenarios (benchmarks/generate.py), loaded with
deckbuilder, whose scenarios are replicated under new ids until it holds --cards cards.
Two state files in deckbuilder's schema: an empty one, and one filled in bulk with a card
state for every card and --reviews review-log rows, produced by replaying reviews through
fsrs over the past months, so a realistic share of cards is due now.

With --tui (the default) it also times the full-screen reviewer: the Textual app
(deckbuilder.quiz.tui.Reviewer) run headless at 80x24 and driven by Textual's pilot, from the
rating key press to the next card's front on screen (the key handled, the session stepped,
the widgets updated and the screen refreshed).

For each state it times (a) session start: opening the state file (with its integrity
check), selecting the cards and planning the queue; and (b) per card, in a real
deckbuilder.quiz.session.Session driven by a scripted LineIO that answers instantly and
renders with rich into a string, with an injected clock: from the moment an answer is
given to the moment the next card's front has been rendered (recording the answer,
choosing the next card, rendering its front). It also times the reveal (answer given to
back rendered). The ratio big/empty is the result; the 20 ms target is shown beside it.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fsrs  # noqa: E402

from deckbuilder.identity import guid_for  # noqa: E402
from deckbuilder.library import load_library  # noqa: E402
from deckbuilder.model import Library, Scenario  # noqa: E402
from deckbuilder.quiz import app  # noqa: E402
from deckbuilder.quiz import queue as queue_mod  # noqa: E402
from deckbuilder.quiz.scheduler import Phase, Scheduler, card_id_for  # noqa: E402
from deckbuilder.quiz.session import Command, Mode, Session  # noqa: E402
from deckbuilder.quiz.store import Store, iso  # noqa: E402
from deckbuilder.quiz.terminal import LineIO, console  # noqa: E402
from generate import generate  # noqa: E402

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TARGET_MS = 20.0


def big_library(base: Library, cards: int) -> Library:
    """``base`` replicated under new scenario ids until it has exactly ``cards`` cards."""
    scenarios: list[Scenario] = []
    total = 0
    copy = 0
    while total < cards:
        for scenario in base.scenarios:
            if total >= cards:
                break
            meta = scenario.meta
            sid = f"{meta.id}-copy{copy}"
            new_meta = replace(meta, id=sid, folder=f"{meta.folder}-copy{copy}")
            chosen = scenario.cards[: cards - total]
            scenarios.append(
                Scenario(
                    meta=new_meta,
                    cards=tuple(replace(c, scenario_id=sid) for c in chosen),
                )
            )
            total += len(chosen)
        copy += 1
    return Library(root=base.root, topics=base.topics, scenarios=tuple(scenarios))


def fill_state(path: Path, library: Library, *, reviews: int, seed: int) -> dict[str, int]:
    """A state file with a state for every card and ``reviews`` log rows, via bulk SQL."""
    Store(path).close()  # the real schema, application id and version
    rng = random.Random(seed)
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    ratings = (fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy)
    weights = (0.1, 0.1, 0.7, 0.1)
    cards = [c for s in library.scenarios for c in s.cards]
    per_card = [reviews // len(cards)] * len(cards)
    for index in range(reviews - sum(per_card)):
        per_card[index] += 1
    card_rows = []
    review_rows = []
    for card, count in zip(cards, per_card, strict=True):
        guid = guid_for(card.full_key)
        chosen = rng.choices(ratings, weights, k=count)
        # each review on its due date; fsrs (no fuzz) depends only on the gaps, so a dry
        # run gives them, and the real run is placed so the last interval ends about
        # -10%..90% of the way past NOW: about one card in ten is due, as for a daily user
        dry = fsrs.Card(card_id=card_id_for(guid), due=NOW)
        at = NOW
        times = [NOW]
        for rating in chosen:
            dry, _log = scheduler.review_card(dry, rating, review_datetime=at)
            at = max(dry.due, at + timedelta(minutes=1))
            times.append(at)
        last_gap = times[-1] - times[-2]
        shift = (times[-1] - NOW) - last_gap * rng.uniform(-0.1, 0.9)
        state = fsrs.Card(card_id=card_id_for(guid), due=NOW - shift)
        before: str | None = None
        phase = Phase.NEW
        for rating, at in zip(chosen, times, strict=False):
            at -= shift
            state, _log = scheduler.review_card(state, rating, review_datetime=at)
            after = state.to_json()
            review_rows.append(
                (
                    guid,
                    card.full_key,
                    card.scenario_id,
                    card.kind.value,
                    int(rating),
                    iso(at),
                    "flip",
                    0,
                    int(phase),
                    before,
                    after,
                )
            )
            before, phase = after, Phase(int(state.state))
        if before is not None:
            card_rows.append(
                (guid, card.full_key, card.scenario_id, card.kind.value, before, iso(state.due))
            )
    review_rows.sort(key=lambda row: row[5])
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous = OFF")  # bulk load only; sessions use the defaults
        db.execute("BEGIN")
        db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)", card_rows)
        db.executemany(
            "INSERT INTO reviews (guid, card_key, scenario, kind, rating, reviewed_at, mode,"
            " cram, phase_before, state_before, state_after) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            review_rows,
        )
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        due = db.execute("SELECT count(*) FROM cards WHERE due <= ?", (iso(NOW),)).fetchone()[0]
    finally:
        db.close()
    return {"cards": len(card_rows), "reviews": len(review_rows), "due_now": int(due)}


class Clock:
    """Injected time: moves 5 seconds on every reading, so learning steps come back."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=5)
        return self.now


class Script(io.TextIOBase):
    """stdin for LineIO: answers generated on demand, instantly."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.count = 0
        self.pending: list[str] = []

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        if not self.pending:
            self.count += 1
            rating = "3131343323"[self.count % 10]
            if self.mode is Mode.FLIP:
                self.pending = ["", rating]
            elif self.mode is Mode.TYPED:
                self.pending = ["the batch size bounds tail latency under load", ""]
            else:
                self.pending = [str(1 + self.count % 4), ""]
        return self.pending.pop(0) + "\n"


class TimedIO(LineIO):
    """LineIO rendering text with rich into a string, timing every step of a card."""

    def __init__(self, mode: Mode, answers: int) -> None:
        self.buffer = io.StringIO()
        super().__init__(cast("IO[str]", Script(mode)), console(self.buffer), as_json=False)
        self.answers = answers
        self.answered = 0
        self.answer_at: float | None = None
        self.asked_at: float | None = None
        self.next_card_s: list[float] = []  # answer given -> next front rendered
        self.reveal_s: list[float] = []  # reveal asked -> back rendered
        self.first_front_s: float | None = None
        self.started = time.perf_counter()

    def _trim(self) -> None:
        if self.buffer.tell() > 1_000_000:
            self.buffer.seek(0)
            self.buffer.truncate()

    def show_front(self, prompt: Any) -> None:
        super().show_front(prompt)
        done = time.perf_counter()
        if self.answer_at is not None:
            self.next_card_s.append(done - self.answer_at)
            self.answer_at = None
        elif self.first_front_s is None:
            self.first_front_s = done - self.started
        self._trim()

    def _asked(self, value: Any) -> Any:
        if self.answered >= self.answers:
            return Command.QUIT
        self.asked_at = time.perf_counter()
        return value

    def ask_reveal(self) -> Command | None:
        return self._asked(super().ask_reveal())  # type: ignore[no-any-return]

    def ask_typed(self) -> str | Command:
        return self._asked(super().ask_typed())  # type: ignore[no-any-return]

    def ask_choice(self, count: int) -> int | Command:
        return self._asked(super().ask_choice(count))  # type: ignore[no-any-return]

    def show_back(self, reveal: Any) -> None:
        super().show_back(reveal)
        if self.asked_at is not None:
            self.reveal_s.append(time.perf_counter() - self.asked_at)
        self._trim()

    def ask_rating(self, suggested: Any) -> Any:
        rating = super().ask_rating(suggested)
        self.answered += 1
        self.answer_at = time.perf_counter()
        return rating


def tui_session(library: Library, state: Path, answers: int) -> dict[str, Any]:
    """Per card in the Textual reviewer: rating key pressed -> next front on screen."""
    import asyncio

    from deckbuilder.quiz.tui import Reviewer, ScreenIO

    store = Store(state)
    chosen = app.select(library, queue_mod.Filters())
    plan = queue_mod.plan(
        chosen, store=store, now=NOW, new_limit=answers, max_cards=answers, cram=False
    )
    clock = Clock()
    events = ScreenIO()
    session = Session(
        cards=plan.cards,
        store=store,
        scheduler=Scheduler(fuzz=False),
        io=events,
        now=clock,
        mode=Mode.FLIP,
        selection={g: c for c, g in chosen},
        buried=plan.buried,
    )
    next_card: list[float] = []
    reveal: list[float] = []
    next_card_cpu: list[float] = []  # process CPU time: what the work costs on a busy machine

    class Timed(Reviewer):
        """Stamps each key's handling start; the stamp is read once the screen has refreshed
        (call_after_refresh), so the figure covers the session step, the widget updates,
        layout and rendering, and none of the pilot's own waiting."""

        async def action_reveal(self) -> None:
            start = time.perf_counter()
            await super().action_reveal()
            self.call_after_refresh(lambda: reveal.append(time.perf_counter() - start))

        async def rate(self, rating: Any) -> None:
            start, cpu = time.perf_counter(), time.process_time()
            await super().rate(rating)

            def done() -> None:
                next_card.append(time.perf_counter() - start)
                next_card_cpu.append(time.process_time() - cpu)

            self.call_after_refresh(done)

    async def drive() -> None:
        reviewer = Timed(session, events=events, now=clock)
        async with reviewer.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for count in range(answers):
                if reviewer.prompt is None:
                    break
                await pilot.press("space")
                await pilot.press("3131343323"[count % 10])
            await pilot.pause()

    try:
        asyncio.run(drive())
    finally:
        store.close()
    return {
        "queue": {"due": len(plan.due), "new": len(plan.new)},
        "answered": session.summary.reviewed,
        "next_card": _stats(next_card),
        "next_card_cpu": _stats(next_card_cpu),
        "reveal": _stats(reveal),
    }


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "count": len(values),
        "median_ms": statistics.median(values) * 1000,
        "p95_ms": p95 * 1000,
        "max_ms": ordered[-1] * 1000,
        "mean_ms": statistics.fmean(values) * 1000,
    }


def session(library: Library, state: Path, mode: Mode, answers: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    store = Store(state)
    t1 = time.perf_counter()
    chosen = app.select(library, queue_mod.Filters())
    t2 = time.perf_counter()
    plan = queue_mod.plan(
        chosen, store=store, now=NOW, new_limit=answers, max_cards=answers, cram=False
    )
    t3 = time.perf_counter()
    timed = TimedIO(mode, answers)
    clock = Clock()
    try:
        summary = Session(
            cards=plan.cards,
            store=store,
            scheduler=Scheduler(fuzz=False),
            io=timed,
            now=clock,
            mode=mode,
            pool=[c for c, _ in chosen],
        ).run()
    finally:
        store.close()
    return {
        "start_ms": {
            "open_store": (t1 - t0) * 1000,
            "select_cards": (t2 - t1) * 1000,
            "plan_queue": (t3 - t2) * 1000,
            "total": (t3 - t0) * 1000,
            "first_front": (timed.first_front_s or 0.0) * 1000,
        },
        "queue": {"due": len(plan.due), "new": len(plan.new)},
        "answered": summary.reviewed,
        "next_card": _stats(timed.next_card_s),
        "reveal": _stats(timed.reveal_s),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=200_000)
    parser.add_argument(
        "--base",
        type=int,
        default=0,
        help="generate only this many scenarios and replicate them (faster; default 0: "
        "generate enough scenarios for --cards, as deckbuilder quiz would load them)",
    )
    parser.add_argument("--answers", type=int, default=200, help="cards answered per session")
    parser.add_argument("--modes", default="flip,typed,choice")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--tui",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the full-screen (Textual) reviewer",
    )
    args = parser.parse_args(argv)
    modes = [Mode(m) for m in args.modes.split(",")]

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix="deckbuilder-quiz-bench-"))
    try:
        t = time.perf_counter()
        count = args.base or math.ceil(args.cards / 115)  # generated scenarios hold 110-140
        generate(work / "lib", count, seed=args.seed)
        t_gen = time.perf_counter() - t
        t = time.perf_counter()
        base = load_library(work / "lib")
        load_s = time.perf_counter() - t
        base_cards = sum(len(s.cards) for s in base.scenarios)
        library = big_library(base, args.cards)
        log(
            f"library: {count} generated scenarios ({base_cards} cards, loaded in "
            f"{load_s:.1f} s); using {len(library.scenarios)} scenarios (replicated if "
            "needed), "
            f"{sum(len(s.cards) for s in library.scenarios)} cards ({t_gen:.1f} s to generate)"
        )
        t = time.perf_counter()
        big_state = work / "big.sqlite3"
        filled = fill_state(big_state, library, reviews=args.reviews, seed=args.seed)
        log(
            f"big state: {filled} in {time.perf_counter() - t:.1f} s, "
            f"{big_state.stat().st_size / 1e6:.0f} MB"
        )
        empty_state = work / "empty.sqlite3"
        Store(empty_state).close()
        results: dict[str, Any] = {}
        for mode in modes:
            for name, source in (("empty", empty_state), ("big", big_state)):
                copy = work / f"{name}-{mode.value}.sqlite3"
                shutil.copyfile(source, copy)
                log(f"{mode.value}: {name} state session of {args.answers} answers")
                results[f"{mode.value}/{name}"] = session(library, copy, mode, args.answers)
                copy.unlink()
        if args.tui:
            for name, source in (("empty", empty_state), ("big", big_state)):
                copy = work / f"{name}-tui.sqlite3"
                shutil.copyfile(source, copy)
                log(f"tui: {name} state session of {args.answers} answers")
                results[f"tui/{name}"] = tui_session(library, copy, args.answers)
                copy.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        f"quiz: {sum(len(s.cards) for s in library.scenarios):,} cards; big state "
        f"{filled['cards']:,} card states, {filled['reviews']:,} reviews "
        f"({filled['due_now']:,} due now); {args.answers} answers per session",
        f"{'':34}{'empty state':>14}{'big state':>14}{'big/empty':>11}",
    ]

    def row(label: str, a: float, b: float, unit: str = "ms") -> str:
        ratio = b / a if a else float("nan")
        return f"{label:34}{a:>11.1f} {unit}{b:>11.1f} {unit}{ratio:>10.2f}x"

    first = modes[0].value
    e, b = results[f"{first}/empty"]["start_ms"], results[f"{first}/big"]["start_ms"]
    lines.append(f"session start ({first} mode)")
    for key, label in (
        ("open_store", "  open state file"),
        ("select_cards", "  select cards (tags, GUIDs)"),
        ("plan_queue", "  plan the queue"),
        ("total", "  total"),
        ("first_front", "  run() to first front shown"),
    ):
        lines.append(row(label, e[key], b[key]))
    for mode in modes:
        e_run, b_run = results[f"{mode.value}/empty"], results[f"{mode.value}/big"]
        lines.append(
            f"per card, {mode.value} mode (queue: empty {e_run['queue']['new']} new; big "
            f"{b_run['queue']['due']} due + {b_run['queue']['new']} new)"
        )
        for what, label in (("next_card", "answer -> next front"), ("reveal", "reveal -> back")):
            es, bs = e_run[what], b_run[what]
            if not es.get("count") or not bs.get("count"):
                continue
            lines.append(row(f"  {label}, median", es["median_ms"], bs["median_ms"]))
            lines.append(row(f"  {label}, p95", es["p95_ms"], bs["p95_ms"]))
    if args.tui:
        e_run, b_run = results["tui/empty"], results["tui/big"]
        lines.append(
            f"per card, full-screen reviewer (Textual, 80x24, pilot; queue: big "
            f"{b_run['queue']['due']} due + {b_run['queue']['new']} new)"
        )
        for what, label in (
            ("next_card", "rating key -> next front shown"),
            ("next_card_cpu", "  the same, CPU time"),
            ("reveal", "space -> answer shown"),
        ):
            es, bs = e_run[what], b_run[what]
            if es.get("count") and bs.get("count"):
                lines.append(row(f"  {label}, median", es["median_ms"], bs["median_ms"]))
                lines.append(row(f"  {label}, p95", es["p95_ms"], bs["p95_ms"]))
    lines.append(
        f"target: next card under {TARGET_MS:.0f} ms (an absolute time on a shared machine: "
        "read it with the ratio)"
    )
    if args.base:
        lines.append(
            f"note: loading the library itself took {load_s:.2f} s for {base_cards} cards; "
            f"deckbuilder quiz loads every scenario at start, so {args.cards:,} cards would "
            f"take about {load_s * args.cards / base_cards:.0f} s before the first card "
            "(linear extrapolation)"
        )
    else:
        lines.append(
            f"note: before any of this, deckbuilder quiz loads the library: load_library of "
            f"these {count} scenarios ({base_cards:,} cards) took {load_s:.2f} s, the same "
            "for both states"
        )
    print("\n".join(lines))
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "quiz next card",
                    "cards": args.cards,
                    "reviews": args.reviews,
                    "answers": args.answers,
                    "state": filled,
                    "target_ms": TARGET_MS,
                    "library_load_s": load_s,
                    "library_base_cards": base_cards,
                    "results": results,
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
