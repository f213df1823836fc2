"""The cache's JSON codec: every scenario survives the round trip, and an entry that is
not exactly one (a wrong type anywhere, an unknown kind) is a miss, never a wrong card."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import SCENARIOS
from deckbuilder import codec
from deckbuilder.library import load_library


@pytest.fixture(scope="module")
def scenarios() -> Any:
    return load_library(SCENARIOS).scenarios


def test_every_shipped_scenario_survives_the_round_trip(scenarios: Any) -> None:
    for scenario in scenarios:
        data = json.loads(json.dumps(codec.scenario_to_json(scenario)))
        assert codec.scenario_from_json(data, digest=scenario.digest) == scenario


@pytest.mark.parametrize(
    ("field", "value"),
    [(0, 7), (1, "no-such-kind"), (2, None), (4, ["front"]), (8, 1), (9, "points"), (13, "1")],
)
def test_a_card_of_the_wrong_shape_is_a_miss(scenarios: Any, field: int, value: object) -> None:
    data = json.loads(json.dumps(codec.scenario_to_json(scenarios[1])))
    data["cards"][0][field] = value
    with pytest.raises(ValueError):
        codec.scenario_from_json(data, digest="")
