"""The Python renderer of Anki's templates and clozes gives exactly the official library's HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("anki")
pytestmark = pytest.mark.anki

from anki.collection import Collection  # noqa: E402

from ankiutil import add_deckbuilder_notetypes, anki_sides, fresh_collection  # noqa: E402
from conftest import FIXTURE_LIBRARY, PREVIEW_LIBRARY, SCENARIOS  # noqa: E402
from deckbuilder.anki_template import card_sides, cloze_ordinals  # noqa: E402
from deckbuilder.library import load_library  # noqa: E402
from deckbuilder.model import CardKind  # noqa: E402
from deckbuilder.render import render_card  # noqa: E402
from deckbuilder.sources import image_resolver  # noqa: E402


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Collection, object, object]]:
    col = fresh_collection(tmp_path_factory.mktemp("anki"))
    basic, cloze = add_deckbuilder_notetypes(col)
    yield col, basic, cloze
    col.close()


def ours(fields: tuple[str, ...], *, cloze: bool) -> list[tuple[str, str]]:
    return [(side.question, side.answer) for side in card_sides(fields, cloze=cloze)]


CLOZE_TEXTS = [
    "<p>plain {{c1::one}} deletion</p>",
    "<p>a {{c1::x → é &lt; &gt; &amp; &quot; ' ü 中 \u00a0}} b {{c2::y::hint &amp; h}} {{c1::z}}</p>",
    "<p>{{c1::outer {{c2::inner}} end}} and {{c3::third::a::b}}</p>",
    "<p>a <code>{{c1::code}}</code> b {{c2::<b>bold</b>}} {{c1,2::both}}</p>",
    "<p>{{c2::only two}} then }} stray and {{c1::unclosed</p>",
    "<p>{{c1::line\nbreak}} {{c10::ten}}</p>",
]


@pytest.mark.parametrize("text", CLOZE_TEXTS)
@pytest.mark.parametrize("extra", ["", " ", "<br>", "<p></p>", "<p>why</p>"])
def test_cloze_notes_render_as_anki_renders_them(
    anki: tuple[Collection, object, object], text: str, extra: str
) -> None:
    """Hints, nested and multi-ordinal deletions, stray braces, Extra present or empty."""
    col, _basic, cloze = anki
    fields = (text, extra, "01 Title › Section", "scenarios/x/solution.md")
    assert ours(fields, cloze=True) == anki_sides(col, cloze, fields)
    assert len(cloze_ordinals(text)) == len(anki_sides(col, cloze, fields))


def _every_card(root: Path) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    library = load_library(root)
    for scenario in library.scenarios:
        images = image_resolver(root / scenario.meta.folder, scenario_id=scenario.meta.id)
        for card in scenario.cards:
            rendered = render_card(card, scenario.meta, images=images)
            yield card.kind.value, rendered.fields, card.cloze


@pytest.mark.parametrize(
    "root", [FIXTURE_LIBRARY, PREVIEW_LIBRARY, SCENARIOS], ids=lambda p: p.name
)
def test_every_card_renders_as_anki_renders_it(
    anki: tuple[Collection, object, object], root: Path
) -> None:
    """Every card of the fixture libraries and of the shipped scenarios, every kind, both sides."""
    col, basic, cloze = anki
    kinds = set()
    for kind, fields, is_cloze in _every_card(root):
        assert ours(fields, cloze=is_cloze) == anki_sides(col, cloze if is_cloze else basic, fields)
        kinds.add(kind)
    if root == PREVIEW_LIBRARY:
        assert kinds == {kind.value for kind in CardKind}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "{{c1::",
                "{{c2::",
                "{{c1,3::",
                "}}",
                "::",
                "{",
                "}",
                "c",
                ":",
                "a",
                " ",
                "<b>",
                "&amp;",
                "é",
                "\n",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_any_cloze_text_renders_as_anki_renders_it(
    anki: tuple[Collection, object, object], text: str
) -> None:
    """Random mixes of deletions, hints, braces and markup: the same cards, the same HTML."""
    col, _basic, cloze = anki
    fields = (f"<p>x {text}</p>", "", "ctx", "src")
    assert ours(fields, cloze=True) == anki_sides(col, cloze, fields)
