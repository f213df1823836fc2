"""Plan and write the packages: combined, per scenario, per topic; with a manifest of note versions.

The manifest (``decks/manifest.json``) records for every note its key, a hash of
its content and when that content last changed. That time becomes the note's
modification time in every package, so Anki's default re-import ("update if
newer") updates exactly the notes whose content changed, and an unchanged
rebuild reproduces every package byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckbuilder import apkg, cache, markdown, render
from deckbuilder.errors import DeckbuilderError
from deckbuilder.model import Library, Scenario
from deckbuilder.parallel import map_jobs

MANIFEST = "manifest.json"
LOCK = ".lock"
CACHE = ".cache"
MANIFEST_FORMAT = 1
COMBINED = "llm-system-design.apkg"
REMOVED = "removed.apkg"
REMOVED_TAG = "deckbuilder::removed"
ROOT_DECK = "LLM System Design"
TOPIC_ROOT_DECK = "LLM System Design Topics"


@dataclass(frozen=True)
class NoteChange:
    change: str  # "added" | "changed" | "removed"
    title: str
    key: str


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


@dataclass(frozen=True)
class _PlannedNote:
    key: str
    title: str
    scenario: str
    digest: str
    spec: apkg.NoteSpec
    media: tuple[tuple[str, Path], ...] = ()


def _digest(value: Any) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    path = out / MANIFEST
    if not path.exists():
        return {"format": MANIFEST_FORMAT, "notetype": {}, "notes": {}, "packages": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DeckbuilderError(f"{path}: cannot read the build manifest: {error}") from error
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise DeckbuilderError(
            f"{path}: not a deckbuilder manifest of format {MANIFEST_FORMAT}; "
            "move it away to rebuild from scratch"
        )
    return data


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _removed_notes(
    manifest: dict[str, Any],
    *,
    planned: dict[str, _PlannedNote],
    out: Path,
    stamp: int,
    changes: list[NoteChange],
) -> dict[str, dict[str, Any]]:
    """Notes no longer in the scenarios, kept (tagged) so a re-import can mark them in Anki.

    An .apkg import cannot delete notes. A note that disappears is re-emitted in
    ``removed.apkg`` with its last content, the tag ``deckbuilder::removed`` and a
    newer modification time, so importing that package tags it in the user's
    collection; ``tag:deckbuilder::removed`` then finds every such note.
    """
    removed: dict[str, dict[str, Any]] = {
        guid: entry for guid, entry in manifest.get("removed", {}).items() if guid not in planned
    }
    gone = [guid for guid in manifest.get("notes", {}) if guid not in planned]
    previous = apkg.read_notes(out / COMBINED) if gone else {}
    for guid in sorted(gone, key=lambda g: str(manifest["notes"][g].get("key"))):
        old = manifest["notes"][guid]
        changes.append(NoteChange("removed", str(old.get("title")), str(old.get("key"))))
        packaged = previous.get(guid)
        if packaged is None:
            continue  # no earlier package to take its content from: report only
        removed[guid] = {
            "key": old.get("key"),
            "title": old.get("title"),
            "scenario": old.get("scenario"),
            "deck": packaged.deck,
            "cloze": packaged.cloze,
            "fields": list(packaged.fields),
            "tags": sorted({*packaged.tags, REMOVED_TAG}),
            "modified": max(stamp, int(old.get("modified", 0)) + 1),
        }
    return removed


_Fields = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, Path], ...]]


def _render_scenario(job: tuple[Scenario, Path, Path | None]) -> list[_Fields]:
    """Every card of one scenario as (fields, tags, media) (module level: runs in a worker).

    The cards themselves are not sent back: the parent has them, and a second copy of
    every card would double the build's memory. Cached under the scenario's digest.
    """
    scenario, folder, cache_dir = job
    if scenario.digest:
        hit = cache.load(cache_dir, "rendered", scenario.digest)
        if isinstance(hit, list):
            return hit
    rendered = [
        (r.fields, r.tags, r.media)
        for r in (render.render_card(c, scenario.meta, folder=folder) for c in scenario.cards)
    ]
    if scenario.digest:
        cache.store(cache_dir, "rendered", scenario.digest, rendered)
    return rendered


def _write_one(job: tuple[Path, list[apkg.DeckSpec], list[tuple[str, Path]], int]) -> None:
    path, decks, media, notetype_modified = job
    apkg.write_package(path, decks=decks, notetype_modified=notetype_modified, media=media)


def _commit(
    out: Path,
    *,
    pending: Sequence[tuple[str, list[apkg.DeckSpec], list[tuple[str, Path]], str]],
    deleted: Sequence[str],
    notetype_modified: int,
    manifest: dict[str, Any],
    kept: dict[str, dict[str, str]],
    jobs: int | None,
) -> None:
    """Write the changed packages, then swap them in; the manifest goes last.

    Every package is first written into a staging folder inside ``out``; only when
    all of them exist are they renamed into place (each rename is atomic), so a
    build that fails half way leaves the previous ``out`` exactly as it was.
    """
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        packages = dict(kept)
        map_jobs(
            _write_one,
            # biggest first, so the last package to finish is a small one
            sorted(
                (
                    (staging / relative, decks, media, notetype_modified)
                    for relative, decks, media, _content in pending
                ),
                key=lambda job: -sum(len(d.notes) for d in job[1]),
            ),
            jobs=jobs,
            min_items=2,
        )
        for relative, _decks, _media, content in pending:
            packages[relative] = {
                "content": content,
                "sha256": _file_sha(staging / relative) or "",
            }
        manifest = {**manifest, "packages": dict(sorted(packages.items()))}
        data = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
        for relative, *_rest in pending:
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, out / relative)
        for relative in deleted:
            (out / relative).unlink(missing_ok=True)
        if _file_sha(out / MANIFEST) != hashlib.sha256(data).hexdigest():
            _write_atomic(out / MANIFEST, data)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder; a second one is refused at once."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    with (out / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeckbuilderError(
                f"{out}: another deckbuilder build is writing here; try again when it has finished"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(
    library: Library,
    *,
    out: Path,
    now: Callable[[], float],
    check: bool = False,
    jobs: int | None = None,
) -> BuildReport:
    """Write every package whose content changed into ``out`` (or, with ``check``, only compare)."""
    if check:
        return _build(library, out=out, now=now, check=True, jobs=jobs)
    with _locked(out):
        return _build(library, out=out, now=now, check=False, jobs=jobs)


STATE = "state.json"


def input_fingerprint(root: Path) -> str:
    """A hash of everything a build reads: every scenario folder, topics.yaml, the note
    types and deckbuilder's version. Equal fingerprints give equal packages."""
    digest = hashlib.sha256(f"{apkg.WRITER_VERSION}\0{apkg.notetype_digest()}".encode())
    topics = root / "topics.yaml"
    digest.update(topics.read_bytes() if topics.is_file() else b"")
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        digest.update(folder.name.encode() + b"\0" + cache.folder_digest(folder).encode())
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
            or state["manifest"] != _file_sha(out / MANIFEST)
            or _stats(out, packages) != state["packages"]
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
        "manifest": _file_sha(out / MANIFEST),
        "notes": report.notes,
        "packages": _stats(out, report.packages),
    }
    with contextlib.suppress(OSError):
        (out / CACHE).mkdir(parents=True, exist_ok=True)
        _write_atomic(out / CACHE / STATE, json.dumps(state).encode())


def build_folder(
    root: Path, *, out: Path, now: Callable[[], float], jobs: int | None = None
) -> BuildReport:
    """Load ``root`` and build into ``out``, reusing cached work.

    A rebuild whose inputs and outputs are exactly as the last build left them returns at
    once; otherwise unchanged scenarios come from the content cache in ``out/.cache``.
    """
    from deckbuilder.scenario import load_library

    with _locked(out):
        fingerprint = input_fingerprint(root) if root.is_dir() else ""
        quick = _quick_noop(out, fingerprint) if fingerprint else None
        if quick is not None:
            return quick
        library = load_library(root, jobs=jobs, cache_dir=out / CACHE, prune_cache=True)
        report = _build(library, out=out, now=now, check=False, jobs=jobs)
        _save_state(out, fingerprint, report)
        return report


def _build(
    library: Library, *, out: Path, now: Callable[[], float], check: bool, jobs: int | None
) -> BuildReport:
    manifest = read_manifest(out)
    stamp = int(now())
    old_notes: dict[str, Any] = manifest.get("notes", {})
    notetype_hash = apkg.notetype_digest()
    old_type = manifest.get("notetype", {})
    if old_type.get("hash") == notetype_hash:
        notetype_modified = int(old_type["modified"])
    else:
        notetype_modified = max(stamp, int(old_type.get("modified", 0)) + 1)

    planned: dict[str, _PlannedNote] = {}
    changes: list[NoteChange] = []
    by_scenario: dict[str, list[str]] = {}
    by_topic: dict[str, list[str]] = {}
    cache_dir = out / CACHE if not check else None
    rendered_scenarios = map_jobs(
        _render_scenario,
        [(s, Path(library.root) / s.meta.folder, cache_dir) for s in library.scenarios],
        jobs=jobs,
    )
    cache.prune(cache_dir, "rendered", {s.digest for s in library.scenarios if s.digest})
    # planning keeps only what packages need; the rendered lists are dropped as we go
    for scenario, rendered_cards in zip(library.scenarios, rendered_scenarios, strict=True):
        meta = scenario.meta
        for card, (fields, tags, media) in zip(scenario.cards, rendered_cards, strict=True):
            guid = apkg.guid_for(card.full_key)
            digest = _digest([card.cloze, fields, tags])
            old = old_notes.get(guid)
            title = f"{meta.deck_title}: {card.kind.label}: {card.title}"
            if old is None:
                modified = stamp
                changes.append(NoteChange("added", title, card.full_key))
            elif old.get("hash") != digest:
                modified = max(stamp, int(old.get("modified", 0)) + 1)
                changes.append(NoteChange("changed", title, card.full_key))
            else:
                modified = int(old["modified"])
            spec = apkg.NoteSpec(guid, card.cloze, fields, tags, modified)
            planned[guid] = _PlannedNote(card.full_key, title, meta.id, digest, spec, media)
            by_scenario.setdefault(meta.id, []).append(guid)
            for topic_id in card.topics:
                by_topic.setdefault(topic_id, []).append(guid)
    removed = _removed_notes(manifest, planned=planned, out=out, stamp=stamp, changes=changes)

    def notes(guids: Sequence[str]) -> tuple[apkg.NoteSpec, ...]:
        return tuple(planned[g].spec for g in guids)

    plans: dict[str, list[apkg.DeckSpec]] = {COMBINED: []}
    for scenario in library.scenarios:
        meta = scenario.meta
        deck = apkg.DeckSpec(
            f"{ROOT_DECK}::{meta.deck_title}",
            render.scenario_description(meta),
            notes(by_scenario.get(meta.id, [])),
        )
        plans[COMBINED].append(deck)
        plans[f"scenarios/{meta.folder}.apkg"] = [deck]
    for topic in library.topics:
        if topic.id in by_topic:
            plans[f"topics/{topic.id}.apkg"] = [
                apkg.DeckSpec(
                    f"{TOPIC_ROOT_DECK}::{topic.title}",
                    f"<p>{markdown.escape(topic.description)}</p>",
                    notes(by_topic[topic.id]),
                )
            ]

    removed_decks: dict[str, list[apkg.NoteSpec]] = {}
    for guid, entry in sorted(removed.items(), key=lambda item: item[1]["key"]):
        removed_decks.setdefault(entry["deck"], []).append(
            apkg.NoteSpec(
                guid,
                entry["cloze"],
                tuple(entry["fields"]),
                tuple(entry["tags"]),
                entry["modified"],
            )
        )
    if removed_decks:
        plans[REMOVED] = [
            apkg.DeckSpec(name, "", tuple(specs)) for name, specs in sorted(removed_decks.items())
        ]
    digests = {guid: p.digest for guid, p in planned.items()}
    digests.update({guid: _digest(entry) for guid, entry in removed.items()})

    old_packages: dict[str, Any] = manifest.get("packages", {})
    new_packages: dict[str, dict[str, str]] = {}
    unchanged: list[str] = []
    pending: list[tuple[str, list[apkg.DeckSpec], list[tuple[str, Path]], str]] = []
    for relative, decks in sorted(plans.items()):
        package_media = sorted(
            {
                item
                for d in decks
                for n in d.notes
                if n.guid in planned
                for item in planned[n.guid].media
            }
        )
        content = _digest(
            [
                apkg.WRITER_VERSION,
                notetype_hash,
                notetype_modified,
                [
                    [
                        d.name,
                        d.description,
                        [[n.guid, digests[n.guid], n.modified] for n in d.notes],
                    ]
                    for d in decks
                ],
                [name for name, _file in package_media],  # names carry the content hash
            ]
        )
        previous = old_packages.get(relative, {})
        if previous.get("content") == content and _file_sha(out / relative) == previous.get(
            "sha256"
        ):
            unchanged.append(relative)
            new_packages[relative] = previous
        else:
            pending.append((relative, decks, package_media, content))
    deleted = sorted(set(old_packages) - set(plans))
    if check:
        stale = [relative for relative, *_rest in pending]
        stale.extend(d for d in deleted if (out / d).exists())
        if changes and not stale:
            stale.append(MANIFEST)
        return BuildReport(
            written=(),
            unchanged=tuple(unchanged),
            deleted=tuple(deleted),
            changes=tuple(changes),
            notes=len(planned),
            stale=tuple(sorted(stale)),
        )
    new_manifest = {
        "format": MANIFEST_FORMAT,
        "notetype": {"hash": notetype_hash, "modified": notetype_modified},
        "notes": {
            guid: {
                "key": p.key,
                "title": p.title,
                "scenario": p.scenario,
                "hash": p.digest,
                "modified": p.spec.modified,
            }
            for guid, p in sorted(planned.items(), key=lambda item: item[1].key)
        },
        "removed": dict(sorted(removed.items(), key=lambda item: item[1]["key"])),
        "packages": {},
    }
    _commit(
        out,
        pending=pending,
        deleted=deleted,
        notetype_modified=notetype_modified,
        manifest=new_manifest,
        kept=new_packages,
        jobs=jobs,
    )
    written = [relative for relative, *_rest in pending]
    return BuildReport(
        written=tuple(written),
        unchanged=tuple(unchanged),
        deleted=tuple(deleted),
        changes=tuple(changes),
        notes=len(planned),
    )
