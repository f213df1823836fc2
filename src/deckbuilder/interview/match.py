"""What the candidate typed against reference points, through ``deckbuilder.matching``
(the quiz's typed-answer matcher: normalised words, typos forgiven, numbers with units)."""

from __future__ import annotations

from collections.abc import Sequence

from deckbuilder import matching


def covered(typed: Sequence[str], references: Sequence[str]) -> list[int | None]:
    """For each reference point, the index of the typed line that covers it best, or None."""
    result: list[int | None] = []
    for reference in references:
        hits = [
            (matching.coverage(line, reference).share, index)
            for index, line in enumerate(typed)
            if matching.covers(line, reference)
        ]
        result.append(max(hits, key=lambda hit: hit[0])[1] if hits else None)
    return result


def best(query: str, choices: Sequence[str]) -> tuple[int, float]:
    """The index of the choice whose words the query states most, and that share (0-1);
    the first on a tie, (-1, 0.0) if there are no choices."""
    shares = [matching.coverage(query, choice).share for choice in choices]
    if not shares:
        return -1, 0.0
    top = max(shares)
    return shares.index(top), top
