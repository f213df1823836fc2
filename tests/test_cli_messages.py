"""What a new user reads: tables that fit 80 columns and show ids, charts in stats, short change
reports with rename hints, and messages that say where to look."""

from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURE_LIBRARY, SCENARIOS, Clock, quiz_events
from deckbuilder.cli import main
from deckbuilder.library import load_library
from deckbuilder.quiz.app import compute_stats, tagged_cards
from deckbuilder.quiz.report import bars, summary_lines


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_list_fits_80_columns_and_shows_ids() -> None:
    code, out, _ = run("list", "--scenarios", str(SCENARIOS))
    assert code == 0 and widest(out) <= 80
    total = len(next(s for s in load_library(SCENARIOS).scenarios if s.meta.number == 7).cards)
    assert re.search(rf"^07 high-availability(\s+\d+)+\s+{total}$", out, re.M)
    assert re.search(r"^high-availability\s+High availability\s+\d+$", out, re.M)


def test_stats_table_and_charts(tmp_path: Path) -> None:
    """stats fits 80 columns, names scenarios and topics by id (07 is both, each with its own
    row), and draws the 30-day forecast and retention; --json keeps the numbers."""
    state, clock = tmp_path / "q.sqlite3", Clock()
    quiz_events(FIXTURE_LIBRARY, state, ["", "4"] * 6, clock, max_cards=6)  # Easy: reviews
    clock.now += timedelta(days=9)
    quiz_events(FIXTURE_LIBRARY, state, ["", "3", "", "1"] * 3, clock, new_limit=0)
    library = load_library(FIXTURE_LIBRARY)
    stats = compute_stats(library, state=state, now=clock)
    text = "\n".join(
        summary_lines(
            stats,
            scenario_labels={"mini-serving": "01 mini-serving"},
            topic_labels={t.id: t.id for t in library.topics},
        )
    )
    assert widest(text) <= 80
    cards = len(tagged_cards(library))
    assert re.search(r"^01 mini-serving\s+\d+\s+\d+\s", text, re.M)
    assert re.search(rf"^All\s+{cards}\s+6\s", text, re.M)
    assert "Due in the next 30 days" in text and "└" + "─" * 60 in text
    assert "Retention, last 30 days" in text
    data = stats.as_dict()
    forecast = data["forecast"]
    assert isinstance(forecast, list) and len(forecast) == 30 and 0 < sum(forecast) <= 6
    assert forecast[0] == 3  # the three rated Again are due again today
    by_day = data["retention_by_day"]
    assert isinstance(by_day, list) and len(by_day) == 30
    assert by_day[-1]["reviews"] == sum(d["reviews"] for d in by_day) > 0


def test_stats_json_without_state_creates_nothing(tmp_path: Path) -> None:
    state = tmp_path / "none.sqlite3"
    code, out, _ = run(
        "stats", "--scenarios", str(FIXTURE_LIBRARY), "--state", str(state), "--json"
    )
    assert code == 0 and not state.exists()
    assert json.loads(out)["forecast"] == [0] * 30


def test_bars_scale_to_the_tallest() -> None:
    assert bars([0, 4, 8], height=1, width=2) == ["  ▄ █"]
    assert bars([0, 0], height=2) == ["", ""]


def test_check_counts_in_good_grammar() -> None:
    code, out, _ = run("check", "--scenarios", str(SCENARIOS), "kv-cache-management")
    assert code == 0 and re.fullmatch(r"OK: 1 scenario, \d+ cards, \d+ topics\n", out), out


def test_errors_name_paths_from_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --scenarios elsewhere, a problem's path opens from the current folder."""
    library = tmp_path / "work" / "mylib"
    shutil.copytree(FIXTURE_LIBRARY, library)
    (library / "01-mini-serving" / "rubric.md").unlink()
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", "--scenarios", "work/mylib")
    assert code == 1
    assert (
        err
        == "Error: work/mylib/01-mini-serving/rubric.md:1: required file is missing\n1 problem found\n"
    )


def test_top_level_help_is_not_truncated() -> None:
    code, out, _ = run("--help")
    commands = out.split("Commands:")[1]
    assert code == 0 and "..." not in commands
    assert "Reviews, retention, due cards and a 30-day forecast." in commands


def test_first_build_is_summarised_and_renames_get_a_hint(
    library_copy: Path, tmp_path: Path
) -> None:
    """A build adding 20 notes prints one summary line; --verbose lists each; a renamed term
    shows a hint to pin its old key with {#id}."""
    out = tmp_path / "decks"
    code, stdout, _ = run("build", "--scenarios", str(library_copy), "--out", str(out))
    assert code == 0
    assert re.fullmatch(
        r"   added  \d\d notes \(foundations \d+, mini-serving \d+\)", stdout.splitlines()[0]
    )
    assert "--verbose lists each one" in stdout
    solution = library_copy / "01-mini-serving" / "solution.md"
    solution.write_text(solution.read_text().replace("**KV cache:**", "**Key-value cache:**"))
    code, stdout, _ = run("build", "--scenarios", str(library_copy), "--out", str(out), "-v")
    assert code == 0
    assert "   added  01 Mini Serving: Key concept: Key-value cache" in stdout
    assert (
        "    hint  renamed? mini-serving/concept/kv-cache → mini-serving/concept/key-value-cache:"
        " to keep its Anki history and quiz state, pin the old key: add {#kv-cache} after the"
        " new heading or label"
    ) in stdout


def test_sync_without_a_collection_says_where_anki_keeps_it(tmp_path: Path) -> None:
    missing = tmp_path / "collection.anki2"
    code, _, err = run(
        "sync",
        "--scenarios",
        str(FIXTURE_LIBRARY),
        "--out",
        str(tmp_path / "d"),
        "--collection",
        str(missing),
    )
    assert code == 1
    assert err.startswith(f"Error: {missing}: no Anki collection file there (Anki keeps it as ")
    assert not (tmp_path / "d").exists()  # refused before building
