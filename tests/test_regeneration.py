"""Rebuilding after edits reaches a real Anki collection: updates, additions, removals, CSS."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("anki")
pytestmark = pytest.mark.anki

from ankiutil import fresh_collection, import_package  # noqa: E402
from conftest import Clock, edit  # noqa: E402
from deckbuilder import notetype  # noqa: E402
from deckbuilder.build import REMOVED, build  # noqa: E402


def test_edit_add_remove_and_restyle_reach_anki(
    library_copy: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edit one answer, add one card, remove one, change the CSS: re-import updates 1, adds 1,
    keeps review history, applies the CSS, and the removed note is tagged and findable."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
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

        discussion = library_copy / "01-mini-serving" / "discussion_points.md"
        solution = library_copy / "01-mini-serving" / "solution.md"
        edit(solution, "kept for every generated token", "kept for every token so far")
        edit(
            solution,
            "- Not a concept:",
            "- **Prefill**: the pass over the prompt that fills the KV cache.\n- Not a concept:",
        )
        edit(discussion, "- **Autoscaling on CPU**: GPU servers", "- GPU servers")
        monkeypatch.setattr(
            notetype, "_BASE_CSS", notetype._BASE_CSS + "\n.db-new-style { color: teal; }\n"
        )
        clock.advance(600)
        report = build(library_copy, out=out, now=clock.seconds)
        kinds = sorted((c.change, c.key) for c in report.changes)
        assert kinds == [
            ("added", "mini-serving/concept/prefill"),
            ("changed", "mini-serving/concept/kv-cache"),
            ("removed", "mini-serving/mistake/autoscaling-on-cpu"),
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
        assert "Autoscaling on CPU" in col.get_note(found)["Front"]
        assert col.note_count() == notes_before + 1
    finally:
        col.close()
