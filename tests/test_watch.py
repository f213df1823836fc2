"""watch in a real terminal: rebuilds on save, waits for a concurrent build instead of
dropping the save, and reports problems (bad input, a full disk) without dying."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pexpect

from conftest import DECKBUILDER, _limited, cli, edit, lock_held, run, snapshot, wait_until_gone


def _watch(library: Path, out: Path, *, file_size: int | None = None) -> pexpect.spawn:
    return pexpect.spawn(
        DECKBUILDER[0],
        [*DECKBUILDER[1:], "watch", "--scenarios", str(library), "--out", str(out)],
        encoding="utf-8",
        timeout=30,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=lambda: _limited(file_size, False),
    )


def _stop(child: pexpect.spawn) -> None:
    child.sendintr()
    child.expect([pexpect.EOF, "Stopped."])
    child.close()


def test_watch_rebuilds_on_save(library_copy: Path, tmp_path: Path) -> None:
    """watch builds at start, rebuilds after a save with the change report, and survives bad input."""
    out = tmp_path / "decks"
    child = _watch(library_copy, out)
    try:
        child.expect("Built 11 packages")
        child.expect("Watching")
        rubric = library_copy / "01-mini-serving" / "rubric.md"
        edit(
            library_copy / "00-foundations" / "foundations.md",
            "all tokens at once.",
            "all at once.",
        )
        child.expect(r"changed  00 Foundations: Key concept: Prefill")
        child.expect(r"Built 11 packages \(3 written, 8 unchanged\)")
        child.expect("Watching")
        edit(rubric, "- **Hire:**", "- **Hired:**")
        child.expect("rubric dimension 'Capacity estimation' is missing 'Hire'")
        child.expect("Watching")
        assert child.isalive()
    finally:
        _stop(child)


def test_a_save_during_another_build_is_rebuilt_when_it_ends(
    library_copy: Path, tmp_path: Path
) -> None:
    """A save made while another build holds decks/ waits for it, then is built: never lost."""
    out = tmp_path / "decks"
    child = _watch(library_copy, out)
    try:
        child.expect("Built 11 packages")
        child.expect("Watching")
        with lock_held(out):
            edit(
                library_copy / "00-foundations" / "foundations.md",
                "all tokens at once.",
                "all at once.",
            )
            child.expect("Waiting: .*another deckbuilder build is writing here")
        child.expect(r"changed  00 Foundations: Key concept: Prefill")
        child.expect(r"Built 11 packages \(3 written, 8 unchanged\)")
        child.expect("Watching")
    finally:
        _stop(child)


def test_a_full_disk_is_an_error_and_watching_goes_on(library_copy: Path, tmp_path: Path) -> None:
    """When the disk is full the build fails with a clear error and the watcher keeps going."""
    out = tmp_path / "decks"
    child = _watch(library_copy, out, file_size=4096)
    try:
        child.expect("Error: .*(File too large|disk I/O error)")
        child.expect("Watching")
        edit(
            library_copy / "00-foundations" / "foundations.md",
            "all tokens at once.",
            "all at once.",
        )
        child.expect("Error: .*(File too large|disk I/O error)")
        child.expect("Watching")
        assert child.isalive()
        assert "Traceback" not in (child.before or "")
    finally:
        _stop(child)
    assert snapshot(out) == {}  # nothing half written


def test_missing_scenarios_folder(tmp_path: Path) -> None:
    """Watching a folder that does not exist is a clear error, not a traceback."""
    code, _out, err = cli("watch", "--scenarios", str(tmp_path / "nowhere"), "--out", str(tmp_path))
    assert (code, err) == (1, f"Error: {tmp_path / 'nowhere'}: scenarios folder not found\n")


def test_killing_watch_mid_rebuild_never_locks_out_the_next_build(
    library_copy: Path, tmp_path: Path
) -> None:
    """watch killed (SIGKILL or SIGTERM) while it rebuilds after a save leaves no worker and
    no lock behind: the next build works and leaves decks/ fresh."""
    out = tmp_path / "decks"
    rng = random.Random(6)
    for kill in range(4):
        child = _watch(library_copy, out)
        child.expect("Watching")
        edit(library_copy / "01-mini-serving" / "rubric.md", "no estimate", f"no estimate {kill}")
        time.sleep(rng.uniform(0.2, 0.8))  # watchfiles debounces for 0.3 s, then the rebuild
        child.kill(rng.choice([signal.SIGKILL, signal.SIGTERM]))
        child.close(force=True)
        assert wait_until_gone(str(out)) == []
        after = run("build", "--scenarios", str(library_copy), "--out", str(out), "--jobs", "2")
        assert after.returncode == 0, after.stderr
        check = run("build", "--check", "--scenarios", str(library_copy), "--out", str(out))
        assert check.returncode == 0, check.stderr
