"""Load a scenarios folder: files, front matter, topics; all problems of a run reported at once."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from deckbuilder import cache
from deckbuilder import cards as cardmod
from deckbuilder.errors import DeckbuilderError, ValidationError
from deckbuilder.model import (
    Card,
    CardKind,
    Difficulty,
    Library,
    Problem,
    Scenario,
    ScenarioMeta,
    SourceLocation,
    Topic,
)
from deckbuilder.parallel import map_jobs
from deckbuilder.parse import (
    Document,
    bare_items,
    labelled_items,
    questions,
    read_document,
    references,
)
from deckbuilder.parse import tradeoffs as read_tradeoffs

FILES = ("problem.md", "solution.md", "discussion_points.md", "rubric.md")
MAX_FILE_BYTES = 1_048_576  # 1 MiB: far above any real scenario file
TOPICS_FILE = "topics.yaml"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_META_KEYS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "number": int,
    "title": str,
    "difficulty": str,
    "level": str,
    "duration": str,
    "focus": str,
    "topics": list,
    "requirements": list,
}
_TOPIC_KEYS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "title": str,
    "description": str,
    "keywords": list,
}


@dataclass(frozen=True)
class _Yaml:
    """A YAML document with the line of every mapping key and sequence item."""

    data: Any
    node: yaml.Node | None
    first_line: int

    def line(self, *path: str | int) -> int:
        node = self.node
        line = self.first_line
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        line = self.first_line + key_node.start_mark.line
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line
                node = node.value[step]
                line = self.first_line + node.start_mark.line
            else:
                return line
        return line


def _load_yaml(text: str, *, path: str, first_line: int, problems: list[Problem]) -> _Yaml | None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + (mark.line if mark is not None else 0)
        problems.append(Problem(SourceLocation(path, line), f"invalid YAML: {error.problem}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(SourceLocation(path, first_line), f"invalid YAML: {error}"))
        return None
    except RecursionError:  # PyYAML recurses once per nesting level: "[[[[..." exhausts it
        problems.append(
            Problem(SourceLocation(path, first_line), "invalid YAML: nested too deeply")
        )
        return None
    return _Yaml(data, node, first_line)


def _check_mapping(
    doc: _Yaml,
    mapping: Any,
    *,
    path: str,
    where: tuple[str | int, ...],
    schema: dict[str, type | tuple[type, ...]],
    what: str,
    problems: list[Problem],
) -> bool:
    if not isinstance(mapping, dict):
        problems.append(
            Problem(SourceLocation(path, doc.line(*where)), f"{what} must be a mapping")
        )
        return False
    ok = True
    for key in mapping:
        if key not in schema:
            known = ", ".join(schema)
            problems.append(
                Problem(
                    SourceLocation(path, doc.line(*where, str(key))),
                    f"unknown key '{key}' in {what} (known: {known})",
                )
            )
            ok = False
    for key, expected in schema.items():
        if key not in mapping:
            problems.append(
                Problem(SourceLocation(path, doc.line(*where)), f"{what} is missing '{key}'")
            )
            ok = False
            continue
        value = mapping[key]
        wrong = not isinstance(value, expected) or isinstance(value, bool)
        if expected is str and isinstance(value, str) and not value.strip():
            wrong = True
        if wrong:
            name = {str: "a non-empty string", int: "an integer", list: "a list"}[expected]  # type: ignore[index]
            problems.append(
                Problem(
                    SourceLocation(path, doc.line(*where, key)),
                    f"'{key}' must be {name}, not {_describe(value)}",
                )
            )
            ok = False
        elif expected is list:
            for index, item in enumerate(value):
                if not isinstance(item, str) or not item.strip():
                    problems.append(
                        Problem(
                            SourceLocation(path, doc.line(*where, key, index)),
                            f"'{key}' item {index + 1} must be a non-empty string, "
                            f"not {_describe(item)} (quote it)",
                        )
                    )
                    ok = False
    return ok


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def load_topics(root: Path, *, problems: list[Problem]) -> tuple[Topic, ...]:
    path = f"{root.name}/{TOPICS_FILE}"
    text = _read_text(root / TOPICS_FILE, label=path, problems=problems, root=root)
    if text is None:
        return ()
    doc = _load_yaml(text, path=path, first_line=1, problems=problems)
    if doc is None:
        return ()
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("topics"), list):
        problems.append(Problem(SourceLocation(path, 1), "expected a mapping with a 'topics' list"))
        return ()
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(doc.data["topics"]):
        if not _check_mapping(
            doc,
            entry,
            path=path,
            where=("topics", index),
            schema=_TOPIC_KEYS,
            what="a topic",
            problems=problems,
        ):
            continue
        line = doc.line("topics", index)
        location = SourceLocation(path, line)
        if not _ID.match(entry["id"]):
            problems.append(
                Problem(
                    location, f"topic id '{entry['id']}' must be lowercase letters, digits and '-'"
                )
            )
            continue
        if entry["id"] in seen:
            problems.append(
                Problem(
                    location,
                    f"duplicate topic id '{entry['id']}' (first at {path}:{seen[entry['id']]})",
                )
            )
            continue
        seen[entry["id"]] = line
        topics.append(
            Topic(
                id=entry["id"],
                title=entry["title"].strip(),
                description=entry["description"].strip(),
                keywords=tuple(str(k) for k in entry["keywords"]),
                source=location,
            )
        )
    return tuple(topics)


def _inside(path: Path, *, root: Path, label: str, problems: list[Problem]) -> bool:
    """False, with a problem, for a symlink that loops or leads out of the scenarios folder."""
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            problems.append(
                Problem(SourceLocation(label, 1), "symlink points to a file that does not exist")
            )
            return False
        return True  # plainly missing: reported by the caller
    except (RuntimeError, OSError) as error:  # RuntimeError: loop (3.11), OSError: ELOOP
        problems.append(Problem(SourceLocation(label, 1), f"symlink loop ({error})"))
        return False
    if not real.is_relative_to(root.resolve()):
        problems.append(
            Problem(
                SourceLocation(label, 1), f"symlink leads outside the scenarios folder ({real})"
            )
        )
        return False
    return True


def _read_text(
    path: Path, *, label: str, problems: list[Problem], root: Path | None = None
) -> str | None:
    """A file's text, or None with a problem: missing, a bad symlink, too big, not UTF-8."""
    if root is not None and not _inside(path, root=root, label=label, problems=problems):
        return None
    if not path.is_file():
        problems.append(Problem(SourceLocation(label, 1), "required file is missing"))
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(
            Problem(
                SourceLocation(label, 1), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}"
            )
        )
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(
                SourceLocation(label, line), f"not valid UTF-8 (byte 0x{data[error.start]:02x})"
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _meta(
    doc: Document, *, folder: str, topic_ids: set[str], problems: list[Problem]
) -> ScenarioMeta | None:
    start = len(problems)
    if doc.front_matter is None and doc.lines[0].strip() == "---":
        problems.append(Problem(doc.at(1), "front matter is not closed (no second '---' line)"))
        return None
    if doc.front_matter is None:
        problems.append(
            Problem(doc.at(1), "missing front matter (a YAML block between '---' lines at the top)")
        )
        return None
    parsed = _load_yaml(doc.front_matter, path=doc.path, first_line=2, problems=problems)
    if parsed is None:
        return None
    if not _check_mapping(
        parsed,
        parsed.data,
        path=doc.path,
        where=(),
        schema=_META_KEYS,
        what="the front matter",
        problems=problems,
    ):
        return None
    data = parsed.data
    if not _ID.match(data["id"]):
        problems.append(
            Problem(
                doc.at(parsed.line("id")),
                f"id '{data['id']}' must be lowercase letters, digits and '-'",
            )
        )
    if data["number"] < 1:
        problems.append(Problem(doc.at(parsed.line("number")), "number must be a positive integer"))
    difficulties = [d.value for d in Difficulty]
    if data["difficulty"] not in difficulties:
        problems.append(
            Problem(
                doc.at(parsed.line("difficulty")),
                f"difficulty '{data['difficulty']}' must be one of {', '.join(difficulties)}",
            )
        )
    if not data["topics"]:
        problems.append(
            Problem(doc.at(parsed.line("topics")), "topics must name at least one topic")
        )
    for index, topic in enumerate(data["topics"]):
        if topic_ids and topic not in topic_ids:
            problems.append(
                Problem(
                    doc.at(parsed.line("topics", index)),
                    f"unknown topic '{topic}' (not in topics.yaml)",
                )
            )
    if len(problems) > start:
        return None
    return ScenarioMeta(
        id=data["id"],
        number=data["number"],
        title=data["title"].strip(),
        difficulty=Difficulty(data["difficulty"]),
        level=data["level"].strip(),
        duration=data["duration"].strip(),
        focus=data["focus"].strip(),
        topics=tuple(data["topics"]),
        requirements=tuple(r.strip() for r in data["requirements"]),
        folder=folder,
        source=doc.at(parsed.line("id")),
    )


_Required = tuple[str, tuple[str, ...]]
_SECTIONS: dict[str, tuple[_Required, ...]] = {
    "problem.md": (("Requirements", ("requirements",)),),
    "solution.md": (
        ("Key concepts", ("key concepts",)),
        ("Trade-offs", ("trade-offs", "tradeoffs")),
    ),
    "discussion_points.md": (("Follow-up questions", ("follow-up questions", "follow-ups")),),
    "rubric.md": (("Dimensions", ("dimensions", "rubric dimensions", "scoring dimensions")),),
}


def _scenario_cards(
    meta: ScenarioMeta, docs: dict[str, Document], *, problems: list[Problem]
) -> list[Card]:
    out: list[Card] = []
    for name, doc in docs.items():
        for title, aliases in _SECTIONS[name]:
            if doc.section(*aliases) is None:
                problems.append(Problem(doc.at(1), f"missing required section '## {title}'"))
        if name != "problem.md" and doc.front_matter is not None:
            problems.append(Problem(doc.at(1), "front matter belongs in problem.md only"))
        numbers = doc.section("numbers to know")
        if numbers is not None:
            out += cardmod.numbered_cards(
                meta,
                kind=CardKind.NUMBER,
                path=doc.path,
                problems=problems,
                items=bare_items(doc, numbers),
            )
    problem, solution = docs["problem.md"], docs["solution.md"]
    discussion, rubric = docs["discussion_points.md"], docs["rubric.md"]
    if (section := problem.section("requirements")) is not None:
        out += cardmod.numbered_cards(
            meta,
            kind=CardKind.REQUIREMENT,
            path=problem.path,
            problems=problems,
            items=labelled_items(problem, section, problems=problems),
        )
    if (section := solution.section("key concepts")) is not None:
        out += cardmod.labelled_cards(
            meta,
            kind=CardKind.CONCEPT,
            path=solution.path,
            problems=problems,
            items=labelled_items(solution, section, problems=problems),
        )
    if (section := solution.section("trade-offs", "tradeoffs")) is not None:
        out += cardmod.tradeoff_cards(
            meta,
            path=solution.path,
            problems=problems,
            entries=read_tradeoffs(solution, section, problems=problems),
        )
    if (section := discussion.section("follow-up questions", "follow-ups")) is not None:
        out += cardmod.followup_cards(
            meta, path=discussion.path, problems=problems, entries=questions(discussion, section)
        )
    if (section := discussion.section("common mistakes")) is not None:
        out += cardmod.labelled_cards(
            meta,
            kind=CardKind.MISTAKE,
            path=discussion.path,
            problems=problems,
            items=labelled_items(discussion, section, problems=problems),
        )
    if (
        section := rubric.section("dimensions", "rubric dimensions", "scoring dimensions")
    ) is not None:
        dimensions = [
            (sub.title, sub.explicit_id, sub.line, labelled_items(rubric, sub, problems=problems))
            for sub in rubric.subsections(section)
        ]
        if not dimensions:
            problems.append(
                Problem(rubric.at(section.line), "'## Dimensions' has no '###' dimension")
            )
        out += cardmod.rubric_cards(
            meta, dimensions=dimensions, path=rubric.path, problems=problems
        )
    return out


def _load_scenario(
    root: Path,
    folder: Path,
    *,
    topic_ids: set[str],
    only: Collection[str],
    problems: list[Problem],
) -> tuple[ScenarioMeta | None, dict[str, Document]]:
    """Read one folder. With ``only``, a folder that is not selected reads just its front matter."""
    docs: dict[str, Document] = {}
    label = f"{root.name}/{folder.name}/problem.md"
    text = _read_text(folder / "problem.md", label=label, problems=problems, root=root)
    if text is None:
        return None, docs
    docs["problem.md"] = read_document(label, text)
    meta = _meta(docs["problem.md"], folder=folder.name, topic_ids=topic_ids, problems=problems)
    if only and (meta is None or not {meta.id, folder.name} & set(only)):
        return None, docs
    for name in FILES[1:]:
        label = f"{root.name}/{folder.name}/{name}"
        text = _read_text(folder / name, label=label, problems=problems, root=root)
        if text is not None:
            docs[name] = read_document(label, text)
    return meta, docs


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _check_references(doc: Document, *, folder: Path, problems: list[Problem]) -> None:
    """Relative links and images must name an existing file inside the scenario folder."""
    from urllib.parse import unquote

    base = folder.resolve()
    for ref in references(doc):
        target = ref.target.split("#", 1)[0].split("?", 1)[0]
        if not target or _SCHEME.match(ref.target):
            if ref.kind == "image" and not ref.target.startswith(("http://", "https://")):
                problems.append(Problem(doc.at(ref.line), f"image '{ref.target}' has no file"))
            continue
        what = "image" if ref.kind == "image" else "link target"
        path = Path(unquote(target))
        try:
            real = (base / path).resolve()
        except (RuntimeError, OSError):
            problems.append(Problem(doc.at(ref.line), f"{what} '{target}' is a symlink loop"))
            continue
        if path.is_absolute() or not real.is_relative_to(base):
            problems.append(
                Problem(doc.at(ref.line), f"{what} '{target}' is outside the scenario folder")
            )
        elif not real.is_file():
            problems.append(Problem(doc.at(ref.line), f"{what} '{target}' does not exist"))


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


def _load_folder(job: _Job) -> _Loaded:
    """Read, parse and card one scenario folder (module level, so it can run in a worker).

    With a cache, a folder whose files, topics and deckbuilder version are unchanged is
    not parsed again; only clean results are cached.
    """
    key = ""
    if job.cache is not None and not job.only:
        key = cache.folder_digest(job.folder, extra=job.topics_bytes + job.root.name.encode())
        hit = cache.load(job.cache, "scenarios", key)
        if isinstance(hit, _Loaded):
            return hit
    result = _parse_folder(job, key)
    if key and not result.problems and result.scenario is not None:
        cache.store(job.cache, "scenarios", key, result)
    return result


def _parse_folder(job: _Job, key: str) -> _Loaded:
    problems: list[Problem] = []
    topic_ids = {t.id for t in job.topics}
    meta, docs = _load_scenario(
        job.root, job.folder, topic_ids=topic_ids, only=job.only, problems=problems
    )
    if meta is None or len(docs) < len(FILES):
        return _Loaded(job.folder.name, meta, None, tuple(problems))
    for doc in docs.values():
        _check_references(doc, folder=job.folder, problems=problems)
    in_file_order = sorted(
        _scenario_cards(meta, docs, problems=problems),
        key=lambda c: (FILES.index(c.source.path.rsplit("/", 1)[1]), c.source.line),
    )
    cards = cardmod.check_duplicate_keys(in_file_order, problems=problems)
    if not problems:
        cards = cardmod.assign_topics(cards, topics=job.topics, primary={meta.id: meta.topics[0]})
    scenario = Scenario(
        meta=meta, cards=tuple(cards), files=tuple(d.path for d in docs.values()), digest=key
    )
    return _Loaded(job.folder.name, meta, scenario, tuple(problems))


def load_library(
    root: Path,
    *,
    only: Collection[str] = (),
    jobs: int | None = None,
    cache_dir: Path | None = None,
    prune_cache: bool = False,
) -> Library:
    """Load every scenario under ``root``, or only those whose folder name or id is in ``only``.

    Folders are parsed in parallel on up to ``jobs`` processes (default: every core).
    Raises ValidationError listing every problem found (with ``only``, in the selected
    scenarios and topics.yaml).
    """
    problems: list[Problem] = []
    if not root.is_dir():
        raise ValidationError([Problem(SourceLocation(str(root), 1), "scenarios folder not found")])
    topics = load_topics(root, problems=problems)
    entries = sorted(p for p in root.iterdir() if not p.name.startswith((".", "_")))
    for entry in entries:
        if entry.is_symlink():
            _inside(entry, root=root, label=f"{root.name}/{entry.name}", problems=problems)
    folders = [p for p in entries if p.is_dir() and _inside(p, root=root, label="", problems=[])]
    topics_file = root / TOPICS_FILE
    topics_bytes = topics_file.read_bytes() if topics_file.is_file() else b""
    loaded = map_jobs(
        _load_folder,
        [_Job(root, f, topics, tuple(only), cache_dir, topics_bytes) for f in folders],
        jobs=jobs,
    )
    if prune_cache and cache_dir is not None and not only and not problems:
        cache.prune(cache_dir, "scenarios", {r.scenario.digest for r in loaded if r.scenario})
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
    scenarios.sort(key=lambda s: s.meta.number)
    return Library(root=str(root), topics=topics, scenarios=tuple(scenarios))
