"""The quiz in a real pseudo-terminal, driven key by key as a person would."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pexpect

from conftest import FIXTURE_LIBRARY

EXE = str(Path(sys.executable).parent / "deckbuilder")


def spawn(state: Path, *args: str, plain: bool = True) -> pexpect.spawn:
    """The quiz on a pseudo-terminal: the line interface (--plain), or the full screen."""
    return pexpect.spawn(
        EXE,
        ["quiz", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state), *args]
        + (["--plain"] if plain else []),
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 80),
        env={**os.environ, "NO_COLOR": "1", "TERM": "xterm"},
    )


def reviews(state: Path) -> list[tuple[str, int]]:
    db = sqlite3.connect(state)
    try:
        return db.execute("SELECT card_key, rating FROM reviews ORDER BY id").fetchall()
    finally:
        db.close()


def test_keys_reveal_rate_undo_and_quit(tmp_path: Path) -> None:
    """Space reveals, 3 rates Good, u undoes, q quits; the log holds exactly the kept answers."""
    state = tmp_path / "q.sqlite3"
    child = spawn(state, "--max", "3")
    child.expect(r"\[space\] reveal")
    child.send(" ")
    child.expect(r"1 Again \(1m\)  2 Hard \(6m\)  3 Good \(10m\)  4 Easy \(8d\)")
    child.send("3")
    child.expect(r"\[space\] reveal")
    child.send(" ")
    child.expect("4 Easy")
    child.send("4")
    child.expect(r"\[space\] reveal")
    child.send("u")
    child.expect("Undone: foundations/")
    child.expect(r"\[space\] reveal")
    child.send("q")
    child.expect("Session over: 1 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [rating for _key, rating in reviews(state)] == [3]


def test_ctrl_c_and_ctrl_d_quit_cleanly(tmp_path: Path) -> None:
    """Ctrl-C at a rating and Ctrl-D at a reveal both end the session with a summary, no traceback."""
    state = tmp_path / "q.sqlite3"
    child = spawn(state)
    child.expect(r"\[space\] reveal")
    child.send(" ")
    child.expect("4 Easy")
    child.sendintr()
    child.expect("Session over: 0 answered")
    child.expect(pexpect.EOF)
    assert "Traceback" not in (child.before or "")
    child.close()
    assert child.exitstatus == 0
    child = spawn(state)
    child.expect(r"\[space\] reveal")
    child.sendeof()
    child.expect("Session over: 0 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_typed_mode_in_a_terminal(tmp_path: Path) -> None:
    """In typed mode the answer is a line; recognised and missing points are shown; Enter takes the suggestion."""
    state = tmp_path / "q.sqlite3"
    child = spawn(state, "--mode", "typed", "--kind", "follow-up", "--max", "1")
    child.expect("Type your answer")
    child.sendline("scale out on cpu")
    child.expect("✗ Admission control on queued prefill tokens.")
    child.expect("Enter = Again")
    child.send("\r")
    child.expect("Type your answer")  # rated Again: the one-minute step comes back this session
    child.sendline("q")
    child.expect("Session over: 1 answered")
    child.close()
    assert reviews(state) == [
        (
            "mini-serving/follow-up/how-do-you-keep-p99-ttft-low-under-a-burst--what-do-you-limit-first",
            1,
        )
    ]


def test_kill_9_loses_at_most_the_unanswered_card(tmp_path: Path) -> None:
    """SIGKILL in the middle of a session keeps every answer given; the next session resumes."""
    state = tmp_path / "q.sqlite3"
    child = spawn(state, "--max", "5")
    for rating in ("3", "1"):
        child.expect(r"\[space\] reveal")
        child.send(" ")
        child.expect("4 Easy")
        child.send(rating)
    child.expect(r"\[space\] reveal")
    child.send(" ")
    child.expect("4 Easy")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert [rating for _key, rating in reviews(state)] == [3, 1]
    resumed = subprocess.run(
        [
            EXE,
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(state),
            "--json",
            "--max",
            "1",
        ],
        input="\n3\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"event": "card"' in resumed.stdout
    assert len(reviews(state)) == 3


def test_two_sessions_on_one_state_file_lose_nothing(tmp_path: Path) -> None:
    """Two quiz processes answering at the same time on one state file keep every answer."""
    state = tmp_path / "q.sqlite3"
    commands = [
        [
            EXE,
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(state),
            "--json",
            "--cram",
            "--max",
            "20",
        ],
        [
            EXE,
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(state),
            "--json",
            "--new",
            "20",
        ],
    ]
    subprocess.run(
        [*commands[1][:-2], "--max", "1"], input="\n3\n", text=True, check=True, capture_output=True
    )
    procs = [
        subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for cmd in commands
    ]
    outputs = [p.communicate("\n3\n" * 20, timeout=60)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    rated = sum(out.count('"event": "rated"') for out in outputs)
    assert rated == len(reviews(state)) - 1
    assert rated >= 30


def test_full_screen_reviewer_end_to_end(tmp_path: Path) -> None:
    """On a terminal the reviewer takes the alternate screen: reveal, rate with an echo, undo,
    help, quit; the terminal is restored and the summary printed."""
    state = tmp_path / "q.sqlite3"
    child = spawn(state, "--max", "3", "--no-fuzz", plain=False)
    child.expect("\x1b\\[\\?1049h")  # the alternate screen
    child.expect("space show answer")
    child.send(" ")
    child.expect("Good")
    child.send("3")
    child.expect("due in 10m")
    child.send(" ")
    child.expect("Easy")
    child.send("4")
    child.expect("Easy → due in 8d")
    child.send("u")
    child.expect("Undone: ")
    child.send("?")
    child.expect("this help")
    child.send("x")
    child.send("q")
    child.expect("\x1b\\[\\?1049l")  # back to the normal screen
    child.expect("Session over: 1 answered")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert [rating for _key, rating in reviews(state)] == [3]
