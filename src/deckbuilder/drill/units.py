"""Answers with units: "320KiB", "0.3125 MiB", "327,680 bytes", "$292k".

The only module that imports pint.

The registry is built from scratch (pint's default one treats bytes as dimensionless),
so bytes, time, FLOPs, dollars and tokens are separate dimensions and a wrong kind
of unit is reported instead of silently compared.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import pint

from deckbuilder.errors import DeckbuilderError

_DEFINITIONS = """
kilo- = 1e3 = k- = K-
mega- = 1e6 = M-
giga- = 1e9 = G-
tera- = 1e12 = T-
peta- = 1e15 = P-
exa- = 1e18 = E-
milli- = 1e-3 = m-
micro- = 1e-6 = u- = µ- = μ-
nano- = 1e-9 = n-
kibi- = 2**10 = Ki-
mebi- = 2**20 = Mi-
gibi- = 2**30 = Gi-
tebi- = 2**40 = Ti-
pebi- = 2**50 = Pi-
second = [time] = s = sec = secs
minute = 60 * second = min = mins
hour = 60 * minute = h = hr = hrs
day = 24 * hour = d
week = 7 * day
month = 730 * hour = mo
year = 8760 * hour = yr
byte = [information] = B = bytes
bit = byte / 8 = b = bits
FLOP = [compute] = flop = FLOPs = flops
FLOPS = FLOP / second
dollar = [currency] = USD = dollars = usd
percent = 0.01 = %
token = 1 = tok = tokens
request = 1 = req = requests
sequence = 1 = seq = sequences
replica = 1 = replicas
GPU = 1 = GPUs = gpu = gpus
"""

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


@cache
def _registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    registry: pint.UnitRegistry = pint.UnitRegistry(None)  # type: ignore[type-arg]
    for line in _DEFINITIONS.strip().splitlines():
        registry.define(line)
    return registry


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
    registry = _registry()
    if not _SHAPE.match(cleaned):
        reason = "no number first" if not re.match(r"^[-+]?\.?\d", cleaned) else "not a unit"
        raise UnitError(f"cannot read {text.strip()!r} ({reason}); expected {description}")
    try:
        quantity = registry.Quantity(cleaned)
    except (
        Exception
    ) as error:  # pint raises assorted errors on odd expressions; all mean "cannot read"
        raise UnitError(
            f"cannot read {text.strip()!r} ({_reason(error)}); expected {description}"
        ) from None
    if not isinstance(quantity, registry.Quantity):
        quantity = registry.Quantity(quantity)
    target = registry.Quantity(1, unit)
    if quantity.dimensionality != target.dimensionality:
        if kind != "count" and quantity.dimensionless:
            raise UnitError(f"{text.strip()!r} has no unit; expected {description}")
        raise UnitError(f"{text.strip()!r} is not {_kind_name(kind)}; expected {description}")
    value = float(quantity.to(unit).magnitude) * factor
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


def _reason(error: Exception) -> str:
    if isinstance(error, pint.errors.UndefinedUnitError):
        return f"unknown unit {', '.join(sorted(error.unit_names))}"
    return "not a number with a unit"


def relative_error(answer: float, expected: float) -> float:
    """|answer - expected| / |expected| (expected is never zero for a drill)."""
    return abs(answer - expected) / abs(expected)


def show(value: float, *, kind: str, unit: str) -> str:
    """A value in the kind's base unit shown in ``unit`` (bytes -> "320 KiB"), 4 digits."""
    registry = _registry()
    magnitude = float(registry.Quantity(value, KINDS[kind][0]).to(unit).magnitude)
    return f"{digits(magnitude)} {unit}".rstrip()


def digits(value: float) -> str:
    """4 significant digits, thousands separated: 327,680; 0.3125; 14.72."""
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"
