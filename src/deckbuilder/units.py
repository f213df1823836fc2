"""Numbers with units in free text, compared through pint. The only module that imports pint.

``quantities("800KiB per token")`` finds 800 KiB; ``same(a, b)`` says whether two
quantities are equal once converted (800 KiB = 819,200 bytes; 3.35 TB/s = 3350 GB/s).
Pure functions: pint's registries are built once, on first use, and never touched again.

Two registries: pint's default one (with token, request, flop and dollar added) for the
quiz's free text, and a strict one built from scratch for the drill's answers
(``read_strict``, ``convert_strict``), where bytes, time, FLOPs and dollars are separate
dimensions (the default registry treats bytes as dimensionless).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

# a number (1,234.5 / 0.3125 / 1e6), an optional range start ("20-26%"), a scale word and a unit
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+"
_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<dollar>\$)?(?P<num>{_NUMBER})"
    r"(?:\s*(?:-|–|to)\s*(?P<num2>" + _NUMBER + r"))?"
    r"(?P<scale>\s*(?:thousand|million|billion|trillion)\b|[kKMBT](?![a-zA-Z]))?"
    r"(?:\s*(?P<unit>%|×|x(?![a-zA-Z])|times\b|"
    r"[a-zA-Zµμ$]+(?:/[a-zA-Zµμ]+)?(?![a-zA-Z])))?",
)
_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6,
    "b": 1e9, "billion": 1e9, "t": 1e12, "trillion": 1e12,
}  # fmt: skip

# the spellings people type, lower-cased, as pint expressions
_ALIASES = {
    **{p + "b": f"{n}byte" for p, n in (("k", "kilo"), ("m", "mega"), ("g", "giga"), ("t", "tera"), ("p", "peta"))},  # noqa: E501
    **{p + "ib": f"{n}byte" for p, n in (("k", "kibi"), ("m", "mebi"), ("g", "gibi"), ("t", "tebi"), ("p", "pebi"))},  # noqa: E501
    **{p + "bps": f"{n}bit/second" for p, n in (("k", "kilo"), ("m", "mega"), ("g", "giga"), ("t", "tera"))},  # noqa: E501
    **{p + "flops": f"{n}flop/second" for p, n in (("", ""), ("g", "giga"), ("t", "tera"), ("p", "peta"), ("e", "exa"))},  # noqa: E501
    **{p + "flop": f"{n}flop" for p, n in (("", ""), ("g", "giga"), ("t", "tera"), ("p", "peta"), ("e", "exa"))},  # noqa: E501
    "b": "byte", "byte": "byte", "bytes": "byte", "bit": "bit", "bits": "bit",
    "ns": "nanosecond", "us": "microsecond", "µs": "microsecond", "μs": "microsecond",
    "ms": "millisecond", "s": "second", "sec": "second", "secs": "second",
    "second": "second", "seconds": "second", "min": "minute", "mins": "minute",
    "minute": "minute", "minutes": "minute", "h": "hour", "hr": "hour", "hrs": "hour",
    "hour": "hour", "hours": "hour", "d": "day", "day": "day", "days": "day",
    "mo": "month", "month": "month", "months": "month", "y": "year", "yr": "year",
    "year": "year", "years": "year", "%": "percent", "percent": "percent",
    "x": "", "×": "", "times": "", "w": "watt", "kw": "kilowatt", "mw": "megawatt",
    "token": "token", "tokens": "token", "tok": "token", "request": "request",
    "requests": "request", "req": "request", "reqs": "request", "qps": "request/second",
    "rps": "request/second", "$": "dollar", "usd": "dollar", "dollars": "dollar",
}  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    """A number found in text: its value in base units and the base unit's name.

    ``unit`` is "" for a bare number and "?name" for a unit pint does not know, which is
    then compared by spelling.
    """

    text: str
    value: float
    unit: str
    bare: float  # the number as written, before the unit (for "800" against "800 KiB")


@cache
def _registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry()
    for line in ("token = [token]", "request = [request]", "flop = [flop]", "dollar = [currency]"):
        registry.define(line)
    return registry


_STRICT_DEFINITIONS = """
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


class UnreadableError(ValueError):
    """The strict registry cannot read an expression; the message says why."""


@dataclass(frozen=True)
class Reading:
    """An expression read with the strict registry, against the unit it should have."""

    value: float | None  # in that unit; None when the dimensions differ
    dimensionless: bool


@cache
def _strict_registry() -> Any:
    import pint

    registry: Any = pint.UnitRegistry(None)
    for line in _STRICT_DEFINITIONS.strip().splitlines():
        registry.define(line)
    return registry


def read_strict(expression: str, *, unit: str) -> Reading:
    """``expression`` ("320 KiB", "12 ms") in ``unit`` of the strict registry.

    UnreadableError when pint cannot read it (an unknown unit is named).
    """
    import pint

    registry = _strict_registry()
    try:
        quantity = registry.Quantity(expression)
    except pint.errors.UndefinedUnitError as error:
        raise UnreadableError(f"unknown unit {', '.join(sorted(error.unit_names))}") from None
    except Exception:  # pint raises assorted errors on odd expressions; all mean "cannot read"
        raise UnreadableError("not a number with a unit") from None
    if not isinstance(quantity, registry.Quantity):
        quantity = registry.Quantity(quantity)
    dimensionless = bool(quantity.dimensionless)
    if quantity.dimensionality != registry.Quantity(1, unit).dimensionality:
        return Reading(value=None, dimensionless=dimensionless)
    return Reading(value=float(quantity.to(unit).magnitude), dimensionless=dimensionless)


def convert_strict(value: float, *, unit: str, to: str) -> float:
    """A value in one unit of the strict registry expressed in another (bytes -> KiB)."""
    return float(_strict_registry().Quantity(value, unit).to(to).magnitude)


def warm_up() -> None:
    """Build the unit registry now (about a second), so the first comparison is quick."""
    _registry()


def _to_base(amount: float, unit: str) -> tuple[float, str]:
    expression = _ALIASES.get(unit.lower())
    if expression is None and "/" in unit:
        top, _, bottom = unit.lower().partition("/")
        if top in _ALIASES and bottom in _ALIASES:
            expression = f"({_ALIASES[top] or 'dimensionless'})/({_ALIASES[bottom]})"
    if expression == "":
        return amount, "times"
    registry = _registry()
    try:
        quantity = registry.Quantity(amount, expression or unit).to_base_units()
    except Exception:  # pint raises several unrelated types for an unknown unit
        singular = unit.lower().removesuffix("s")
        return amount, f"?{singular}"
    return float(quantity.magnitude), str(quantity.units)


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every number in the text, with its unit converted to base units where pint knows it."""
    found = []
    for match in _QUANTITY.finditer(text):
        unit = match["unit"] or ""
        if match["dollar"]:
            unit = "$"
        scale = _SCALES.get((match["scale"] or "").strip().lower(), 1.0)
        for number in (match["num"], match["num2"]):
            if number is None:
                continue
            amount = float(number.replace(",", "")) * scale
            value, base = _to_base(amount, unit) if unit else (amount, "")
            found.append(Quantity(match.group(0).strip(), value, base, amount))
    return tuple(found)


def parse(text: str) -> Quantity | None:
    """The single quantity a whole answer states ("320KiB", "0.3125 MiB"), or None."""
    found = quantities(text)
    return found[0] if len(found) == 1 else None


def same(expected: Quantity, given: Quantity, *, tolerance: float = 1e-6) -> bool:
    """Equal after conversion (relative tolerance). A bare number given for an expected
    quantity counts when it is the number the expected one was written with."""
    if expected.unit == "":
        return math.isclose(given.bare, expected.value, rel_tol=tolerance)
    if given.unit == "" and expected.unit != "times":
        return math.isclose(given.value, expected.bare, rel_tol=tolerance)
    if expected.unit != given.unit and given.unit != "":
        return False
    return math.isclose(expected.value, given.value, rel_tol=tolerance, abs_tol=1e-12)


def conflicts(expected: Quantity, given: Quantity) -> bool:
    """The given quantity measures the same thing as the expected one but differs from it."""
    return given.unit == expected.unit and given.unit != "" and not same(expected, given)


def strip_quantities(text: str) -> str:
    """The text with every number and its unit taken out (they are compared as quantities)."""
    return _QUANTITY.sub(" ", text)
