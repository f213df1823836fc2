"""Card fields as HTML, the note types' templates and CSS. Pure functions over model values."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from deckbuilder import markdown
from deckbuilder.model import Card, ScenarioMeta

NOTETYPE_VERSION = 1  # bump when templates, CSS or fields change (the regeneration issue uses it)

BASIC_FIELDS = ("Front", "Back", "Context", "Source")
CLOZE_FIELDS = ("Text", "Extra", "Context", "Source")

_CONTEXT = '<div class="db-context">{{Context}}</div>\n'
_SOURCE = '\n<div class="db-source">{{Source}}</div>'

BASIC_TEMPLATES = (
    {
        "name": "Card 1",
        "qfmt": _CONTEXT + '<div class="db-front">{{Front}}</div>',
        "afmt": _CONTEXT + '<div class="db-front">{{Front}}</div>\n<hr id="answer">\n'
        '<div class="db-back">{{Back}}</div>' + _SOURCE,
    },
)
CLOZE_TEMPLATES = (
    {
        "name": "Cloze",
        "qfmt": _CONTEXT + '<div class="db-front">{{cloze:Text}}</div>',
        "afmt": _CONTEXT + '<div class="db-front">{{cloze:Text}}</div>\n'
        '{{#Extra}}<hr id="answer">\n<div class="db-back">{{Extra}}</div>{{/Extra}}' + _SOURCE,
    },
)

_BASE_CSS = """\
.card {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 19px;
  line-height: 1.5;
  text-align: left;
  color: #1d1d1f;
  background-color: #fdfdfd;
  max-width: 44em;
  margin: 0 auto;
  padding: 0.6em 0.9em;
  overflow-wrap: anywhere;
}
.nightMode.card, .card.nightMode, .nightMode .card { color: #e6e6e6; background-color: #1e1e1e; }
.db-context { font-size: 0.72em; color: #6b6b70; margin-bottom: 0.6em; letter-spacing: 0.01em; }
.nightMode .db-context { color: #a0a0a8; }
.db-front { font-size: 1.05em; }
.db-back { margin-top: 0.4em; }
.db-source { margin-top: 1.2em; font-size: 0.65em; color: #8a8a90;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
hr#answer { border: none; border-top: 1px solid #d0d0d5; margin: 0.9em 0; }
.nightMode hr#answer { border-top-color: #44444a; }
.cloze { font-weight: 700; color: #0a58ca; }
.nightMode .cloze { color: #7fb0ff; }
ul, ol { padding-left: 1.3em; margin: 0.3em 0; }
li { margin: 0.15em 0; }
p { margin: 0.4em 0; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.88em;
  background: #f0f0f3; padding: 0.05em 0.3em; border-radius: 3px; }
.nightMode code { background: #2c2c31; }
pre { background: #f6f6f8; padding: 0.6em 0.8em; border-radius: 6px; overflow-x: auto;
  font-size: 0.8em; line-height: 1.35; }
.nightMode pre { background: #27272b; }
pre code { background: none; padding: 0; font-size: 1em; }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.85em;
  display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d0d5; padding: 0.25em 0.5em; vertical-align: top; }
.nightMode th, .nightMode td { border-color: #44444a; }
th { background: #f0f0f3; }
.nightMode th { background: #2c2c31; }
a { color: #0a58ca; }
.nightMode a { color: #7fb0ff; }
@media (max-width: 480px) {
  .card { font-size: 17px; padding: 0.4em 0.5em; }
  pre { font-size: 0.75em; }
}
"""


def css() -> str:
    return _BASE_CSS + markdown.highlight_css()


@dataclass(frozen=True)
class RenderedCard:
    """A card's Anki fields (HTML), tags and the media files its images use."""

    card: Card
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[tuple[str, Path], ...] = ()  # (name in the package, the file)


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def media_name(scenario_id: str, target: str, content: bytes) -> str:
    """A flat media file name for an image: unique per scenario, path and content.

    The content hash is part of the name, so a changed image changes the note's
    fields and reaches Anki as an update, never as a silently stale picture.
    """
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", target.strip("./"))
    digest = hashlib.sha256(content).hexdigest()[:10]
    return f"{scenario_id}--{digest}--{clean}"


def _context_html(card: Card) -> str:
    return " › ".join(markdown.escape(part) for part in card.context)


def render_card(card: Card, meta: ScenarioMeta, *, folder: Path | None = None) -> RenderedCard:
    """A card's fields and tags; ``folder`` (the scenario's) resolves its local images."""
    context = _context_html(card)
    # the file, not the line: line numbers shift with every edit above a card, and a note
    # whose fields change is re-imported as updated, so lines would churn every note below
    source = markdown.escape(card.source.path)
    media: dict[str, Path] = {}

    def image_src(target: str) -> str:
        if _SCHEME.match(target) or folder is None:
            return target
        path = folder / unquote(target.split("#", 1)[0].split("?", 1)[0])
        name = media_name(card.scenario_id, target, path.read_bytes())
        media[name] = path
        return name

    # Basic: Front, Back, Context, Source. Cloze: Text, Extra, Context, Source.
    fields = (
        markdown.to_html(card.front, image_src=image_src),
        markdown.to_html(card.back, image_src=image_src),
        context,
        source,
    )
    tags = (
        f"scenario::{meta.id}",
        *(f"topic::{t}" for t in card.topics),
        f"kind::{card.kind.value}",
        f"difficulty::{meta.difficulty.value}",
    )
    return RenderedCard(card=card, fields=fields, tags=tags, media=tuple(sorted(media.items())))


def scenario_description(meta: ScenarioMeta) -> str:
    requirements = "".join(f"<li>{markdown.escape(r)}</li>" for r in meta.requirements)
    return (
        f"<p><b>{markdown.escape(meta.title)}</b> {meta.difficulty.stars} "
        f"({markdown.escape(meta.difficulty.value)}, {markdown.escape(meta.level)}, "
        f"{markdown.escape(meta.duration)})</p>"
        f"<p>{markdown.escape(meta.focus)}</p><ul>{requirements}</ul>"
    )
