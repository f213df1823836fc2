"""Markdown in, tokens or safe HTML out. The only module that imports markdown-it and pygments."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["Token", "escape", "highlight_css", "parse", "to_html"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=False: raw HTML in the scenarios is shown as text, never passed to the web view.
    return MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)


def parse(text: str) -> list[Token]:
    """Block tokens of a whole document, with source maps (0-based line ranges)."""
    return _parser().parse(text)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    try:
        lexer = get_lexer_by_name(lang.strip()) if lang.strip() else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes and wraps the code itself
    return str(highlight(code, lexer, HtmlFormatter(nowrap=True, classes=True)))


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # html=False escapes raw HTML; markdown-it's validateLink drops javascript:, vbscript:,
    # file: and most data: URLs, so links and images can only point somewhere harmless.
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")
    default_image = cast(Any, md.renderer).rules["image"]

    def image(self: object, tokens: list[Token], idx: int, options: object, env: dict) -> str:  # type: ignore[type-arg]
        rewrite = env.get("image_src")
        if rewrite is not None:
            tokens[idx].attrSet("src", rewrite(str(tokens[idx].attrGet("src") or "")))
        return str(default_image(tokens, idx, options, env))

    md.add_render_rule("image", image)
    return md


# One line of plain text with optional **bold** spans and none of the characters that
# could start any other markdown or HTML construct: markdown-it would render it as one
# paragraph, so it is rendered directly (most card fronts; the tests compare both ways).
_PLAIN = r'[^\\`*_\[\]<>&"!#|~{}\n\r\t]'
_SIMPLE = re.compile(rf"(?:{_PLAIN}|\*\*[A-Za-z0-9](?:{_PLAIN}*[A-Za-z0-9])?\*\*)+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def simple_html(markdown: str) -> str | None:
    """The HTML of a one-line plain paragraph, or None when markdown-it is needed."""
    if not markdown or markdown[0] in "-+=>0123456789 " or markdown[-1] == " ":
        return None
    if not _SIMPLE.fullmatch(markdown):
        return None
    return "<p>" + _BOLD.sub(r"<strong>\1</strong>", markdown) + "</p>"


def to_html(markdown: str, *, image_src: Callable[[str], str] | None = None) -> str:
    """Render card markdown to HTML. Raw HTML in the input is escaped.

    ``image_src`` maps each image's written target to the name it has in the package.
    """
    fast = simple_html(markdown)
    if fast is not None:
        return fast
    env = {} if image_src is None else {"image_src": image_src}
    return str(_renderer().render(markdown, env)).strip()


def escape(text: str) -> str:
    return html.escape(text, quote=True)


@lru_cache(maxsize=1)
def highlight_css() -> str:
    """Pygments styles for code: a light theme, and a dark one under Anki's night mode."""
    light = HtmlFormatter(style="friendly").get_style_defs(".card pre")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".nightMode pre")  # type: ignore[no-untyped-call]
    return f"{light}\n{dark}"
