"""The build shell: load, render, plan, then write the packages into ``out``.

Everything that touches the disk is here, in ``commit.py`` and in the package writer;
what to write is decided by the pure ``plan``. A build holds a lock on ``out``, cleans up
what killed builds left behind, renders the cards (``rendered.py``), then writes every
package into a staging folder and only then renames them into place; the manifest goes
last (``commit.py``). Any disk error is reported as ``Error: …`` with ``out`` as the last
complete build left it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from deckbuilder import apkg, archive, noop, workdb
from deckbuilder.commit import commit
from deckbuilder.library import cache_for, load_library
from deckbuilder.manifest import Manifest
from deckbuilder.parallel import one_pool
from deckbuilder.plan import COMBINED, MANIFEST, REMOVED, BuildReport, plan
from deckbuilder.rendered import render_library
from deckbuilder.storage import disk_error, file_sha, locked, recover

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
    commit(out, result=result, notes=notes, held=held, cache_dir=cache_dir, jobs=jobs)
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


def _by_size(out: Path, on_disk: dict[str, str]) -> list[Path]:
    """The packages on disk, the combined one (which holds every note) first."""
    return [out / r for r in sorted(on_disk, key=lambda r: (r != COMBINED, r))]
