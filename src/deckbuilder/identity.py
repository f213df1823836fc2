"""A card's identity in Anki and in the quiz: key → GUID, card → tags, names → fixed ids.

Light on purpose (hashlib only): the quiz uses it without loading the package writer.
"""

from __future__ import annotations

import hashlib

from deckbuilder.model import Card, ScenarioMeta

# Anki's base-91 alphabet for GUIDs, as genanki uses it
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)
REMOVED_TAG = "deckbuilder::removed"


def guid_for(key: str) -> str:
    """The Anki GUID of the note with this stable key.

    genanki's scheme (``genanki.guid_for("deckbuilder", key)``): the first 8 bytes of a
    SHA-256, written in base 91. Never derived from the text, so an edited answer is
    the same note.
    """
    number = int.from_bytes(hashlib.sha256(f"deckbuilder__{key}".encode()).digest()[:8], "big")
    digits = []
    while number > 0:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def tags_for(card: Card, meta: ScenarioMeta) -> tuple[str, ...]:
    """The tags a card carries in Anki, and that the quiz's ``--tag`` matches."""
    return (
        f"scenario::{meta.id}",
        *(f"topic::{t}" for t in card.topics),
        f"kind::{card.kind.value}",
        f"difficulty::{meta.difficulty.value}",
    )


def stable_id(text: str, *, low: int = 1 << 40, high: int = 1 << 52) -> int:
    """A fixed integer id in [low, high) for a name, the same on every build."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return low + digest % (high - low)
