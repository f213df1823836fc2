"""Built packages against the real Anki backend: counts, rendering, re-import and edits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("anki")
pytestmark = pytest.mark.anki

from anki.collection import Collection  # noqa: E402

from ankiutil import fresh_collection, import_package  # noqa: E402
from conftest import Clock, edit  # noqa: E402
from deckbuilder.build import build  # noqa: E402
from deckbuilder.library import load_library  # noqa: E402


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A new, empty Anki collection, closed after the test."""
    col = fresh_collection(tmp_path / "anki")
    yield col
    col.close()


def _build(library_dir: Path, out: Path, clock: Clock) -> list[Path]:
    build(library_dir, out=out, now=clock.seconds)
    return sorted(out.rglob("*.apkg"))


def test_every_package_imports_without_duplicates(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """Importing every package of one build, in any order, adds each note exactly once."""
    packages = _build(library_copy, tmp_path / "decks", clock)
    library = load_library(library_copy)
    study = [card for scenario in library.scenarios for card in scenario.study_cards]
    expected = len(study)
    # a cloze note has one card per ordinal: siblings share a note, so Anki buries them
    expected_cards = sum(
        len(set(re.findall(r"\{\{c(\d+)::", c.front))) if c.cloze else 1 for c in study
    )
    assert expected_cards > expected
    total_new = 0
    for package in reversed(packages):
        log = import_package(collection, package)
        assert log.conflicting == 0
        assert log.first_field_match == 0
        total_new += log.new
    assert total_new == expected
    assert collection.note_count() == expected
    assert collection.card_count() == expected_cards
    assert not collection.find_notes("tag:kind::rubric or tag:kind::requirement")


def test_cards_render_question_and_answer(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """Every imported card renders a non-empty question and an answer that adds to it."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    import_package(collection, out / "llm-system-design.apkg")
    card_ids = collection.find_cards("")
    assert card_ids
    for card_id in card_ids:
        card = collection.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert 'class="db-front"' in question
        assert len(answer) > len(question) or "cloze" in answer
        assert "{{" not in question and "{{" not in answer


def test_deck_tree_and_tags(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """Cards land in 'LLM System Design::NN Title' and carry scenario, topic, kind and difficulty tags."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    import_package(collection, out / "llm-system-design.apkg")
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"LLM System Design::01 Mini Serving", "LLM System Design::00 Foundations"} <= names
    note = collection.get_note(collection.find_notes("")[0])
    prefixes = {tag.split("::")[0] for tag in note.tags}
    assert {"scenario", "topic", "kind", "difficulty"} <= prefixes
    assert (
        len(collection.find_cards('"deck:LLM System Design::01 Mini Serving"'))
        + len(collection.find_cards('"deck:LLM System Design::00 Foundations"'))
        == collection.card_count()
    )
    for kind in ("trade-off", "clarifying", "failure-mode", "estimation", "curveball"):
        assert collection.find_notes(f"tag:kind::{kind}"), kind


def test_reimporting_the_same_build_adds_and_changes_nothing(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """A second import of an unchanged build finds only duplicates."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    first = import_package(collection, out / "llm-system-design.apkg")
    clock.advance(3600)
    _build(library_copy, out, clock)  # an unchanged rebuild
    second = import_package(collection, out / "llm-system-design.apkg")
    assert first.new > 0
    assert (second.new, second.updated, second.conflicting) == (0, 0, 0)
    assert second.duplicate == first.new


def test_edited_answer_updates_that_note_only(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """Editing one answer and rebuilding updates exactly that note on re-import, adding none."""
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    import_package(collection, out / "llm-system-design.apkg")
    count = collection.note_count()
    edit(
        library_copy / "01-mini-serving" / "solution.md",
        "kept for every generated token",
        "kept for every token so far",
    )
    clock.advance(60)
    _build(library_copy, out, clock)
    log = import_package(collection, out / "llm-system-design.apkg")
    assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
    assert collection.note_count() == count
    (note_id,) = collection.find_notes('"Back:*every token so far*"')
    assert "every token so far" in collection.get_note(note_id)["Back"]


def test_images_are_shipped_as_media(
    library_copy: Path, tmp_path: Path, clock: Clock, collection: Collection
) -> None:
    """A local image in a card is packaged under a content-hashed name and lands in Anki's media."""
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    (library_copy / "01-mini-serving" / "arch.png").write_bytes(image)
    edit(
        library_copy / "01-mini-serving" / "solution.md",
        "decoding step.",
        "decoding step.\n  ![architecture](arch.png)",
    )
    out = tmp_path / "decks"
    _build(library_copy, out, clock)
    import_package(collection, out / "llm-system-design.apkg")
    (note_id,) = collection.find_notes('"Back:*architecture*"')
    back = collection.get_note(note_id)["Back"]
    assert 'src="mini-serving--' in back and "--arch.png" in back
    name = back.split('src="', 1)[1].split('"', 1)[0]
    assert (Path(collection.media.dir()) / name).read_bytes() == image
