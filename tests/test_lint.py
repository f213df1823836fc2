"""The card linter: each rule fires on a bad example and stays silent on a good one.

Every case edits the (lint-clean) fixture library twice, once with a snippet that breaks
the rule and once with one that follows it, and runs the linter over each.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import FIXTURE_LIBRARY
from deckbuilder import arith
from deckbuilder.cli import main
from deckbuilder.library import load_library
from deckbuilder.lint import lint, measure, packaged_keys, rules
from deckbuilder.model import SourceLocation

SCENARIO = "01-mini-serving"
LONG = "the most tokens that one engine step may process across prefill and decode " * 5
Edit = tuple[str, str, str]  # (file under the library, old text, new text)


def _edited(root: Path, edits: tuple[Edit, ...]) -> Path:
    for file, old, new in edits:
        path = root / file
        text = path.read_text()
        assert old in text, old
        path.write_text(text.replace(old, new, 1))
    return root


def _concept(body: str) -> tuple[Edit, ...]:
    file = f"{SCENARIO}/solution.md"
    return ((file, "- Not a concept:", f"{body}\n- Not a concept:"),)


def _number(bullet: str) -> tuple[Edit, ...]:
    file = f"{SCENARIO}/solution.md"
    return ((file, "- **KV bytes per token:**", f"{bullet}\n- **KV bytes per token:**"),)


def _cue(bullet: str) -> tuple[Edit, ...]:
    file = f"{SCENARIO}/discussion_points.md"
    return ((file, "- **What do you scale on?** Queue depth, not CPU.\n", bullet),)


def _estimate(bullet: str) -> tuple[Edit, ...]:
    file = f"{SCENARIO}/solution.md"
    return ((file, "\n## Failure modes", f"{bullet}\n\n## Failure modes"),)


def _burst(sentence: str) -> tuple[Edit, ...]:
    """Two numbers bullets, in two files, with the same or a different sentence."""
    return (
        *_number("- **Peak burst:** **3x** the mean rate."),
        (
            f"{SCENARIO}/discussion_points.md",
            "## Extensions",
            f"## Numbers to know\n\n- **Burst size:** {sentence}\n\n## Extensions",
        ),
    )


# rule, bad edits, good edits, the text on the line the finding must point at
CASES: list[tuple[str, tuple[Edit, ...], tuple[Edit, ...], str]] = [
    (
        "answer-length",
        _concept(f"- **Token budget**: {LONG}"),
        _concept("- **Token budget**: the most tokens one engine step may process."),
        "**Token budget**",
    ),
    (
        "list-answer",
        _cue("- **What do you scale on?** Four signals:\n  - queue\n  - KV\n  - TTFT\n  - waits\n"),
        _cue("- **What do you scale on?** Queue depth and KV usage, not CPU.\n"),
        "What do you scale on?",
    ),
    (
        "derivable-cloze",
        _number("- **Decode step, batch 1:** **4.8 ms** (`16 GB / 3.35 TB/s`)."),
        _number("- **Decode step, batch 1:** **4.8 ms**\n  - Derivation: `16 GB / 3.35 TB/s`."),
        "Decode step, batch 1",
    ),
    (
        "derivable-cloze",
        _number("- **Replicas at peak:** **12**, so 12 replicas sit behind the router."),
        _number("- **Replicas at peak:** **12**, one per rack."),
        "Replicas at peak",
    ),
    (
        "split-siblings",
        _burst("**3x** the mean rate."),
        _burst("**2x** the hourly peak for ten minutes."),
        "Burst size",
    ),
    (
        "dangling-reference",
        _concept("- **Token budget**: the cap on tokens per step, as computed in step 7."),
        _concept("- **Token budget**: the cap on tokens that one engine step may process."),
        "**Token budget**",
    ),
    (
        "dangling-reference",
        _cue("- **What do you scale on?** Queue depth, as the vLLM paper found [3].\n"),
        _cue("- **What do you scale on?** Queue depth, as the vLLM paper found.\n"),
        "What do you scale on?",
    ),
    (
        "duplicate-front",
        _estimate("- **The monthly cost of a GPU fleet:** replicas x GPUs x price x 730."),
        _estimate("- **The monthly cost of the prefill pool:** replicas x GPUs x price x 730."),
        "GPU fleet:** replicas",
    ),
    (
        "foundations-redefined",
        _concept("- **Prefill phase**: the first pass over the prompt."),
        _concept("- **Prefill chunk size**: how many prompt tokens one step takes."),
        "**Prefill phase",
    ),
    (
        "foundations-redefined",
        _number("- **H100 SXM HBM capacity per GPU:** **80 GB**"),
        _number("- **Host memory per node:** **80 GB**"),
        "capacity per GPU",
    ),
    (
        "two-concept-front",
        _concept("- **Flips and KL divergence**: two ways to compare a model with its baseline."),
        _concept("- **KL divergence**: how far one model's next-token distribution moved."),
        "divergence**",
    ),
    (
        "choice-without-reason",
        (
            (
                f"{SCENARIO}/solution.md",
                "**Choice:** continuous batching, because output lengths vary widely.",
                "**Choice:** continuous batching.",
            ),
        ),
        (),
        "**Choice:**",
    ),
    (
        "missing-cue",
        _cue("- Queue depth, not CPU.\n"),
        (),
        "- Queue depth, not CPU.",
    ),
    (
        "missing-section",
        ((f"{SCENARIO}/discussion_points.md", "## Curveballs", "## Pivots"),),
        (),
        "# Mini Serving: discussion points",
    ),
    (
        "rubric-format",
        ((f"{SCENARIO}/rubric.md", '  - Anchor: "Maybe ten GPUs?"\n', ""),),
        (),
        "**Lean No Hire:** guesses a number.",
    ),
]


def _findings(root: Path, rule: str) -> list[str]:
    return [str(f.location) for f in lint(load_library(root)) if f.rule == rule]


def _line_of(root: Path, marker: str) -> str:
    for path in sorted(root.rglob("*.md")):
        for number, line in enumerate(path.read_text().split("\n"), start=1):
            if marker in line:
                return f"{root.name}/{path.relative_to(root)}:{number}"
    raise AssertionError(marker)


def test_the_fixture_library_is_clean() -> None:
    """The fixture library breaks no rule: every finding below comes from its edit."""
    assert lint(load_library(FIXTURE_LIBRARY)) == ()


@pytest.mark.parametrize(
    ("rule", "bad", "good", "marker"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_fires_on_bad_and_not_on_good(
    rule: str,
    bad: tuple[Edit, ...],
    good: tuple[Edit, ...],
    marker: str,
    library_copy: Path,
    tmp_path: Path,
) -> None:
    bad_root = _edited(library_copy, bad)
    assert _line_of(bad_root, marker) in _findings(bad_root, rule)
    good_root = tmp_path / "good" / "scenarios"
    shutil.copytree(FIXTURE_LIBRARY, good_root)
    assert _findings(_edited(good_root, good), rule) == []


def test_every_rule_has_a_case() -> None:
    """The table above covers every rule the linter has (recital-kind: below)."""
    assert {r.id for r in rules()} == {c[0] for c in CASES} | {"recital-kind"}


def test_recital_kinds_in_built_packages() -> None:
    """A manifest listing a rubric or requirement note is reported where it names it;
    one with only study kinds is not."""
    manifest = json.dumps(
        {
            "notes": {
                "g1": {"key": "mini-serving/concept/kv-cache"},
                "g2": {"key": "mini-serving/rubric/capacity-estimation--hire"},
            }
        },
        indent=1,
    )
    library = load_library(FIXTURE_LIBRARY)
    keys = packaged_keys(manifest, path="decks/manifest.json")
    found = [(f.rule, str(f.location)) for f in lint(library, packaged=keys)]
    assert found == [("recital-kind", "decks/manifest.json:7")]
    assert lint(library, packaged=keys[:1]) == ()
    assert keys[0] == ("mini-serving/concept/kv-cache", SourceLocation("decks/manifest.json", 4))


def test_cli_prints_findings_and_exits_1(library_copy: Path) -> None:
    """deckbuilder lint prints path:line: warning (rule-id): message and a summary; exit 1."""
    _edited(library_copy, _cue("- Queue depth, not CPU.\n"))
    result = CliRunner().invoke(
        main, ["lint", "--scenarios", str(library_copy), "--decks", str(library_copy / "none")]
    )
    assert result.exit_code == 1
    assert result.stdout == (
        "scenarios/01-mini-serving/discussion_points.md:9: warning (missing-cue): bullet has no "
        "bold cue (`- **Short question?** answer`), so it makes no study card\n"
    )
    assert result.stderr == "1 warnings (1 missing-cue)\n"


def test_cli_clean_library_and_selection(library_copy: Path) -> None:
    """A clean library exits 0; naming scenarios limits the report; unknown names are errors."""
    args = ["lint", "--scenarios", str(library_copy), "--decks", str(library_copy / "none")]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stdout) == (0, "OK: 2 scenarios, no card warnings\n")
    _edited(library_copy, _cue("- Queue depth, not CPU.\n"))
    assert CliRunner().invoke(main, [*args, "foundations"]).exit_code == 0
    assert CliRunner().invoke(main, [*args, "mini-serving"]).exit_code == 1
    result = CliRunner().invoke(main, [*args, "nope"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no scenario with the id or folder name 'nope'\n",
    )


def test_stats_measure_the_study_cards() -> None:
    """lint --stats counts only what the packages hold; recital kinds are listed apart."""
    stats = measure(load_library(FIXTURE_LIBRARY))
    assert stats.notes == 31 and stats.rubric_cards == 0
    assert stats.not_studied == {"requirement": 3, "rubric": 8}
    assert (stats.long_answers, stats.list_answers, stats.derivable_clozes) == (0, 0, 0)
    assert (stats.duplicate_fronts, stats.split_siblings) == (0, 0)
    result = CliRunner().invoke(
        main, ["lint", "--stats", "--json", "--scenarios", str(FIXTURE_LIBRARY)]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == stats.as_dict()


@given(
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=5),
    st.sampled_from(["x", "×", "*"]),
)
def test_printed_products_are_evaluated(factors: list[int], operator: str) -> None:
    """Any printed product of numbers, with unit words between them, is found with its value,
    and a hidden number equal to it (in any binary or decimal unit) is derivable."""
    text = f" {operator} ".join(f"{f:,} layers" for f in factors)
    product = math.prod(factors)
    ((_expression, value),) = arith.chains(f"({text})")
    assert math.isclose(value, product, rel_tol=1e-12)
    assert arith.same(product, product * 1024.0) and arith.same(product * 1000.0, product)
