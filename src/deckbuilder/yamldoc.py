"""YAML that remembers the line of every key and item, so a problem is reported at its
``path:line``; duplicate keys are errors; mappings checked against a schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from deckbuilder.model import Problem, SourceLocation

Schema = dict[str, type | tuple[type, ...]]

# libyaml's parser where PyYAML was built with it (several times faster): both compose the
# same node tree with the same line marks. Its error messages and lines differ, so input it
# refuses is parsed again by PyYAML's own parser, which explains it.
_FAST: Any = getattr(yaml, "CSafeLoader", None)


@dataclass(frozen=True)
class YamlDoc:
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


def _compose(text: str) -> tuple[yaml.Node | None, Any] | None:
    """The node tree and the data, by libyaml; None when it is missing or refuses the text."""
    if _FAST is None:
        return None
    try:
        loader = _FAST(text)
        try:
            node = loader.get_single_node()
            return node, loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError):
        return None


def load_yaml(text: str, *, path: str, first_line: int, problems: list[Problem]) -> YamlDoc | None:
    """Parse once (compose, then construct from the node tree); a duplicate key is an error."""
    if (fast := _compose(text)) is not None:
        node, data = fast
        if duplicates := _duplicate_keys(node, path=path, first_line=first_line):
            problems.extend(duplicates)
            return None
        return YamlDoc(data, node, first_line)
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
    return YamlDoc(data, node, first_line)


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


def check_mapping(
    doc: YamlDoc,
    mapping: Any,
    *,
    path: str,
    where: tuple[str | int, ...],
    schema: Schema,
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
                    f"'{key}' must be {name}, not {describe(value)}",
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
                            f"not {describe(item)} (quote it)",
                        )
                    )
                    ok = False
    return ok


def describe(value: Any) -> str:
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
