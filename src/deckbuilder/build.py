"""The build shell: lock ``out``, clean up, prove a no-op, else rebuild.

Everything that touches the disk is here, in ``rebuild.py``, ``commit.py`` and in the
package writer; what to write is decided by the pure ``plan``. A build holds a lock on
``out`` and cleans up what killed builds left behind. When the record of the last build
(``noop``) proves that its inputs and outputs are untouched, it returns at once, without
importing the parser, the renderer or the package writer; otherwise ``rebuild`` renders
the cards, writes every package into a staging folder and only then renames them into
place, the manifest last (``commit.py``). Any disk error is reported as ``Error: …`` with
``out`` as the last complete build left it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deckbuilder import noop, workdb
from deckbuilder.outputs import (
    CACHE,
    COMBINED,
    LOCK,
    MANIFEST,
    REMOVED,
    SUBFOLDERS,
    BuildReport,
    package_paths,
)
from deckbuilder.parallel import one_pool
from deckbuilder.storage import disk_error, locked, recover

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
            return _build(root, out=out, now=now, jobs=jobs, check=True)
        with locked(out, name=LOCK):
            recover(
                out,
                folders=(
                    *SUBFOLDERS,
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
    cache_dir = out / CACHE
    fingerprint = noop.fingerprint(root) if root.is_dir() else ""
    present = [str(p.relative_to(out)) for p in package_paths(out)]
    last = noop.unchanged(out, folder=cache_dir, fingerprint=fingerprint, present=present)
    if fingerprint and last is not None:
        packages, count = last
        return BuildReport(written=(), unchanged=packages, deleted=(), changes=(), notes=count)
    from deckbuilder.rebuild import rebuild  # the parser, renderer and writer: only now

    with one_pool(jobs):
        report = rebuild(root, out=out, now=now, jobs=jobs, check=check, cache_dir=cache_dir)
    if not check:
        noop.record(
            out,
            folder=cache_dir,
            fingerprint=fingerprint,
            notes=report.notes,
            packages=report.packages,
        )
    return report
