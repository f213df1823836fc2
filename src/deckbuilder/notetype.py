"""The note types: field names, templates, CSS and their fixed ids, in one place.

Field and template names are frozen: Anki treats a renamed field as a different
note type. ``digest`` hashes everything a note type carries, so a change reaches
users' collections through the note type's modification time.
"""

from __future__ import annotations

import hashlib

from deckbuilder import markdown

BASIC_NAME = "deckbuilder Basic"
CLOZE_NAME = "deckbuilder Cloze"
BASIC_MODEL_ID = 1_684_250_712_301
CLOZE_MODEL_ID = 1_684_250_712_302
FIELD_IDS = {
    "Front": 5_183_911_301_417_301,
    "Back": 5_183_911_301_417_302,
    "Text": 5_183_911_301_417_303,
    "Extra": 5_183_911_301_417_304,
    "Context": 5_183_911_301_417_305,
    "Source": 5_183_911_301_417_306,
}
TEMPLATE_IDS = {"Card 1": 7_402_615_380_094_101, "Cloze": 7_402_615_380_094_102}

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
.db-extra { margin-top: 0.8em; font-size: 0.85em; color: #4a4a50; }
.nightMode .db-extra { color: #b8b8c0; }
.db-source { margin-top: 1.2em; font-size: 0.65em; color: #5f5f66;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
.nightMode .db-source { color: #a0a0a8; }
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
pre { background: #f6f6f8; color: #1d1d1f; padding: 0.6em 0.8em; border-radius: 6px;
  overflow-x: auto; font-size: 0.8em; line-height: 1.35; }
.nightMode pre { background: #27272b; color: #f0f0ea; }
/* one background per block: the code inside a pre never paints its own (in night mode too,
   where ".nightMode code" would otherwise give every line a lighter band) */
pre code, .nightMode pre code { background: none; padding: 0; font-size: 1em;
  border-radius: 0; }
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


def fields(names: tuple[str, ...]) -> list[dict[str, object]]:
    """Field definitions with their fixed ids, as Anki's note type JSON has them."""
    return [{"name": name, "id": FIELD_IDS[name]} for name in names]


def templates(items: tuple[dict[str, str], ...]) -> list[dict[str, object]]:
    """Card templates with their fixed ids."""
    return [dict(t, id=TEMPLATE_IDS[t["name"]]) for t in items]


def digest() -> str:
    """A hash of everything a note type carries: a change must reach users' collections."""
    text = repr(
        (
            fields(BASIC_FIELDS),
            templates(BASIC_TEMPLATES),
            css(),
            fields(CLOZE_FIELDS),
            templates(CLOZE_TEMPLATES),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()
