"""`deckbuilder interview`: a whole mock interview through stdin with an injected clock."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import Clock, rows
from deckbuilder.cli import main
from deckbuilder.interview import shell
from deckbuilder.interview.history import interviews, record_interview
from deckbuilder.interview.scoring import Score, decide
from deckbuilder.interview.session import parse_score
from deckbuilder.library import load_library
from deckbuilder.quiz import statefile
from deckbuilder.quiz.store import Store

ROOT = Path(__file__).resolve().parents[1]
V2 = ROOT / "tests" / "fixtures" / "interview"  # written in scenario format v2


class TypedSlowly(io.StringIO):
    """stdin where every line typed takes the candidate some minutes on the injected clock."""

    def __init__(self, text: str, clock: Clock, minutes: float) -> None:
        super().__init__(text)
        self.clock, self.step = clock, timedelta(minutes=minutes)

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.clock.now += self.step
        return super().readline()


SESSION = "\n".join(
    [
        "is the 200 ms target the time to first token?",
        "how long are prompts and outputs",
        ".",
        "TTFT under 200 ms at P99; prompts 1k, outputs 200.",
        ".",
        "20k tokens/s, 128 KiB KV per token, 2 H100s.",
        "128K context: chunked prefill, cap KV per request.",
        ".",
        "continuous batching, chunked prefill.",
        ".",
        "headroom absorbs it; shed the batch tier.",
        ".",
        "3",
        "x",
        "2p",
        "",
    ]
)


def _interview(
    state: Path,
    transcripts: Path,
    clock: Clock,
    text: str = SESSION,
    *,
    scenarios: Path = V2,
    only: str | None = "mini-serving",
) -> list[dict[str, object]]:
    out = io.StringIO()
    shell.run(
        load_library(scenarios),
        scenarios=scenarios,
        state=state,
        transcripts=transcripts,
        only=only,
        minutes=60,
        as_json=True,
        now=clock,
        stdin=TypedSlowly(text, clock, minutes=4),
        stdout=out,
    )
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_full_mock_interview_is_scored_decided_and_saved(tmp_path: Path) -> None:
    state, transcripts, clock = tmp_path / "state.sqlite3", tmp_path / "interviews", Clock()
    events = _interview(state, transcripts, clock)
    names = [e["event"] for e in events]
    assert names == [
        "prompt", "ask", "questions",
        "phase", "ask", "checkpoint", "phase-end",  # minute 10 passes while typing: checkpoint
        "phase", "ask", "curveball", "phase-end",  # minute 20 reached by the clock: thrown at once
        "phase", "ask", "curveball", "ask", "phase-end",  # minute 45 not reached: asked before moving on
        "dimension", "dimension", "invalid", "decision", "saved",
    ]  # fmt: skip
    prompt, questions = events[0], events[2]
    assert prompt["phases"] == [
        {"phase": "Clarify", "start": 0.0, "end": 10.0},
        {"phase": "Capacity estimate", "start": 10.0, "end": 30.0},
        {"phase": "Deep dives", "start": 30.0, "end": 60.0},
    ]
    assert questions["covered"] == 2
    covered = {q["question"]: q["covered_by"] for q in questions["reference"]}  # type: ignore[union-attr]
    assert covered["Which GPUs do we have?"] is None
    assert (
        covered["Is the 200 ms target time to first token?"]
        == "is the 200 ms target the time to first token?"
    )
    curveballs = [e for e in events if e["event"] == "curveball"]
    assert [c["pivot"] for c in curveballs] == [
        "Now the context is 128K tokens.",
        "One GPU dies during the peak.",
    ]
    assert events[7]["phase"] == "Capacity estimate" and events[11]["phase"] == "Deep dives"
    assert [(c["minute"], c["elapsed"]) for c in curveballs] == [(20.0, 20.0), (45.0, 40.0)]
    assert events[5] == {
        "event": "checkpoint",
        "phase": "Clarify",
        "minute": 10.0,
        "elapsed": 12.0,
        "covers": "Pins the latency target to TTFT and gets length distributions",
    }
    ends = [e for e in events if e["event"] == "phase-end"]
    assert [e["elapsed"] for e in ends] == [20.0, 32.0, 48.0]  # 4 minutes per typed line
    assert [e["over_by"] for e in ends] == [10.0, 2.0, 0.0]
    assert ends[1]["curveballs"][0]["points"][0].startswith("**What happens to KV per request?**")  # type: ignore[index]
    assert ends[1]["reference"] is None or "solution.md" in str(ends[1]["reference"])
    dimension = events[16]
    assert dimension["levels"][0]["anchor"].startswith("100 requests/s at 200 tokens")  # type: ignore[index]
    decision = events[19]
    assert (
        decision["outcome"] == "Lean No Hire"
    )  # mean 0.6 x 3 + 0.4 x 2 (prompted 2 stays 2) = 2.6
    assert decision["mean"] == pytest.approx(2.6)
    assert decision["must_reach"] == ["Capacity estimation"]
    assert decision["suggestions"] and str(decision["suggestions"][0]).startswith(
        "deckbuilder quiz --scenario mini-serving --tag topic::"
    )  # type: ignore[index]
    assert rows(state, "SELECT scenario, decision, mean FROM interviews") == [
        ("mini-serving", "Lean No Hire", 2.6)
    ]
    assert rows(state, "SELECT dimension, weight, level, prompted FROM interview_scores") == [
        ("Capacity estimation", 60.0, 3, 0),
        ("Failure handling", 40.0, 2, 1),
    ]
    path = Path(str(events[-1]["path"]))
    assert path.parent == transcripts and path.name == "20260302-090000-mini-serving.md"
    transcript = path.read_text()
    assert "> Curveball at minute 20 (planned 20): Now the context is 128K tokens." in transcript
    assert "> Curveball at minute 40 (planned 45): One GPU dies during the peak." in transcript
    assert "headroom absorbs it; shed the batch tier." in transcript
    assert "20k tokens/s, 128 KiB KV per token, 2 H100s." in transcript
    assert "## Decision: Lean No Hire" in transcript
    assert "| Failure handling | 40% | 2 Lean No Hire | yes |" in transcript


def test_stats_show_sessions_and_trends(tmp_path: Path) -> None:
    state, clock = tmp_path / "state.sqlite3", Clock()
    _interview(state, tmp_path / "t", clock)
    clock.now += timedelta(days=2)
    _interview(state, tmp_path / "t", clock, SESSION.replace("\n3\nx\n2p\n", "\n4\n3\n"))
    runner = CliRunner(env={"DECKBUILDER_STATE": str(state)})
    result = runner.invoke(main, ["stats", "--json", "--scenarios", str(V2)])
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)["interviews"]["mini-serving"]
    assert history["sessions"] == 2 and history["decisions"] == ["Lean No Hire", "Strong Hire"]
    assert history["dimensions"]["Capacity estimation"] == {
        "levels": [3, 4],
        "trend": 1,
        "latest": 4,
    }
    assert history["dimensions"]["Failure handling"] == {"levels": [2, 3], "trend": 1, "latest": 3}
    text = runner.invoke(main, ["stats", "--scenarios", str(V2)]).output
    assert "01 mini-serving: 2 sessions, last Strong Hire" in text
    assert "  Capacity estimation" in text and "3 4" in text


def test_a_scenario_without_curveballs_anchors_or_decision_rule_still_runs(
    tmp_path: Path,
) -> None:
    """The interview degrades: no curveball is thrown and no dimension must reach Hire."""
    import re
    import shutil

    scenarios = tmp_path / "interview"
    shutil.copytree(V2, scenarios)
    folder = scenarios / "01-mini-serving"
    discussion = (folder / "discussion_points.md").read_text()
    (folder / "discussion_points.md").write_text(
        re.sub(r"## Curveballs\n.*?(?=## Common)", "", discussion, flags=re.S)
    )
    rubric = (folder / "rubric.md").read_text()
    rubric = re.sub(r"\n  - Anchor: .*", "", rubric)
    (folder / "rubric.md").write_text(re.sub(r"## Decision rule\n.*", "", rubric, flags=re.S))
    lines = "\n".join(["how many QPS at peak", ".", ".", ".", ".", "3", "3", ""])
    events = _interview(tmp_path / "s", tmp_path / "t", Clock(), lines, scenarios=scenarios)
    assert not [e for e in events if e["event"] == "curveball"]
    dimension = next(e for e in events if e["event"] == "dimension")
    assert all(level["anchor"] == "" for level in dimension["levels"])  # type: ignore[union-attr]
    decision = next(e for e in events if e["event"] == "decision")
    assert decision["outcome"] == "Hire" and decision["must_reach"] == []
    assert events[-1]["event"] == "saved"


def test_end_of_input_saves_nothing(tmp_path: Path) -> None:
    events = _interview(tmp_path / "s", tmp_path / "t", Clock(), "a question\n.\nnotes\n")
    assert events[-1] == {"event": "end", "saved": False}
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize(
    ("levels", "must", "outcome"),
    [
        ([(4, False), (4, False), (3, False)], ["A"], "Strong Hire"),  # mean 3.67
        ([(4, False), (3, False), (3, False)], ["A"], "Hire"),  # mean 3.33 < 3.5
        (
            [(4, False), (4, False), (1, False)],
            [],
            "Lean No Hire",
        ),  # a dimension below 2 blocks Hire
        ([(2, False), (4, False), (4, False)], ["A"], "Lean No Hire"),  # must-reach below Hire
        ([(4, True), (4, True), (4, True)], ["A"], "Hire"),  # prompted counts one level lower
        ([(3, True), (2, False), (2, False)], [], "Lean No Hire"),  # prompted 3 counts 2: mean 2.0
        ([(2, True), (1, False), (2, False)], [], "No Hire"),  # prompted 2 stays 2; mean 1.67
        ([(None, False), (4, False), (4, False)], ["A"], "Insufficient signal"),
        (
            [(None, False), (4, False), (4, False)],
            ["B"],
            "Strong Hire",
        ),  # not reached: renormalised
        ([(1, False), (2, False), (1, False)], [], "No Hire"),
    ],
)
def test_decision_rule_uses_the_final_constants(
    levels: list[tuple[int | None, bool]], must: list[str], outcome: str
) -> None:
    scores = [
        Score(name, 100 / 3, level, prompted)
        for name, (level, prompted) in zip("ABC", levels, strict=True)
    ]
    assert decide(scores, must_reach=must).outcome == outcome


def test_self_score_spellings() -> None:
    assert parse_score("3") == (3, False) and parse_score(" 2p ") == (2, True)
    assert (
        parse_score("n") == (None, False) and parse_score("5") is None and parse_score("") is None
    )


def test_version_1_state_file_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(statefile._SCHEMA)
    db.execute(f"PRAGMA application_id = {statefile.APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO meta VALUES ('application', 'deckbuilder quiz')")
    db.execute("INSERT INTO cards VALUES ('g', 'k', 's', 'concept', '{}', '2026-01-01')")
    db.commit()
    db.close()
    with Store(path) as store:
        assert interviews(store) == []
    assert rows(path, "PRAGMA user_version") == [(2,)]
    assert rows(path, "SELECT guid, card_key FROM cards") == [("g", "k")]
    tables = {r[0] for r in rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"interviews", "interview_scores", "cards", "reviews"} <= tables


_ORDER = ["Insufficient signal", "No Hire", "Lean No Hire", "Hire", "Strong Hire"]
_levels = st.lists(st.tuples(st.integers(1, 4), st.booleans()), min_size=1, max_size=6)


@given(levels=_levels, data=st.data())
def test_raising_a_level_never_lowers_the_decision(
    levels: list[tuple[int, bool]], data: st.DataObject
) -> None:
    names = [f"D{i}" for i in range(len(levels))]
    weights = data.draw(st.lists(st.integers(5, 40), min_size=len(levels), max_size=len(levels)))
    must = data.draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    index = data.draw(st.integers(0, len(levels) - 1))
    before = [Score(n, w, lv, p) for n, w, (lv, p) in zip(names, weights, levels, strict=True)]
    after = list(before)
    old = before[index]
    after[index] = Score(old.dimension, old.weight, min(4, (old.level or 1) + 1), old.prompted)
    first, second = decide(before, must_reach=must), decide(after, must_reach=must)
    assert _ORDER.index(second.outcome) >= _ORDER.index(first.outcome)
    assert first.mean is not None and 1 <= first.mean <= 4


def test_without_a_scenario_the_least_practised_weakest_is_picked_most(tmp_path: Path) -> None:
    library = load_library(ROOT / "scenarios")
    ids = [s.meta.id for s in library.scenarios if s.meta.number > 0]  # 0: foundations
    with Store(tmp_path / "s") as store:
        moment = datetime(2026, 3, 1, tzinfo=UTC)
        for scenario in ids[1:]:  # every scenario but the first practised twice, scored Hire
            for _ in range(2):
                record_interview(
                    store,
                    scenario=scenario,
                    started=moment,
                    finished=moment,
                    minutes=60,
                    decision="Hire",
                    mean=3.0,
                    transcript="t",
                    scores=[],
                )
        picks = [
            shell.pick_scenario(library, store=store, rng=random.Random(seed)).meta.id
            for seed in range(300)
        ]
    assert max(set(picks), key=picks.count) == ids[0]
    assert picks.count(ids[0]) > 300 / len(ids) * 3


def test_scale_assumptions_and_the_prompt_on_request(tmp_path: Path) -> None:
    events = _interview(
        tmp_path / "s",
        tmp_path / "t",
        Clock(),
        "?scale\nIs it bursty?\n?prompt\n.\n",
        scenarios=ROOT / "scenarios",
        only="llm-inference-system",
    )
    shown = [e for e in events if e["event"] == "reference"]
    assert [e["title"] for e in shown] == ["Scale assumptions", "The prompt"]
    assert "availability zones" in str(shown[0]["text"])  # the section as written
    questions = next(e for e in events if e["event"] == "questions")
    assert questions["typed"] == ["Is it bursty?"]


def test_interview_in_a_real_terminal(tmp_path: Path) -> None:
    """A person at a terminal: the timer in every prompt, a curveball, scores, the saved path."""
    import os
    import sys

    import pexpect

    exe = str(Path(sys.executable).parent / "deckbuilder")
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    args = [
        "interview",
        "mini-serving",
        "--scenarios",
        str(V2),
        "--state",
        str(tmp_path / "s"),
        "--minutes",
        "30",
    ]
    child = pexpect.spawn(exe, args, encoding="utf-8", timeout=20, dimensions=(40, 120), env=env)
    child.expect(r"Timeline: 0-5 Clarify; 5-15 Capacity estimate; 15-30 Deep dives")
    child.expect(r"\[00:0\d\] > ")
    child.sendline("Is 200 ms the time to first token?")
    child.sendline(".")
    child.expect(r"\[x\] Is the 200 ms target time to first token\?")
    for phase_end in ("05:00", "15:00"):
        child.expect(rf"\[00:0\d / {phase_end}\] > ")
        child.sendline(".")
    child.expect(r"CURVEBALL \(minute 10\): Now the context is 128K tokens\.")  # not reached: asked
    child.sendline("chunked prefill")
    child.sendline(".")
    child.expect(
        r"Curveball 'Now the context is 128K tokens\.' \(interview/01-mini-serving/discussion_points\.md:\d+\): expected pivots"
    )
    child.expect(r"\[00:0\d / 30:00\] > ")
    child.sendline(".")
    child.expect(r"CURVEBALL \(minute 22\.5\): One GPU dies during the peak\.")
    child.sendline(".")
    child.expect(
        r"e\.g\. 100 requests/s at 200 tokens is 20k tokens/s, so two H100s with headroom\."
    )
    child.expect("Score 1-4")
    child.sendline("4")
    child.expect("Score 1-4")
    child.sendline("3")
    child.expect(r"Decision: Strong Hire \(weighted mean 3\.60\)")
    child.expect(r"Transcript: (\S+\.md)")
    saved = Path(child.match.group(1))
    child.expect(pexpect.EOF)
    assert saved.parent == tmp_path / "data" / "deckbuilder" / "interviews"
    assert "## Decision: Strong Hire" in saved.read_text()
