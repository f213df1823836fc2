"""kill -9 during quiz sessions: no confirmed answer is ever lost, and the file stays whole.

Sessions run the real command (`deckbuilder quiz --json`) on one state file. Each is
killed with SIGKILL at a random point: while a card is shown, right after a rating is
sent (mid-commit), or right after the answer was confirmed. An answer counts as
confirmed once its `rated` event has been read. After every kill the file must pass
SQLite's integrity check, hold every confirmed answer, and every card's schedule must be
the one its last logged answer wrote (the two are saved in one transaction).
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURE_LIBRARY

KILLS = 30
HANG_GUARD_SECONDS = 60  # a hang detector, far above a real answer: not a speed assertion


class Session:
    def __init__(self, state: Path) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "deckbuilder"),
                "quiz",
                "--json",
                "--new",
                "1000",
                "--scenarios",
                str(FIXTURE_LIBRARY),
                "--state",
                str(state),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"},  # an event per line
        )
        self._pending = b""

    def event(self) -> dict[str, object] | None:
        """The next event, or None once the session has ended."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._pending:
            ready, _, _ = select.select([fd], [], [], HANG_GUARD_SECONDS)
            assert ready, "the quiz stopped answering: a hang"
            chunk = os.read(fd, 65536)  # unbuffered: select sees exactly what is unread
            if not chunk:
                return None
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)  # type: ignore[no-any-return]

    def send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode() + b"\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def _run_until_killed(state: Path, rng: random.Random) -> int:
    """One session killed at a random point; the number of answers it confirmed."""
    session = Session(state)
    confirmed = 0
    answers_before_kill = rng.randrange(0, 4)
    moment = rng.choice(["shown", "sent", "confirmed"])
    while (event := session.event()) is not None:
        if event["event"] != "card":
            if event["event"] == "rated":
                confirmed += 1
            continue
        if confirmed == answers_before_kill and moment == "shown":
            break
        session.send("")
        session.send(rng.choice("1234"))
        if confirmed == answers_before_kill and moment == "sent":
            break
        while (event := session.event()) is not None and event["event"] != "rated":
            pass
        if event is None:
            break
        confirmed += 1
        if confirmed > answers_before_kill:
            break
    session.kill()
    return confirmed


def test_kill_nine_never_loses_a_confirmed_answer(tmp_path: Path) -> None:
    state = tmp_path / "q.sqlite3"
    rng = random.Random(19)
    confirmed_total = 0
    for _ in range(KILLS):
        confirmed_total += _run_until_killed(state, rng)
        db = sqlite3.connect(state)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            logged = db.execute("SELECT count(*) FROM reviews").fetchone()[0]
            # a rating sent just before the kill may or may not have been saved
            assert confirmed_total <= logged <= confirmed_total + KILLS
            confirmed_total = logged
            last_written = dict(
                db.execute(
                    "SELECT guid, state_after FROM reviews WHERE id IN"
                    " (SELECT max(id) FROM reviews WHERE cram = 0 GROUP BY guid)"
                ).fetchall()
            )
            schedules = dict(db.execute("SELECT guid, state FROM cards").fetchall())
            assert schedules == last_written
        finally:
            db.close()
    assert confirmed_total > KILLS // 2  # the sessions did answer cards between kills
