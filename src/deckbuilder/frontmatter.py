"""YAML read with the line of every key: a scenario's front matter and ``topics.yaml``.

Duplicate keys are errors, ids must match their pattern exactly (no trailing newline), and
every problem is reported at its ``path:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deckbuilder.model import Difficulty, Problem, ScenarioMeta, SourceLocation, Topic
from deckbuilder.parse import Document
from deckbuilder.sources import read_text

TOPICS_FILE = "topics.yaml"
ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")  # used with fullmatch: no trailing newline
_META_KEYS: dict[str, type | tuple[type, ...]] = {
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
_TOPIC_KEYS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "title": str,
    "description": str,
    "keywords": list,
}


@dataclass(frozen=True)
class _Yaml:
    """A YAML document with the line of every mapping key and sequence item."""

    data: Any
    node: yaml.Node | None
    first_line: int

    def line(self, *path: str | int) -> int:
        node = self.node
        line = self.first_line
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        line = self.first_line + key_node.start_mark.line
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line
                node = node.value[step]
                line = self.first_line + node.start_mark.line
            else:
                return line
        return line


def load_yaml(text: str, *, path: str, first_line: int, problems: list[Problem]) -> _Yaml | None:
    """Parse once (compose, then construct from the node tree); a duplicate key is an error."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            duplicates = _duplicate_keys(node, path=path, first_line=first_line)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        problems.append(Problem(SourceLocation(path, line), f"invalid YAML: {error.problem}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(SourceLocation(path, first_line), f"invalid YAML: {error}"))
        return None
    except RecursionError:  # PyYAML recurses once per nesting level: "[[[[..." exhausts it
        problems.append(
            Problem(SourceLocation(path, first_line), "invalid YAML: nested too deeply")
        )
        return None
    if duplicates:
        problems.extend(duplicates)
        return None
    return _Yaml(data, node, first_line)


def _duplicate_keys(node: yaml.Node | None, *, path: str, first_line: int) -> list[Problem]:
    """Every mapping key written twice (YAML itself keeps the last one silently)."""
    found: list[Problem] = []
    stack = [node] if node is not None else []
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:  # an alias refers back to a node already seen
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                line = first_line + key_node.start_mark.line
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        found.append(
                            Problem(
                                SourceLocation(path, line),
                                f"duplicate key {key_node.value!r} "
                                f"(first at {path}:{seen[key_node.value]})",
                            )
                        )
                    seen.setdefault(key_node.value, line)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _check_mapping(
    doc: _Yaml,
    mapping: Any,
    *,
    path: str,
    where: tuple[str | int, ...],
    schema: dict[str, type | tuple[type, ...]],
    what: str,
    problems: list[Problem],
) -> bool:
    if not isinstance(mapping, dict):
        problems.append(
            Problem(SourceLocation(path, doc.line(*where)), f"{what} must be a mapping")
        )
        return False
    ok = True
    for key in mapping:
        if key not in schema:
            known = ", ".join(schema)
            problems.append(
                Problem(
                    SourceLocation(path, doc.line(*where, str(key))),
                    f"unknown key '{key}' in {what} (known: {known})",
                )
            )
            ok = False
    for key, expected in schema.items():
        if key not in mapping:
            problems.append(
                Problem(SourceLocation(path, doc.line(*where)), f"{what} is missing '{key}'")
            )
            ok = False
            continue
        value = mapping[key]
        wrong = not isinstance(value, expected) or isinstance(value, bool)
        if expected is str and isinstance(value, str) and not value.strip():
            wrong = True
        if wrong:
            name = {str: "a non-empty string", int: "an integer", list: "a list"}[expected]  # type: ignore[index]
            problems.append(
                Problem(
                    SourceLocation(path, doc.line(*where, key)),
                    f"'{key}' must be {name}, not {_describe(value)}",
                )
            )
            ok = False
        elif expected is list:
            for index, item in enumerate(value):
                if not isinstance(item, str) or not item.strip():
                    problems.append(
                        Problem(
                            SourceLocation(path, doc.line(*where, key, index)),
                            f"'{key}' item {index + 1} must be a non-empty string, "
                            f"not {_describe(item)} (quote it)",
                        )
                    )
                    ok = False
    return ok


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


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
        if not _check_mapping(
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
    if not _check_mapping(
        parsed,
        parsed.data,
        path=doc.path,
        where=(),
        schema=_META_KEYS,
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
    if data["number"] < 1:
        problems.append(Problem(doc.at(parsed.line("number")), "number must be a positive integer"))
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
