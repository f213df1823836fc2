"""Topic tags: the indexed matcher (keywords looked up by their words) tags exactly what
checking every keyword's pattern against every card would tag."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from deckbuilder.cardset import _pattern, assign_topics
from deckbuilder.frontmatter import load_topics
from deckbuilder.model import Card, CardKind, SourceLocation, Topic

TOPICS = tuple(load_topics(SCENARIOS, problems=[]))
WORDS = sorted({w for t in TOPICS for k in t.keywords for w in re.split(r"[\s]", k)})
TEXT = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from([k for t in TOPICS for k in t.keywords]),
        st.sampled_from(["s", "es", "-", " ", "/", "the", "GPU", "Caches", "ſ", "İ", "\n"]),
        st.text(max_size=4),
    ),
    max_size=12,
).map("".join)  # joined as they come: "batch" + "es" is "batches"


def _card(title: str, back: str) -> Card:
    return Card(
        scenario_id="s",
        kind=CardKind.CONCEPT,
        key="k",
        title=title,
        front="",
        back=back,
        context=("Deck", "Part"),
        source=SourceLocation("x.md", 1),
    )


def _naive(card: Card, topics: tuple[Topic, ...], primary: str) -> tuple[str, ...]:
    haystack = "\n".join((card.title, card.back, card.extra, *card.context[1:]))
    return tuple(
        t.id
        for t in topics
        if t.id == primary or any(_pattern(k).search(haystack) for k in t.keywords)
    )


@settings(max_examples=300, deadline=None)
@given(title=TEXT, back=TEXT)
@example(title="micro-batches of KV-caches", back="ExecuTorches")
@example(title="99.9% of $5 and 99.99%", back="time-to-first-tokens")
@example(title="ſtatic batching", back="Health checkſ")
def test_indexed_topics_are_the_naive_topics(title: str, back: str) -> None:
    card = _card(title, back)
    primary = TOPICS[0].id
    (tagged,) = assign_topics([card], topics=TOPICS, primary={"s": primary})
    assert tagged.topics == _naive(card, TOPICS, primary)
