"""A build that has work to do: load, render, plan, then commit the packages into ``out``.

Imported by ``build`` only once the no-op record has failed to prove that nothing changed,
so a no-op never loads the parser, the renderer or the package writer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deckbuilder import apkg, archive
from deckbuilder.commit import commit
from deckbuilder.library import load_library
from deckbuilder.manifest import Manifest
from deckbuilder.outputs import COMBINED, MANIFEST, BuildReport, package_paths
from deckbuilder.plan import plan
from deckbuilder.rendered import prerender, render_library
from deckbuilder.storage import disk_error, file_sha


def rebuild(
    root: Path,
    *,
    out: Path,
    now: Callable[[], float],
    jobs: int | None,
    check: bool,
    cache_dir: Path,
) -> BuildReport:
    """Build (or, with ``check``, plan) every package, rewriting only those whose content
    changed; unchanged scenarios come from the content cache in ``cache_dir``."""
    library = load_library(root, jobs=jobs, cache_dir=cache_dir, after=prerender)
    rendered = render_library(library, jobs=jobs, cache_dir=cache_dir)
    previous = read_manifest(out)
    on_disk = _package_files(out)
    held = archive.hashes(cache_dir)
    live = {r.guid for cards in rendered for r in cards}
    gone = {previous.notes[g].hash for g in previous.notes if g not in live}
    notes = archive.lookup(cache_dir, gone)  # the last content of the notes removed
    if wanted := gone - set(notes):
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
    # the cards' markdown is not needed any more: free it before the packages are written
    # (the plan keeps the rendered fields it writes)
    del library, rendered, live
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
    # kept: the content of every note of the last build and of this one
    keep = {r.hash for r in previous.notes.values()} | set(result.contents)
    if missing := keep - held - set(notes) - set(result.contents):
        notes.update(archive.from_packages(_by_size(out, on_disk), wanted=missing))
    add = {h: c for h, c in notes.items() if h in keep} | dict(result.contents)
    commit(out, result=result, add=add, keep=keep, held=held, cache_dir=cache_dir, jobs=jobs)
    return BuildReport(
        written=tuple(p.relative for p in result.write),
        unchanged=result.unchanged,
        deleted=result.delete,
        changes=result.changes,
        notes=result.notes,
    )


def read_manifest(out: Path) -> Manifest:
    path = out / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Manifest()
    except OSError as error:
        raise disk_error(error, doing="read the build manifest") from error
    return Manifest.from_json(data, path=str(path))


def _package_files(out: Path) -> dict[str, str]:
    """The SHA-256 of every package file in the layout a build writes."""
    found = {}
    for path in package_paths(out):
        sha = file_sha(path)
        if sha is not None:
            found[str(path.relative_to(out))] = sha
    return found


def _by_size(out: Path, on_disk: dict[str, str]) -> list[Path]:
    """The packages on disk, the combined one (which holds every note) first."""
    return [out / r for r in sorted(on_disk, key=lambda r: (r != COMBINED, r))]
