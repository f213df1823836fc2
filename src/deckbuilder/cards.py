"""Turn parsed entries into atomic cards: fronts that stand alone, one cloze per number."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from deckbuilder.model import Card, CardKind, Problem, ScenarioMeta, SourceLocation
from deckbuilder.readers import LabelledItem

MAX_CLOZES_PER_BULLET = 12
# a bold span may wrap onto the next line, but not across a blank line
_BOLD = re.compile(r"\*\*(?P<inner>(?:[^*\n]|\n(?!\s*\n))+?)\*\*")
_DIGIT = re.compile(r"\d")


def slug(text: str, *, limit: int = 64) -> str:
    """A lowercase ascii key: ``"Why P99, not mean?"`` -> ``"why-p99-not-mean"``."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[`*_~\[\]()]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text or "untitled"


def plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed, for titles and reports."""
    text = re.sub(r"\*\*|`", "", markdown)
    return " ".join("\n".join(_unemphasise(line) for line in text.split("\n")).split())


def _is_word(char: str) -> bool:
    return char == "_" or char.isalnum()  # what the regex class \w matches


def _unemphasise(line: str) -> str:
    r"""``*x*`` and ``_x_`` spans unwrapped, in one pass (linear: no backtracking).

    Same result as ``re.sub(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])", r"\1", line)``,
    which is quadratic: every opening mark without a close scans to the end of the line.
    Here the nearest closing mark after each position is computed once, right to left.
    """
    n = len(line)
    marks = "*_"
    next_close = [n] * (n + 1)  # next_close[i]: the first closing mark at or after i
    for i in range(n - 1, -1, -1):
        closes = (
            line[i] in marks
            and i > 0
            and not line[i - 1].isspace()
            and (i + 1 == n or not (_is_word(line[i + 1]) or line[i + 1] == "*"))
        )
        next_close[i] = i if closes else next_close[i + 1]
    out: list[str] = []
    done = i = 0
    while i < n:
        opens = (
            line[i] in marks
            and (i == 0 or not (_is_word(line[i - 1]) or line[i - 1] == "*"))
            and i + 1 < n
            and not line[i + 1].isspace()
        )
        close = next_close[i + 2] if opens and i + 2 <= n else n
        if close < n:
            out += [line[done:i], line[i + 1 : close]]
            done = i = close + 1
        else:
            i += 1
    out.append(line[done:])
    return "".join(out)


def short(text: str, limit: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _numbers(body: str) -> list[re.Match[str]]:
    """Bold spans to hide: those with a digit, and bold code spans (a method to recall)."""
    return [
        m
        for m in _BOLD.finditer(body)
        if _DIGIT.search(m.group("inner")) or m.group("inner").startswith("`")
    ]


def _cloze(body: str, targets: Sequence[re.Match[str]]) -> str:
    """The body with each target bold span turned into ``{{cN::...}}``, in order."""
    out, last = [], 0
    for position, target in enumerate(targets, start=1):
        inner = target.group("inner").replace("}}", "} }")
        out += [body[last : target.start()], f"{{{{c{position}::{inner}}}}}"]
        last = target.end()
    return "".join(out) + body[last:]


_NESTED = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)", re.MULTILINE)


def split_nested(body: str) -> tuple[str, str]:
    """A bullet's own text and its nested bullets (which become Extra, never the answer)."""
    match = _NESTED.search(body)
    if match is None:
        return body.strip(), ""
    return body[: match.start()].strip(), body[match.start() :].strip()


def numbered_cards(
    meta: ScenarioMeta,
    *,
    kind: CardKind,
    items: Iterable[LabelledItem],
    path: str,
    problems: list[Problem],
) -> list[Card]:
    """Requirement or number notes: one note per bullet, a cloze ``cN`` per bold number
    (Anki buries siblings of one note), nested bullets as Extra; a requirement without a
    bold number is a question and answer."""
    cards: list[Card] = []
    for item in items:
        location = SourceLocation(path, item.line)
        body, extra = split_nested(item.body)
        if not body:
            problems.append(Problem(location, f"'{plain(item.label)}' has no text after the label"))
            continue
        numbers = _numbers(body)
        if len(numbers) > MAX_CLOZES_PER_BULLET:
            problems.append(
                Problem(
                    location,
                    f"{len(numbers)} bold numbers in one bullet; split it "
                    f"(at most {MAX_CLOZES_PER_BULLET}, one cloze each)",
                )
            )
            continue
        key = item.explicit_id or slug(item.label or _BOLD.sub("", body))
        label = f"**{item.label}:** " if item.label else ""
        if not numbers and kind is CardKind.NUMBER:
            problems.append(
                Problem(
                    location,
                    f"number '{plain(item.label or body)[:60]}' has no bold number to hide",
                )
            )
            continue
        context = (meta.deck_title, *item.context)
        if not numbers:
            cards.append(
                Card(
                    scenario_id=meta.id,
                    kind=kind,
                    key=key,
                    title=plain(item.label),
                    front=f"What does the design require for **{plain(item.label)}**?",
                    back=body,
                    context=context,
                    source=location,
                    extra=extra,
                )
            )
            continue
        title = plain(item.label) if item.label else short(plain(body))
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=kind,
                key=key,
                title=title,
                front=label + _cloze(body, numbers),
                back="",
                context=context,
                source=location,
                cloze=True,
                extra=extra,
            )
        )
    return cards


# Cards made from "**Label**: body" bullets: the front asks about the label.
_LABELLED = {
    CardKind.CONCEPT: ("What is **{label}**?", "concept '{label}' has no definition"),
    CardKind.MISTAKE: (
        "Why is this a mistake: **{label}**?",
        "mistake '{label}' has no explanation",
    ),
}


def labelled_cards(
    meta: ScenarioMeta,
    *,
    kind: CardKind,
    items: Iterable[LabelledItem],
    path: str,
    problems: list[Problem],
) -> list[Card]:
    """Concept or mistake cards: one per bullet, the bold label on the front, nested
    bullets as Extra."""
    front, missing = _LABELLED[kind]
    cards = []
    for item in items:
        location = SourceLocation(path, item.line)
        label = plain(item.label)
        body, extra = split_nested(item.body)
        if not body:
            problems.append(Problem(location, missing.format(label=label)))
            continue
        cards.append(
            Card(
                scenario_id=meta.id,
                kind=kind,
                key=item.explicit_id or slug(item.label),
                title=label,
                front=front.format(label=label),
                back=body,
                context=(meta.deck_title, *item.context),
                source=location,
                extra=extra,
            )
        )
    return cards
