"""Fuzzy matching of what the candidate typed against reference points. The only rapidfuzz user.

A small pure matcher for now: the typed quiz's key-point matcher (quiz/grading.py) is
being rebuilt on fuzzy matching; once it lands, this module should delegate to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, utils

THRESHOLD = 60.0


def score(candidate: str, reference: str) -> float:
    """0-100: how well one typed line covers one reference point (word order free)."""
    return float(
        fuzz.token_set_ratio(candidate, reference, processor=utils.default_process)
        if candidate.strip() and reference.strip()
        else 0.0
    )


def covered(
    typed: Sequence[str], references: Sequence[str], *, threshold: float = THRESHOLD
) -> list[int | None]:
    """For each reference point, the index of the typed line that covers it best, or None."""
    result: list[int | None] = []
    for reference in references:
        best = max(((score(t, reference), i) for i, t in enumerate(typed)), default=(0.0, -1))
        result.append(best[1] if best[0] >= threshold else None)
    return result


def best(query: str, choices: Sequence[str]) -> tuple[int, float]:
    """The index and score of the choice closest to the query (-1 if there is none)."""
    ranked = max(((score(query, c), i) for i, c in enumerate(choices)), default=(0.0, -1))
    return ranked[1], ranked[0]
