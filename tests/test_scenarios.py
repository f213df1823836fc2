"""The shipped collection: every scenario complete, rich enough, indexed, and decks up to date."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from conftest import ROOT, SCENARIOS
from deckbuilder.library import load_library
from deckbuilder.lint import lint, measure
from deckbuilder.model import CardKind

LIBRARY = load_library(SCENARIOS)
IDS = [s.meta.id for s in LIBRARY.scenarios if not s.meta.is_foundations]


def test_ten_scenarios_and_the_foundations() -> None:
    """The collection has the foundations (number 0) and the ten scenarios, numbered 1 to 10."""
    assert [s.meta.number for s in LIBRARY.scenarios] == list(range(0, 11))
    assert LIBRARY.scenarios[0].meta.folder == "00-foundations"


@pytest.mark.parametrize("scenario_id", IDS)
def test_scenario_has_enough_cards_of_every_kind(scenario_id: str) -> None:
    """Each scenario yields 40+ study cards, every kind present, and the format's minimums."""
    (scenario,) = [s for s in LIBRARY.scenarios if s.meta.id == scenario_id]
    counts = Counter(card.kind for card in scenario.cards)
    assert len(scenario.study_cards) >= 40
    assert set(counts) == set(CardKind)
    assert counts[CardKind.FOLLOWUP] >= 12
    assert counts[CardKind.CLARIFYING] >= 3
    assert 3 <= counts[CardKind.ESTIMATION] <= 6
    assert counts[CardKind.FAILURE_MODE] >= 3 * 3  # three rows, one card per step
    curveballs = {c.context[-1] for c in scenario.cards if c.kind is CardKind.CURVEBALL}
    assert 4 <= len(curveballs) <= 6
    choices = sum(
        1 for c in scenario.cards if c.kind is CardKind.TRADEOFF and c.key.endswith("--choice")
    )
    assert choices >= 5


@pytest.mark.parametrize("scenario_id", IDS)
def test_rubric_is_scorable(scenario_id: str) -> None:
    """Five or more weighted dimensions summing to 100%, an anchor for every level, and a
    decision rule naming one to three of the dimensions."""
    (scenario,) = [s for s in LIBRARY.scenarios if s.meta.id == scenario_id]
    rubric = scenario.rubric
    assert rubric is not None and len(rubric.dimensions) >= 5
    assert sum(d.weight or 0 for d in rubric.dimensions) == 100
    assert all(level.anchor for d in rubric.dimensions for level in d.levels)
    assert 1 <= len(rubric.must_reach_hire) <= 3


def test_foundations_cite_every_number() -> None:
    """The foundations hold concepts, numbers and methods; every number shows a source or a
    derivation after the answer."""
    foundations = LIBRARY.scenarios[0]
    kinds = Counter(card.kind for card in foundations.cards)
    assert kinds[CardKind.CONCEPT] >= 15 and kinds[CardKind.ESTIMATION] >= 5
    for card in foundations.cards:
        if card.kind is CardKind.NUMBER:
            assert re.search(r"^- (Source|Derivation):", card.extra, re.M), card.full_key


def test_the_cards_follow_the_card_rules() -> None:
    """deckbuilder lint finds nothing in the shipped scenarios, and the measures the card
    issue set hold on the combined package."""
    assert [str(f) for f in lint(LIBRARY)] == []
    stats = measure(LIBRARY)
    assert stats.long_answers <= 0.03 * stats.notes
    assert stats.list_answers <= 0.02 * stats.basic
    assert (stats.derivable_clozes, stats.duplicate_fronts, stats.split_siblings) == (0, 0, 0)
    assert stats.rubric_cards == 0


@pytest.mark.parametrize("scenario_id", IDS)
def test_solution_has_references_and_required_parts(scenario_id: str) -> None:
    """Each solution has an architecture diagram, a capacity estimate, deep dives and references."""
    (scenario,) = [s for s in LIBRARY.scenarios if s.meta.id == scenario_id]
    solution = (SCENARIOS / scenario.meta.folder / "solution.md").read_text()
    problem = (SCENARIOS / scenario.meta.folder / "problem.md").read_text()
    assert "```" in solution
    assert re.search(r"^## References", solution, re.M)
    assert len(re.findall(r"^\d+\. ", solution.split("## References", 1)[1], re.M)) >= 5
    assert re.search(r"^## .*(capacity|estimate|back-of)", solution, re.M | re.I)
    assert re.search(r"^## .*clarifying", problem, re.M | re.I)


def test_every_topic_has_cards_from_every_scenario_that_lists_it() -> None:
    """Each topic deck has cards, including from every scenario that names the topic."""
    for topic in LIBRARY.topics:
        scenarios = {c.scenario_id for c in LIBRARY.cards if topic.id in c.topics}
        assert scenarios, topic.id
        listed = {s.meta.id for s in LIBRARY.scenarios if topic.id in s.meta.topics}
        assert listed <= scenarios, (topic.id, listed - scenarios)


def test_index_lists_every_scenario_as_its_front_matter_says() -> None:
    """scenarios/README.md names each scenario with its number, title, folder and difficulty."""
    index = (SCENARIOS / "README.md").read_text()
    for scenario in LIBRARY.scenarios[1:]:
        meta = scenario.meta
        row = next(line for line in index.splitlines() if line.startswith(f"| {meta.number:02d} |"))
        assert f"[{meta.title}]({meta.folder}/problem.md)" in row
        assert meta.difficulty.value.replace("-", " ") in row and meta.difficulty.stars in row


def test_committed_decks_are_fresh() -> None:
    """decks/ matches scenarios/: nothing to rebuild (run 'deckbuilder build' and commit)."""
    from deckbuilder.build import build

    report = build(SCENARIOS, out=ROOT / "decks", now=lambda: 0.0, check=True)
    assert report.stale == ()
