"""The direct rendering of plain one-line text agrees with markdown-it, always."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conftest import SCENARIOS
from deckbuilder.library import load_library
from deckbuilder.markdown import _renderer, simple_html


def reference(text: str) -> str:
    return str(_renderer().render(text)).strip()


def test_every_shipped_field_renders_as_markdown_it_would() -> None:
    """For every card front and back that takes the direct path, the HTML is markdown-it's."""
    taken = 0
    for card in load_library(SCENARIOS).cards:
        for text in (card.front, card.back):
            fast = simple_html(text)
            if fast is not None:
                assert fast == reference(text), text
                taken += 1
    assert taken > 500  # most fronts are plain, so the fast path is really used


@given(st.text(alphabet="ab 1.,:;?()'/%-*_`[]<>&\"!#|~{}\\\n\t=+xyz", max_size=40))
def test_fast_path_never_differs(text: str) -> None:
    """Any text the direct path accepts renders exactly as markdown-it renders it."""
    fast = simple_html(text)
    if fast is not None:
        assert fast == reference(text)
