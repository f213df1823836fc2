"""The YAML reader: libyaml (when PyYAML has it) reads exactly what PyYAML's own parser reads."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from deckbuilder import yamldoc
from deckbuilder.model import Problem

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


def _lines(node: yaml.Node | None) -> list[tuple[str, int, int]]:
    if node is None:
        return []
    found = [(type(node).__name__, node.start_mark.line, node.start_mark.column)]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found += _lines(key) + _lines(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found += _lines(item)
    return found


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")
@given(_VALUES, st.booleans())
def test_libyaml_reads_what_pyyaml_reads(value: object, flow: bool) -> None:
    """Same data, same node tree, same line of every node, in block and flow style."""
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    problems: list[Problem] = []
    doc = yamldoc.load_yaml(text, path="x.yaml", first_line=1, problems=problems)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    assert doc is not None and not problems
    assert doc.data == data
    assert _lines(doc.node) == _lines(node)
