"""Rebuilding after edits reaches a real Anki collection cleanly and never churns decks/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ankiutil import fresh_collection, import_package
from conftest import Clock
from deckbuilder import render
from deckbuilder.build import REMOVED, build
from deckbuilder.scenario import load_library

pytestmark = pytest.mark.anki


def _snapshot(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_unchanged_rebuild_is_byte_identical(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """A rebuild with no content change, hours later, writes nothing and leaves every byte as it was."""
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    before = _snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.apkg")}
    clock.advance(7200)
    report = build(load_library(library_copy), out=out, now=clock)
    assert report.written == ()
    assert report.changes == ()
    assert _snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.apkg")} == mtimes


def test_packages_are_reproducible_from_scratch(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """Two builds of the same content into empty folders at the same time give the same bytes."""
    build(load_library(library_copy), out=tmp_path / "a", now=clock)
    build(load_library(library_copy), out=tmp_path / "b", now=clock)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_edit_add_remove_and_restyle_reach_anki(
    library_copy: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edit one answer, add one card, remove one, change the CSS: re-import updates 1, adds 1,
    keeps review history, applies the CSS, and the removed note is tagged and findable."""
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        import_package(col, out / "llm-system-design.apkg")
        notes_before = col.note_count()
        # study: answer three cards Good with Anki's own scheduler
        col.decks.select(col.decks.id_for_name("LLM System Design::01 Mini Serving"))
        reviewed = []
        for _ in range(3):
            card = col.sched.getCard()
            assert card is not None
            col.sched.answerCard(card, 3)
            reviewed.append(card.id)
        history = {
            cid: col.db.scalar("select count() from revlog where cid = ?", cid) for cid in reviewed
        }
        assert all(count == 1 for count in history.values())
        due_before = {cid: (col.get_card(cid).type, col.get_card(cid).due) for cid in reviewed}

        problem = library_copy / "01-mini-serving" / "problem.md"
        solution = library_copy / "01-mini-serving" / "solution.md"
        _replace(solution, "kept for every generated token", "kept for every token so far")
        _replace(
            solution,
            "- Not a concept:",
            "- **Prefill**: the pass over the prompt that fills the KV cache.\n- Not a concept:",
        )
        _replace(
            problem, "- **Streaming:** tokens are sent to the client as they are generated.\n", ""
        )
        monkeypatch.setattr(
            render, "_BASE_CSS", render._BASE_CSS + "\n.db-new-style { color: teal; }\n"
        )
        clock.advance(600)
        report = build(load_library(library_copy), out=out, now=clock)
        kinds = sorted((c.change, c.key) for c in report.changes)
        assert kinds == [
            ("added", "mini-serving/concept/prefill"),
            ("changed", "mini-serving/concept/kv-cache"),
            ("removed", "mini-serving/requirement/streaming"),
        ]

        log = import_package(col, out / "llm-system-design.apkg")
        assert (log.new, log.updated, log.conflicting, log.first_field_match) == (1, 1, 0, 0)
        assert col.note_count() == notes_before + 1
        for cid, count in history.items():
            assert col.db.scalar("select count() from revlog where cid = ?", cid) == count
            card = col.get_card(cid)
            assert (card.type, card.due) == due_before[cid]
        col.close()
        col = fresh_collection(tmp_path / "anki")  # reopen: no cached note types
        basic = col.models.by_name("deckbuilder Basic")
        assert basic is not None and ".db-new-style" in basic["css"]

        removed_log = import_package(col, out / REMOVED)
        assert (removed_log.new, removed_log.updated) == (0, 1)
        (found,) = col.find_notes("tag:deckbuilder::removed")
        assert "Streaming" in col.get_note(found)["Front"]
        assert col.note_count() == notes_before + 1
    finally:
        col.close()


def test_removed_note_stays_reported_once(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """A removal is reported by the build that sees it, and later builds stay quiet and identical."""
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    _replace(
        library_copy / "01-mini-serving" / "discussion_points.md",
        "### Why stream tokens? {#why-stream}\n\nUsers see progress sooner; total time is unchanged.\n",
        "",
    )
    clock.advance(60)
    first = build(load_library(library_copy), out=out, now=clock)
    assert [(c.change, c.key) for c in first.changes] == [
        ("removed", "mini-serving/follow-up/why-stream")
    ]
    snapshot = _snapshot(out)
    clock.advance(60)
    second = build(load_library(library_copy), out=out, now=clock)
    assert second.changes == () and second.written == ()
    assert _snapshot(out) == snapshot


def test_check_lists_stale_packages(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """build --check on stale decks names exactly the packages that would change."""
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    assert build(load_library(library_copy), out=out, now=clock, check=True).stale == ()
    _replace(library_copy / "01-mini-serving" / "rubric.md", "no estimate.", "no estimate at all.")
    report = build(load_library(library_copy), out=out, now=clock, check=True)
    assert report.stale == (
        "llm-system-design.apkg",
        "scenarios/01-mini-serving.apkg",
        "topics/serving.apkg",
    )
    (out / "topics" / "kv-cache.apkg").write_bytes(b"tampered")
    _replace(library_copy / "01-mini-serving" / "rubric.md", "no estimate at all.", "no estimate.")
    report = build(load_library(library_copy), out=out, now=clock, check=True)
    assert report.stale == ("topics/kv-cache.apkg",)


def test_cache_never_changes_the_result(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """A build from the content cache gives the same bytes as a build without one; an edit
    after caching is seen; a corrupt cache entry is ignored."""
    from deckbuilder.build import CACHE

    cached_out, plain_out = tmp_path / "cached", tmp_path / "plain"
    for _ in range(2):
        build(load_library(library_copy, cache_dir=cached_out / CACHE), out=cached_out, now=clock)
    build(load_library(library_copy), out=plain_out, now=clock)
    assert _snapshot(cached_out) == {
        **_snapshot(plain_out),
        **{k: v for k, v in _snapshot(cached_out).items() if k.startswith(CACHE)},
    }
    entries = list((cached_out / CACHE).rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    _replace(library_copy / "01-mini-serving" / "rubric.md", "no estimate.", "no estimate at all.")
    clock.advance(60)
    report = build(
        load_library(library_copy, cache_dir=cached_out / CACHE), out=cached_out, now=clock
    )
    assert [c.key for c in report.changes] == ["mini-serving/rubric/capacity-estimation--no-hire"]


def test_folder_build_skips_work_only_when_nothing_changed(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """build_folder's fast no-op trusts its record only while inputs and outputs are untouched."""
    from deckbuilder.build import build_folder

    out = tmp_path / "decks"
    first = build_folder(library_copy, out=out, now=clock)
    assert first.written and first.notes == 20
    again = build_folder(library_copy, out=out, now=clock)
    assert (again.written, again.changes, again.notes) == ((), (), 20)
    assert again.packages == first.packages
    (out / "topics" / "serving.apkg").write_bytes(b"tampered")
    repaired = build_folder(library_copy, out=out, now=clock)
    assert repaired.written == ("topics/serving.apkg",)
    _replace(library_copy / "01-mini-serving" / "rubric.md", "no estimate.", "no estimate at all.")
    clock.advance(60)
    edited = build_folder(library_copy, out=out, now=clock)
    assert [c.change for c in edited.changes] == ["changed"]
