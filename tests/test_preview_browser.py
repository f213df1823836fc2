"""The preview in a real browser: contrast, overflow, code blocks, controls, screenshots.

Every check runs in Chromium on the computed styles of the page, over the preview fixture
library, which has every card kind, highlighted code in three languages, tables, an image
and a word too long for a phone. Screenshots go to a review folder; they are looked at,
not compared pixel by pixel.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PREVIEW_LIBRARY, ROOT, SCENARIOS
from deckbuilder.library import load_library
from deckbuilder.model import CardKind
from deckbuilder.preview.output import write_site
from deckbuilder.preview.serve import start_server
from deckbuilder.preview.site import build_site

pytestmark = pytest.mark.browser

REVIEW = Path(os.environ.get("DECKBUILDER_REVIEW_DIR", ROOT / "build" / "review" / "preview"))
PAGES = ("01-kv-sizing.html", "02-fleet-cost.html")
WIDTHS = (390, 1000)

# Walks every non-blank text node of the page, shadow roots included, and measures the
# WCAG contrast of its colour against the background it is painted on: the element's own
# and its ancestors' backgrounds (across shadow hosts) composed until an opaque one.
CONTRAST_JS = """
() => {
  const parse = (text) => {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const up = (el) => el.parentElement || (el.getRootNode() instanceof ShadowRoot ? el.getRootNode().host : null);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = up(e)) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) bg = over(layer, bg);
    return bg;
  };
  const results = [];
  const visit = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!node.textContent.trim() || !el || el.closest("template, script, style")) continue;
      if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
      const bg = background(el);
      const fg = over(parse(getComputedStyle(el).color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      let article = el;
      while (article && !(article.classList && article.classList.contains("pv-card"))) article = up(article);
      results.push({
        ratio: (hi + 0.05) / (lo + 0.05),
        text: node.textContent.trim().slice(0, 40),
        element: el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""),
        inCard: el.getRootNode() instanceof ShadowRoot,
        inPre: !!el.closest("pre"),
        kind: article ? article.dataset.kind : null,
        color: getComputedStyle(el).color,
        background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`,
      });
    }
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) visit(el.shadowRoot);
  };
  visit(document);
  return results;
}
"""

# Everything inside a card must fit its box at this width, except what sits in a
# scrolling container (a pre, or a table, which the card CSS makes scroll).
OVERFLOW_JS = """
() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) problems.push(`page is ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  let scrollingPres = 0;
  for (const host of document.querySelectorAll(".pv-host")) {
    if (!host.getClientRects().length) continue;
    const limit = host.getBoundingClientRect().right + 0.5;
    for (const el of host.shadowRoot.querySelectorAll("*")) {
      let inside = false;
      for (let a = el.parentElement; a; a = a.parentElement) if (scrolls(a)) inside = true;
      if (el.tagName === "PRE" && el.scrollWidth > el.clientWidth && scrolls(el)) scrollingPres++;
      if (!inside && el.getBoundingClientRect().right > limit) {
        problems.push(`${el.tagName} "${el.textContent.slice(0, 30)}" ends at ${el.getBoundingClientRect().right}, card at ${limit}`);
      }
    }
  }
  return { problems, scrollingPres };
}
"""

# In a code block only the pre paints a background: no band behind a line or a token.
CODE_BACKGROUNDS_JS = """
() => {
  const found = [];
  for (const host of document.querySelectorAll(".pv-host")) {
    for (const pre of host.shadowRoot.querySelectorAll("pre")) {
      const own = new Set();
      for (const el of pre.querySelectorAll("*")) own.add(getComputedStyle(el).backgroundColor);
      found.push({ pre: getComputedStyle(pre).backgroundColor, inside: [...own], spans: pre.querySelectorAll("span").length });
    }
  }
  return found;
}
"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("preview")
    write_site(build_site(load_library(PREVIEW_LIBRARY)), out=out)
    server = start_server(out, port=0)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def page(browser: Any, site_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []  # no script error on any page


def _open(page: Any, url: str, *, width: int = 1000, dark: bool = False) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    if page.get_attribute("#pv-dark", "aria-pressed") != str(dark).lower():
        page.click("#pv-dark")  # the choice is remembered from page to page
    assert page.get_attribute("#pv-dark", "aria-pressed") == str(dark).lower()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_text_passes_wcag_aa_contrast(page: Any, site_url: str, dark: bool) -> None:
    """Every text of every card kind (code tokens included) and of the page: at least 4.5:1."""
    measured = []
    for name in (*PAGES, "index.html"):
        _open(page, f"{site_url}/{name}", dark=dark)
        measured += page.evaluate(CONTRAST_JS)
    failures = [m for m in measured if m["ratio"] < 4.5]
    assert failures == []
    in_cards = [m for m in measured if m["inCard"]]
    assert {m["kind"] for m in in_cards} == {kind.value for kind in CardKind if kind.study}
    tokens = {cls for m in in_cards if m["inPre"] for cls in m["element"].split(".")[1:]}
    assert {"c1", "k", "mi", "s2", "nb", "o"} <= tokens  # comments, keywords, numbers, strings...
    assert any(m["element"].startswith(("th", "td")) for m in in_cards)  # tables
    assert any(m["element"] == "div.db-source" for m in in_cards)
    assert any("cloze" in m["element"] for m in in_cards)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_code_blocks_have_one_background(page: Any, site_url: str, dark: bool) -> None:
    """No line or token of a code block paints a band of its own, in either mode."""
    blocks = []
    for name in PAGES:
        _open(page, f"{site_url}/{name}", dark=dark)
        blocks += page.evaluate(CODE_BACKGROUNDS_JS)
    assert blocks and all(block["spans"] > 5 for block in blocks)
    assert {tuple(block["inside"]) for block in blocks} == {("rgba(0, 0, 0, 0)",)}
    expected = "rgb(39, 39, 43)" if dark else "rgb(246, 246, 248)"
    assert {block["pre"] for block in blocks} == {expected}


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_nothing_overflows_a_phone_except_code(page: Any, site_url: str, dark: bool) -> None:
    """At 390 px the page never scrolls sideways; a long code line scrolls inside its pre."""
    scrolling = 0
    for name in (*PAGES, "index.html"):
        _open(page, f"{site_url}/{name}", width=390, dark=dark)
        result = page.evaluate(OVERFLOW_JS)
        assert result["problems"] == []
        scrolling += result["scrollingPres"]
    assert scrolling > 0  # the fixture's sizing script is wider than a phone


def test_the_shipped_scenarios_fit_a_phone_with_aa_contrast(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every page of the real collection at 390 px in night mode: no overflow, AA contrast."""
    out = tmp_path_factory.mktemp("shipped")
    site = build_site(load_library(SCENARIOS))
    write_site(site, out=out)
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    checked = 0
    for name, _data in site.files:
        if name.endswith(".html"):
            _open(page, (out / name).as_uri(), width=390, dark=True)
            assert page.evaluate(OVERFLOW_JS)["problems"] == []
            measured = page.evaluate(CONTRAST_JS)
            assert [m for m in measured if m["ratio"] < 4.5] == []
            checked += len(measured)
    context.close()
    assert checked > 10_000


def test_dark_mode_applies_ankis_night_mode_classes(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/{PAGES[0]}")
    classes = "() => [...document.querySelectorAll('.pv-host')].map(h => h.shadowRoot.querySelector('.card').className)"
    assert all("nightMode" not in c for c in page.evaluate(classes))
    page.click("#pv-dark")
    cards = page.evaluate(classes)
    assert cards and all(c.split()[:1] == ["card"] and "nightMode" in c.split() for c in cards)
    background = page.evaluate(
        "() => getComputedStyle(document.querySelector('.pv-host').shadowRoot.querySelector('.card')).backgroundColor"
    )
    assert background == "rgb(30, 30, 30)"
    page.reload()  # the choice is remembered
    assert all("nightMode" in c.split() for c in page.evaluate(classes))


def test_search_and_tag_filter(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/{PAGES[0]}")
    visible = page.locator(".pv-card:visible")
    total = visible.count()
    page.select_option("#pv-tag", "kind::follow-up")
    assert visible.count() == 4
    assert {visible.nth(i).get_attribute("data-kind") for i in range(4)} == {"follow-up"}
    assert page.text_content("#pv-count") == f"4 of {total} cards"
    page.select_option("#pv-tag", "")
    page.fill("#pv-search", "query  HEADS")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-kind") == "mistake"
    page.fill("#pv-search", "")
    assert visible.count() == total


def test_hidden_answers_and_revealing_a_cloze(page: Any, site_url: str) -> None:
    _open(page, f"{site_url}/{PAGES[0]}")
    page.fill("#pv-search", "128 KiB")
    card = page.locator(".pv-card:visible").first
    assert card.get_attribute("data-kind") == "number"
    front, back = card.locator(".pv-front .pv-host"), card.locator(".pv-back .pv-host")
    assert front.locator(".cloze").text_content() == "[...]"
    page.click("#pv-answers")
    assert back.is_hidden()
    card.get_by_role("button", name="Show answer").click()
    assert back.is_visible()
    assert back.locator(".cloze").text_content() == "128 KiB"


def test_phone_width_view(page: Any, site_url: str) -> None:
    """The phone view is a real 390 px viewport: the card CSS's phone rules apply in it."""
    _open(page, f"{site_url}/{PAGES[0]}")
    page.click("#pv-phone")
    assert page.locator("#pv-phone-frame iframe").bounding_box()["width"] == 390
    frame = page.locator("#pv-phone-frame iframe").element_handle().content_frame()
    frame.wait_for_url(f"**/{PAGES[0]}?embed=phone")
    frame.wait_for_load_state("load")  # the page, its styles and every card's stylesheet
    layout = frame.evaluate(
        """() => {
      const card = document.querySelector(".pv-card");
      const [front, back] = [".pv-front", ".pv-back"].map(s => card.querySelector(s).getBoundingClientRect());
      const inner = card.querySelector(".pv-host").shadowRoot.querySelector(".card");
      return { frontBottom: front.bottom, backTop: back.top, fontSize: getComputedStyle(inner).fontSize };
    }"""
    )
    assert layout["backTop"] >= layout["frontBottom"]  # stacked, not side by side
    assert layout["fontSize"] == "17px"  # the card CSS's max-width: 480px rule applies
    first = page.frame_locator("#pv-phone-frame iframe").locator(".pv-card").first
    page.click("#pv-dark")
    first.locator(".pv-host").first.evaluate(
        "h => new Promise(r => { const c = h.shadowRoot.querySelector('.card');"
        " const t = () => c.classList.contains('nightMode') ? r() : setTimeout(t, 20); t(); })"
    )


def test_screenshots_of_every_kind_for_review(page: Any, site_url: str) -> None:
    """One card of each kind, light and dark, at 390 and 1000 px, written for review."""
    REVIEW.mkdir(parents=True, exist_ok=True)
    written = []
    for width in WIDTHS:
        for dark in (False, True):
            _open(page, f"{site_url}/{PAGES[0]}", width=width, dark=dark)
            page.add_style_tag(content=".pv-bar { position: static; }")  # not over the card
            for kind in (kind for kind in CardKind if kind.study):
                card = page.locator(f'.pv-card[data-kind="{kind.value}"]').first
                path = REVIEW / f"{kind.value}-{width}-{'dark' if dark else 'light'}.png"
                card.screenshot(path=str(path))
                written.append(path)
    assert len(written) == sum(kind.study for kind in CardKind) * 4
    assert all(path.stat().st_size > 2000 for path in written)


def test_serve_rebuilds_on_save_and_the_page_reloads_itself(
    browser: Any, preview_library_copy: Path, tmp_path: Path
) -> None:
    """--serve: a saved edit reaches the open page, and so does a problem and its fix."""
    command = [
        str(Path(sys.executable).parent / "deckbuilder"),
        "preview",
        "--serve",
        "--port",
        "0",
    ]
    command += ["--scenarios", str(preview_library_copy), "--out", str(tmp_path / "site")]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        lines = []
        while not (lines and lines[-1].startswith("Serving ")):
            lines.append(server.stdout.readline())
            assert lines[-1], lines  # the server stopped
        url = lines[-1].split()[1]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/index\.html", url)
        page = browser.new_page()
        page.goto(url.replace("index.html", "02-fleet-cost.html"))
        concept = page.locator('.pv-card[data-kind="concept"] .pv-back .db-back')
        assert "whatever the GPUs do" in concept.inner_text()

        solution = preview_library_copy / "02-fleet-cost" / "solution.md"
        solution.write_text(solution.read_text().replace("whatever the GPUs do", "busy or idle"))
        expect(concept).to_contain_text("busy or idle", timeout=30_000)

        problem = preview_library_copy / "02-fleet-cost" / "problem.md"
        good = problem.read_text()
        problem.write_text(good.replace("difficulty: medium", "difficulty: easy"))
        expect(page.locator("#pv-error")).to_contain_text("problem.md:5: ", timeout=30_000)
        problem.write_text(good)
        expect(page.locator("#pv-error")).to_be_hidden(timeout=30_000)
        page.close()
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert output.rstrip().endswith("Stopped.")
