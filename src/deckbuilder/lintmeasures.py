"""What the card rules measure on one card: its words, the answer it asks for, whether the
answer is a list, whether a cloze number can be read off the card.

The rule checks (``lintrules.py``) and the collection's stats (``lint.measure``) both use
these, so a rule and the figure that counts it cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deckbuilder import arith
from deckbuilder.cards import plain
from deckbuilder.model import Card, Library

MAX_ANSWER_WORDS = 60
MAX_LIST_ITEMS = 3
CLOZE = re.compile(r"\{\{c(?P<n>\d+)::(?P<text>.*?)\}\}", re.DOTALL)
LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s", re.MULTILINE)


def words(markdown: str) -> int:
    return len(plain(markdown).split())


def answer(card: Card) -> str:
    """What a card asks the learner to recall: the back, or a cloze note's hidden texts."""
    if card.cloze:
        return " / ".join(m.group("text") for m in CLOZE.finditer(card.front))
    return card.back


def is_list_answer(card: Card) -> bool:
    return not card.cloze and len(LIST_ITEM.findall(card.back)) > MAX_LIST_ITEMS


def study(library: Library) -> list[Card]:
    return [card for scenario in library.scenarios for card in scenario.study_cards]


def visible_text(text: str, hidden: int) -> str:
    """A cloze note's text as its card ``hidden`` shows it: that deletion blanked, the
    siblings' text shown (they are on the card), markdown marks removed."""
    return plain(
        CLOZE.sub(lambda m: " [...] " if int(m.group("n")) == hidden else m.group("text"), text)
    )


def derivable(card: Card) -> Iterator[str]:
    """Why the hidden numbers of a cloze note can be read off its visible text."""
    for match in CLOZE.finditer(card.front):
        secret = plain(match.group("text"))
        visible = visible_text(card.front, int(match.group("n")))
        norm = " ".join(secret.lower().split())
        if re.search(r"\d", norm) and norm in " ".join(visible.lower().split()):
            yield f"'{secret}' is hidden but also printed on the card"
            continue
        target = arith.value(secret)
        if target is None:
            continue
        for expression, result in arith.chains(visible):
            if arith.same(result, target):
                yield f"'{secret}' follows from '{expression}' printed beside the blank"
                break
        else:
            for printed, number in arith.numbers(visible):
                if arith.significant(printed) >= 5 and arith.same(number, target, tolerance=0.002):
                    yield f"'{secret}' can be read off '{printed}' printed beside the blank"
                    break


def front_key(card: Card) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", plain(card.front).lower()).split())
