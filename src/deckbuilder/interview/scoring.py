"""The shared scoring protocol (scenarios/README.md#scoring-protocol), with its FINAL constants.

Levels score 4 (Strong Hire) to 1 (No Hire). A behaviour shown only after the
interviewer's prompt counts one level lower, but a correct prompted answer never
scores below Lean No Hire. A dimension not reached is excluded and the other
weights renormalised; a must-reach dimension not reached gives "Insufficient signal".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEVEL_NAMES = {4: "Strong Hire", 3: "Hire", 2: "Lean No Hire", 1: "No Hire"}
INSUFFICIENT = "Insufficient signal"
STRONG_HIRE_MEAN = 3.5
HIRE_MEAN = 2.75
LEAN_NO_HIRE_MEAN = 2.0
MUST_REACH_LEVEL = 3
FLOOR_LEVEL = 2
PROMPTED_FLOOR = 2


@dataclass(frozen=True)
class Score:
    dimension: str
    weight: float
    level: int | None  # 1-4 as self-scored; None: not reached
    prompted: bool = False

    @property
    def effective(self) -> int | None:
        if self.level is None or not self.prompted:
            return self.level
        return max(self.level - 1, min(self.level, PROMPTED_FLOOR))


@dataclass(frozen=True)
class Decision:
    outcome: str
    mean: float | None
    reasons: tuple[str, ...]


def decide(scores: Sequence[Score], *, must_reach: Sequence[str]) -> Decision:
    reached = [s for s in scores if s.effective is not None]
    by_name = {s.dimension.lower(): s for s in scores}
    missing = [
        m
        for m in must_reach
        if by_name.get(m.lower()) is None or by_name[m.lower()].effective is None
    ]
    if missing:
        return Decision(
            INSUFFICIENT, None, tuple(f"must-reach dimension not reached: {m}" for m in missing)
        )
    total = sum(s.weight for s in reached)
    if not reached or total <= 0:
        return Decision(INSUFFICIENT, None, ("no dimension was reached",))
    mean = sum(s.weight * (s.effective or 0) for s in reached) / total
    reasons = [f"weighted mean {mean:.2f} over {len(reached)} reached dimensions"]
    weak_must = [m for m in must_reach if (by_name[m.lower()].effective or 0) < MUST_REACH_LEVEL]
    low = [s.dimension for s in reached if (s.effective or 0) < FLOOR_LEVEL]
    reasons += [f"must-reach dimension below Hire: {m}" for m in weak_must]
    reasons += [f"dimension below Lean No Hire: {d}" for d in low]
    gates = not weak_must and not low
    if mean >= STRONG_HIRE_MEAN and gates:
        outcome = "Strong Hire"
    elif mean >= HIRE_MEAN and gates:
        outcome = "Hire"
    elif mean >= LEAN_NO_HIRE_MEAN:
        outcome = "Lean No Hire"
    else:
        outcome = "No Hire"
    return Decision(outcome, round(mean, 4), tuple(reasons))
