"""docs/scenario-format.md cannot drift from the code: its rules table is the code's table,
and its examples, put together, are a valid scenario that gives the cards it describes."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

from conftest import ROOT, SCENARIOS
from deckbuilder.library import load_library
from deckbuilder.model import CardKind
from deckbuilder.rules import ANY_FILE, RULES

DOC = (ROOT / "docs" / "scenario-format.md").read_text()


def _section(title: str) -> str:
    return DOC.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.M | re.S)


def test_the_rules_table_is_the_codes_table() -> None:
    """Every section rule, with its aliases and whether it is required, is documented."""
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in _section("Card sections").splitlines()
        if line.startswith("| `") or line.startswith("| any file")
    ]
    documented = {
        (
            ANY_FILE if file == "any file" else file.strip("`"),
            heading.strip("`").removeprefix("## "),
            frozenset(
                a.strip().strip("`").removeprefix("## ").lower()
                for a in also.split(",")
                if a.strip()
            ),
            required == "yes",
        )
        for file, heading, also, required, _kind in rows
    }
    in_code = {
        (rule.file, rule.heading, frozenset(rule.aliases) - {rule.heading.lower()}, rule.required)
        for rule in RULES
    }
    assert documented == in_code
    assert {row[4] for row in rows} == {kind.value for kind in CardKind}


def _examples(heading_prefix: str) -> str:
    """The markdown examples under the '### <prefix> (…)' part of 'Card sections'."""
    part = _section("Card sections").split(f"\n### {heading_prefix} (", 1)[1]
    own = re.split(r"\n### [^\n]*\((?:`|any file)", part, maxsplit=1)[0]
    return "\n".join(_blocks(own, "markdown"))


def test_the_examples_make_a_valid_scenario(tmp_path: Path) -> None:
    """The front matter and every card-section example, assembled into one scenario, load
    without a problem and give the cards the document promises."""
    (front_matter,) = _blocks(_section("Front matter (`problem.md` only)"), "yaml")
    (keys_example,) = _blocks(_section("Card keys and GUIDs"), "markdown")
    pinned_question, pinned_concept = keys_example.strip().splitlines()
    dimension, decision = _blocks(
        _section("Card sections").split("\n### Rubric dimensions (", 1)[1], "markdown"
    )
    folder = tmp_path / "scenarios" / "01-llm-inference-system"
    folder.mkdir(parents=True)
    shutil.copy(SCENARIOS / "topics.yaml", folder.parent / "topics.yaml")
    files = {
        "problem.md": front_matter
        + "\n## Requirements\n\n"
        + _examples("Requirements")
        + "\n## Clarifying questions\n\n"
        + _examples("Clarifying questions"),
        "solution.md": "## Key concepts\n\n"
        + _examples("Key concepts")
        + pinned_concept
        + "\n\n## Trade-offs\n\n"
        + _examples("Trade-offs")
        + "\n## Numbers to know\n\n"
        + _examples("Numbers to know")
        + "\n## Estimation methods\n\n"
        + _examples("Estimation methods")
        + "\n## Failure modes\n\n"
        + _examples("Failure modes"),
        "discussion_points.md": "## Follow-up questions\n\n"
        + _examples("Follow-up questions")
        + f"\n{pinned_question}\n\n- **What comes first?** Page the KV cache.\n"
        + "\n## Common mistakes\n\n"
        + _examples("Common mistakes")
        + "\n## Curveballs\n\n"
        + _examples("Curveballs"),
        "rubric.md": f"## Dimensions\n\n{dimension}\n## Decision rule\n\n{decision}",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    library = load_library(folder.parent)
    counts = Counter(card.kind for card in library.cards)
    assert counts == {
        CardKind.REQUIREMENT: 2,  # one cloze for the bold number, one question and answer
        CardKind.CLARIFYING: 1,
        CardKind.CONCEPT: 2,
        CardKind.TRADEOFF: 5,  # per option "right choice when" and "what it costs", the choice
        CardKind.NUMBER: 1,  # one note; the label is context, not a cloze
        CardKind.ESTIMATION: 1,
        CardKind.FAILURE_MODE: 3,  # symptom, detection, mitigation
        CardKind.FOLLOWUP: 3,  # one card per cue
        CardKind.MISTAKE: 1,
        CardKind.CURVEBALL: 1,
        CardKind.RUBRIC: 4,  # parsed for the interview mode, never studied
    }
    keys = {card.full_key for card in library.cards}
    assert {
        "llm-inference-system/follow-up/long-prompt--what-comes-first",
        "llm-inference-system/concept/paged-attention",
        "llm-inference-system/concept/continuous-batching",
    } <= keys
    (scenario,) = library.scenarios
    assert scenario.rubric is not None
    assert scenario.rubric.must_reach_hire == ("Capacity estimation",)
    # the only notice: one dimension's 25% cannot sum to 100%
    assert [n.message for n in scenario.notices] == ["dimension weights sum to 25%, not 100%"]
