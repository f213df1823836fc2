"""``deckbuilder lint``: the card rules as a table, run over a library, and the measures of
card quality (``lint --stats``). Pure: the CLI reads the files and prints the findings."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from deckbuilder import lintmeasures
from deckbuilder import lintrules as r
from deckbuilder.errors import DeckbuilderError
from deckbuilder.lintrules import Finding
from deckbuilder.model import CardKind, Library, SourceLocation

Check = Callable[[Library], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    check: Check


def _recital(packaged: Sequence[tuple[str, SourceLocation]]) -> Check:
    def check(_library: Library) -> Iterator[Finding]:
        for key, location in packaged:
            kind = key.split("/")[1] if key.count("/") >= 2 else ""
            if kind in {k.value for k in CardKind} and not CardKind(kind).study:
                yield Finding(
                    location,
                    "recital-kind",
                    f"the packages hold the {kind} card '{key}', which is recital; rebuild them",
                )

    return check


def rules(packaged: Sequence[tuple[str, SourceLocation]] = ()) -> tuple[Rule, ...]:
    """Every rule, in the order of docs/card-design.md. ``packaged`` lists the note keys of
    the built packages (from their manifest), for the recital rule."""
    return (
        Rule("answer-length", "a study card's answer has more than 60 words", r.answer_length),
        Rule("list-answer", "a basic answer is a list of 4 or more items", r.list_answer),
        Rule("derivable-cloze", "a hidden number can be read off the card", r.derivable_cloze),
        Rule("split-siblings", "two cloze notes come from one bullet", r.split_siblings),
        Rule("dangling-reference", "a card points at text it does not show", r.dangling_reference),
        Rule("recital-kind", "a requirement or rubric card is in a package", _recital(packaged)),
        Rule("duplicate-front", "two study cards share a front", r.duplicate_front),
        Rule(
            "foundations-redefined",
            "a scenario redefines a foundations concept or number",
            r.foundations_redefined,
        ),
        Rule("two-concept-front", "a concept term names two concepts", r.two_concept_front),
        Rule("choice-without-reason", "a choice card gives no reason", r.choice_without_reason),
        Rule(
            "missing-cue",
            "a follow-up or curveball bullet has no cue",
            partial(r.notices, "missing-cue"),
        ),
        Rule(
            "missing-section",
            "a format-v2 section is missing or not converted",
            partial(r.notices, "missing-section"),
        ),
        Rule(
            "rubric-format",
            "a rubric dimension lacks a weight or an anchor",
            partial(r.notices, "rubric-format"),
        ),
    )


def _selected(library: Library, only: Collection[str]) -> set[str]:
    """Paths (scenario folders) whose findings are reported; every path when ``only`` is empty."""
    root = library.root.rstrip("/").rsplit("/", 1)[-1]
    known = {name for s in library.scenarios for name in (s.meta.id, s.meta.folder)}
    unknown = sorted(set(only) - known)
    if unknown:
        raise DeckbuilderError(
            "no scenario with the id or folder name " + ", ".join(f"'{u}'" for u in unknown)
        )
    return {
        f"{root}/{s.meta.folder}/"
        for s in library.scenarios
        if not only or {s.meta.id, s.meta.folder} & set(only)
    }


def lint(
    library: Library,
    *,
    only: Collection[str] = (),
    packaged: Sequence[tuple[str, SourceLocation]] = (),
) -> tuple[Finding, ...]:
    """Every finding of every rule, in file order. Rules that compare cards look at the whole
    collection; with ``only``, just the findings in those scenarios are returned."""
    folders = _selected(library, only)
    found = {
        finding
        for rule in rules(packaged)
        for finding in rule.check(library)
        if not only or finding.location.path.startswith(tuple(folders))
    }
    return tuple(sorted(found))


def packaged_keys(manifest_text: str, *, path: str) -> list[tuple[str, SourceLocation]]:
    """The note keys a build manifest lists, each with the line it is written on."""
    try:
        data = json.loads(manifest_text)
    except ValueError:
        return []
    notes = data.get("notes", {}) if isinstance(data, dict) else {}
    lines = {
        m.group(1): manifest_text.count("\n", 0, m.start()) + 1
        for m in re.finditer(r'"key":\s*"([^"]+)"', manifest_text)
    }
    keys = [str(n.get("key")) for n in notes.values() if isinstance(n, dict)]
    return [(k, SourceLocation(path, lines.get(k, 1))) for k in keys]


@dataclass(frozen=True)
class Stats:
    """Measures of a collection's study cards (what the packages hold)."""

    notes: int
    per_kind: dict[str, int]
    long_answers: int
    basic: int
    list_answers: int
    derivable_clozes: int
    clozes: int
    duplicate_fronts: int
    split_siblings: int
    rubric_cards: int
    not_studied: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "notes": self.notes,
            "per_kind": self.per_kind,
            "not_studied": self.not_studied,
            "answers_over_60_words": self.long_answers,
            "answers_over_60_words_pct": _pct(self.long_answers, self.notes),
            "basic_notes": self.basic,
            "basic_list_answers": self.list_answers,
            "basic_list_answers_pct": _pct(self.list_answers, self.basic),
            "cloze_notes": self.clozes,
            "derivable_clozes": self.derivable_clozes,
            "duplicate_fronts": self.duplicate_fronts,
            "split_siblings": self.split_siblings,
            "rubric_cards": self.rubric_cards,
        }


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def measure(library: Library) -> Stats:
    cards = lintmeasures.study(library)
    every = [c for s in library.scenarios for c in s.cards]
    duplicates = Counter(lintmeasures.front_key(c) for c in cards)
    return Stats(
        notes=len(cards),
        per_kind=dict(sorted(Counter(c.kind.value for c in cards).items())),
        long_answers=sum(
            lintmeasures.words(lintmeasures.answer(c)) > lintmeasures.MAX_ANSWER_WORDS
            for c in cards
        ),
        basic=sum(not c.cloze for c in cards),
        list_answers=sum(lintmeasures.is_list_answer(c) for c in cards),
        derivable_clozes=sum(
            any(True for _ in lintmeasures.derivable(c)) for c in cards if c.cloze
        ),
        clozes=sum(c.cloze for c in cards),
        duplicate_fronts=sum(n for n in duplicates.values() if n > 1),
        split_siblings=sum(1 for _ in r.split_siblings(library)),
        rubric_cards=sum(c.kind is CardKind.RUBRIC for c in cards),
        not_studied=dict(sorted(Counter(c.kind.value for c in every if not c.kind.study).items())),
    )
