"""Answers with units: "320KiB", "0.3125 MiB", "327,680 bytes", "$292k".

The spellings people type are normalised here; pint reads them through
``deckbuilder.units``' strict registry (the only pint importer), where bytes, time,
FLOPs, dollars and tokens are separate dimensions, so a wrong kind of unit is
reported instead of silently compared.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from deckbuilder import units
from deckbuilder.errors import DeckbuilderError

#: The kind of quantity each answer expects: a pint dimensionality and how to name it.
KINDS: dict[str, tuple[str, str]] = {
    "bytes": ("byte", "a size such as 320 KiB or 1.2 GB"),
    "time": ("second", "a duration such as 12 ms or 4.3 min"),
    "rate": ("1 / second", "a rate such as 8,700 tokens/s"),
    "bandwidth": ("byte / second", "a bandwidth such as 3.35 TB/s"),
    "flops": ("FLOP", "an amount of compute such as 16 TFLOP"),
    "money": ("dollar", "an amount of money such as $292,000 or 292k USD"),
    "count": ("1", "a plain number such as 360"),
}

_NUMBER_COMMAS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DOLLAR = re.compile(r"^\s*\$\s*(?P<rest>.+)$")
_MULTIPLIER = re.compile(
    r"^(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
    r"(?P<mult>k|K|M|B|bn|thousand|million|billion)(?![A-Za-z])\s*(?P<rest>.*)$"
)
_MULTIPLIERS = {
    "k": 1e3,
    "K": 1e3,
    "thousand": 1e3,
    "M": 1e6,
    "million": 1e6,
    "B": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_SPELLINGS = (
    (re.compile(r"\bper\b"), "/"),
    (re.compile(r"\bKB\b"), "kB"),
    (re.compile(r"\bsecond(s)?\b"), "s"),
    (re.compile(r"\bminute(s)?\b"), "min"),
    (re.compile(r"\bhour(s)?\b"), "h"),
    (re.compile(r"\bday(s)?\b"), "d"),
    (re.compile(r"\bmonth(s)?\b"), "month"),
    (re.compile(r"\byear(s)?\b"), "yr"),
)


_SHAPE = re.compile(
    r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*"  # a number, then an optional unit:
    r"(?:(?:[A-Za-zµμ%]|/\s*[A-Za-zµμ%])(?:[A-Za-zµμ%\d^* ]|/(?=\s*[A-Za-zµμ%\d]))*)?\s*$"
)


class UnitError(DeckbuilderError):
    """An answer that cannot be read as a number with the expected kind of unit."""


@dataclass(frozen=True)
class Answer:
    """A parsed answer: its value in the kind's base unit (bytes, seconds, FLOP, $, 1/s...)."""

    value: float
    text: str


def _normalise(text: str, *, kind: str) -> tuple[str, float]:
    """Spellings pint does not know: thousands separators, $, k/M/B multipliers, 'per'."""
    text = _NUMBER_COMMAS.sub("", text.strip())
    factor = 1.0
    dollar = _DOLLAR.match(text)
    if dollar:
        text = dollar.group("rest").strip() + " USD"
    multiplied = _MULTIPLIER.match(text)
    # "7 B" is seven bytes, not seven billion, when a size is expected.
    if multiplied and not (kind == "bytes" and multiplied.group("mult") == "B"):
        factor = _MULTIPLIERS[multiplied.group("mult")]
        text = f"{multiplied.group('num')} {multiplied.group('rest')}".strip()
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text, factor


def parse(text: str, *, kind: str) -> Answer:
    """Read ``text`` as a quantity of ``kind`` (a key of KINDS); UnitError if it is not one."""
    unit, description = KINDS[kind]
    if not text.strip():
        raise UnitError(f"type an answer: {description}")
    cleaned, factor = _normalise(text, kind=kind)
    if not _SHAPE.match(cleaned):
        reason = "no number first" if not re.match(r"^[-+]?\.?\d", cleaned) else "not a unit"
        raise UnitError(f"cannot read {text.strip()!r} ({reason}); expected {description}")
    try:
        reading = units.read_strict(cleaned, unit=unit)
    except units.UnreadableError as error:
        raise UnitError(f"cannot read {text.strip()!r} ({error}); expected {description}") from None
    if reading.value is None:
        if kind != "count" and reading.dimensionless:
            raise UnitError(f"{text.strip()!r} has no unit; expected {description}")
        raise UnitError(f"{text.strip()!r} is not {_kind_name(kind)}; expected {description}")
    value = reading.value * factor
    if not math.isfinite(value):
        raise UnitError(f"{text.strip()!r} is not a finite number; expected {description}")
    return Answer(value=value, text=text.strip())


def _kind_name(kind: str) -> str:
    return {
        "bytes": "a size",
        "time": "a duration",
        "rate": "a rate",
        "bandwidth": "a bandwidth",
        "flops": "an amount of compute",
        "money": "an amount of money",
        "count": "a plain number",
    }[kind]


def relative_error(answer: float, expected: float) -> float:
    """|answer - expected| / |expected| (expected is never zero for a drill)."""
    return abs(answer - expected) / abs(expected)


def show(value: float, *, kind: str, unit: str) -> str:
    """A value in the kind's base unit shown in ``unit`` (bytes -> "320 KiB"), 4 digits."""
    magnitude = units.convert_strict(value, unit=KINDS[kind][0], to=unit)
    return f"{digits(magnitude)} {unit}".rstrip()


def digits(value: float) -> str:
    """4 significant digits, thousands separated: 327,680; 0.3125; 14.72."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"
