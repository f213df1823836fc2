"""Golden fixtures: the cards parsed from each fixture library are exactly the recorded ones.

Regenerate after an intended change with ``DECKBUILDER_UPDATE_GOLDEN=1 pytest tests/test_parse_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import FIXTURE_LIBRARY
from deckbuilder.library import load_library
from deckbuilder.model import Card

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def _as_json(card: Card) -> dict[str, object]:
    data = asdict(card)
    data["kind"] = card.kind.value
    data["source"] = str(card.source)
    data["full_key"] = card.full_key
    return data


@pytest.mark.parametrize("name", ["library"])
def test_cards_match_golden(name: str) -> None:
    """Every card of the fixture library, field by field, matches the golden file."""
    cards = json.loads(
        json.dumps([_as_json(card) for card in load_library(FIXTURE_LIBRARY.parent / name).cards])
    )
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("DECKBUILDER_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(cards, indent=1, ensure_ascii=False) + "\n")
    assert cards == json.loads(golden.read_text())


def test_every_card_keeps_its_line() -> None:
    """A card's source line points at the bullet, heading or table row it came from."""
    library = load_library(FIXTURE_LIBRARY)
    root = FIXTURE_LIBRARY.parent
    for card in library.cards:
        line = (root / card.source.path).read_text().split("\n")[card.source.line - 1]
        assert re.match(r"\s*(?:[-#|]|\*\*|\d+\.)", line), (card.full_key, line)
