"""The preview site as values: every card, front and back, as Anki renders it.

Pure: a library in, the site's files (name → bytes) and the media to copy out. The pages
are Jinja2 templates with autoescaping; card HTML enters them only as the fields the
package carries, rendered through the note type's own templates (``anki_template``).
The only module that imports jinja2.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from deckbuilder import notetype
from deckbuilder.anki_template import card_sides
from deckbuilder.identity import guid_for
from deckbuilder.model import Card, CardKind, Library, Scenario
from deckbuilder.parallel import map_jobs
from deckbuilder.render import render_card
from deckbuilder.sources import image_resolver

STATIC = ("preview.css", "preview.js")
CARD_CSS = "card.css"
VERSION_FILE = "version.json"

# A linter's finding on a card: (the card's GUID or its "path:line", message).
LintNote = tuple[str, str]


@dataclass(frozen=True)
class Side:
    ordinal: int
    question: Markup
    answer: Markup


@dataclass(frozen=True)
class PreviewCard:
    guid: str
    kind: CardKind
    title: str
    source: str
    cloze: bool
    tags: tuple[str, ...]
    text: str  # lower-case plain text for the search box
    warnings: tuple[str, ...]
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class ScenarioSummary:
    """One row of the index."""

    page: str
    title: str
    difficulty: str
    kinds: Counter[CardKind]
    cards: int  # notes
    anki_cards: int  # one per cloze number
    warnings: int


@dataclass(frozen=True)
class Site:
    version: str  # changes whenever any page, style or script changes
    files: tuple[tuple[str, bytes], ...]  # (name in the site folder, content)
    media: tuple[tuple[str, Path], ...]  # (name in the site folder, the image file)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("deckbuilder.preview", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def page_name(scenario: Scenario) -> str:
    return f"{scenario.meta.folder}.html"


def _preview_card(
    card: Card, fields: Sequence[str], tags: Sequence[str], warnings: Mapping[str, list[str]]
) -> PreviewCard:
    guid = guid_for(card.full_key)
    text = " ".join((card.title, card.front, card.back, card.extra, " ".join(card.context), *tags))
    return PreviewCard(
        guid=guid,
        kind=card.kind,
        title=card.title,
        source=str(card.source),
        cloze=card.cloze,
        tags=tuple(tags),
        text=text.lower(),
        warnings=tuple(warnings.get(guid, []) + warnings.get(str(card.source), [])),
        # the fields are the package's HTML, already escaped by the markdown renderer
        sides=tuple(
            Side(side.ordinal, Markup(side.question), Markup(side.answer))
            for side in card_sides(fields, cloze=card.cloze)
        ),
    )


def _scenario_cards(
    job: tuple[str, Scenario, Mapping[str, list[str]]],
) -> tuple[list[PreviewCard], dict[str, Path]]:
    root, scenario, warnings = job
    images = image_resolver(Path(root) / scenario.meta.folder, scenario_id=scenario.meta.id)
    cards: list[PreviewCard] = []
    media: dict[str, Path] = {}
    for card in scenario.study_cards:  # what the packages hold
        rendered = render_card(card, scenario.meta, images=images)
        media.update(rendered.media)
        cards.append(_preview_card(card, rendered.fields, rendered.tags, warnings))
    return cards, media


def _version(*parts: object) -> str:
    """A digest of everything the pages show, known before they are rendered."""
    env = _environment()
    sources = [env.loader.get_source(env, name)[0] for name in env.list_templates()]  # type: ignore[union-attr]
    return hashlib.sha256(repr((parts, sources)).encode()).hexdigest()[:16]


def build_site(
    library: Library,
    *,
    warnings: Iterable[LintNote] = (),
    live: bool = False,
    jobs: int | None = None,
) -> Site:
    """Every page of the preview; ``live`` pages poll ``version.json`` and reload on change.

    Scenarios are rendered on up to ``jobs`` processes (default: every core).
    """
    by_target: dict[str, list[str]] = {}
    for target, message in warnings:
        by_target.setdefault(target, []).append(message)
    files: dict[str, bytes] = {CARD_CSS: notetype.css().encode()}
    for name in STATIC:
        files[name] = resources.files("deckbuilder.preview").joinpath("static", name).read_bytes()
    media: dict[str, Path] = {}
    pages = []
    rendered = map_jobs(
        _scenario_cards, [(library.root, s, by_target) for s in library.scenarios], jobs=jobs
    )
    for scenario, (cards, scenario_media) in zip(library.scenarios, rendered, strict=True):
        media.update(scenario_media)
        pages.append((scenario, cards))
    version = _version(
        library.topics,
        [(scenario.meta, cards) for scenario, cards in pages],
        sorted(files.items()),
        sorted(media),
        live,
    )
    env = _environment()
    common = {"live": live, "version": version}
    summaries = []
    for scenario, cards in pages:
        tags = Counter(tag for card in cards for tag in card.tags)
        files[page_name(scenario)] = (
            env.get_template("scenario.html")
            .render(
                title=scenario.meta.deck_title,
                meta=scenario.meta,
                cards=cards,
                tags=sorted(tags.items()),
                **common,
            )
            .encode()
        )
        summaries.append(
            ScenarioSummary(
                page=page_name(scenario),
                title=scenario.meta.deck_title,
                difficulty=scenario.meta.difficulty.value,
                kinds=Counter(card.kind for card in cards),
                cards=len(cards),
                anki_cards=sum(len(card.sides) for card in cards),
                warnings=sum(len(card.warnings) for card in cards),
            )
        )
    studied = [card for scenario in library.scenarios for card in scenario.study_cards]
    kinds = Counter(card.kind for card in studied)
    topics = [
        (topic, sum(1 for card in studied if topic.id in card.topics)) for topic in library.topics
    ]
    files["index.html"] = (
        env.get_template("index.html")
        .render(
            title="deckbuilder preview",
            scenarios=summaries,
            kinds=[(kind, kinds[kind]) for kind in CardKind if kind.study],
            recital=[kind.label.lower() for kind in CardKind if not kind.study],
            topics=topics,
            total=len(studied),
            **common,
        )
        .encode()
    )
    return Site(
        version=version, files=tuple(sorted(files.items())), media=tuple(sorted(media.items()))
    )
