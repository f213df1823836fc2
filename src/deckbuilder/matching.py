"""Does a typed answer state a key point? Normalised words, fuzzy-matched with rapidfuzz,
and numbers compared with their units. The only module that imports rapidfuzz.

Pure functions over text, shared by the quiz's typed mode and the practice modes:
``covers(answer, point)`` is the verdict, ``coverage`` the share behind it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from deckbuilder import units

_STOP = frozenset(
    (
        "a an and are as at be been being because but by can could do does for from has have how"
        " if in into is it its not no nothing none of on or so such than that the their them then"
        " there these they this those to use used uses using was we were what when where which"
        " while who why will with would you your one more less per each only also just any all"
        " both same other about around roughly approximately approx some via very"
    ).split()
)
# whole phrases first (on lower-cased text), then single-word abbreviations
_PHRASES = (
    (re.compile(r"\bup[\s-]+front\b"), "upfront"),
    (re.compile(r"\bkey[\s-]+value\b"), "kv"),
    (re.compile(r"\bon[\s-]+demand\b"), "ondemand"),
    (re.compile(r"\bw/o\b"), "without"),
    (re.compile(r"\bw/"), "with "),
    (re.compile(r"\be\.g\.|\bi\.e\.|\betc\."), " "),
)
_ABBREVIATIONS = {
    "max": "maximum", "min": "minimum", "avg": "average", "mem": "memory",
    "seq": "sequence", "seqs": "sequences", "req": "request", "reqs": "requests",
    "param": "parameter", "params": "parameters", "config": "configuration",
    "perf": "performance", "util": "utilisation", "utilization": "utilisation",
    "bw": "bandwidth", "ctx": "context", "gen": "generation", "alloc": "allocation",
    "attn": "attention", "tok": "token", "toks": "tokens", "latencies": "latency",
    "tp": "tensor parallel", "pp": "pipeline parallel", "ep": "expert parallel",
    "dp": "data parallel", "lb": "load balancer", "qps": "queries per second",
}  # fmt: skip
_WORD = re.compile(r"[a-z][a-z0-9]*|[0-9]+[a-z][a-z0-9]*")
_MARKUP = re.compile(r"\*\*|__|`|\[([^\]]*)\]\([^)]*\)")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s")


def normalise(text: str) -> str:
    """Lower case, markdown emphasis and link targets gone, hyphens as spaces, phrases and
    abbreviations spelled one way. For matching only: never shown to the user."""
    text = _MARKUP.sub(lambda m: m.group(1) or " ", text).lower()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    words = re.sub(r"[-_/]", " ", text).split()
    return " ".join(_ABBREVIATIONS.get(w.strip(".,;:()"), w) for w in words)


def stem(word: str) -> str:
    """A crude stem, enough to equate reserved/reservation, caches/cached, policies/policy."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_words(text: str) -> tuple[str, ...]:
    """The stems of the words that carry meaning (numbers are compared separately)."""
    stems = (stem(w) for w in _WORD.findall(normalise(text)) if w not in _STOP)
    return tuple(dict.fromkeys(s for s in stems if s not in _STOP))


@dataclass(frozen=True)
class Coverage:
    """How much of a key point an answer states."""

    matched: int
    total: int
    wrong_number: bool  # the answer states a number of the same kind that differs

    @property
    def share(self) -> float:
        return self.matched / self.total if self.total else 0.0


def _word_found(word: str, answer_words: tuple[str, ...]) -> bool:
    if word in answer_words:
        return True
    if len(word) < 5 or not answer_words:
        return False
    # typos and spelling variants: "utilisation"/"utilization", "pagedattention"
    return process.extractOne(word, answer_words, scorer=fuzz.ratio, score_cutoff=84) is not None


def coverage(answer: str, point: str) -> Coverage:
    """Words and numbers of the point that the answer states (fuzzy, unit-aware)."""
    wanted = content_words(units_removed(point))
    given = content_words(units_removed(answer))
    expected_numbers = units.quantities(point)
    given_numbers = units.quantities(answer)
    matched = sum(_word_found(w, given) for w in wanted)
    numbers = sum(any(units.same(e, g) for g in given_numbers) for e in expected_numbers)
    wrong = any(
        not any(units.same(e, g) for g in given_numbers)
        and any(units.conflicts(e, g) for g in given_numbers)
        for e in expected_numbers
    )
    return Coverage(matched + numbers, len(wanted) + len(expected_numbers), wrong)


def units_removed(text: str) -> str:
    """The text without its numbers and units (those are compared as quantities)."""
    return units.strip_quantities(text)


def covers(answer: str, point: str, *, exact: bool = False) -> bool:
    """Whether the answer recognisably states the point.

    ``exact`` (a cloze's hidden text): every word and number is needed. Otherwise short
    points need everything, longer ones half of their words and numbers; a wrong number
    always fails, and a near-verbatim answer always passes.
    """
    found = coverage(answer, point)
    if found.total == 0 or found.wrong_number:
        return False
    if exact or found.total <= 2:
        return found.matched == found.total
    if fuzz.partial_ratio(normalise(point), normalise(answer)) >= 95:
        return True
    return found.share >= 0.5
