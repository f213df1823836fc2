"""Helpers shared by every test: fixture libraries, one clock, one edit, one snapshot, and a
way to run deckbuilder as a separate process (for kills, limits and permissions)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from deckbuilder.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_LIBRARY = ROOT / "tests" / "fixtures" / "library"
# every card kind with code blocks, tables, images and long words: the preview and browser tests
PREVIEW_LIBRARY = ROOT / "tests" / "fixtures" / "preview-library"
SCENARIOS = ROOT / "scenarios"
DECKBUILDER = [sys.executable, "-c", "from deckbuilder.cli import main; main()"]


@pytest.fixture(autouse=True, scope="session")
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands without --out cache in the user's cache folder: keep tests out of ~/.cache."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture scenario library."""
    target = tmp_path / "scenarios"
    shutil.copytree(FIXTURE_LIBRARY, target)
    return target


@pytest.fixture
def preview_library_copy(tmp_path: Path) -> Path:
    """A writable copy of the preview fixture library."""
    target = tmp_path / "preview-library"
    shutil.copytree(PREVIEW_LIBRARY, target)
    return target


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


class Clock:
    """A settable clock: ``clock()`` is the time as the quiz reads it (an aware datetime),
    ``clock.seconds()`` as a build reads it (seconds since the epoch)."""

    def __init__(
        self,
        start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        *,
        step: timedelta = timedelta(0),
    ) -> None:
        self.now = start
        self.step = step  # added to the time at every reading (a session that takes time)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file with ``new``; ``old`` must be there."""
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def snapshot(out: Path) -> dict[str, str]:
    """Every output file's hash, by path: the lock and the cache are not outputs."""
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock" and ".cache" not in p.relative_to(out).parts
    }


def cli(*args: str) -> tuple[int, str, str]:
    """Run a command in this process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def _limited(file_size: int | None, as_user: bool, memory: int | None = None) -> None:
    """Run in the child before exec: limits on file size and memory, and no root override
    of file permissions."""
    import resource

    if file_size is not None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    if memory is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if as_user and os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "cannot drop capability")


def run(
    *args: str,
    file_size: int | None = None,
    memory: int | None = None,
    as_user: bool = False,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run deckbuilder as a separate process. ``file_size`` caps every file it writes (a
    full disk), ``memory`` its address space; ``as_user`` takes away root's power to ignore
    file permissions."""
    return subprocess.run(
        [*DECKBUILDER, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=lambda: _limited(file_size, as_user, memory),
        env={**os.environ, "NO_COLOR": "1"},
    )


def alive_with(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (a killed build's workers would)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_until_gone(marker: str) -> list[int]:
    """Wait (up to 10 s) until no process names ``marker``; return those still alive."""
    deadline = time.monotonic() + 10
    while (alive := alive_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@contextlib.contextmanager
def lock_held(out: Path) -> Iterator[None]:
    """Another process holds the build lock on ``out`` until the block ends."""
    out.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.lockf(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.readline()",
            str(out / ".lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


# Hypothesis profiles: "ci" (default) runs a few hundred examples per property; "long" is the
# documented deep run: HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py  (10,000 examples).
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# A real browser: Debian's Chromium driven by Playwright (no browser downloads; .ci/run
# installs the package when it is missing).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps its event
    loop running until it exits, and Textual's pilot tests need to start their own."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or deselect -m browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def quiz_events(
    library_dir: Path, state: Path, answers: list[str], clock: Clock, **options: object
) -> list[dict[str, object]]:
    """Run one quiz session answering line by line; return its JSON events."""
    from deckbuilder.library import load_library
    from deckbuilder.quiz.app import QuizOptions, run_quiz
    from deckbuilder.quiz.queue import Filters
    from deckbuilder.quiz.session import Mode

    out = io.StringIO()
    settings: dict[str, object] = {
        "filters": Filters(),
        "mode": Mode.FLIP,
        "as_json": True,
        "fuzz": False,
    }
    settings.update(options)
    run_quiz(
        load_library(library_dir),
        state=state,
        options=QuizOptions(**settings),  # type: ignore[arg-type]
        stdin=io.StringIO("".join(a + "\n" for a in answers)),
        stdout=out,
        now=clock,
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def rows(state: Path, sql: str) -> list[tuple[object, ...]]:
    """Rows of a query on a state file (a fresh connection, closed again)."""
    db = sqlite3.connect(state)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()
