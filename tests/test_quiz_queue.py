"""The quiz queue across sessions, with an injected clock: learning cards, siblings, counts,
filters and the messages that say why nothing is due."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from conftest import FIXTURE_LIBRARY, SCENARIOS, Clock, quiz_events
from deckbuilder.cli import main
from deckbuilder.library import load_library
from deckbuilder.quiz.app import tagged_cards

SIBLINGS = {"mini-serving/number/weights-in-bf16", "mini-serving/number/weights-in-bf16::c2"}


def shown(events: list[dict[str, object]]) -> list[str]:
    return [str(e["key"]) for e in events if e["event"] == "card"]


def test_learning_card_from_an_earlier_session_comes_back_when_due(tmp_path: Path) -> None:
    """Bug 1: a card rated Again at 06:01:50 (due 06:02:50) returns in a session started at 06:02:28."""
    state = tmp_path / "q.sqlite3"
    clock = Clock(datetime(2026, 3, 2, 6, 1, 50, tzinfo=UTC))
    first = quiz_events(FIXTURE_LIBRARY, state, ["", "1", "q"], clock, max_cards=1)
    again = next(e for e in first if e["event"] == "rated")
    assert again["due"] == "2026-03-02T06:02:50+00:00"
    clock.now = datetime(2026, 3, 2, 6, 2, 28, tzinfo=UTC)
    clock.step = timedelta(seconds=5)
    second = quiz_events(FIXTURE_LIBRARY, state, ["", "3"] * 12, clock, new_limit=20)
    keys = shown(second)
    assert again["key"] in keys
    back = next(e for e in second if e["event"] == "card" and e["key"] == again["key"])
    assert back["status"] == "learning" and back["new"] is False
    assert keys.index(str(again["key"])) < len(keys) - 1  # as soon as due, not after the rest


def test_learn_ahead_window_is_configurable(tmp_path: Path) -> None:
    """With nothing else left, a learning card due within the window (20 min) is shown early;
    with a window of 0 the session says when it is due instead."""
    state = tmp_path / "q.sqlite3"
    clock = Clock(datetime(2026, 3, 2, 6, 1, 50, tzinfo=UTC))
    quiz_events(FIXTURE_LIBRARY, state, ["", "3", "q"], clock, max_cards=1)  # Good: due in 10 min
    clock.now += timedelta(minutes=1)
    early = quiz_events(FIXTURE_LIBRARY, state, ["", "3"], clock, new_limit=0)
    assert len(shown(early)) == 1
    clock.now += timedelta(seconds=1)
    events = quiz_events(FIXTURE_LIBRARY, state, [], clock, new_limit=0, learn_ahead=timedelta(0))
    empty = next(e for e in events if e["event"] == "empty")
    assert shown(events) == []
    assert empty["next_due"] is not None


def test_counts_are_ankis_new_learning_review(tmp_path: Path) -> None:
    """Bug 5: each answered new card moves from the new count to the learning count, and a card
    that comes back is labelled learning, not review."""
    state = tmp_path / "q.sqlite3"
    clock = Clock(step=timedelta(minutes=1))
    events = quiz_events(FIXTURE_LIBRARY, state, ["", "3"] * 8, clock, new_limit=4)
    cards = [e for e in events if e["event"] == "card"]
    counts = [(c["counts"]["new"], c["counts"]["learning"]) for c in cards[:4]]  # type: ignore[index]
    assert counts == [(4, 0), (3, 1), (2, 2), (1, 3)]
    assert [c["status"] for c in cards[:4]] == ["new"] * 4
    assert {c["status"] for c in cards[4:]} == {"learning"}
    assert all(c["remaining"] == sum(c["counts"].values()) for c in cards)  # type: ignore[union-attr]


def test_siblings_are_buried_for_the_day(tmp_path: Path) -> None:
    """Bug 6: of two clozes from one bullet only one is shown today, in any session; the other
    comes tomorrow."""
    state = tmp_path / "q.sqlite3"
    clock = Clock()
    first = quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 30, clock, new_limit=50)
    assert len(SIBLINGS & set(shown(first))) == 1
    clock.now += timedelta(hours=2)
    second = quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 30, clock, new_limit=50)
    assert not SIBLINGS & set(shown(second))
    clock.now += timedelta(days=1)
    third = quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 30, clock, new_limit=50)
    assert len(SIBLINGS & set(shown(third))) == 1
    assert set(shown(first) + shown(third)) >= SIBLINGS


def test_undo_unburies_the_siblings(tmp_path: Path) -> None:
    """Undoing an answer gives back the siblings it buried; cram buries nothing."""
    state = tmp_path / "q.sqlite3"
    clock = Clock()
    events = quiz_events(
        FIXTURE_LIBRARY, state, ["", "4", "u", "", "4"] + ["", "4"] * 30, clock, new_limit=50
    )
    assert len(SIBLINGS & set(shown(events))) == 1
    cram = quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 30, clock, cram=True)
    assert set(shown(cram)) >= SIBLINGS


def test_nothing_due_says_why_and_when(tmp_path: Path) -> None:
    """With the daily new limit reached the message names it, how to raise it, and the next due
    time."""
    state = tmp_path / "q.sqlite3"
    clock = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 2, clock, new_limit=2)
    clock.now += timedelta(hours=1)
    events = quiz_events(FIXTURE_LIBRARY, state, [], clock, new_limit=2)
    empty = next(e for e in events if e["event"] == "empty")
    assert str(empty["message"]).startswith(
        "Nothing due now: the daily limit of 2 new cards is reached (2 seen today; raise it "
        "with --new 12). Next card due in 8d ("
    )
    assert empty["new_limit_reached"] is True
    assert empty["next_due"] == "2026-03-10T09:00:00+00:00"


def test_scenario_filter_takes_a_number_folder_or_id(tmp_path: Path) -> None:
    """Bug 7: --scenario 1, 01, 01-mini-serving and mini-serving select the same cards; an unknown
    value lists the valid ones."""
    state = tmp_path / "q.sqlite3"
    for value in ("1", "01", "01-mini-serving", "mini-serving"):
        result = CliRunner().invoke(
            main,
            [
                "quiz",
                "--scenarios",
                str(FIXTURE_LIBRARY),
                "--state",
                str(state),
                "--scenario",
                value,
                "--json",
                "--max",
                "1",
            ],
            input="q\n",
        )
        assert result.exit_code == 0, result.stderr
        assert '"scenario": "mini-serving"' in result.stdout
    result = CliRunner().invoke(
        main,
        ["quiz", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state), "--scenario", "03"],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no scenario '03'; use a number, folder name or id:\n"
        "  00  foundations  (00-foundations)\n"
        "  01  mini-serving  (01-mini-serving)\n"
    )


def test_unknown_topic_lists_the_topics(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "quiz",
            "--scenarios",
            str(FIXTURE_LIBRARY),
            "--state",
            str(tmp_path / "q"),
            "--topic",
            "kv",
        ],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: no cards match the filters\n  unknown topic kv; topics: continuous-batching, "
    )


def test_stats_titles_scenarios_and_topics_apart(tmp_path: Path) -> None:
    """Bug 4: 'high-availability' is a scenario id and a topic id; each keeps its own title. stats
    never creates a state file."""
    state = tmp_path / "never.sqlite3"
    result = CliRunner().invoke(
        main, ["stats", "--scenarios", str(SCENARIOS), "--state", str(state)]
    )
    assert result.exit_code == 0, result.stderr
    tagged = tagged_cards(load_library(SCENARIOS))
    in_scenario = sum(c.scenario_id == "high-availability" for c, _g, _t in tagged)
    on_topic = sum("high-availability" in c.topics for c, _g, _t in tagged)
    assert in_scenario != on_topic
    assert re.search(rf"^07 high-availability\s+{in_scenario}\s", result.stdout, re.M)
    assert re.search(rf"^high-availability\s+{on_topic}\s", result.stdout, re.M)
    assert not state.exists()
