"""Builds never leave decks/ half written, never lock anyone out, and turn every disk
problem into a clear error: real kills, a real size limit, real permissions."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import DECKBUILDER, _limited, edit, lock_held, run, snapshot, wait_until_gone
from deckbuilder.build import CACHE, LOCK, REMOVED


def _args(library: Path, out: Path, *more: str) -> tuple[str, ...]:
    return ("build", "--scenarios", str(library), "--out", str(out), *more)


def _leftovers(out: Path) -> list[str]:
    return sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.name.startswith(".staging-") or p.name.endswith(".tmp")
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_leaves_the_previous_decks_untouched(
    library_copy: Path, tmp_path: Path, jobs: str
) -> None:
    """A build that runs out of space half way says so, changes nothing in decks/ and leaves
    no debris, whether packages are written in line or by worker processes."""
    out = tmp_path / "decks"
    assert run(*_args(library_copy, out)).returncode == 0
    before = snapshot(out)
    edit(library_copy / "00-foundations" / "foundations.md", "all tokens at once.", "all at once.")
    biggest = max(p.stat().st_size for p in out.rglob("*.apkg"))
    failed = run(*_args(library_copy, out, "--jobs", jobs), file_size=biggest // 2)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: ") and "Traceback" not in failed.stderr
    assert "File too large" in failed.stderr or "disk I/O error" in failed.stderr
    assert snapshot(out) == before
    assert _leftovers(out) == []
    assert "3 written" in run(*_args(library_copy, out)).stdout


def test_second_build_at_once_is_refused(library_copy: Path, tmp_path: Path) -> None:
    """While one build holds decks/, another is refused with a clear message and writes nothing."""
    out = tmp_path / "decks"
    with lock_held(out):
        result = run(*_args(library_copy, out))
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {out}: another deckbuilder build is writing here; try again when it has finished\n"
    )
    assert snapshot(out) == {}


def test_a_second_build_in_the_same_process_is_refused(library_copy: Path, tmp_path: Path) -> None:
    """A POSIX lock does not keep one process from itself: the build also refuses a folder
    this process is already building into (watch and a script could both try)."""
    from deckbuilder.build import build
    from deckbuilder.errors import BuildLocked
    from deckbuilder.storage import locked

    out = tmp_path / "decks"
    with locked(out, name=LOCK), pytest.raises(BuildLocked):
        build(library_copy, out=out, now=lambda: 0.0)
    assert build(library_copy, out=out, now=lambda: 0.0).written


def _wait_for_children(pid: int) -> None:
    """Until the process has started a child (a worker pool), or ended."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                return
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.005)


# 6 kills by default; the long profile (HYPOTHESIS_PROFILE=long) runs 100
KILLS = int(
    os.environ.get(
        "DECKBUILDER_KILLS", "100" if os.environ.get("HYPOTHESIS_PROFILE") == "long" else "6"
    )
)
KEY = "mini-serving/follow-up/why-stream--what-do-users-gain"


def test_killed_builds_never_lock_out_the_next(library_copy: Path, tmp_path: Path) -> None:
    """Builds killed at random moments (SIGKILL and SIGTERM, with --jobs 2) leave no worker
    behind and never block the next build, which repairs decks/ and leaves no debris; a
    removed note's record survives every kill. DECKBUILDER_KILLS sets the number."""
    out = tmp_path / "decks"
    rng = random.Random(19)
    discussion = library_copy / "01-mini-serving" / "discussion_points.md"
    question = (
        "### Why stream tokens? {#why-stream}\n\n"
        "- **What do users gain?** They see progress sooner; total time is unchanged.\n"
    )
    original = discussion.read_text()
    assert run(*_args(library_copy, out)).returncode == 0
    for kill in range(KILLS):
        # alternate edits, so that kills land in builds that add, change and remove notes
        text = original.replace(question, "") if kill % 3 == 1 else original
        discussion.write_text(text.replace("sooner", f"sooner (v{kill})"))
        victim = subprocess.Popen(
            [*DECKBUILDER, *_args(library_copy, out, "--jobs", "2")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _limited(None, False),
        )
        if kill % 2:
            time.sleep(rng.uniform(0.05, 0.9))  # anywhere in the build
        else:  # while its worker processes write packages
            _wait_for_children(victim.pid)
            time.sleep(rng.uniform(0, 0.1))
        victim.send_signal(rng.choice([signal.SIGKILL, signal.SIGTERM]))
        victim.wait()
        assert wait_until_gone(str(out)) == []
        after = run(*_args(library_copy, out))
        assert after.returncode == 0, after.stderr
        assert _leftovers(out) == []
        assert run(*_args(library_copy, out, "--check")).returncode == 0
        manifest = json.loads((out / "manifest.json").read_text())
        keys = {n["key"] for n in manifest["notes"].values()}
        removed = {r["key"]: r for r in manifest["removed"].values()}
        if kill % 3 == 1:
            assert KEY not in keys and REMOVED in manifest["packages"]
            assert "They see progress sooner" in removed[KEY]["fields"][1]
        else:
            assert KEY in keys and KEY not in removed


def test_a_kill_before_the_manifest_loses_no_removed_note(
    library_copy: Path, tmp_path: Path
) -> None:
    """Killed after the packages were swapped in but before the manifest: the next build
    still records the removed note with its last content, and removed.apkg is tracked."""
    out = tmp_path / "decks"
    assert run(*_args(library_copy, out)).returncode == 0
    old_manifest = (out / "manifest.json").read_bytes()
    edit(
        library_copy / "01-mini-serving" / "discussion_points.md",
        "### Why stream tokens? {#why-stream}\n\n"
        "- **What do users gain?** They see progress sooner; total time is unchanged.\n",
        "",
    )
    assert run(*_args(library_copy, out)).returncode == 0
    # the state such a kill leaves: new packages (with removed.apkg), the old manifest
    (out / "manifest.json").write_bytes(old_manifest)
    (out / CACHE / "state.json").unlink()
    again = run(*_args(library_copy, out))
    assert "removed  01 Mini Serving: Follow-up question: Why stream tokens?" in again.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert REMOVED in manifest["packages"]
    (entry,) = manifest["removed"].values()
    assert entry["key"] == KEY
    assert "They see progress sooner" in entry["fields"][1]
    assert "deckbuilder::removed" in entry["tags"]


def test_the_next_build_cleans_up_leftovers(library_copy: Path, tmp_path: Path) -> None:
    """Staging folders and temporary files left by killed builds or a full disk are removed."""
    out = tmp_path / "decks"
    assert run(*_args(library_copy, out)).returncode == 0
    planted = [
        out / ".staging-k1ll3d" / "topics" / "serving.apkg",
        out / ".llm-system-design.apkg.abc123.tmp",
        out / "topics" / ".serving.apkg.xyz.tmp",
        out / CACHE / "scenarios" / "tmpa1b2c3.tmp",
        out / CACHE / ".notes.json.q1.tmp",
    ]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half written")
    assert run(*_args(library_copy, out)).returncode == 0
    assert _leftovers(out) == []


def _wrong_manifest(out: Path) -> str:
    data = json.loads((out / "manifest.json").read_text())
    next(iter(data["notes"].values()))["modified"] = "yesterday"
    (out / "manifest.json").write_text(json.dumps(data))
    return (
        f"Error: {out / 'manifest.json'}: not a deckbuilder manifest of format 1 "
        "(expected an integer, not str); move it away to rebuild from scratch\n"
    )


def _lock_is_a_folder(out: Path) -> str:
    (out / LOCK).unlink(missing_ok=True)
    (out / LOCK).mkdir()
    return f"Error: {out / LOCK}: cannot open the lock file: not a regular file\n"


def _package_is_a_folder(out: Path) -> str:
    (out / "topics" / "serving.apkg").unlink()
    (out / "topics" / "serving.apkg").mkdir()
    return (
        f"Error: {out / 'topics' / 'serving.apkg'}: cannot write the package: not a regular file\n"
    )


def _out_is_read_only(out: Path) -> str:
    for folder in (out, out / "topics", out / "scenarios"):
        folder.chmod(0o555)
    return "Permission denied"


@pytest.mark.parametrize(
    "damage", [_wrong_manifest, _lock_is_a_folder, _package_is_a_folder, _out_is_read_only]
)
def test_disk_problems_are_clear_errors(library_copy: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    """Each one: 'Error: …' and exit 1, no traceback, and every package as it was."""
    out = tmp_path / "decks"
    assert run(*_args(library_copy, out)).returncode == 0
    edit(library_copy / "00-foundations" / "foundations.md", "all tokens at once.", "all at once.")
    expected = damage(out)
    packages = {k: v for k, v in snapshot(out).items() if k.endswith(".apkg")}
    result = run(*_args(library_copy, out), as_user=True)
    try:
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr
        if expected.startswith("Error: "):
            assert result.stderr == expected
        else:
            assert result.stderr.startswith("Error: ") and expected in result.stderr
        assert {k: v for k, v in snapshot(out).items() if k in packages} == packages
    finally:
        for folder in (out, out / "topics", out / "scenarios"):
            folder.chmod(0o755)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("file", "cannot create the output folder: not a folder"),
        ("missing/deeper", None),
    ],
)
def test_output_folder_problems(
    library_copy: Path, tmp_path: Path, where: str, message: str | None
) -> None:
    """--out below a regular file is a clear error; missing parents are created."""
    (tmp_path / "file").write_text("not a folder")
    out = tmp_path / where / "decks"
    result = run(*_args(library_copy, out))
    if message is None:
        assert result.returncode == 0 and (out / "llm-system-design.apkg").is_file()
    else:
        assert (result.returncode, result.stderr) == (1, f"Error: {tmp_path / 'file'}: {message}\n")
