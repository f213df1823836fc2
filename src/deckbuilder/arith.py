"""Numbers in card text: parse a value with its unit, and evaluate the arithmetic chains
("2 x 80 layers x 8 KV heads x 128 x 2 bytes") an author printed, to find the clozes whose
hidden number can be worked out from the visible text."""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")
_OPERATOR = re.compile(r"^(?:x|×|\*|/|÷)$")
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[×*/÷=()]|[^\s×*/÷=()]+")
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
# binary and decimal powers: a hidden "320 KiB" equals a printed 327,680 (bytes)
SCALES = tuple(sorted({1.0, *(1000.0**k for k in range(1, 5)), *(1024.0**k for k in range(1, 5))}))
MAX_FILLER = 4  # words allowed between an operand and the next operator ("80 layers x")


def value(text: str) -> float | None:
    """The first number in a text, as a float ("1,234.5 ms" -> 1234.5; "70B" -> 7e10)."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    number = float(match.group(1).replace(",", "") + (match.group(2) or ""))
    after = text[match.end() : match.end() + 2]
    if after[:1].lower() in _SUFFIX and not after[1:2].isalpha():
        number *= _SUFFIX[after[:1].lower()]
    return number


def _number(token: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", token):
        return float(token.replace(",", ""))
    return None


def chains(text: str) -> list[tuple[str, float]]:
    """Every printed product or quotient of two or more numbers, with its value.

    Words between an operand and the next operator are allowed (units, labels), so
    ``2 x 80 layers x 8 KV heads`` is one chain; ``=`` ends a chain.
    """
    tokens = _TOKEN.findall(text.replace("`", " "))
    found: list[tuple[str, float]] = []
    index = 0
    while index < len(tokens):
        start = _number(tokens[index])
        if start is None:
            index += 1
            continue
        total, operands, cursor, last = start, 1, index + 1, index
        while True:
            filler = cursor
            while (
                filler < len(tokens)
                and filler - cursor < MAX_FILLER
                and _number(tokens[filler]) is None
                and not _OPERATOR.match(tokens[filler])
                and tokens[filler] != "="
            ):
                filler += 1
            if filler + 1 >= len(tokens) or not _OPERATOR.match(tokens[filler]):
                break
            operand = _number(tokens[filler + 1])
            if operand is None:
                break
            if tokens[filler] in {"/", "÷"}:
                if operand == 0:
                    break
                total /= operand
            else:
                total *= operand
            operands += 1
            last = filler + 1
            cursor = filler + 2
        if operands >= 2:
            found.append((" ".join(tokens[index : last + 1]), total))
        index = last + 1 if operands >= 2 else index + 1
    return found


def same(a: float, b: float, *, tolerance: float = 0.03) -> bool:
    """Equal within a relative tolerance, up to a decimal or binary power (KiB vs bytes)."""
    if a <= 0 or b <= 0:
        return False
    for scale in SCALES:
        for x, y in ((a, b * scale), (a * scale, b)):
            if math.isclose(x, y, rel_tol=tolerance):
                return True
    return False


def significant(text: str) -> int:
    """Significant digits of a printed number: 327,680 -> 5; 1,000 -> 1."""
    digits = re.sub(r"[^\d]", "", text).lstrip("0")
    return len(digits.rstrip("0")) if "." not in text else len(digits)


def numbers(text: str) -> list[tuple[str, float]]:
    """Every printed number with its value."""
    return [
        (m.group(0), float(m.group(1).replace(",", "") + (m.group(2) or "")))
        for m in _NUMBER.finditer(text)
    ]
