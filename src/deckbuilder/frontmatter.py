"""A scenario's front matter and ``topics.yaml``: schema, ids (matched whole, so no
trailing newline slips through), topics; every problem at its ``path:line``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder.model import Difficulty, Problem, ScenarioMeta, SourceLocation, Topic
from deckbuilder.sources import read_text
from deckbuilder.yamldoc import Schema, check_mapping, load_yaml

if TYPE_CHECKING:
    from deckbuilder.parse import Document

TOPICS_FILE = "topics.yaml"
ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # used with fullmatch: no trailing newline
_META_KEYS: Schema = {
    "id": str,
    "number": int,
    "title": str,
    "difficulty": str,
    "level": str,
    "duration": str,
    "focus": str,
    "topics": list,
    "requirements": list,
}
FOUNDATIONS = "foundations.md"  # a folder with this file (and no problem.md) is the shared set
FILES = ("problem.md", "solution.md", "discussion_points.md", "rubric.md")  # a scenario's
FOUNDATION_FILES = (FOUNDATIONS,)
# foundations.md has no prompt: no difficulty, level, duration or requirements
_FOUNDATIONS_KEYS: Schema = {
    key: _META_KEYS[key] for key in ("id", "number", "title", "focus", "topics")
}
_TOPIC_KEYS: Schema = {
    "id": str,
    "title": str,
    "description": str,
    "keywords": list,
}


def load_topics(root: Path, *, problems: list[Problem]) -> tuple[Topic, ...]:
    path = f"{root.name}/{TOPICS_FILE}"
    text = read_text(root / TOPICS_FILE, label=path, problems=problems, root=root)
    if text is None:
        return ()
    doc = load_yaml(text, path=path, first_line=1, problems=problems)
    if doc is None:
        return ()
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("topics"), list):
        problems.append(Problem(SourceLocation(path, 1), "expected a mapping with a 'topics' list"))
        return ()
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(doc.data["topics"]):
        if not check_mapping(
            doc,
            entry,
            path=path,
            where=("topics", index),
            schema=_TOPIC_KEYS,
            what="a topic",
            problems=problems,
        ):
            continue
        line = doc.line("topics", index)
        location = SourceLocation(path, line)
        if not ID.fullmatch(entry["id"]):
            problems.append(
                Problem(
                    location, f"topic id {entry['id']!r} must be lowercase letters, digits and '-'"
                )
            )
            continue
        if entry["id"] in seen:
            problems.append(
                Problem(
                    location,
                    f"duplicate topic id '{entry['id']}' (first at {path}:{seen[entry['id']]})",
                )
            )
            continue
        seen[entry["id"]] = line
        topics.append(
            Topic(
                id=entry["id"],
                title=entry["title"].strip(),
                description=entry["description"].strip(),
                keywords=tuple(str(k) for k in entry["keywords"]),
                source=location,
            )
        )
    return tuple(topics)


def read_meta(
    doc: Document, *, folder: str, topic_ids: set[str], problems: list[Problem]
) -> ScenarioMeta | None:
    start = len(problems)
    foundations = doc.path.endswith("/" + FOUNDATIONS)
    if doc.front_matter is None and doc.lines[0].strip() == "---":
        problems.append(Problem(doc.at(1), "front matter is not closed (no second '---' line)"))
        return None
    if doc.front_matter is None:
        problems.append(
            Problem(doc.at(1), "missing front matter (a YAML block between '---' lines at the top)")
        )
        return None
    parsed = load_yaml(doc.front_matter, path=doc.path, first_line=2, problems=problems)
    if parsed is None:
        return None
    if not check_mapping(
        parsed,
        parsed.data,
        path=doc.path,
        where=(),
        schema=_FOUNDATIONS_KEYS if foundations else _META_KEYS,
        what="the front matter",
        problems=problems,
    ):
        return None
    data = parsed.data
    if not ID.fullmatch(data["id"]):
        problems.append(
            Problem(
                doc.at(parsed.line("id")),
                f"id {data['id']!r} must be lowercase letters, digits and '-'",
            )
        )
    if foundations and data["number"] != 0:
        problems.append(Problem(doc.at(parsed.line("number")), "foundations must have number 0"))
    elif not foundations and data["number"] < 1:
        problems.append(Problem(doc.at(parsed.line("number")), "number must be a positive integer"))
    if foundations:
        data = {**data, "difficulty": "medium", "level": "all", "duration": "-", "requirements": []}
    difficulties = [d.value for d in Difficulty]
    if data["difficulty"] not in difficulties:
        problems.append(
            Problem(
                doc.at(parsed.line("difficulty")),
                f"difficulty {data['difficulty']!r} must be one of {', '.join(difficulties)}",
            )
        )
    if not data["topics"]:
        problems.append(
            Problem(doc.at(parsed.line("topics")), "topics must name at least one topic")
        )
    for index, topic in enumerate(data["topics"]):
        if topic_ids and topic not in topic_ids:
            problems.append(
                Problem(
                    doc.at(parsed.line("topics", index)),
                    f"unknown topic {topic!r} (not in topics.yaml)",
                )
            )
    if len(problems) > start:
        return None
    return ScenarioMeta(
        id=data["id"],
        number=data["number"],
        title=data["title"].strip(),
        difficulty=Difficulty(data["difficulty"]),
        level=data["level"].strip(),
        duration=data["duration"].strip(),
        focus=data["focus"].strip(),
        topics=tuple(data["topics"]),
        requirements=tuple(r.strip() for r in data["requirements"]),
        folder=folder,
        source=doc.at(parsed.line("id")),
    )
