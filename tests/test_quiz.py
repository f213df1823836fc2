"""The quiz end to end through its line protocol, with an injected clock and a real SQLite file."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import fsrs
import pytest
from click.testing import CliRunner

from conftest import FIXTURE_LIBRARY, Clock, edit, rows
from conftest import quiz_events as quiz
from deckbuilder.cli import main
from deckbuilder.identity import guid_for
from deckbuilder.library import load_library
from deckbuilder.model import CardKind
from deckbuilder.quiz.app import QuizOptions, compute_stats, run_quiz
from deckbuilder.quiz.queue import Filters
from deckbuilder.quiz.scheduler import card_id_for
from deckbuilder.quiz.session import Mode


def dump(state: Path) -> list[tuple[object, ...]]:
    return rows(state, "SELECT 'card', guid, state, due FROM cards ORDER BY guid") + rows(
        state, "SELECT 'review', * FROM reviews ORDER BY id"
    )


def test_ratings_move_due_dates_as_fsrs_computes(tmp_path: Path) -> None:
    """Each rating gives exactly the due date fsrs itself computes (fuzz off)."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(FIXTURE_LIBRARY, state, ["", "4", "", "1"], clock, max_cards=2)
    rated = [e for e in events if e["event"] == "rated"]
    assert [e["rating"] for e in rated] == [4, 1]
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    for event, rating in zip(rated, (fsrs.Rating.Easy, fsrs.Rating.Again), strict=True):
        expected, _ = scheduler.review_card(
            fsrs.Card(card_id=card_id_for(str(event["guid"])), due=clock.now), rating, clock.now
        )
        assert event["due"] == expected.due.isoformat()
    easy = next(e for e in events if e["event"] == "answer")
    assert easy["intervals"] == {"again": "1m", "hard": "6m", "good": "10m", "easy": "8d"}


def test_learning_steps_come_back_in_the_same_session(tmp_path: Path) -> None:
    """A card rated Again is shown again in the same session once its minute step is due."""
    state = tmp_path / "q.sqlite3"
    out = io.StringIO()
    stdin = io.StringIO("\n1\n" + "\n3\n" * 3)

    class Stepping(Clock):
        def __call__(self) -> datetime:
            self.now += timedelta(seconds=40)
            return self.now

    run_quiz(
        load_library(FIXTURE_LIBRARY),
        state=state,
        options=QuizOptions(Filters(), Mode.FLIP, max_cards=2, as_json=True, fuzz=False),
        stdin=stdin,
        stdout=out,
        now=Stepping(),
    )
    cards = [json.loads(x)["key"] for x in out.getvalue().splitlines() if '"event": "card"' in x]
    assert len(cards) >= 3
    assert cards[0] in cards[1:], cards


def test_daily_new_limit_holds_across_sessions(tmp_path: Path) -> None:
    """--new 3 allows three new cards over the whole day, counted from the review log."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    first = quiz(FIXTURE_LIBRARY, state, ["", "4"] * 2, clock, new_limit=3)
    assert sum(e["event"] == "rated" for e in first) == 2
    clock.now += timedelta(hours=2)
    second = quiz(FIXTURE_LIBRARY, state, ["", "4"] * 5, clock, new_limit=3)
    assert sum(e["event"] == "rated" for e in second) == 1
    clock.now += timedelta(hours=1)
    third = quiz(FIXTURE_LIBRARY, state, ["", "4"] * 5, clock, new_limit=3)
    assert sum(e["event"] == "rated" for e in third) == 0
    clock.now += timedelta(days=1)
    fourth = quiz(FIXTURE_LIBRARY, state, ["", "4"] * 5, clock, new_limit=3, max_cards=3)
    assert sum(e["event"] == "rated" for e in fourth) == 3


def test_undo_restores_the_previous_state_exactly(tmp_path: Path) -> None:
    """u takes back the last answer: card state and review log are as before it, byte for byte."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    quiz(FIXTURE_LIBRARY, state, ["", "3", "", "4"], clock, max_cards=2)
    clock.now += timedelta(days=9)
    before = dump(state)
    events = quiz(FIXTURE_LIBRARY, state, ["", "1", "u", "q"], clock, max_cards=2)
    assert [e["event"] for e in events if e["event"] in ("rated", "undo")] == ["rated", "undo"]
    assert dump(state) == before
    again = quiz(FIXTURE_LIBRARY, state, ["", "u"], clock, max_cards=2)
    assert any(e["event"] == "undo" and e["ok"] is False for e in again)
    assert dump(state) == before


def test_undo_of_a_new_card_forgets_it(tmp_path: Path) -> None:
    """Undoing a new card's first answer makes it new again, and it is asked again at once."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(FIXTURE_LIBRARY, state, ["", "3", "u", "", "4"], clock, max_cards=1)
    fronts = [e["key"] for e in events if e["event"] == "card"]
    assert fronts[0] == fronts[1]
    assert rows(state, "SELECT count(*) FROM reviews") == [(1,)]
    assert rows(state, "SELECT rating FROM reviews") == [(4,)]


def test_cram_keeps_the_schedule(tmp_path: Path) -> None:
    """--cram shows cards that are not due and logs the answers without moving any due date."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    quiz(FIXTURE_LIBRARY, state, ["", "4"] * 2, clock, max_cards=2)
    due_before = rows(state, "SELECT guid, due FROM cards ORDER BY guid")
    assert quiz(FIXTURE_LIBRARY, state, [""], clock, new_limit=0)[-1]["reviewed"] == 0
    events = quiz(FIXTURE_LIBRARY, state, ["", "1", "", "1"], clock, cram=True, max_cards=2)
    assert sum(e["event"] == "rated" for e in events) == 2
    assert rows(state, "SELECT guid, due FROM cards ORDER BY guid") == due_before
    assert rows(state, "SELECT count(*) FROM reviews WHERE cram = 1") == [(2,)]
    text = CliRunner().invoke(
        main,
        [
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(state),
            "--cram",
            "--max",
            "1",
        ],
        input="\n3\n",
    )
    assert "1 Again  2 Hard  3 Good  4 Easy  (cram: schedule unchanged)" in text.stdout


def test_filters_select_cards(tmp_path: Path) -> None:
    """--kind, --topic and --tag narrow the queue to matching cards only."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(
        FIXTURE_LIBRARY,
        state,
        [],
        clock,
        filters=Filters(kinds=(CardKind.FAILURE_MODE,)),
        new_limit=50,
    )
    kinds = {e["kind"] for e in events if e["event"] == "card"}
    assert kinds == {"failure-mode"}
    events = quiz(
        FIXTURE_LIBRARY, state, [], clock, filters=Filters(tags=("kind::number",)), new_limit=50
    )
    assert {e["kind"] for e in events if e["event"] == "card"} == {"number"}


def test_typed_mode_checks_key_points(tmp_path: Path) -> None:
    """Typed answers are matched against the model answer's key points, with a suggested rating."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(
        FIXTURE_LIBRARY,
        state,
        ["admission control on queued prefill tokens", "", "more replicas", ""],
        clock,
        filters=Filters(kinds=(CardKind.FOLLOWUP,)),
        mode=Mode.TYPED,
        max_cards=2,
    )
    first, second = (e for e in events if e["event"] == "answer")
    assert first["recognised"] == ["Admission control on queued prefill tokens."]
    assert first["suggested"] == 3
    assert second["missing"] == ["Chunked prefill shares each step with them."]
    assert second["suggested"] == 1
    rated = [e["rating"] for e in events if e["event"] == "rated"]
    assert rated == [3, 1]  # Enter took the suggestion


def test_typed_cloze_number(tmp_path: Path) -> None:
    """A typed number is right when it matches the hidden one, whatever its formatting."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(
        FIXTURE_LIBRARY,
        state,
        ["3.35 tb/s", "4"],
        clock,
        filters=Filters(kinds=(CardKind.NUMBER,), scenarios=("mini-serving",)),
        mode=Mode.TYPED,
        max_cards=1,
    )
    answer = next(e for e in events if e["event"] == "answer")
    assert (answer["recognised"], answer["suggested"]) == (["3.35 TB/s"], 3)


def test_editing_a_card_keeps_its_history(library_copy: Path, tmp_path: Path) -> None:
    """A card whose answer is edited in the markdown keeps its state and review history."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    quiz(
        library_copy,
        state,
        ["", "3"],
        clock,
        filters=Filters(kinds=(CardKind.CONCEPT,), scenarios=("mini-serving",)),
        max_cards=1,
    )
    edit(library_copy / "01-mini-serving" / "solution.md", "decoding step.", "decoding iteration.")
    clock.now += timedelta(minutes=15)
    events = quiz(
        library_copy,
        state,
        ["", "3"],
        clock,
        filters=Filters(kinds=(CardKind.CONCEPT,), scenarios=("mini-serving",)),
        max_cards=1,
        new_limit=0,
    )
    card = next(e for e in events if e["event"] == "card")
    assert card["key"] == "mini-serving/concept/continuous-batching" and card["new"] is False
    assert rows(state, "SELECT count(*) FROM reviews") == [(2,)]


def test_stats_report_today_retention_due_and_removed(library_copy: Path, tmp_path: Path) -> None:
    """stats counts today's reviews, true retention, due cards, and studied cards now removed."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    quiz(library_copy, state, ["", "3"] * 4, clock, max_cards=4)
    clock.now += timedelta(days=3)
    quiz(library_copy, state, ["", "1", "", "3"] * 4, clock, max_cards=4, new_limit=0)
    edit(
        library_copy / "00-foundations" / "foundations.md",
        "- **Prefill**: the forward pass over the whole prompt, all tokens at once.\n",
        "",
    )
    result = compute_stats(load_library(library_copy), state=state, now=clock).as_dict()
    total = result["total"]
    assert isinstance(total, dict)
    assert total["reviews_today"] >= 4
    assert total["cards"] == 31 and total["studied"] == 3  # a two-deletion cloze is two cards
    assert result["removed"] == ["foundations/concept/prefill"]
    runner = CliRunner(env={"DECKBUILDER_STATE": str(state)})
    out = runner.invoke(main, ["stats", "--scenarios", str(library_copy), "--json"])
    assert out.exit_code == 0
    assert json.loads(out.stdout)["removed"] == ["foundations/concept/prefill"]
    text = runner.invoke(main, ["stats", "--scenarios", str(library_copy)]).stdout
    assert "1 studied cards are no longer in the scenarios" in text
    assert "01 mini-serving" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello, not a database", "not a deckbuilder quiz state file (not an SQLite database)"),
        (b"SQLite format 3\x00" + b"\x00" * 20, "the quiz state file is truncated"),
    ],
)
def test_bad_state_files_are_refused_untouched(
    tmp_path: Path, content: bytes, message: str
) -> None:
    """A state file that is not ours gives a clear error and is left exactly as it was."""
    state = tmp_path / "q.sqlite3"
    state.write_bytes(content)
    result = CliRunner().invoke(
        main, ["quiz", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)], input=""
    )
    assert result.exit_code == 1
    assert result.stderr == f"Error: {state}: {message}\n"
    assert state.read_bytes() == content


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    """Another program's SQLite database is recognised and never written to."""
    state = tmp_path / "other.sqlite3"
    db = sqlite3.connect(state)
    db.execute("CREATE TABLE notes (x)")
    db.commit()
    db.close()
    before = state.read_bytes()
    result = CliRunner().invoke(
        main, ["stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {state}: not a deckbuilder quiz state file "
        "(an SQLite database of another program)\n"
    )
    assert state.read_bytes() == before


def test_damaged_state_file_is_refused(tmp_path: Path) -> None:
    """A state file cut short in the middle is reported as damaged and not modified."""
    state = tmp_path / "q.sqlite3"
    quiz(FIXTURE_LIBRARY, state, ["", "3"] * 10, Clock(), new_limit=10)
    db = sqlite3.connect(state)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 2 + 100])
    cut = state.read_bytes()
    result = CliRunner().invoke(
        main, ["stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {state}: the quiz state file is damaged (")
    assert state.read_bytes() == cut


def test_read_only_and_newer_state(tmp_path: Path) -> None:
    """A read-only state file, or one from a newer schema, is refused with its reason."""
    import os

    state = tmp_path / "q.sqlite3"
    quiz(FIXTURE_LIBRARY, state, ["", "3"], Clock(), max_cards=1)
    db = sqlite3.connect(state)
    db.execute("PRAGMA user_version = 9")
    db.close()
    result = CliRunner().invoke(
        main, ["stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)]
    )
    assert result.stderr == (
        f"Error: {state}: made by a newer deckbuilder (schema 9; this one "
        "reads 2); upgrade deckbuilder\n"
    )
    db = sqlite3.connect(state)
    db.execute("PRAGMA user_version = 2")
    db.close()
    state.chmod(0o444)
    try:
        if os.access(state, os.W_OK):
            pytest.skip("running as a user who can write read-only files")
        result = CliRunner().invoke(
            main, ["stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state)]
        )
        assert result.stderr == f"Error: {state}: the quiz state file is read-only\n"
    finally:
        state.chmod(0o644)


def test_plain_output_has_no_colour_codes(tmp_path: Path) -> None:
    """Output that is not a terminal carries no ANSI escape codes."""
    result = CliRunner().invoke(
        main,
        [
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(tmp_path / "q.sqlite3"),
            "--max",
            "1",
        ],
        input="\n3\n",
    )
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert "1 Again (1m)  2 Hard (6m)  3 Good (10m)  4 Easy (8d)" in result.stdout
    assert "Session over: 1 answered (1 new)" in result.stdout


def test_guid_is_the_key(tmp_path: Path) -> None:
    """Quiz state is keyed by the same GUID as the Anki note."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    events = quiz(FIXTURE_LIBRARY, state, ["", "3"], clock, max_cards=1)
    card = next(e for e in events if e["event"] == "card")
    assert card["guid"] == guid_for(str(card["key"]))


def test_choice_mode_offers_distinct_options(tmp_path: Path) -> None:
    """Choice mode shows four distinct options with one right answer; picking it suggests Good."""
    clock, state = Clock(), tmp_path / "q.sqlite3"
    library = load_library(Path(__file__).resolve().parent.parent / "scenarios")
    out = io.StringIO()
    run_quiz(
        library,
        state=state,
        options=QuizOptions(
            Filters(kinds=(CardKind.NUMBER,)), Mode.CHOICE, max_cards=1, as_json=True, fuzz=False
        ),
        stdin=io.StringIO("1\n\n"),
        stdout=out,
        now=clock,
    )
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    card = next(e for e in events if e["event"] == "card")
    answer = next(e for e in events if e["event"] == "answer")
    options = card["options"]
    assert card["mode"] == "choice" and len(options) == 4 and len(set(options)) == 4
    right = answer["correct"]
    assert isinstance(right, int) and 1 <= right <= 4
    assert answer["suggested"] == (3 if right == 1 else 1)


def test_choice_distractors_never_repeat_the_answer() -> None:
    """Across every number, requirement and concept card, no distractor equals the right answer."""
    from deckbuilder.quiz import grading

    library = load_library(Path(__file__).resolve().parent.parent / "scenarios")
    pool = grading.ChoicePool(library.cards)
    checked = 0
    for card in library.cards:
        options, right = grading.choices(card, pool, seed=card.full_key)
        if not options:
            continue
        norms = [" ".join(sorted(grading.words(o))) for o in options]
        assert len(set(norms)) == 4, (card.full_key, options)
        assert options[right] == grading._choice_text(card)
        checked += 1
    assert checked > 300
