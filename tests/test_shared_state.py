"""A shared quiz state file: odd paths, two sessions at once, and honest diagnoses."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DECKBUILDER, FIXTURE_LIBRARY, run
from deckbuilder.cli import main
from deckbuilder.quiz.scheduler import Rating, Scheduler
from deckbuilder.quiz.store import CardIdentity, StateError, Store

HANG_GUARD_SECONDS = 60  # a hang detector, far above any real start-up: not a speed assertion
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CARD = CardIdentity("guid-1", "mini-serving/concept/kv-cache", "mini-serving", "concept")


def stats(state: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)]
    )
    return result.exit_code, result.stdout, result.stderr


# --- #7: '#', '?' and '%' in the state path ------------------------------------------------


@pytest.mark.parametrize("name", ["a#b", "what?", "100%", "%23#?%3F"])
def test_state_paths_with_uri_characters(tmp_path: Path, name: str) -> None:
    """The read-only check escapes the path: the file opens, and no stray file appears."""
    folder = tmp_path / name
    state = folder / f"{name}.sqlite3"
    answer = CliRunner().invoke(
        main,
        ["quiz", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state), "--max", "1"],
        input="\n3\n",
    )
    assert answer.exit_code == 0, answer.output
    code, _out, err = stats(state)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    leftovers = {p.name for p in folder.iterdir()} - {
        state.name,
        f"{state.name}-wal",
        f"{state.name}-shm",
    }
    assert leftovers == set()
    db = sqlite3.connect(state)
    assert db.execute("SELECT count(*) FROM reviews").fetchone() == (1,)
    db.close()


# --- #14: two sessions on one file ----------------------------------------------------------


def _open_at_once(path: str, barrier: multiprocessing.synchronize.Barrier) -> None:  # type: ignore[name-defined]
    barrier.wait()
    with Store(Path(path)):
        pass


def test_sessions_creating_one_new_state_file_at_once_all_succeed(tmp_path: Path) -> None:
    """Each builds its own temporary file; the first link wins and the others open it."""
    context = multiprocessing.get_context("fork")
    for attempt in range(20):
        state = tmp_path / f"q{attempt}.sqlite3"
        barrier = context.Barrier(4)
        workers = [
            context.Process(target=_open_at_once, args=(str(state), barrier)) for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(HANG_GUARD_SECONDS)
        assert [w.exitcode for w in workers] == [0, 0, 0, 0], attempt
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")]


def _cards(state: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(state)
    try:
        return (
            db.execute("SELECT guid, state FROM cards").fetchall()
            + db.execute("SELECT id, guid, state_after FROM reviews ORDER BY id").fetchall()
        )
    finally:
        db.close()


def test_undo_never_takes_back_what_another_session_did(tmp_path: Path) -> None:
    """B rates a card, A rates it after; B's undo would erase A's schedule: refused, no change.
    Once A takes its own answer back, B's undo is possible again, and both stay consistent."""
    state = tmp_path / "q.sqlite3"
    scheduler = Scheduler(fuzz=False)
    first = scheduler.new(CARD.guid, now=NOW)
    with Store(state) as session_a, Store(state) as session_b:
        after_b = scheduler.review(first, Rating.GOOD, now=NOW)
        b_review = session_b.record(
            CARD, rating=Rating.GOOD, at=NOW, mode="flip", before=None, after=after_b
        )
        later = NOW + timedelta(minutes=10)
        after_a = scheduler.review(after_b, Rating.EASY, now=later)
        a_review = session_a.record(
            CARD, rating=Rating.EASY, at=later, mode="flip", before=after_b, after=after_a
        )
        before = _cards(state)
        with pytest.raises(StateError) as refused:
            session_b.undo(b_review)
        assert str(refused.value) == (
            "mini-serving/concept/kv-cache was answered again in another session since; "
            "this answer can no longer be taken back"
        )
        assert _cards(state) == before
        assert session_a.states([CARD.guid]) == {CARD.guid: after_a}

        session_a.undo(a_review)
        assert session_a.states([CARD.guid]) == {CARD.guid: after_b}
        session_b.undo(b_review)
        assert session_b.states([CARD.guid]) == {}
        assert _cards(state) == []


def test_a_refused_undo_in_a_session_is_reported_and_the_session_goes_on(tmp_path: Path) -> None:
    """Session A rates a card Again; session B, started meanwhile, answers it; A's undo is
    refused with the reason, B's answer stands, and A carries on and ends normally."""
    state = tmp_path / "q.sqlite3"
    quiz = [*DECKBUILDER, "quiz", "--scenarios", str(FIXTURE_LIBRARY)]
    quiz += ["--state", str(state), "--json", "--no-fuzz"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    a = subprocess.Popen(quiz, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert a.stdin is not None and a.stdout is not None

    def next_event(name: str) -> dict[str, object]:
        assert a.stdout is not None
        while line := a.stdout.readline():
            event: dict[str, object] = json.loads(line)
            if event["event"] == name:
                return event
        raise AssertionError(f"session A ended before a {name!r} event")

    try:
        card = next_event("card")["key"]
        a.stdin.write("\n1\n")  # reveal, Again: due again within the learn-ahead window
        a.stdin.flush()
        assert next_event("rated")["key"] == card
        b = subprocess.run(
            [*quiz, "--new", "0", "--max", "1"],
            input="\n3\nq\n",
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        rated_by_b = [json.loads(x) for x in b.stdout.splitlines() if '"rated"' in x]
        assert [event["key"] for event in rated_by_b] == [card]
        a.stdin.write("u\nq\n")
        a.stdin.flush()
        undo = next_event("undo")
        assert undo["ok"] is False
        assert undo["reason"] == (
            f"{card} was answered again in another session since; "
            "this answer can no longer be taken back"
        )
        assert next_event("end")["reviewed"] == 1
    finally:
        a.stdin.close()
        assert a.wait(timeout=60) == 0
    reviews = sqlite3.connect(state).execute("SELECT count(*) FROM reviews").fetchone()[0]
    assert reviews == 2


# --- #16: honest diagnoses --------------------------------------------------------------------


def test_a_fifo_as_the_state_file_is_refused_at_once(tmp_path: Path) -> None:
    state = tmp_path / "q.sqlite3"
    os.mkfifo(state)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "deckbuilder"),
            "stats",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {state}: not a deckbuilder quiz state file (not a regular file)\n"
    )


def test_a_read_only_folder_is_reported_as_such_not_as_damage(tmp_path: Path) -> None:
    """SQLite writes its log next to the file: a read-only folder is named, the file is fine."""
    folder = tmp_path / "state"
    folder.mkdir()
    state = folder / "q.sqlite3"
    with Store(state):
        pass
    for path in folder.iterdir():
        path.chmod(0o666)
    (folder / "q.sqlite3-wal").unlink(missing_ok=True)
    (folder / "q.sqlite3-shm").unlink(missing_ok=True)
    before = state.read_bytes()
    folder.chmod(0o555)
    try:
        result = run(
            "stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state), as_user=True
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    assert result.stderr == f"Error: {state}: the folder holding the quiz state is read-only\n"
    assert state.read_bytes() == before
