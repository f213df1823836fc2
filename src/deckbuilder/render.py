"""Card fields as HTML, with tags and the media their images use. Pure functions over
model values: local images are resolved by the caller's resolver, never read here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deckbuilder import markdown
from deckbuilder.identity import tags_for
from deckbuilder.model import Card, ScenarioMeta
from deckbuilder.sources import SCHEME, ImageResolver


@dataclass(frozen=True)
class RenderedCard:
    """A card's Anki fields (HTML), tags and the media files its images use."""

    fields: tuple[str, ...]
    tags: tuple[str, ...]
    media: tuple[tuple[str, Path], ...] = ()  # (name in the package, the file)
    # filled in by the build (and cached with the fields), so a rebuild does not recompute
    # them for every card; empty: the plan computes them
    guid: str = ""
    content_hash: str = ""


def _context_html(card: Card) -> str:
    return " › ".join(markdown.escape(part) for part in card.context)


def render_card(
    card: Card, meta: ScenarioMeta, *, images: ImageResolver | None = None
) -> RenderedCard:
    """A card's fields and tags; ``images`` maps a local image target to (name, file).

    Basic: Front, Back, Context, Source. Cloze: Text, Extra, Context, Source.
    """
    # the file, not the line: line numbers shift with every edit above a card, and a note
    # whose fields change is re-imported as updated, so lines would churn every note below
    source = markdown.escape(card.source.path)
    media: dict[str, Path] = {}

    def image_src(target: str) -> str:
        if SCHEME.match(target) or images is None:
            return target
        name, path = images(target)
        media[name] = path
        return name

    # Extra (derivation, source, example, pros, anchor) follows the answer, never beside
    # a blank: a cloze note's Extra field, or a set-off block under a basic card's Back
    back = markdown.to_html(card.back, image_src=image_src)
    if card.extra:
        extra = markdown.to_html(card.extra, image_src=image_src)
        back = extra if card.cloze and not back else f'{back}<div class="db-extra">{extra}</div>'
    fields = (markdown.to_html(card.front, image_src=image_src), back, _context_html(card), source)
    return RenderedCard(
        fields=fields, tags=tags_for(card, meta), media=tuple(sorted(media.items()))
    )


def scenario_description(meta: ScenarioMeta) -> str:
    requirements = "".join(f"<li>{markdown.escape(r)}</li>" for r in meta.requirements)
    return (
        f"<p><b>{markdown.escape(meta.title)}</b> {meta.difficulty.stars} "
        f"({markdown.escape(meta.difficulty.value)}, {markdown.escape(meta.level)}, "
        f"{markdown.escape(meta.duration)})</p>"
        f"<p>{markdown.escape(meta.focus)}</p><ul>{requirements}</ul>"
    )


def topic_description(description: str) -> str:
    return f"<p>{markdown.escape(description)}</p>"
