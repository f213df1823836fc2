"""Mock-interview history in the quiz state file: one row per interview, one per self-score.

The tables come from the store's schema migration 2; this module keeps their queries,
through the store's own transaction helper, so store.py stays the only sqlite3 user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deckbuilder.quiz.store import Store, iso


@dataclass(frozen=True)
class InterviewRecord:
    id: int
    scenario: str
    finished_at: str
    decision: str
    mean: float | None
    transcript: str
    scores: tuple[tuple[str, float, int | None, bool], ...]  # dimension, weight, level, prompted


def record_interview(
    store: Store,
    *,
    scenario: str,
    started: datetime,
    finished: datetime,
    minutes: float,
    decision: str,
    mean: float | None,
    transcript: str,
    scores: Sequence[tuple[str, float, int | None, bool]],
) -> int:
    """Save one mock interview and its self-scores in one transaction; return its id."""
    with store._write() as db:  # the store's transaction helper
        cursor = db.execute(
            "INSERT INTO interviews (scenario, started_at, finished_at, minutes, decision, mean,"
            " transcript) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (scenario, iso(started), iso(finished), minutes, decision, mean, transcript),
        )
        assert cursor.lastrowid is not None
        db.executemany(
            "INSERT INTO interview_scores VALUES (?, ?, ?, ?, ?)",
            [(cursor.lastrowid, d, w, level, int(p)) for d, w, level, p in scores],
        )
        return cursor.lastrowid


def interviews(store: Store) -> list[InterviewRecord]:
    """Every mock interview, oldest first, with its scores."""
    db = store._db
    scores: dict[int, list[tuple[str, float, int | None, bool]]] = {}
    for iid, dimension, weight, level, prompted in db.execute(
        "SELECT interview_id, dimension, weight, level, prompted FROM interview_scores"
        " ORDER BY interview_id, rowid"
    ):
        scores.setdefault(int(iid), []).append(
            (str(dimension), float(weight), level, bool(prompted))
        )
    rows = db.execute(
        "SELECT id, scenario, finished_at, decision, mean, transcript FROM interviews ORDER BY id"
    )
    return [
        InterviewRecord(int(i), str(s), str(f), str(d), m, str(t), tuple(scores.get(int(i), [])))
        for i, s, f, d, m, t in rows
    ]


def history(store: Store) -> dict[str, object]:
    """Per scenario: sessions done, decisions, and each dimension's levels in order with a trend."""
    result: dict[str, dict[str, Any]] = {}
    for record in interviews(store):
        entry = result.setdefault(
            record.scenario, {"sessions": 0, "decisions": [], "dimensions": {}}
        )
        entry["sessions"] += 1
        entry["decisions"].append(record.decision)
        for dimension, _weight, level, _prompted in record.scores:
            entry["dimensions"].setdefault(dimension, {"levels": []})["levels"].append(level)
    for entry in result.values():
        for dimension in entry["dimensions"].values():
            levels = [lv for lv in dimension["levels"] if lv is not None]
            dimension["trend"] = levels[-1] - levels[0] if len(levels) > 1 else 0
            dimension["latest"] = levels[-1] if levels else None
    return dict(result)


def history_lines(data: Mapping[str, Any], *, titles: Mapping[str, str]) -> Sequence[str]:
    if not data:
        return []
    lines = ["", "Mock interviews"]
    for scenario, entry in sorted(data.items()):
        lines.append(
            f"{titles.get(scenario, scenario)}: {entry['sessions']} sessions, "
            f"last {entry['decisions'][-1]}"
        )
        for name, dim in entry["dimensions"].items():
            levels = " ".join("-" if lv is None else str(lv) for lv in dim["levels"])
            trend = f"{dim['trend']:+d}" if dim["trend"] else "="
            lines.append(f"  {name[:44]:<44} {levels:<12} {trend}")
    return lines
