"""The build shell: load, render, plan, then write the packages into ``out``.

Everything that touches the disk is here (and in the package writer); what to write is
decided by the pure ``plan``. A build holds a lock on ``out``, cleans up what killed
builds left behind, writes every package into a staging folder, and only then renames
them into place; the manifest goes last. Any disk error is reported as ``Error: …``
with ``out`` as the last complete build left it.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from deckbuilder import apkg, archive, cache, noop, workdb
from deckbuilder.errors import DeckbuilderError
from deckbuilder.identity import guid_for
from deckbuilder.library import cache_for, load_library
from deckbuilder.manifest import Manifest, PackageRecord
from deckbuilder.model import Library, Scenario
from deckbuilder.parallel import map_jobs, one_pool
from deckbuilder.plan import (
    COMBINED,
    MANIFEST,
    REMOVED,
    BuildReport,
    NoteContent,
    Plan,
    note_hash,
    plan,
)
from deckbuilder.render import RenderedCard, render_card
from deckbuilder.sources import image_resolver
from deckbuilder.storage import (
    disk_error,
    file_sha,
    locked,
    make_folder,
    recover,
    write_atomic,
)

LOCK = ".lock"
CACHE = ".cache"
_SUBFOLDERS = ("scenarios", "topics")

__all__ = ["CACHE", "COMBINED", "LOCK", "MANIFEST", "REMOVED", "BuildReport", "build"]


def build(
    root: Path,
    *,
    out: Path,
    now: Callable[[], float],
    jobs: int | None = None,
    check: bool = False,
) -> BuildReport:
    """Build every package from the scenarios in ``root`` into ``out``, rewriting only those
    whose content changed; with ``check``, write nothing and list what is stale.

    A rebuild whose inputs and outputs are exactly as the last build left them returns at
    once; otherwise unchanged scenarios come from the content cache in ``out/.cache``.
    """
    try:
        if check:
            with one_pool(jobs):
                return _build(root, out=out, now=now, jobs=jobs, check=True)
        with locked(out, name=LOCK), one_pool(jobs):
            recover(
                out,
                folders=(
                    *_SUBFOLDERS,
                    CACHE,
                    *(f"{CACHE}/{f}" for f in ("scenarios", "rendered", workdb.FOLDER)),
                ),
            )
            return _build(root, out=out, now=now, jobs=jobs, check=False)
    except OSError as error:
        raise disk_error(error, doing=f"build into {out}") from error


def _build(
    root: Path, *, out: Path, now: Callable[[], float], jobs: int | None, check: bool
) -> BuildReport:
    cache_dir = cache_for(root, out=out)
    fingerprint = noop.fingerprint(root) if root.is_dir() else ""
    present = [str(p.relative_to(out)) for p in _package_paths(out)]
    last = noop.unchanged(out, folder=cache_dir, fingerprint=fingerprint, present=present)
    if fingerprint and last is not None:
        packages, count = last
        return BuildReport(written=(), unchanged=packages, deleted=(), changes=(), notes=count)
    library = load_library(root, jobs=jobs, cache_dir=cache_dir)
    rendered = render_library(library, jobs=jobs, cache_dir=cache_dir)
    previous = read_manifest(out)
    on_disk = _package_files(out)
    notes = archive.read(cache_dir)
    held = set(notes)
    live = {r.guid for cards in rendered for r in cards}
    gone = [g for g in previous.notes if g not in live]
    if wanted := {previous.notes[g].hash for g in gone} - set(notes):
        notes.update(archive.from_packages(_by_size(out, on_disk), wanted=wanted))
    result = plan(
        library,
        rendered,
        previous=previous,
        now=now,
        on_disk=on_disk,
        archive=notes,
        writer_version=apkg.WRITER_VERSION,
    )
    if check:
        stale = list(result.stale)
        if not stale and result.manifest != previous:
            stale.append(MANIFEST)
        return BuildReport(
            written=(),
            unchanged=result.unchanged,
            deleted=result.delete,
            changes=result.changes,
            notes=result.notes,
            stale=tuple(sorted(stale)),
        )
    keep = {r.hash for r in previous.notes.values()}
    if missing := keep - set(notes) - set(result.contents):
        notes.update(archive.from_packages(_by_size(out, on_disk), wanted=missing))
    notes = {h: c for h, c in notes.items() if h in keep} | dict(result.contents)
    _commit(out, result=result, notes=notes, held=held, cache_dir=cache_dir, jobs=jobs)
    report = BuildReport(
        written=tuple(p.relative for p in result.write),
        unchanged=result.unchanged,
        deleted=result.delete,
        changes=result.changes,
        notes=result.notes,
    )
    noop.record(
        out, folder=cache_dir, fingerprint=fingerprint, notes=report.notes, packages=report.packages
    )
    return report


def read_manifest(out: Path) -> Manifest:
    path = out / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Manifest()
    except OSError as error:
        raise disk_error(error, doing="read the build manifest") from error
    return Manifest.from_json(data, path=str(path))


def _render_scenario(job: tuple[Scenario, Path, Path | None]) -> list[RenderedCard]:
    """Every card of one scenario, rendered, with its GUID and content hash (module level:
    runs in a worker); cached under the scenario's digest, which covers its files and
    deckbuilder's code."""
    scenario, folder, cache_dir = job
    if scenario.digest:
        hit = cache.load(cache_dir, "rendered", scenario.digest)
        with contextlib.suppress(TypeError, ValueError):
            if isinstance(hit, list) and len(hit) == len(scenario.study_cards):
                return [_rendered_from_json(item) for item in hit]
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
    rendered = map_jobs(
        _render_scenario,
        [(s, Path(library.root) / s.meta.folder, cache_dir) for s in library.scenarios],
        jobs=jobs,
    )
    cache.prune(cache_dir, "rendered", {s.digest for s in library.scenarios if s.digest})
    return rendered


def _package_paths(out: Path) -> list[Path]:
    """Every file in the layout a build writes: whatever is there is ours to keep or delete."""
    found = [p for p in (out / COMBINED, out / REMOVED) if p.is_file()]
    for folder in _SUBFOLDERS:
        with contextlib.suppress(OSError):
            found += sorted(p for p in (out / folder).glob("*.apkg") if p.is_file())
    return found


def _package_files(out: Path) -> dict[str, str]:
    """The SHA-256 of every package file in the layout a build writes."""
    found = {}
    for path in _package_paths(out):
        sha = file_sha(path)
        if sha is not None:
            found[str(path.relative_to(out))] = sha
    return found


def _write_one(
    job: tuple[Path, tuple[Any, ...], tuple[tuple[str, Path], ...], int, Path, str],
) -> None:
    """Write one package (module level: runs in a worker), updating its working database."""
    path, decks, media, notetype_modified, cache_dir, relative = job
    database = workdb.claim(cache_dir, relative)
    apkg.write_package(
        path, decks=decks, notetype_modified=notetype_modified, media=media, database=database
    )
    if database is not None:
        workdb.seal(cache_dir, relative)


def _by_size(out: Path, on_disk: dict[str, str]) -> list[Path]:
    """The packages on disk, the combined one (which holds every note) first."""
    return [out / r for r in sorted(on_disk, key=lambda r: (r != COMBINED, r))]


def _commit(
    out: Path,
    *,
    result: Plan,
    notes: dict[str, NoteContent],
    held: set[str],
    cache_dir: Path,
    jobs: int | None,
) -> None:
    """Write the changed packages, then swap them in; the manifest goes last.

    Every package is first written into a staging folder inside ``out``; only when all of
    them exist, and every target is free to take them, are they renamed into place (each
    rename is atomic). The notes' last contents are recorded before anything is swapped,
    so a build killed at any point loses no removed note's record.
    """
    make_folder(out)
    manifest = result.manifest
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        map_jobs(
            _write_one,
            # biggest first, so the last package to finish is a small one
            sorted(
                (
                    (
                        staging / p.relative,
                        p.decks,
                        p.media,
                        manifest.notetype_modified,
                        cache_dir,
                        p.relative,
                    )
                    for p in result.write
                ),
                key=lambda job: -sum(len(d.notes) for d in job[1]),
            ),
            jobs=jobs,
            min_items=2,
        )
        packages = dict(manifest.packages)
        for package in result.write:
            packages[package.relative] = PackageRecord(
                package.content, file_sha(staging / package.relative) or ""
            )
            target = out / package.relative
            if target.is_dir() or (target.is_symlink() and not target.exists()):
                raise DeckbuilderError(f"{target}: cannot write the package: not a regular file")
            make_folder(target.parent)
        data = Manifest(
            notetype_hash=manifest.notetype_hash,
            notetype_modified=manifest.notetype_modified,
            notes=manifest.notes,
            removed=manifest.removed,
            packages=packages,
        ).to_json()
        archive.write(cache_dir, notes, held=held)
        for package in result.write:
            (staging / package.relative).replace(out / package.relative)
        for relative in result.delete:
            (out / relative).unlink(missing_ok=True)
        workdb.prune(cache_dir, {*result.unchanged, *(p.relative for p in result.write)})
        if file_sha(out / MANIFEST) != hashlib.sha256(data).hexdigest():
            write_atomic(out / MANIFEST, data)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
