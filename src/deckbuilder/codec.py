"""Model values as JSON and back, for the cache. Decoding checks every type: an entry
that does not decode exactly is a cache miss (``ValueError``), never a wrong card."""

from __future__ import annotations

from typing import Any

from deckbuilder.model import (
    Card,
    CardKind,
    Difficulty,
    Notice,
    Rubric,
    RubricDimension,
    RubricLevel,
    Scenario,
    ScenarioMeta,
    SourceLocation,
)

_KINDS = {kind.value: kind for kind in CardKind}


def _location(value: SourceLocation) -> list[Any]:
    return [value.path, value.line]


def _read_location(value: Any) -> SourceLocation:
    path, line = value
    return SourceLocation(_str(path), _int(line))


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("expected an integer")
    return value


def _strs(value: Any) -> tuple[str, ...]:
    # exact types, checked in one pass: this runs for every card of every cached scenario
    if type(value) is not list or not all(type(v) is str for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def scenario_to_json(scenario: Scenario) -> dict[str, Any]:
    meta = scenario.meta
    return {
        "meta": [
            meta.id,
            meta.number,
            meta.title,
            meta.difficulty.value,
            meta.level,
            meta.duration,
            meta.focus,
            list(meta.topics),
            list(meta.requirements),
            meta.folder,
            _location(meta.source),
        ],
        "cards": [
            [
                c.scenario_id,
                c.kind.value,
                c.key,
                c.title,
                c.front,
                c.back,
                list(c.context),
                _location(c.source),
                c.cloze,
                list(c.points),
                list(c.topics),
                c.extra,
                c.essay,
                c.minute,
            ]
            for c in scenario.cards
        ],
        "rubric": _rubric_to_json(scenario.rubric),
        "notices": [[_location(n.location), n.rule, n.message] for n in scenario.notices],
    }


def _rubric_to_json(rubric: Rubric | None) -> Any:
    if rubric is None:
        return None
    return {
        "dimensions": [
            [
                d.name,
                d.weight,
                [[v.level, v.descriptor, v.anchor, _location(v.source)] for v in d.levels],
                _location(d.source),
            ]
            for d in rubric.dimensions
        ],
        "must_reach_hire": list(rubric.must_reach_hire),
        "notes": rubric.notes,
    }


def _rubric_from_json(data: Any) -> Rubric | None:
    if data is None:
        return None
    dimensions = []
    for name, weight, levels, source in data["dimensions"]:
        if weight is not None:
            _int(weight)
        dimensions.append(
            RubricDimension(
                _str(name),
                weight,
                tuple(
                    RubricLevel(_str(lv), _str(d), _str(a), _read_location(loc))
                    for lv, d, a, loc in levels
                ),
                _read_location(source),
            )
        )
    return Rubric(tuple(dimensions), _strs(data["must_reach_hire"]), _str(data["notes"]))


def scenario_from_json(data: Any, *, digest: str) -> Scenario:
    """The scenario stored by ``scenario_to_json``; ValueError if the entry is not one."""
    try:
        ident, number, title, difficulty, level, duration, focus, topics, reqs, folder, src = data[
            "meta"
        ]
        meta = ScenarioMeta(
            id=_str(ident),
            number=_int(number),
            title=_str(title),
            difficulty=Difficulty(difficulty),
            level=_str(level),
            duration=_str(duration),
            focus=_str(focus),
            topics=_strs(topics),
            requirements=_strs(reqs),
            folder=_str(folder),
            source=_read_location(src),
        )
        cards = []
        for row in data["cards"]:
            sid, kind, key, ctitle, front, back, context, source, cloze, points, ctopics = row[:11]
            extra, essay, minute = row[11:]
            # every type checked at once: this runs for every card of every cached scenario
            if not all(type(v) is str for v in (sid, key, ctitle, front, back, extra, essay)):
                raise ValueError("expected a string")
            if type(cloze) is not bool:
                raise ValueError("expected a boolean")
            if minute is not None:
                _int(minute)
            cards.append(
                Card(
                    scenario_id=sid,
                    kind=_KINDS[kind],
                    key=key,
                    title=ctitle,
                    front=front,
                    back=back,
                    context=_strs(context),
                    source=_read_location(source),
                    cloze=cloze,
                    points=_strs(points),
                    topics=_strs(ctopics),
                    extra=extra,
                    essay=essay,
                    minute=minute,
                )
            )
        rubric = _rubric_from_json(data["rubric"])
        notices = tuple(
            Notice(_read_location(loc), _str(rule), _str(message))
            for loc, rule, message in data["notices"]
        )
    except (TypeError, KeyError) as error:  # an unknown kind is a KeyError
        raise ValueError(f"not a cached scenario: {error}") from error
    return Scenario(meta=meta, cards=tuple(cards), digest=digest, rubric=rubric, notices=notices)
