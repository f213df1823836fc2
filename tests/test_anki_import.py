"""Built packages against the real Anki backend: counts, rendering, re-import and edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankiutil import fresh_collection, import_package
from conftest import Clock
from deckbuilder.build import build
from deckbuilder.scenario import load_library

pytestmark = pytest.mark.anki


def _build(library_dir: Path, out: Path, clock: Clock) -> list[Path]:
    build(load_library(library_dir), out=out, now=clock)
    return sorted(out.rglob("*.apkg"))


def test_every_package_imports_without_duplicates(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """Importing every package of one build, in any order, adds each note exactly once."""
    packages = _build(library_copy, tmp_path / "decks", clock)
    library = load_library(library_copy)
    expected = len(library.cards)
    col = fresh_collection(tmp_path / "anki")
    try:
        total_new = 0
        for package in reversed(packages):
            log = import_package(col, package)
            assert log.conflicting == 0
            assert log.first_field_match == 0
            total_new += log.new
        assert total_new == expected
        assert col.note_count() == expected
        assert col.card_count() == expected
    finally:
        col.close()


def test_cards_render_question_and_answer(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """Every imported card renders a non-empty question and an answer that adds to it."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        import_package(col, out / "llm-system-design.apkg")
        card_ids = col.find_cards("")
        assert card_ids
        for card_id in card_ids:
            card = col.get_card(card_id)
            question, answer = card.question(), card.answer()
            assert 'class="db-front"' in question
            assert len(answer) > len(question) or "cloze" in answer
            assert "{{" not in question and "{{" not in answer
    finally:
        col.close()


def test_deck_tree_and_tags(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """Cards land in 'LLM System Design::NN Title' and carry scenario, topic, kind and difficulty tags."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        import_package(col, out / "llm-system-design.apkg")
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert "LLM System Design::01 Mini Serving" in names
        note = col.get_note(col.find_notes("")[0])
        prefixes = {tag.split("::")[0] for tag in note.tags}
        assert {"scenario", "topic", "kind", "difficulty"} <= prefixes
        assert len(col.find_cards('"deck:LLM System Design::01 Mini Serving"')) == col.card_count()
        assert col.find_notes("tag:kind::trade-off")
    finally:
        col.close()


def test_reimporting_the_same_build_adds_and_changes_nothing(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """A second import of an unchanged build finds only duplicates."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        first = import_package(col, out / "llm-system-design.apkg")
        clock.advance(3600)
        _build(library_copy, out, clock)  # an unchanged rebuild
        second = import_package(col, out / "llm-system-design.apkg")
        assert first.new > 0
        assert (second.new, second.updated, second.conflicting) == (0, 0, 0)
        assert second.duplicate == first.new
    finally:
        col.close()


def test_edited_answer_updates_that_note_only(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """Editing one answer and rebuilding updates exactly that note on re-import, adding none."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        import_package(col, out / "llm-system-design.apkg")
        count = col.note_count()
        solution = library_copy / "01-mini-serving" / "solution.md"
        text = solution.read_text()
        solution.write_text(
            text.replace("kept for every generated token", "kept for every token so far")
        )
        clock.advance(60)
        _build(library_copy, out, clock)
        log = import_package(col, out / "llm-system-design.apkg")
        assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
        assert col.note_count() == count
        (note_id,) = col.find_notes('"Back:*every token so far*"')
        assert "every token so far" in col.get_note(note_id)["Back"]
    finally:
        col.close()
