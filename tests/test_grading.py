"""Fair typed grading, as a table: (typed answer, key point from a real card, verdict).

Every key point below is text from a card of the shipped scenarios (the test checks that),
so the table is what a learner meets; the answers are what people type.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SCENARIOS
from deckbuilder import units
from deckbuilder.library import load_library
from deckbuilder.matching import covers
from deckbuilder.model import Library
from deckbuilder.quiz import grading

RIGHT, WRONG = True, False

ROWS = [
    # numbers with units: spacing, case, unit prefixes, thousands separators
    ("800KiB", "800 KiB", RIGHT),
    ("800 kib", "800 KiB", RIGHT),
    ("819,200 bytes", "800 KiB", RIGHT),
    ("0.78125 MiB", "800 KiB", RIGHT),
    ("800 KB", "800 KiB", WRONG),
    ("3.35 tb/s", "3.35 TB/s", RIGHT),
    ("3350 GB/s", "3.35 TB/s", RIGHT),
    ("3.35 TB", "3.35 TB/s", WRONG),
    ("320KiB", "320 KiB", RIGHT),
    ("0.3125 MiB", "320 KiB", RIGHT),
    ("327,680 bytes", "320 KiB", RIGHT),
    ("320 MiB", "320 KiB", WRONG),
    ("35.3GB", "35.3 GB", RIGHT),
    ("35.3 GiB", "35.3 GB", WRONG),
    ("24 KiB", "24 KiB", RIGHT),
    ("2.4 KiB", "24 KiB", WRONG),
    ("240ms", "240 ms", RIGHT),
    ("0.24 s", "240 ms", RIGHT),
    ("240 s", "240 ms", WRONG),
    ("75 ms", "75 ms", RIGHT),
    ("740 tflops", "740 TFLOPS", RIGHT),
    ("0.74 PFLOPS", "740 TFLOPS", RIGHT),
    ("50 req/s", "50 requests/s", RIGHT),
    ("50 requests per second", "50 requests/s", WRONG),  # "per second" in words: not parsed
    ("28 %", "28%", RIGHT),
    ("28", "28%", RIGHT),
    ("82%", "28%", WRONG),
    ("99.9 %", "99.9%", RIGHT),
    ("99.99%", "99.9%", WRONG),
    ("10000", "10,000", RIGHT),
    ("1,000", "10,000", WRONG),
    ("36.9 x", "36.9x", RIGHT),
    ("36.9 times", "36.9x", RIGHT),
    ("127", "127", RIGHT),
    ("127 GPUs", "127", RIGHT),
    ("207 million", "207M", RIGHT),
    ("20-26%", "20-26%", RIGHT),
    ("2 x params", "2 x parameters", RIGHT),
    ("2x the parameters", "2 x parameters", RIGHT),
    ("3 x parameters", "2 x parameters", WRONG),
    # paraphrase: word order, up front/upfront, max/maximum, reserved/reservation
    (
        "no upfront reservation for max length",
        "nothing is reserved for the maximum context length up front",
        RIGHT,
    ),
    (
        "blocks are reserved up-front for the max context",
        "nothing is reserved for the maximum context length up front",
        RIGHT,
    ),
    (
        "a rollback flips the alias instead of reloading weights",
        "So a rollback is an alias flip, not a reload of many GB of weights that takes minutes.",
        RIGHT,
    ),
    (
        "stop admitting new requests, let in-flight streams finish",
        "Stop new admissions and let in-flight streams finish or time out before shutting down.",
        RIGHT,
    ),
    (
        "kill the pod at once",
        "Stop new admissions and let in-flight streams finish or time out before shutting down.",
        WRONG,
    ),
    (
        "each GPU reads a quarter of the weights each step",
        "Each GPU reads a quarter of the weights per step, so the step time falls.",
        RIGHT,
    ),
    # abbreviations: KV/key-value, TTFT stays a word
    ("key-value cache per token", "KV cache per token", RIGHT),
    ("kv-cache per token", "KV cache per token", RIGHT),
    (
        "it ignores prompt and output lengths",
        "It ignores prompt and output length, which set the cost of each request.",
        RIGHT,
    ),
    (
        "it is cheaper",
        "It ignores prompt and output length, which set the cost of each request.",
        WRONG,
    ),
    # typos are forgiven by the fuzzy word match
    ("pagedattenion blocks", "PagedAttention blocks", RIGHT),
    ("continous batching", "continuous batching", RIGHT),
    ("static batching", "continuous batching", WRONG),
    ("", "continuous batching", WRONG),
]

# key points that are not text of a shipped card verbatim (units or spellings used above
# that the shipped cards happen not to contain) are marked so here
NOT_FROM_CARDS = {"800 KiB", "KV cache per token", "PagedAttention blocks"}


@cache
def shipped() -> Library:
    return load_library(SCENARIOS)


def _flat(text: str) -> str:
    return " ".join(re.sub(r"\*\*|`", "", text).split())


def test_the_table_is_large_and_comes_from_real_cards() -> None:
    assert len(ROWS) >= 40
    corpus = _flat(" ".join(f"{c.front} {c.back} {c.extra}" for c in shipped().cards))
    fixture = _flat(
        " ".join(p.read_text() for p in (SCENARIOS.parent / "tests" / "fixtures").rglob("*.md"))
    )
    for _answer, point, _verdict in ROWS:
        if point not in NOT_FROM_CARDS:
            assert _flat(point) in corpus or _flat(point) in fixture, point


@pytest.mark.parametrize(("answer", "point", "verdict"), ROWS)
def test_verdict(answer: str, point: str, verdict: bool) -> None:
    exact = len(point.split()) <= 3  # short points are clozes' hidden text
    assert covers(answer, point, exact=exact) is verdict


def test_typed_cloze_of_a_real_card() -> None:
    """800KiB against a card hiding 800 KiB is Good; the shown answer is the card's own text."""
    card = next(c for c in shipped().cards if c.cloze and "{{c1::320 KiB}}" in c.front)
    feedback = grading.grade(card, "327,680 bytes")
    assert (feedback.recognised, feedback.suggested.label) == (("320 KiB",), "Good")


def test_shown_answer_text_is_never_altered() -> None:
    """`n > 1` keeps its >, kv_heads its underscore, in choice options and typed feedback."""
    library = shipped()
    fork = next(
        c for c in library.cards if c.full_key.endswith("requirement/forking-with-copy-on-write")
    )
    assert "(n > 1)" in grading._choice_text(fork)
    bytes_per_token = next(
        c
        for c in library.cards
        if c.full_key.endswith("estimation/the-kv-cache-bytes-per-token-of-a-model")
    )
    assert "kv_heads x head_dim" in grading._choice_text(bytes_per_token)
    assert grading.display("use `n > 1` and **kv_heads**") == "use n > 1 and kv_heads"


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(["KiB", "MiB", "GB", "ms"]))
def test_a_quantity_equals_itself_however_spaced(number: int, unit: str) -> None:
    spaced = units.parse(f"{number:,} {unit}")
    tight = units.parse(f"{number}{unit}")
    assert spaced is not None and tight is not None and units.same(spaced, tight)


def test_nonsense_is_no_quantity() -> None:
    assert units.parse("about a lot") is None
    assert units.quantities("") == ()


def test_units_module_is_the_only_pint_user() -> None:
    src = Path(units.__file__).parent
    users = sorted(p.name for p in src.rglob("*.py") if "import pint" in p.read_text())
    assert users == ["units.py"]
    users = sorted(
        p.name for p in src.rglob("*.py") if "rapidfuzz" in p.read_text().split('"""', 2)[-1]
    )
    assert users == ["matching.py"]
