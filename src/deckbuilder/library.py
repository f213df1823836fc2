"""Load a scenarios folder into a Library: the one loader every command uses.

Per folder (in parallel, cached): read files → front matter → document sections →
cards by the section rules → duplicate keys → topics. Then the checks across
scenarios. Every problem of the run is collected and raised as one ValidationError.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deckbuilder import cache, codec
from deckbuilder.errors import DeckbuilderError, ValidationError
from deckbuilder.frontmatter import (
    FILES,
    FOUNDATION_FILES,
    FOUNDATIONS,
    TOPICS_FILE,
    load_topics,
    read_meta,
)
from deckbuilder.model import Library, Problem, Scenario, ScenarioMeta, SourceLocation, Topic
from deckbuilder.parallel import map_jobs
from deckbuilder.sources import folder_digest, inside, read_text

if TYPE_CHECKING:
    from deckbuilder.parse import Document


def _files(folder: Path) -> tuple[str, ...]:
    """The markdown files a folder must have: the four of a scenario, or the foundations file
    (other files there, such as the drill's reference.yaml, are not cards)."""
    if (folder / FOUNDATIONS).exists() and not (folder / FILES[0]).exists():
        return FOUNDATION_FILES
    return FILES


def _read_folder(
    root: Path,
    folder: Path,
    *,
    topic_ids: set[str],
    only: Collection[str],
    problems: list[Problem],
) -> tuple[ScenarioMeta | None, dict[str, Document]]:
    """Read one folder. With ``only``, a folder that is not selected reads just its front matter."""
    docs: dict[str, Document] = {}
    files = _files(folder)
    label = f"{root.name}/{folder.name}/{files[0]}"
    text = read_text(folder / files[0], label=label, problems=problems, root=root)
    if text is None:
        return None, docs
    first = _document(label, text, problems=problems)
    if first is None:
        return None, docs
    docs[files[0]] = first
    meta = read_meta(docs[files[0]], folder=folder.name, topic_ids=topic_ids, problems=problems)
    if only and (meta is None or not {meta.id, folder.name} & set(only)):
        return None, docs
    for name in files[1:]:
        label = f"{root.name}/{folder.name}/{name}"
        text = read_text(folder / name, label=label, problems=problems, root=root)
        doc = None if text is None else _document(label, text, problems=problems)
        if doc is not None:
            docs[name] = doc
    return meta, docs


def _document(label: str, text: str, *, problems: list[Problem]) -> Document | None:
    """The parsed file, or None with a problem where blocks nest beyond the parser's limit:
    it silently drops everything after that point, so nothing it returned can be trusted."""
    from deckbuilder import markdown, references
    from deckbuilder.parse import read_document

    doc = read_document(label, text)
    line = markdown.nesting_limit_line(list(doc.tokens))
    if line is not None:
        problems.append(Problem(doc.at(line + 1), references.TOO_DEEP))
        return None
    return doc


@dataclass(frozen=True)
class _Loaded:
    """What one scenario folder yields: computed in a worker process, merged by the parent."""

    folder: str
    meta: ScenarioMeta | None
    scenario: Scenario | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _Job:
    root: Path
    folder: Path
    topics: tuple[Topic, ...]
    only: tuple[str, ...]
    cache: Path | None
    topics_bytes: bytes
    # run in the same worker on each scenario parsed clean (a module-level function):
    # the build renders it there, while its card texts' parses are still at hand
    after: Callable[[Scenario, Path, Path | None], object] | None = None


def _cache_key(job: _Job) -> str:
    """The folder's cache key: its files, topics.yaml and deckbuilder's code ('' uncached)."""
    if job.cache is None:
        return ""
    extra = f"{cache.code_digest()}\0{job.root.name}\0".encode() + job.topics_bytes
    return folder_digest(job.folder, extra=extra)


def _cached(job: _Job, key: str) -> _Loaded | None:
    """The folder from the cache, or None on a miss (in the calling process: no pool)."""
    if not key or job.cache is None:
        return None
    hit = cache.load(job.cache, "scenarios", key)
    if hit is None:
        return None
    try:
        scenario = codec.scenario_from_json(hit, digest=key)
    except ValueError:
        return None
    if job.only and not {scenario.meta.id, job.folder.name} & set(job.only):
        return _Loaded(job.folder.name, None, None, ())  # not selected
    return _Loaded(job.folder.name, scenario.meta, scenario, ())


def _load_folder(item: tuple[_Job, str]) -> _Loaded:
    """Read, parse and card one scenario folder that missed the cache under ``key``
    (module level, so it can run in a worker); only clean results are cached."""
    job, key = item
    from deckbuilder import markdown

    with markdown.reusing_parses():
        result = _parse_folder(job, key)
        if not result.problems and result.scenario is not None:
            if key:
                cache.store(job.cache, "scenarios", key, codec.scenario_to_json(result.scenario))
            if job.after is not None:
                job.after(result.scenario, job.folder, job.cache)
    return result


def _parse_folder(job: _Job, key: str) -> _Loaded:
    from deckbuilder import cardset, references
    from deckbuilder.rules import Report, scenario_cards

    problems: list[Problem] = []
    topic_ids = {t.id for t in job.topics}
    meta, docs = _read_folder(
        job.root, job.folder, topic_ids=topic_ids, only=job.only, problems=problems
    )
    if meta is None or len(docs) < len(_files(job.folder)):
        return _Loaded(job.folder.name, meta, None, tuple(problems))
    for doc in docs.values():
        references.check_document(doc, folder=job.folder, problems=problems)
    report = Report(problems)
    cards = cardset.check_duplicate_keys(
        scenario_cards(meta, docs, report=report), problems=problems
    )
    references.check_cards(cards, folder=job.folder, problems=problems)
    if not problems:
        cards = cardset.assign_topics(cards, topics=job.topics, primary={meta.id: meta.topics[0]})
    scenario = Scenario(
        meta=meta,
        cards=tuple(cards),
        digest=key,
        rubric=report.rubric,
        notices=tuple(sorted(set(report.notices))),
    )
    return _Loaded(job.folder.name, meta, scenario, tuple(problems))


def _folders(root: Path, problems: list[Problem]) -> list[Path]:
    try:
        entries = sorted(p for p in root.iterdir() if not p.name.startswith((".", "_")))
    except OSError as error:
        raise DeckbuilderError(
            f"{root}: cannot read the scenarios folder: {error.strerror or error}"
        ) from error
    for entry in entries:
        if entry.is_symlink():
            inside(entry, root=root, label=f"{root.name}/{entry.name}", problems=problems)
    return [
        p
        for p in entries
        if p.is_dir() and inside(p, root=root, label="", problems=[]) and not _data_only(p)
    ]


def _data_only(folder: Path) -> bool:
    """A folder of YAML data and no markdown (the drill's reference table) is not a scenario."""
    names = [child.suffix for child in folder.iterdir()]
    return ".md" not in names and ".yaml" in names


def cache_for(root: Path, *, out: Path | None = None) -> Path:
    """Where loading ``root`` keeps its cache: beside the build's output (``out/.cache``),
    or, for commands without an output folder, in the user's cache folder. Either way the
    keys cover the inputs and deckbuilder's code, so the place never changes a result."""
    return out / ".cache" if out is not None else cache.user_cache_dir(root)


def load_library(
    root: Path,
    *,
    only: Collection[str] = (),
    jobs: int | None = None,
    cache_dir: Path | None = None,
    after: Callable[[Scenario, Path, Path | None], object] | None = None,
) -> Library:
    """Load every scenario under ``root``, or only those whose folder name or id is in ``only``.

    Folders are parsed in parallel on up to ``jobs`` processes (default: every core), and
    with ``cache_dir`` unchanged folders come from the cache (a full, clean load also drops
    the entries it no longer uses). ``after`` runs in the worker on every scenario parsed
    clean (not on those from the cache). Raises ValidationError listing every problem found
    (with ``only``, in the selected scenarios and topics.yaml).
    """
    problems: list[Problem] = []
    if not root.is_dir():
        raise ValidationError([Problem(SourceLocation(str(root), 1), "scenarios folder not found")])
    topics = load_topics(root, problems=problems)
    folders = _folders(root, problems)
    topics_file = root / TOPICS_FILE
    try:
        topics_bytes = topics_file.read_bytes() if topics_file.is_file() else b""
    except OSError:
        topics_bytes = b""  # reported by load_topics
    jobs_ = [_Job(root, f, topics, tuple(only), cache_dir, topics_bytes, after) for f in folders]
    # the cache is read here, so that a load with nothing to parse starts no process pool
    keyed = [(job, _cache_key(job)) for job in jobs_]
    found = [_cached(job, key) for job, key in keyed]
    missed = [item for item, hit in zip(keyed, found, strict=True) if hit is None]
    parsed = iter(map_jobs(_load_folder, missed, jobs=jobs))
    loaded = [hit if hit is not None else next(parsed) for hit in found]
    scenarios: list[Scenario] = []
    ids: dict[str, SourceLocation] = {}
    numbers: dict[int, SourceLocation] = {}
    selected: set[str] = set()
    for result in loaded:
        meta = result.meta
        if only and meta is None:
            continue  # not selected: its problems are not this run's business
        problems += result.problems
        if meta is None:
            continue
        selected |= {meta.id, result.folder}
        if meta.id in ids:
            problems.append(
                Problem(meta.source, f"duplicate scenario id '{meta.id}' (first at {ids[meta.id]})")
            )
            continue
        if meta.number in numbers:
            problems.append(
                Problem(
                    meta.source,
                    f"duplicate scenario number {meta.number} (first at {numbers[meta.number]})",
                )
            )
        ids[meta.id] = meta.source
        numbers[meta.number] = meta.source
        if result.scenario is not None:
            scenarios.append(result.scenario)
    unknown = sorted(set(only) - selected)
    if unknown:
        raise DeckbuilderError(
            "no scenario with the id or folder name " + ", ".join(f"'{u}'" for u in unknown)
        )
    if problems:
        raise ValidationError(problems)
    if not only:
        cache.prune(cache_dir, "scenarios", {s.digest for s in scenarios})
    scenarios.sort(key=lambda s: s.meta.number)
    return Library(root=str(root), topics=topics, scenarios=tuple(scenarios))
