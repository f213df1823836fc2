"""`deckbuilder drill`: units, reference data, formula families, scheduling, scripted runs."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import random
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Clock, rows
from deckbuilder.cli import main
from deckbuilder.drill import session
from deckbuilder.drill.exercise import Exercise
from deckbuilder.drill.families import BY_ID, FAMILIES
from deckbuilder.drill.reference import Reference, load_reference
from deckbuilder.drill.shell import run_drill
from deckbuilder.drill.units import UnitError, parse
from deckbuilder.library import load_library
from deckbuilder.quiz.app import compute_stats
from deckbuilder.quiz.scheduler import Rating

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
REF = load_reference(SCENARIOS)
KiB, GB = 1024, 1e9


# --- units ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "spellings", "value"),
    [
        ("bytes", ["320KiB", "0.3125 MiB", "327,680 bytes", "327680 B", "320 KiB"], 327_680),
        ("bandwidth", ["3.35 TB/s", "3350 GB/s", "3,350 GB per second"], 3.35e12),
        ("time", ["4.32 min", "259.2 s", "259200 ms", "4.32 minutes"], 259.2),
        ("time", ["14.7 ms", "0.0147 s", "14,700 us", "14700 µs"], 0.0147),
        ("flops", ["16.06 TFLOP", "1.606e13 FLOP", "16060 GFLOPs"], 1.606e13),
        ("money", ["$292,000", "$292k", "292000 USD", "292 thousand dollars"], 292_000),
        ("rate", ["8,700 tokens/s", "8700 tok/s", "8.7k tokens/s", "8700/s"], 8_700),
        ("count", ["360", "360 requests", "360.0"], 360),
    ],
)
def test_common_spellings_are_equal(kind: str, spellings: list[str], value: float) -> None:
    for text in spellings:
        assert parse(text, kind=kind).value == pytest.approx(value, rel=1e-9), text


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        (
            "hello",
            "bytes",
            "cannot read 'hello' (no number first); expected a size such as 320 KiB or 1.2 GB",
        ),
        (
            "12 parsecs",
            "bytes",
            "cannot read '12 parsecs' (unknown unit parsecs); expected a size such as 320 KiB or 1.2 GB",
        ),
        (
            "12 GB!",
            "bytes",
            "cannot read '12 GB!' (not a unit); expected a size such as 320 KiB or 1.2 GB",
        ),
        ("3 ms", "bytes", "'3 ms' is not a size; expected a size such as 320 KiB or 1.2 GB"),
        ("12", "time", "'12' has no unit; expected a duration such as 12 ms or 4.3 min"),
        ("5 GB", "count", "'5 GB' is not a plain number; expected a plain number such as 360"),
        ("", "money", "type an answer: an amount of money such as $292,000 or 292k USD"),
        (
            "1e999 B",
            "bytes",
            "'1e999 B' is not a finite number; expected a size such as 320 KiB or 1.2 GB",
        ),
        (
            "nan B",
            "bytes",
            "cannot read 'nan B' (no number first); expected a size such as 320 KiB or 1.2 GB",
        ),
    ],
)
def test_nonsense_is_explained(text: str, kind: str, message: str) -> None:
    with pytest.raises(UnitError) as raised:
        parse(text, kind=kind)
    assert str(raised.value) == message


_UNITS = {
    "bytes": ["B", "KiB", "MiB", "GiB", "kB", "MB", "GB", "TB"],
    "time": ["s", "ms", "us", "min", "h"],
    "flops": ["FLOP", "GFLOP", "TFLOP", "PFLOP"],
    "bandwidth": ["GB/s", "TB/s", "MB/s"],
}
_SCALE = {
    "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
    "s": 1, "ms": 1e-3, "us": 1e-6, "min": 60, "h": 3600,
    "FLOP": 1, "GFLOP": 1e9, "TFLOP": 1e12, "PFLOP": 1e15,
    "GB/s": 1e9, "TB/s": 1e12, "MB/s": 1e6,
}  # fmt: skip


@given(
    kind=st.sampled_from(sorted(_UNITS)),
    magnitude=st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
    data=st.data(),
    space=st.sampled_from(["", " ", "  "]),
)
def test_any_value_in_any_unit_reads_back(
    kind: str, magnitude: float, data: st.DataObject, space: str
) -> None:
    unit = data.draw(st.sampled_from(_UNITS[kind]))
    parsed = parse(f"{magnitude!r}{space}{unit}", kind=kind)
    assert parsed.value == pytest.approx(magnitude * _SCALE[unit], rel=1e-9)


@given(st.text(max_size=30))
def test_any_text_either_parses_or_is_explained(text: str) -> None:
    for kind in ("bytes", "time", "count", "money"):
        try:
            value = parse(text, kind=kind).value
        except UnitError as error:
            assert "expected" in str(error) or "type an answer" in str(error)
        else:
            assert math.isfinite(value)


@given(st.from_regex(r"[a-z]{4,9}", fullmatch=True))
def test_words_are_not_sizes(word: str) -> None:
    with pytest.raises(UnitError):
        parse(f"12 {word}", kind="bytes")


# --- reference data ------------------------------------------------------------------


def test_reference_rows_are_sourced() -> None:
    assert {m.id for m in REF.models} >= {"llama-3.1-70b", "deepseek-v3", "mixtral-8x7b"}
    assert {g.id for g in REF.gpus} == {"a100-80g", "h100-sxm", "h200", "b200", "l40s", "l4"}
    assert all(row.source for row in (*REF.models, *REF.gpus))


def test_bad_reference_reports_every_problem(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios" / "00-foundations"
    folder.mkdir(parents=True)
    text = (SCENARIOS / "00-foundations" / "reference.yaml").read_text()
    text = text.replace("    layers: 80\n", "    layers: eighty\n", 1)
    text = text.replace("    hbm_tbps: 4.8\n", "    hbm_tbps: -4.8\n", 1)
    text = text.replace("    l4: 0.50\n", "", 1)
    (folder / "reference.yaml").write_text(text)
    result = CliRunner().invoke(main, ["drill", "--scenarios", str(tmp_path / "scenarios")])
    assert result.exit_code == 1
    lines = text.splitlines()
    eighty = lines.index("    layers: eighty") + 1
    bandwidth = lines.index("    hbm_tbps: -4.8") + 1
    prices = (
        lines.index(
            "  price_per_gpu_hour:   # USD on demand, rough 2025-2026 cloud levels; varies several-fold by provider and commitment"
        )
        + 1
    )
    path = "scenarios/00-foundations/reference.yaml"
    assert result.output == (
        f"Error: {path}:{eighty}: 'layers' must be a positive integer\n"
        f"{path}:{bandwidth}: 'hbm_tbps' must be a positive number\n"
        f"{path}:{prices}: no positive price for GPU 'l4'\n"
        "3 problems found\n"
    )


# --- families: properties and independent checks --------------------------------------


@settings(max_examples=60, deadline=None)
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1))
def test_every_exercise_is_well_formed(family: object, seed: int) -> None:
    exercise = family.make(random.Random(seed), REF)  # type: ignore[attr-defined]
    assert math.isfinite(exercise.answer) and exercise.answer > 0
    assert 0 < exercise.tolerance <= 0.5 and exercise.steps
    assert session.grade(exercise, exercise.answer).rating is Rating.GOOD
    assert session.grade(exercise, exercise.answer * 1.6).rating is Rating.AGAIN
    assert session.grade(exercise, None).rating is Rating.AGAIN
    shown = parse(exercise.shown_answer, kind=exercise.kind).value  # the worked answer is accepted
    assert session.grade(exercise, shown).rating is Rating.GOOD
    assert independent(exercise, REF) == pytest.approx(exercise.answer, rel=1e-9)


def independent(exercise: Exercise, ref: Reference) -> float:
    """The same quantities computed from the drawn inputs, written apart from the generator."""
    i = exercise.inputs
    models = {m.id: m for m in ref.models}
    gpus = {g.id: g for g in ref.gpus}
    width = {"BF16": 2, "FP8": 1, "INT4": 0.5}
    a = ref.assumptions

    def kv(model_id: object, value_bytes: float) -> float:
        m = models[str(model_id)]
        per_layer = m.mla_kv_dim if m.mla_kv_dim else m.kv_heads * m.head_dim * 2
        return m.layers * per_layer * value_bytes

    if exercise.family == "kv-cache":
        return kv(i["model"], width[str(i["precision"])]) * int(i.get("context", 1))  # type: ignore[call-overload]
    if exercise.family == "weights-memory":
        return models[str(i["model"])].params_b * 1e9 * width[str(i["precision"])]
    m = models.get(str(i.get("model")))
    g = gpus.get(str(i.get("gpu")))
    if exercise.family == "max-batch":
        assert m and g
        n = int(i["gpus"])  # type: ignore[call-overload]
        free = n * g.hbm_gb * 1e9 * a.gpu_memory_utilization - n * a.runtime_overhead_gb * 1e9
        free -= m.params_b * 1e9 * width[str(i["precision"])]
        return free / (kv(m.id, 2) * int(i["context"]))  # type: ignore[call-overload]
    if exercise.family == "decode-step":
        assert m and g
        read = m.params_b * 1e9 * width[str(i["precision"])]
        read += int(i["batch"]) * int(i["context"]) * kv(m.id, 2)  # type: ignore[call-overload]
        seconds = read / (int(i["gpus"]) * g.hbm_tbps * 1e12 * float(i["efficiency"]))  # type: ignore[call-overload, arg-type]
        return seconds if exercise.kind == "time" else int(i["batch"]) / seconds  # type: ignore[call-overload]
    if exercise.family == "prefill":
        assert m and g
        flops = 2 * (m.active_params_b or m.params_b) * 1e9 * int(i["prompt"])  # type: ignore[call-overload]
        if exercise.kind == "flops":
            return flops
        peak = g.fp8_tflops if i["precision"] == "FP8" else g.bf16_tflops
        assert peak
        return flops / (int(i["gpus"]) * peak * 1e12 * a.mfu)  # type: ignore[call-overload]
    if exercise.family == "tp-allreduce":
        assert m
        n = int(i["tp"])  # type: ignore[call-overload]
        return m.layers * 2 * (2 * (n - 1) / n) * m.hidden * 2
    if exercise.family == "pp-bytes":
        assert m
        return int(i["batch"]) * m.hidden * 2  # type: ignore[call-overload]
    if exercise.family == "replicas":
        tokens = int(i["qps"]) * int(i["output"]) * a.headroom  # type: ignore[call-overload]
        return math.ceil(tokens / int(i["per_replica"]))  # type: ignore[call-overload]
    if exercise.family == "monthly-cost":
        return int(i["gpus"]) * a.price_per_gpu_hour[str(i["gpu"])] * 730  # type: ignore[call-overload]
    if exercise.family == "error-budget":
        up = float(i["slo"]) ** int(i["parts"])  # type: ignore[call-overload, arg-type]
        return (1 - up) * float(i["window_s"])  # type: ignore[arg-type]
    raise AssertionError(exercise.family)


class Pinned(random.Random):
    """A generator whose choices are the values given, in order: replays a published example."""

    def __init__(self, *picks: object) -> None:
        super().__init__(0)
        self.picks = list(picks)

    def choice(self, seq: Sequence[object]) -> object:  # type: ignore[override]
        return self.picks.pop(0)

    def random(self) -> float:
        return float(self.picks.pop(0))  # type: ignore[arg-type]


def _m(model_id: str) -> object:
    return next(m for m in REF.models if m.id == model_id)


def _g(gpu_id: str) -> object:
    return next(g for g in REF.gpus if g.id == gpu_id)


def _make(family: str, *picks: object, ref: Reference = REF) -> Exercise:
    exercise = BY_ID[family].make(Pinned(*picks), ref)
    assert independent(exercise, ref) == pytest.approx(exercise.answer, rel=1e-9)
    return exercise


@pytest.mark.parametrize(
    ("family", "picks", "published", "rel", "where"),
    [
        (
            "kv-cache",
            (_m("llama-3.1-70b"), "BF16", 0.1),
            320 * KiB,
            1e-9,
            "01 solution.md:675, 03 solution.md:107",
        ),
        ("kv-cache", (_m("llama-3.1-8b"), "BF16", 0.1), 128 * KiB, 1e-9, "01 solution.md:673"),
        (
            "kv-cache",
            (_m("llama-3.1-70b"), "BF16", 0.9, 1_100),
            360e6,
            0.005,
            "01 solution.md:185 (360 MB per 1,100-token request)",
        ),
        (
            "kv-cache",
            (_m("llama-2-13b"), "BF16", 0.1),
            800 * KiB,
            1e-9,
            "03 solution.md:204 (MHA, 800 KiB per token)",
        ),
        (
            "kv-cache",
            (_m("llama-3.1-70b"), "FP8", 0.1),
            160 * KiB,
            1e-9,
            "03 solution.md:210 (FP8 KV, 160 KiB)",
        ),
        (
            "kv-cache",
            (_m("llama-3.1-8b"), "FP8", 0.1),
            64 * KiB,
            1e-9,
            "08 solution.md:133 (64 KiB in FP8)",
        ),
        (
            "kv-cache",
            (_m("gpt-3-175b"), "BF16", 0.1),
            4.5 * 2**20,
            1e-9,
            "02 solution.md:582 (4.5 MiB per token)",
        ),
        (
            "weights-memory",
            (_m("gpt-3-175b"), "BF16"),
            350 * GB,
            1e-9,
            "02 solution.md:564 (350 GB of weights)",
        ),
        (
            "monthly-cost",
            (_g("h100-sxm"), 144),
            263_000,
            0.002,
            "02 solution.md:232 (~$263k per month)",
        ),
        ("weights-memory", (_m("llama-3.1-8b"), "BF16"), 16.1 * GB, 0.005, "01 solution.md:168"),
        ("weights-memory", (_m("llama-3.1-70b"), "BF16"), 141 * GB, 0.005, "01 solution.md:168"),
        (
            "max-batch",
            (_m("llama-3.1-8b"), _g("h100-sxm"), "BF16", 1_100),
            360,
            0.005,
            "01 solution.md:203 (about 360 requests)",
        ),
        (
            "decode-step",
            (_m("llama-3.1-8b"), _g("h100-sxm"), "BF16", 1_100, 128, 0.7, 0.1),
            14.7e-3,
            0.005,
            "01 solution.md:235 (14.7 ms at batch 128)",
        ),
        (
            "decode-step",
            (_m("llama-3.1-8b"), _g("h100-sxm"), "BF16", 1_100, 128, 0.7, 0.9),
            8_700,
            0.005,
            "01 solution.md:235 (8,700 tokens/s)",
        ),
        (
            "prefill",
            (_m("llama-3.1-8b"), _g("h100-sxm"), "BF16", 1_024, 0.9),
            33e-3,
            0.01,
            "01 solution.md:272 (33 ms)",
        ),
        (
            "prefill",
            (_m("llama-3.1-70b"), _g("h100-sxm"), "BF16", 1_024, 0.9),
            73e-3,
            0.01,
            "01 solution.md:275 (73 ms on TP = 4)",
        ),
        (
            "tp-allreduce",
            (_m("gpt-3-175b"), 8),
            8.3e6,
            0.01,
            "02 solution.md:148 (~8.3 MB per GPU per token)",
        ),
        (
            "pp-bytes",
            (_m("gpt-3-175b"), 1),
            24 * KiB,
            1e-9,
            "02 solution.md:153 (24 KiB per token)",
        ),
        (
            "monthly-cost",
            (_g("h100-sxm"), 160),
            292_000,
            0.001,
            "01 solution.md:295 (about $292,000 per month)",
        ),
        (
            "error-budget",
            (0.9999, 1, (30 * 86_400.0, "30 days")),
            4.32 * 60,
            1e-9,
            "07 solution.md:52 (4.32 min per 30 days)",
        ),
        (
            "error-budget",
            (0.99, 1, (365 * 86_400.0, "year")),
            5_256 * 60,
            1e-9,
            "07 solution.md:50 row pattern (1% of 525,600 min)",
        ),
    ],
)
def test_generator_agrees_with_the_scenarios(
    family: str, picks: tuple[object, ...], published: float, rel: float, where: str
) -> None:
    assert _make(family, *picks).answer == pytest.approx(published, rel=rel), where


def test_published_figures_are_still_in_the_scenarios() -> None:
    """The figures above are quoted from these lines; if the text moves, update the table."""
    text = {
        n: (SCENARIOS / n / "solution.md").read_text()
        for n in ("01-llm-inference-system", "02-distributed-llm-serving", "07-high-availability")
    }
    for needle in (
        "= 327,680 bytes = 320 KiB per token",
        "| 128 | 18.5 GB | 14.7 ms | 8,700 |",
        "= 33 ms of compute",
        "~ 8.3 MB per GPU",
        "= 24 KiB",
        "about $292,000 per month",
    ):
        assert any(needle in t for t in text.values()), needle
    assert "| 99.99% | 52.56 min | 4.32 min (259 s) | 8.64 s |" in text["07-high-availability"]
    more = {
        n: (SCENARIOS / n / "solution.md").read_text()
        for n in ("03-kv-cache-management", "08-cost-optimization")
    }
    assert "(MHA, 800 KiB per token)" in more["03-kv-cache-management"]
    assert "160 KiB per token" in more["03-kv-cache-management"]
    assert "128 KiB per token (64 KiB in FP8)" in more["08-cost-optimization"]
    assert (
        "~ $263k per month" in text["02-distributed-llm-serving"]
        and "4.5 MiB of KV per token" in text["02-distributed-llm-serving"]
    )


def test_replicas_round_up_the_published_fleet() -> None:
    """01 solution.md:245: 40,000 tokens/s / 6,400 per replica = 6.25 replicas, so 7 without headroom."""
    ref = dataclasses.replace(REF, assumptions=dataclasses.replace(REF.assumptions, headroom=1.0))
    assert _make("replicas", 200, 200, 6_400, ref=ref).answer == 7
    assert (
        _make("replicas", 5, 100, 12_000, 200, 200, 6_400).answer == 8
    )  # too small a fleet: drawn again
    assert _make("replicas", 200, 200, 6_400).answer == math.ceil(6.25 * 1.25)


def test_slips_get_a_hint() -> None:
    exercise = _make("kv-cache", _m("llama-3.1-70b"), "BF16", 0.1)
    assert "factor of 2" in session.grade(exercise, 160 * KiB).message
    assert "GB/GiB" in session.grade(exercise, 327_680 * 2**30 / 1e9).message
    assert session.grade(exercise, 330_000).rating is Rating.GOOD


# --- sessions ------------------------------------------------------------------------


def _answers(events: list[dict[str, object]], fam: str) -> list[dict[str, object]]:
    return [e for e in events if e["event"] == "graded" and e["family"] == fam]


def _session(state: Path, lines: str, clock: Clock, **options: object) -> list[dict[str, object]]:
    out = io.StringIO()
    run_drill(
        REF,
        state=state,
        stdin=io.StringIO(lines),
        stdout=out,
        as_json=True,
        seed=7,
        fuzz=False,
        now=clock,
        **options,
    )  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_scripted_session_grades_retries_and_schedules(tmp_path: Path) -> None:
    state, clock = tmp_path / "state.sqlite3", Clock()
    first = _session(state, "", clock)  # end of input at once: nothing answered
    question = first[0]
    assert question["event"] == "exercise" and question["family"] == "kv-cache"
    # Replay with the same seed: answer the first exercise right after a nonsense line.
    right = BY_ID["kv-cache"].make(random.Random(7), REF)
    events = _session(state, f"twelve parsecs\n{right.shown_answer}\n?\nq\n", clock)
    kinds = [e["event"] for e in events]
    assert kinds[:4] == ["exercise", "invalid", "exercise", "graded"]
    assert (
        events[1]["message"]
        == "cannot read 'twelve parsecs' (no number first); expected a size such as 320 KiB or 1.2 GB"
    )
    assert _answers(events, "kv-cache")[0]["rating"] == "good"
    assert _answers(events, "weights-memory")[0]["rating"] == "again"
    assert events[-1] == {
        "event": "end",
        "answered": 2,
        "ratings": {"again": 1, "hard": 0, "good": 1, "easy": 0},
    }
    assert rows(state, "SELECT card_key, rating, mode FROM reviews ORDER BY id") == [
        ("drill/kv-cache", 3, "drill"),
        ("drill/weights-memory", 1, "drill"),
    ]
    # Next session: the family answered right is not due; the failed one comes first.
    clock.now += timedelta(minutes=5)
    again = _session(state, "q\n", clock)
    assert again[0]["family"] == "weights-memory"


def test_stats_count_drill_families(tmp_path: Path) -> None:
    state, clock = tmp_path / "state.sqlite3", Clock()
    _session(state, "?\n", clock, limit=1)
    result = CliRunner(env={"DECKBUILDER_STATE": str(state)}).invoke(
        main, ["stats", "--json", "--scenarios", str(ROOT / "tests" / "fixtures" / "library")]
    )
    assert result.exit_code == 0, result.output
    drill = json.loads(result.output)["drill"]
    assert set(drill) == {f.id for f in FAMILIES}
    assert drill["kv-cache"]["studied"] == 1 and drill["prefill"]["studied"] == 0
    same_day = compute_stats(
        load_library(ROOT / "tests" / "fixtures" / "library"), state=state, now=clock
    )
    assert same_day.by_drill["kv-cache"].reviews_today == 1
    text = CliRunner(env={"DECKBUILDER_STATE": str(state)}).invoke(
        main, ["stats", "--scenarios", str(ROOT / "tests" / "fixtures" / "library")]
    )
    assert "Drills (formula families)" in text.output
    assert any(line.startswith("kv-cache ") and " 1 " in line for line in text.output.splitlines())


def test_stats_without_a_state_file_list_the_families_unstudied(tmp_path: Path) -> None:
    state = tmp_path / "missing.sqlite3"
    result = CliRunner(env={"DECKBUILDER_STATE": str(state)}).invoke(
        main, ["stats", "--json", "--scenarios", str(ROOT / "tests" / "fixtures" / "library")]
    )
    assert result.exit_code == 0, result.output
    drill = json.loads(result.output)["drill"]
    assert set(drill) == {f.id for f in FAMILIES}
    assert all(d["cards"] == 1 and d["studied"] == 0 for d in drill.values())
    assert not state.exists()


def test_unknown_family_is_refused() -> None:
    result = CliRunner().invoke(main, ["drill", "--family", "kv", "--scenarios", str(SCENARIOS)])
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: unknown drill family 'kv' (known: kv-cache, weights-memory,"
    )


def test_drill_in_a_real_terminal(tmp_path: Path) -> None:
    """Typed as a person would in a pseudo-terminal: nonsense, then a right answer, then quit."""
    import os
    import sys

    import pexpect

    state = tmp_path / "state.sqlite3"
    exe = str(Path(sys.executable).parent / "deckbuilder")
    args = ["drill", "--scenarios", str(SCENARIOS), "--state", str(state), "--seed", "11"]
    child = pexpect.spawn(
        exe,
        args,
        encoding="utf-8",
        timeout=20,
        dimensions=(40, 120),
        env={**os.environ, "NO_COLOR": "1"},
    )
    child.expect(r"Qwen2\.5-72B with its KV cache in FP8\?")
    child.expect("> ")
    child.sendline("a lot")
    child.expect(
        r"cannot read 'a lot' \(no number first\); expected a size such as 320 KiB or 1\.2 GB\. Try again\."
    )
    child.expect("> ")
    child.sendline("0.15625 MiB")
    child.expect(r"Right\. Answer: 160 KiB")
    child.expect(r"= 163,840 bytes = 160 KiB")
    child.expect("> ")
    child.sendline("q")
    child.expect(r"Drill over: 1 answered \(again 0, hard 0, good 1, easy 0\)")
    child.expect(pexpect.EOF)
    assert rows(state, "SELECT card_key, rating FROM reviews") == [("drill/kv-cache", 3)]


def test_a_named_family_is_drilled_even_when_not_due(tmp_path: Path) -> None:
    state, clock = tmp_path / "state.sqlite3", Clock()
    right = BY_ID["kv-cache"].make(random.Random(7), REF)
    first = _session(state, f"{right.shown_answer}\n", clock, families=("kv-cache",))
    assert _answers(first, "kv-cache")[0]["rating"] == "good"
    again = _session(state, "q\n", clock, families=("kv-cache",))
    assert again[0] == {
        "event": "empty",
        "message": "Not due yet; drilling the named families anyway.",
    }
    assert again[1]["event"] == "exercise" and again[1]["family"] == "kv-cache"
