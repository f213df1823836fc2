"""sync applies a build to a real collection file, keeps history, refuses an open one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("anki")
pytestmark = pytest.mark.anki

from conftest import edit  # noqa: E402
from deckbuilder.cli import main  # noqa: E402


def _collection(path: Path) -> Path:
    from anki.collection import Collection

    path.parent.mkdir(parents=True, exist_ok=True)
    Collection(str(path)).close()
    return path


def test_sync_adds_then_updates_and_keeps_history(library_copy: Path, tmp_path: Path) -> None:
    """sync adds every note, keeps review history, and a later edit arrives as one update."""
    from anki.collection import Collection

    col_path = _collection(tmp_path / "profile" / "collection.anki2")
    out = tmp_path / "decks"
    args = [
        "sync",
        "--scenarios",
        str(library_copy),
        "--out",
        str(out),
        "--collection",
        str(col_path),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert (
        "llm-system-design.apkg: 31 added, 0 updated, 0 unchanged, 0 conflicting" in result.output
    )
    col = Collection(str(col_path))
    col.decks.select(col.decks.id_for_name("LLM System Design::01 Mini Serving"))
    card = col.sched.getCard()
    col.sched.answerCard(card, 3)
    col.close()
    edit(library_copy / "01-mini-serving" / "solution.md", "decoding step.", "decoding iteration.")
    time.sleep(1.1)  # modification times have one-second resolution
    result = CliRunner().invoke(main, args)
    assert "changed  01 Mini Serving: Key concept: Continuous batching" in result.output
    assert (
        "llm-system-design.apkg: 0 added, 1 updated, 30 unchanged, 0 conflicting" in result.output
    )
    col = Collection(str(col_path))
    assert col.db.scalar("select count() from revlog") == 1
    col.close()


def test_sync_refuses_an_open_collection(library_copy: Path, tmp_path: Path) -> None:
    """A collection held open by another process is refused with a clear error and left as it was."""
    col_path = _collection(tmp_path / "profile" / "collection.anki2")
    before = col_path.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from anki.collection import Collection; "
            f"c=Collection({str(col_path)!r}); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = CliRunner().invoke(
            main,
            [
                "sync",
                "--scenarios",
                str(library_copy),
                "--out",
                str(tmp_path / "decks"),
                "--collection",
                str(col_path),
            ],
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {col_path}: the collection is open in Anki or locked "
        "(Anki already open, or media currently syncing.); close Anki and try again\n"
    )
    assert col_path.read_bytes() == before


def _sync(library: Path, out: Path, collection: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["sync", "--scenarios", str(library), "--out", str(out), "--collection", str(collection)],
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr


def _foreign(path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.execute("INSERT INTO contacts VALUES ('Ada')")
    db.commit()
    db.close()


def _truncated(path: Path) -> None:
    data = _collection(path.parent.parent / "whole" / "collection.anki2").read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_foreign, "not an Anki collection (an SQLite database of another program)"),
        (lambda p: p.write_bytes(b""), "not an Anki collection (the file is empty)"),
        (lambda p: p.write_text("my notes\n"), "not an Anki collection (not an SQLite database)"),
        (_truncated, "the collection file is truncated"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00"), "the collection file is truncated"),
    ],
)
def test_sync_refuses_what_is_not_a_collection_untouched(
    library_copy: Path, tmp_path: Path, make: object, reason: str
) -> None:
    """A foreign database, an empty file, a text file or a cut-short collection: refused
    with what it is (not "open in Anki"), and not one byte written."""
    target = tmp_path / "profile" / "collection.anki2"
    target.parent.mkdir()
    make(target)  # type: ignore[operator]
    before = target.read_bytes()
    code, err = _sync(library_copy, tmp_path / "decks", target)
    assert (code, err) == (1, f"Error: {target}: {reason}\n")
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["collection.anki2"]
