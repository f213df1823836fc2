"""Markdown in, tokens or safe HTML out. The only module that imports markdown-it and pygments."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

__all__ = [
    "Token",
    "escape",
    "highlight_css",
    "nesting_limit_line",
    "parse",
    "rendered_targets",
    "to_html",
]


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
        if rewrite is not None:  # on a copy: the parsed tokens may be rendered again
            token = tokens[idx].copy()
            token.attrSet("src", rewrite(str(token.attrGet("src") or "")))
            tokens = [*tokens[:idx], token, *tokens[idx + 1 :]]
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
    md = _renderer()
    return str(md.renderer.render(_card_tokens(markdown), md.options, env)).strip()


_parses: dict[str, list[Token]] | None = None  # see ``reusing_parses``


@contextlib.contextmanager
def reusing_parses() -> Iterator[None]:
    """Within this block, each card text is parsed once: the tokens that ``rendered_targets``
    checks are the ones ``to_html`` renders (forgotten when the block ends)."""
    global _parses
    outer, _parses = _parses, {} if _parses is None else _parses
    try:
        yield
    finally:
        _parses = outer


def _card_tokens(markdown: str) -> list[Token]:
    """The renderer's tokens of a card text (rendering never changes them)."""
    if _parses is not None and (tokens := _parses.get(markdown)) is not None:
        return tokens
    tokens = _renderer().parse(markdown, {})
    if _parses is not None:
        _parses[markdown] = tokens
    return tokens


def rendered_targets(markdown: str) -> tuple[list[tuple[str, str]], int | None]:
    """What ``to_html`` will link to, from the renderer's own tokens: (kind, target) of
    every link and image it renders, and ``nesting_limit_line`` of the same parse."""
    if simple_html(markdown) is not None:
        return [], None  # no link, image or container can start in a plain line
    tokens = _card_tokens(markdown)
    targets: list[tuple[str, str]] = []
    for token in tokens:
        stack = list(token.children or ())
        while stack:
            child = stack.pop()
            if child.type == "link_open":
                targets.append(("link", str(child.attrGet("href") or "")))
            elif child.type == "image":
                targets.append(("image", str(child.attrGet("src") or "")))
            stack.extend(child.children or ())
    return targets, nesting_limit_line(tokens)


def nesting_limit_line(tokens: list[Token]) -> int | None:
    """The 0-based line where a parse stopped because blocks nested beyond markdown-it's
    ``maxNesting`` (it silently drops the rest of the text), or None."""
    limit = int(_parser().options["maxNesting"])  # the renderer's is the same
    for token in tokens:
        if token.nesting == 1 and token.level >= limit - 1:
            return token.map[0] if token.map else 0
    return None


def escape(text: str) -> str:
    return html.escape(text, quote=True)


# Token colours: Xcode's palette on the light code background and Monokai's on the dark one;
# every token of both passes WCAG AA (4.5:1) against its background (checked by the tests,
# in Python and in a real browser).
LIGHT_STYLE = "xcode"
DARK_STYLE = "monokai"


_PLAIN_TOKEN = {"color": "inherit", "background-color": "transparent"}
_PLAIN_TOKEN.update({"font-weight": "normal", "font-style": "normal"})


def _declarations(style: str, ttype: Any) -> dict[str, str]:
    """The CSS a Pygments style gives one token type, without the properties it leaves plain."""
    found = get_style_by_name(style).style_for_token(ttype)
    values = {
        "color": f"#{found['color']}" if found["color"] else "inherit",
        "background-color": f"#{found['bgcolor']}" if found["bgcolor"] else "transparent",
        "font-weight": "bold" if found["bold"] else "normal",
        "font-style": "italic" if found["italic"] else "normal",
    }
    return {key: value for key, value in values.items() if value != _PLAIN_TOKEN[key]}


@lru_cache(maxsize=1)
def highlight_css() -> str:
    """Pygments token styles: a light palette, and a dark one under Anki's night mode.

    A token class styled by either palette gets every such property in both modes (plain
    where the palette leaves it plain), and the dark rules are more specific, so no light
    colour or background leaks into night mode.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for ttype, name in STANDARD_TYPES.items():
        light, dark = _declarations(LIGHT_STYLE, ttype), _declarations(DARK_STYLE, ttype)
        keys = sorted(set(light) | set(dark))
        if not name or not keys:
            continue
        for scope, values in (("pre", light), (".nightMode pre", dark)):
            body = "; ".join(f"{key}: {values.get(key, _PLAIN_TOKEN[key])}" for key in keys)
            groups.setdefault((scope, body), []).append(f"{scope} .{name}")
    return "".join(
        f"{', '.join(sorted(selectors))} {{ {body} }}\n"
        for (_scope, body), selectors in sorted(
            groups.items(), key=lambda g: (g[0][0] != "pre", g[0])
        )
    )
