"""Stage and swap: write the changed packages beside ``out``, then rename them into place.

Every package is written into a staging folder inside ``out`` (in workers, each updating
its working database); only when all of them exist, and every target is free to take them,
are they renamed into place. The notes' last contents are recorded before anything is
swapped, and the manifest goes last.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from deckbuilder import apkg, archive, workdb
from deckbuilder.errors import DeckbuilderError
from deckbuilder.manifest import Manifest, PackageRecord
from deckbuilder.outputs import MANIFEST
from deckbuilder.parallel import map_jobs
from deckbuilder.plan import NoteContent, Plan
from deckbuilder.storage import file_sha, make_folder, write_atomic


def _write_one(
    job: tuple[Path, tuple[Any, ...], tuple[tuple[str, Path], ...], int, Path, str],
) -> None:
    """Write one package (module level: runs in a worker), updating its working database."""
    path, decks, media, notetype_modified, cache_dir, relative = job
    database, known = workdb.claim(cache_dir, relative)
    rows = apkg.write_package(
        path,
        decks=decks,
        notetype_modified=notetype_modified,
        media=media,
        database=database,
        known=known,
    )
    if database is not None:
        workdb.seal(cache_dir, relative, rows=rows)


def commit(
    out: Path,
    *,
    result: Plan,
    add: dict[str, NoteContent],
    keep: set[str],
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
            in_parent=1,  # the biggest, written here while the workers write the rest
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
        archive.update(cache_dir, add=add, keep=keep, held=held)
        for package in result.write:
            (staging / package.relative).replace(out / package.relative)
        for relative in result.delete:
            (out / relative).unlink(missing_ok=True)
        workdb.prune(cache_dir, {*result.unchanged, *(p.relative for p in result.write)})
        if file_sha(out / MANIFEST) != hashlib.sha256(data).hexdigest():
            write_atomic(out / MANIFEST, data)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
