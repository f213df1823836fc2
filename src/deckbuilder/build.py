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
import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckbuilder import apkg, cache, notetype
from deckbuilder.errors import DeckbuilderError
from deckbuilder.library import cache_for, load_library
from deckbuilder.manifest import Manifest, PackageRecord
from deckbuilder.model import Library, Scenario
from deckbuilder.parallel import map_jobs
from deckbuilder.plan import (
    COMBINED,
    MANIFEST,
    REMOVED,
    NoteChange,
    NoteContent,
    Plan,
    note_hash,
    plan,
)
from deckbuilder.plan import gone as gone_notes
from deckbuilder.render import RenderedCard, render_card
from deckbuilder.sources import folder_digest, image_resolver
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
STATE = "state.json"  # in CACHE: the last build's record, for the fast no-op
NOTES = "notes.json"  # in CACHE: every note's last content by content hash
_SUBFOLDERS = ("scenarios", "topics")

__all__ = ["CACHE", "COMBINED", "LOCK", "MANIFEST", "REMOVED", "BuildReport", "build"]


@dataclass(frozen=True)
class BuildReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]
    changes: tuple[NoteChange, ...]
    notes: int
    stale: tuple[str, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted(self.written + self.unchanged))


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
            recover(out, folders=(*_SUBFOLDERS, CACHE, f"{CACHE}/scenarios", f"{CACHE}/rendered"))
            return _build(root, out=out, now=now, jobs=jobs, check=False)
    except OSError as error:
        raise disk_error(error, doing=f"build into {out}") from error


def _build(
    root: Path, *, out: Path, now: Callable[[], float], jobs: int | None, check: bool
) -> BuildReport:
    fingerprint = input_fingerprint(root) if root.is_dir() else ""
    quick = _quick_noop(out, fingerprint) if fingerprint else None
    if quick is not None:
        return quick
    cache_dir = cache_for(root, out=out)
    library = load_library(root, jobs=jobs, cache_dir=cache_dir)
    rendered = render_library(library, jobs=jobs, cache_dir=cache_dir)
    previous = read_manifest(out)
    on_disk = _package_files(out)
    archive = _read_archive(out)
    wanted = {previous.notes[g].hash for g in gone_notes(library, previous)}
    if wanted - set(archive):
        archive.update(_recover_from_packages(out, on_disk, wanted=wanted - set(archive)))
    result = plan(
        library,
        rendered,
        previous=previous,
        now=now,
        on_disk=on_disk,
        archive=archive,
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
    if missing := keep - set(archive) - set(result.contents):
        archive.update(_recover_from_packages(out, on_disk, wanted=missing))
    archive = {h: c for h, c in archive.items() if h in keep} | dict(result.contents)
    _commit(out, result=result, archive=archive, jobs=jobs)
    report = BuildReport(
        written=tuple(p.relative for p in result.write),
        unchanged=result.unchanged,
        deleted=result.delete,
        changes=result.changes,
        notes=result.notes,
    )
    _save_state(out, fingerprint, report)
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
    """Every card of one scenario, rendered (module level: runs in a worker); cached
    under the scenario's digest, which covers its files and deckbuilder's code."""
    scenario, folder, cache_dir = job
    if scenario.digest:
        hit = cache.load(cache_dir, "rendered", scenario.digest)
        with contextlib.suppress(TypeError, ValueError):
            if isinstance(hit, list) and len(hit) == len(scenario.cards):
                return [_rendered_from_json(item) for item in hit]
    images = image_resolver(folder, scenario_id=scenario.meta.id)
    rendered = [render_card(c, scenario.meta, images=images) for c in scenario.cards]
    if scenario.digest:
        value = [
            [list(r.fields), list(r.tags), [[n, str(p)] for n, p in r.media]] for r in rendered
        ]
        cache.store(cache_dir, "rendered", scenario.digest, value)
    return rendered


def _rendered_from_json(item: Any) -> RenderedCard:
    fields, tags, media = item
    if not all(isinstance(v, str) for v in [*fields, *tags, *(x for m in media for x in m)]):
        raise ValueError("not a rendered card")
    return RenderedCard(tuple(fields), tuple(tags), tuple((n, Path(p)) for n, p in media))


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


def _read_archive(out: Path) -> dict[str, NoteContent]:
    try:
        data = json.loads((out / CACHE / NOTES).read_bytes())
        return {
            h: NoteContent(str(d), bool(c), tuple(map(str, f)), tuple(map(str, t)))
            for h, (d, c, f, t) in data.items()
            if note_hash(cloze=bool(c), fields=f, tags=t) == h  # only what it claims to be
        }
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _recover_from_packages(
    out: Path, on_disk: dict[str, str], *, wanted: set[str]
) -> dict[str, NoteContent]:
    """Notes' last content read back from the packages on disk, kept only where the content
    hash is the one the manifest recorded (a package may already be newer)."""
    found: dict[str, NoteContent] = {}
    for relative in sorted(on_disk, key=lambda r: (r != COMBINED, r)):
        if not wanted - set(found):
            break
        for note in apkg.read_notes(out / relative):
            content_hash = note_hash(cloze=note.cloze, fields=note.fields, tags=note.tags)
            if content_hash in wanted and content_hash not in found:
                found[content_hash] = note
    return found


def _write_one(job: tuple[Path, tuple[Any, ...], tuple[tuple[str, Path], ...], int]) -> None:
    path, decks, media, notetype_modified = job
    apkg.write_package(path, decks=decks, notetype_modified=notetype_modified, media=media)


def _commit(out: Path, *, result: Plan, archive: dict[str, NoteContent], jobs: int | None) -> None:
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
                    (staging / p.relative, p.decks, p.media, manifest.notetype_modified)
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
        _write_archive(out, archive)
        for package in result.write:
            (staging / package.relative).replace(out / package.relative)
        for relative in result.delete:
            (out / relative).unlink(missing_ok=True)
        if file_sha(out / MANIFEST) != hashlib.sha256(data).hexdigest():
            write_atomic(out / MANIFEST, data)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_archive(out: Path, archive: dict[str, NoteContent]) -> None:
    if set(_read_archive(out)) == set(archive):
        return
    make_folder(out / CACHE)
    data = {h: c.to_json() for h, c in sorted(archive.items())}
    write_atomic(out / CACHE / NOTES, json.dumps(data, ensure_ascii=False).encode())


def input_fingerprint(root: Path) -> str:
    """A hash of everything a build reads: every scenario folder, topics.yaml, deckbuilder's
    code, the note types and the package writer. Equal fingerprints give equal packages."""
    digest = hashlib.sha256(
        f"{cache.code_digest()}\0{apkg.WRITER_VERSION}\0{notetype.digest()}\0".encode()
    )
    topics = root / "topics.yaml"
    with contextlib.suppress(OSError):
        digest.update(topics.read_bytes())
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        digest.update(folder.name.encode() + b"\0" + folder_digest(folder).encode())
    return digest.hexdigest()


def _stats(out: Path, relatives: Sequence[str]) -> dict[str, list[int]]:
    result = {}
    for relative in relatives:
        try:
            info = (out / relative).stat()
        except OSError:
            continue
        result[relative] = [info.st_size, info.st_mtime_ns]
    return result


def _quick_noop(out: Path, fingerprint: str) -> BuildReport | None:
    """The report of a rebuild with nothing to do, if the last build's record proves it:
    same inputs, and the manifest and every package exactly as that build left them."""
    try:
        state = json.loads((out / CACHE / STATE).read_text())
        packages = list(state["packages"])
        if (
            state["fingerprint"] != fingerprint
            or state["manifest"] != file_sha(out / MANIFEST)
            or _stats(out, packages) != state["packages"]
            or sorted(str(p.relative_to(out)) for p in _package_paths(out)) != sorted(packages)
        ):
            return None
        return BuildReport(
            written=(), unchanged=tuple(packages), deleted=(), changes=(), notes=state["notes"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save_state(out: Path, fingerprint: str, report: BuildReport) -> None:
    state = {
        "fingerprint": fingerprint,
        "manifest": file_sha(out / MANIFEST),
        "notes": report.notes,
        "packages": _stats(out, report.packages),
    }
    with contextlib.suppress(OSError):
        (out / CACHE).mkdir(parents=True, exist_ok=True)
        write_atomic(out / CACHE / STATE, json.dumps(state).encode())
