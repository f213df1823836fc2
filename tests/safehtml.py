"""What 'safe' means for a card field that Anki shows in its web view."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "iframe",
        "style",
        "object",
        "embed",
        "frame",
        "frameset",
        "link",
        "meta",
        "base",
        "form",
        "svg",
        "math",
        "template",
    }
)
_BAD_URL = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value:
                cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(value))
                if _BAD_URL.match(cleaned):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def unsafe_parts(field: str) -> list[str]:
    """Everything in the HTML that could run code or restyle the page; empty when safe."""
    collector = _Collector()
    collector.feed(field)
    collector.close()
    lowered = field.lower()
    raw = [
        bad
        for bad in ("<script", "<iframe", "<style", "javascript:")
        if bad in lowered and not _only_as_text(field, bad)
    ]
    return collector.problems + raw


def _only_as_text(field: str, needle: str) -> bool:
    """'javascript:' inside plain text (not an attribute) is harmless words on a card."""
    if needle.startswith("<"):
        return False
    inside_tags = " ".join(re.findall(r"<[^>]*>", field)).lower()
    return needle not in inside_tags
