"""Render every scenario's study cards for the build, in parallel and cached.

Each scenario's cards go through ``render.render_card`` in a worker, get their GUID and
content hash, and are kept in the content cache under the scenario's digest (which covers
its files and deckbuilder's code), so an unchanged scenario is not rendered again.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from deckbuilder import cache
from deckbuilder.identity import guid_for
from deckbuilder.model import Library, Scenario
from deckbuilder.parallel import map_jobs
from deckbuilder.plan import note_hash
from deckbuilder.render import RenderedCard, render_card
from deckbuilder.sources import image_resolver


def _cached(scenario: Scenario, cache_dir: Path | None) -> list[RenderedCard] | None:
    if not scenario.digest:
        return None
    hit = cache.load(cache_dir, "rendered", scenario.digest)
    with contextlib.suppress(TypeError, ValueError):
        if isinstance(hit, list) and len(hit) == len(scenario.study_cards):
            return [_rendered_from_json(item) for item in hit]
    return None


def prerender(scenario: Scenario, folder: Path, cache_dir: Path | None) -> None:
    """Render a scenario just parsed into the cache (``load_library``'s ``after``: in the
    worker that parsed it, so each card text is parsed once)."""
    if scenario.digest and cache_dir is not None:
        _render(scenario, folder, cache_dir)


def _render_scenario(job: tuple[Scenario, Path, Path | None]) -> list[RenderedCard]:
    """Every card of one scenario that missed the cache, rendered, with its GUID and
    content hash (module level: runs in a worker); cached under the scenario's digest,
    which covers its files and deckbuilder's code."""
    scenario, folder, cache_dir = job
    return _render(scenario, folder, cache_dir)


def _render(scenario: Scenario, folder: Path, cache_dir: Path | None) -> list[RenderedCard]:
    images = image_resolver(folder, scenario_id=scenario.meta.id)
    rendered = []
    for card in scenario.study_cards:
        r = render_card(card, scenario.meta, images=images)
        content_hash = note_hash(cloze=card.cloze, fields=r.fields, tags=r.tags)
        rendered.append(replace(r, guid=guid_for(card.full_key), content_hash=content_hash))
    if scenario.digest:
        value = [
            [
                list(r.fields),
                list(r.tags),
                [[n, str(p)] for n, p in r.media],
                r.guid,
                r.content_hash,
            ]
            for r in rendered
        ]
        cache.store(cache_dir, "rendered", scenario.digest, value)
    return rendered


def _media_json(card: RenderedCard) -> list[list[str]]:
    return [[name, str(path)] for name, path in card.media]


def _rendered_from_json(item: Any) -> RenderedCard:
    fields, tags, media, guid, content_hash = item
    strings = (*fields, *tags, *(x for m in media for x in m), guid, content_hash)
    if not all(type(v) is str for v in strings):
        raise ValueError("not a rendered card")
    return RenderedCard(
        tuple(fields),
        tuple(tags),
        tuple((n, Path(p)) for n, p in media) if media else (),
        guid=guid,
        content_hash=content_hash,
    )


def render_library(
    library: Library, *, jobs: int | None = None, cache_dir: Path | None = None
) -> list[list[RenderedCard]]:
    """Every scenario's rendered cards, in library order (local images resolved in its folder)."""
    # the cache is read here: scenarios rendered by ``prerender`` need no pool
    found = [_cached(s, cache_dir) for s in library.scenarios]
    missing = [
        (s, Path(library.root) / s.meta.folder, cache_dir)
        for s, hit in zip(library.scenarios, found, strict=True)
        if hit is None
    ]
    done = iter(map_jobs(_render_scenario, missing, jobs=jobs))
    rendered = [hit if hit is not None else next(done) for hit in found]
    cache.prune(cache_dir, "rendered", {s.digest for s in library.scenarios if s.digest})
    return rendered
