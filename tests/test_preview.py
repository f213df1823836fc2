"""`deckbuilder preview`: the site's pages, counts, escaping, lint notes, clozes and errors."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import PREVIEW_LIBRARY
from deckbuilder.anki_template import card_sides
from deckbuilder.cli import main
from deckbuilder.identity import guid_for
from deckbuilder.library import load_library
from deckbuilder.model import CardKind, Library
from deckbuilder.preview.output import write_site
from deckbuilder.preview.site import build_site
from deckbuilder.render import render_card


def _page(site_files: tuple[tuple[str, bytes], ...], name: str) -> str:
    return dict(site_files)[name].decode()


def test_preview_command_writes_the_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["preview", "--scenarios", str(PREVIEW_LIBRARY), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Preview of 41 cards in 2 scenarios: {out / 'index.html'}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "01-kv-sizing.html",
        "02-fleet-cost.html",
        "card.css",
        "index.html",
        "kv-sizing--76f829220c--blocks.png",
        "preview.css",
        "preview.js",
        "version.json",
    ]


def test_index_counts_per_scenario_topic_and_kind() -> None:
    index = _page(build_site(load_library(PREVIEW_LIBRARY)).files, "index.html")
    rows = {
        re.sub(r"<[^>]+>", " ", row).split()[0]: re.sub(r"<[^>]+>", " ", row).split()
        for row in re.findall(r"<tr>.*?</tr>", index, re.DOTALL)
    }
    assert "41 cards in 2 scenarios" in index
    assert "The requirement and rubric cards are not packaged" in index
    kinds = [kind.value for kind in CardKind if kind.study]
    assert re.findall(r'<th scope="col">([a-z-]+)</th>', index)[: len(kinds)] == kinds
    # 01 Sizing a KV Cache, hard, cards per kind, 25 notes, 25 Anki cards, 0 warnings
    assert rows["01"][-13:] == [
        *("hard", "3", "7", "3", "4", "1", "2", "3", "1", "1"),
        *("25", "25", "0"),
    ]
    assert rows["KV"] == ["KV", "cache", "management", "topic::kv-cache", "25"]
    assert rows["Follow-up"] == ["Follow-up", "question", "kind::follow-up", "6"]


def test_card_text_is_escaped_and_card_html_is_the_packages(library_copy: Path) -> None:
    """Markup typed in a scenario is text on the page; the fields are Anki's HTML, unchanged."""
    solution = library_copy / "01-mini-serving" / "solution.md"
    solution.write_text(
        solution.read_text().replace(
            "- **KV cache:**", '- **<b>KV</b> "cache" & <script>x()</script>:**'
        )
    )
    library = load_library(library_copy)
    page = _page(build_site(library).files, "01-mini-serving.html")
    assert "<script>x()" not in page and "<b>KV" not in page
    assert 'title">&lt;b&gt;KV&lt;/b&gt; &#34;cache&#34; &amp; &lt;script&gt;' in page
    assert "<strong>&lt;b&gt;KV&lt;/b&gt; &quot;cache&quot; &amp; &lt;script&gt;" in page
    sides = [
        card_sides(render_card(c, s.meta).fields, cloze=c.cloze)
        for s in library.scenarios
        if s.meta.folder == "01-mini-serving"
        for c in s.study_cards
    ]
    assert page.count("<template shadowrootmode") == 2 * sum(map(len, sides))  # front, back
    assert not any(c.kind is CardKind.RUBRIC for s in library.scenarios for c in s.study_cards)
    assert 'data-kind="rubric"' not in page  # not packaged, so not shown


def test_lint_notes_show_on_their_cards() -> None:
    """The linter's findings, by card GUID or by path:line, appear on that card and in the index."""
    library = load_library(PREVIEW_LIBRARY)
    card = next(c for c in library.cards if c.kind.value == "follow-up")
    other = next(c for c in library.cards if c.kind.value == "mistake")
    site = build_site(
        library,
        warnings=[
            (guid_for(card.full_key), "answer is 74 words (at most 60)"),
            (str(other.source), "front & back share <code>"),
        ],
    )
    page = _page(site.files, "01-kv-sizing.html")
    article = page[page.index(f'id="{guid_for(card.full_key)}"') :]
    assert article.index("answer is 74 words (at most 60)") < article.index("</article>")
    assert "<strong>Lint:</strong> front &amp; back share &lt;code&gt;" in page
    assert re.search(r"<td>25</td><td>25</td><td>2</td>", _page(site.files, "index.html"))


def test_a_cloze_note_shows_every_ordinal() -> None:
    library = load_library(PREVIEW_LIBRARY)
    scenario = library.scenarios[0]
    cards = tuple(
        dataclasses.replace(c, front="**Two:** {{c1::one}} and {{c2::two}}")
        if c.cloze and "4 GiB" in c.front
        else c
        for c in scenario.cards
    )
    assert cards != scenario.cards
    changed = Library(
        root=library.root,
        topics=library.topics,
        scenarios=(dataclasses.replace(scenario, cards=cards),),
    )
    page = _page(build_site(changed).files, "01-kv-sizing.html")
    assert "Cloze 1 of 2" in page and "Cloze 2 of 2" in page
    assert 'data-cloze="two" data-ordinal="2">[...]' in page


def test_a_rebuild_drops_pages_of_removed_scenarios_and_nothing_else(
    preview_library_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    write_site(build_site(load_library(preview_library_copy)), out=out)
    shutil.rmtree(preview_library_copy / "02-fleet-cost")
    write_site(build_site(load_library(preview_library_copy)), out=out)
    assert not (out / "02-fleet-cost.html").exists()
    assert (out / "01-kv-sizing.html").exists() and (out / "notes.txt").read_text() == "mine"


def test_bad_scenarios_and_unwritable_out_are_clear_errors(
    preview_library_copy: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(
        main, ["preview", "--scenarios", str(PREVIEW_LIBRARY), "--out", str(blocker / "site")]
    )
    assert result.exit_code == 1
    assert (
        result.output == f"Error: cannot write the preview to {blocker / 'site'}: Not a directory\n"
    )
    problem = preview_library_copy / "02-fleet-cost" / "problem.md"
    problem.write_text(problem.read_text().replace("difficulty: medium", "difficulty: easy"))
    result = CliRunner().invoke(
        main, ["preview", "--scenarios", str(preview_library_copy), "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 1
    assert "02-fleet-cost/problem.md:5: " in result.output
    assert not (tmp_path / "s").exists()


def test_serve_on_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    from deckbuilder.preview.serve import start_server

    busy = start_server(tmp_path / "other", port=0)
    try:
        port = busy.server_address[1]
        out = tmp_path / "site"
        arguments = ["preview", "--serve", "--port", str(port), "--out", str(out)]
        result = CliRunner().invoke(main, [*arguments, "--scenarios", str(PREVIEW_LIBRARY)])
    finally:
        busy.shutdown()
    assert result.exit_code == 1
    assert (
        result.output == f"Error: cannot serve {out} on 127.0.0.1:{port}: Address already in use\n"
    )


def test_template_sections_front_side_and_filters() -> None:
    """The template rules the note types may use: sections on empty fields, FrontSide, cloze."""
    from deckbuilder.anki_template import render_template

    fields = {"A": "<br> ", "B": "<p>b</p>", "T": "{{c1::x::hint}} {{c2::y}}"}
    template = "{{#A}}a{{/A}}{{^A}}no a{{/A}}|{{#B}}{{B}}{{/B}}|{{cloze:T}}|{{FrontSide}}"
    question = render_template(template, fields, ordinal=2, question=True, front_side="")
    assert question == (
        'no a|<p>b</p>|<span class="cloze-inactive" data-ordinal="1">x</span> '
        '<span class="cloze" data-cloze="y" data-ordinal="2">[...]</span>|'
    )
    answer = render_template("{{FrontSide}}<hr>", fields, ordinal=1, question=False, front_side="Q")
    assert answer == "Q<hr>"


def test_the_command_shows_card_rule_warnings_on_their_card(
    preview_library_copy: Path, tmp_path: Path
) -> None:
    """`deckbuilder lint`'s findings appear on the card they concern and in the index."""
    answers = preview_library_copy / "02-fleet-cost" / "discussion_points.md"
    answers.write_text(
        answers.read_text().replace(
            "GPUs by hours in the month by the hourly price.",
            "GPUs by hours in the month by the hourly price" + ", and then some more" * 14 + ".",
        )
    )
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["preview", "--scenarios", str(preview_library_copy), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = (out / "02-fleet-cost.html").read_text()
    card = page[
        page.index("What do you multiply?") : page.index(
            "</article>", page.index("What do you multiply?")
        )
    ]
    assert re.search(
        r"<strong>Lint:</strong> .*the answer has 66 words \(at most 60\).*\(answer-length\)", card
    )
    assert page.count("<strong>Lint:</strong>") == 1
