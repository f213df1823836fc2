"""The build plan as a pure function: values in, values out, no disk."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from deckbuilder import notetype
from deckbuilder.identity import REMOVED_TAG, guid_for, tags_for
from deckbuilder.manifest import Manifest
from deckbuilder.model import (
    Card,
    CardKind,
    Difficulty,
    Library,
    Scenario,
    ScenarioMeta,
    SourceLocation,
    Topic,
)
from deckbuilder.outputs import COMBINED, REMOVED
from deckbuilder.plan import NoteContent, Plan, plan
from deckbuilder.render import RenderedCard

T0 = 1_760_000_000
META = ScenarioMeta(
    id="mini",
    number=1,
    title="Mini",
    difficulty=Difficulty.MEDIUM,
    level="L5",
    duration="45 min",
    focus="f",
    topics=("serving",),
    requirements=("100 QPS",),
    folder="01-mini",
    source=SourceLocation("scenarios/01-mini/problem.md", 2),
)
TOPICS = (Topic("serving", "Serving", "d", ("serving",), SourceLocation("scenarios/t.yaml", 2)),)


def card(key: str, back: str = "an answer", topics: tuple[str, ...] = ("serving",)) -> Card:
    return Card(
        scenario_id="mini",
        kind=CardKind.CONCEPT,
        key=key,
        title=key,
        front=f"What is {key}?",
        back=back,
        context=("01 Mini",),
        source=SourceLocation("scenarios/01-mini/solution.md", 5),
        topics=topics,
    )


def library(*cards: Card) -> Library:
    return Library(root="scenarios", topics=TOPICS, scenarios=(Scenario(META, tuple(cards)),))


def rendered(lib: Library) -> list[list[RenderedCard]]:
    return [
        [
            RenderedCard((c.front, c.back, "01 Mini", c.source.path), tags_for(c, s.meta))
            for c in s.cards
        ]
        for s in lib.scenarios
    ]


def planned(
    lib: Library,
    *,
    previous: Manifest | None = None,
    at: int = T0,
    on_disk: dict[str, str] | None = None,
    archive: dict[str, NoteContent] | None = None,
) -> Plan:
    return plan(
        lib,
        rendered(lib),
        previous=previous or Manifest(),
        now=lambda: float(at),
        on_disk=on_disk or {},
        archive=archive or {},
        writer_version=3,
    )


def written(result: Plan) -> Manifest:
    """The manifest a build writes once every planned package is on disk."""
    from deckbuilder.manifest import PackageRecord

    packages = dict(result.manifest.packages)
    packages.update(
        {p.relative: PackageRecord(p.content, "sha-" + p.content) for p in result.write}
    )
    return replace(result.manifest, packages=packages)


def disk(manifest: Manifest) -> dict[str, str]:
    return {name: record.sha256 for name, record in manifest.packages.items()}


def test_a_first_build_adds_every_note_and_writes_every_package() -> None:
    """Everything is new: every note is added at the clock's time, every package written."""
    result = planned(library(card("a"), card("b")))
    assert [(c.change, c.key) for c in result.changes] == [
        ("added", "mini/concept/a"),
        ("added", "mini/concept/b"),
    ]
    assert [p.relative for p in result.write] == [
        COMBINED,
        "scenarios/01-mini.apkg",
        "topics/serving.apkg",
    ]
    assert {r.modified for r in result.manifest.notes.values()} == {T0}
    assert result.manifest.notetype_hash == notetype.digest()
    assert result.stale == tuple(p.relative for p in result.write)


def test_an_unchanged_library_plans_nothing_and_keeps_dates() -> None:
    """Planned again later against its own record: no change, nothing to write."""
    lib = library(card("a"), card("b"))
    first = written(planned(lib))
    again = planned(lib, previous=first, at=T0 + 3600, on_disk=disk(first))
    assert (again.changes, again.write, again.delete) == ((), (), ())
    assert again.manifest == first


def test_an_edit_changes_one_note_and_only_its_packages() -> None:
    """An edited answer is 'changed', dated now, and rewrites the packages that hold it."""
    first = written(planned(library(card("a"), card("b", topics=()))))
    result = planned(
        library(card("a"), card("b", "a better answer", topics=())),
        previous=first,
        at=T0 + 60,
        on_disk=disk(first),
    )
    assert [(c.change, c.key) for c in result.changes] == [("changed", "mini/concept/b")]
    assert result.manifest.notes[guid_for("mini/concept/b")].modified == T0 + 60
    assert result.manifest.notes[guid_for("mini/concept/a")].modified == T0
    assert [p.relative for p in result.write] == [COMBINED, "scenarios/01-mini.apkg"]
    assert result.unchanged == ("topics/serving.apkg",)


def test_a_removed_note_is_re_emitted_from_its_last_content() -> None:
    """A note that left the scenarios goes into removed.apkg, tagged, with a newer date and
    the content the archive holds for the hash the manifest recorded."""
    lib = library(card("a"), card("b"))
    first_plan = planned(lib)
    first = written(first_plan)
    result = planned(
        library(card("a")),
        previous=first,
        at=T0 + 60,
        on_disk=disk(first),
        archive=dict(first_plan.contents),
    )
    assert [(c.change, c.key) for c in result.changes] == [("removed", "mini/concept/b")]
    (removed,) = result.manifest.removed.values()
    assert removed.fields[0] == "What is b?" and REMOVED_TAG in removed.tags
    assert removed.modified == T0 + 60
    assert REMOVED in [p.relative for p in result.write]


def test_a_removed_note_without_content_is_reported_only() -> None:
    """With no record of its content, the removal is reported and nothing is invented."""
    first = written(planned(library(card("a"), card("b"))))
    result = planned(library(card("a")), previous=first, on_disk=disk(first))
    assert [c.change for c in result.changes] == ["removed"]
    assert result.manifest.removed == {}
    assert REMOVED not in [p.relative for p in result.write]


def test_disk_decides_what_is_stale() -> None:
    """A package whose bytes differ from the record is rewritten; a package in the layout
    that the plan does not have (left by a killed build) is deleted."""
    lib = library(card("a"))
    first = written(planned(lib))
    on_disk = {**disk(first), "topics/serving.apkg": "tampered", REMOVED: "stray"}
    result = planned(lib, previous=first, on_disk=on_disk)
    assert [p.relative for p in result.write] == ["topics/serving.apkg"]
    assert result.delete == (REMOVED,)
    assert result.stale == (REMOVED, "topics/serving.apkg")


def test_a_new_note_type_rewrites_everything_with_a_newer_date() -> None:
    """When the note type's hash differs from the record, its date moves on and every
    package is rewritten (Anki applies a note type only if it is newer)."""
    lib = library(card("a"))
    first = written(planned(lib))
    older = replace(first, notetype_hash="an older note type", notetype_modified=T0 + 500)
    result = planned(lib, previous=older, at=T0 + 60, on_disk=disk(first))
    assert result.manifest.notetype_modified == T0 + 501
    assert len(result.write) == 3 and result.changes == ()


KEYS = ["a", "b", "c", "d", "e"]


@given(
    before=st.sets(st.sampled_from(KEYS)),
    after=st.sets(st.sampled_from(KEYS)),
    edited=st.sets(st.sampled_from(KEYS)),
    later=st.integers(0, 10**6),
)
def test_any_two_builds_report_exactly_what_changed(
    before: set[str], after: set[str], edited: set[str], later: int
) -> None:
    """From any library to any other: added, changed and removed are exactly the set
    differences, every removed note is re-emitted, and planning the result again is a no-op."""

    def lib(keys: set[str], changed: set[str]) -> Library:
        return library(*(card(k, "new" if k in changed else "old") for k in sorted(keys)))

    first = planned(lib(before, set()))
    result = planned(
        lib(after, edited),
        previous=written(first),
        at=T0 + later,
        on_disk=disk(written(first)),
        archive=dict(first.contents),
    )
    by_change = {
        change: {c.key.rsplit("/", 1)[1] for c in result.changes if c.change == change}
        for change in ("added", "changed", "removed")
    }
    assert by_change == {
        "added": after - before,
        "changed": after & before & edited,
        "removed": before - after,
    }
    assert {r.key.rsplit("/", 1)[1] for r in result.manifest.removed.values()} == before - after
    again = planned(
        lib(after, edited),
        previous=written(result),
        at=T0 + later + 60,
        on_disk=disk(written(result)),
        archive=dict(result.contents),
    )
    assert (again.changes, again.write, again.delete) == ((), (), ())


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(_JSON)
def test_manifest_text_is_exactly_the_standard_librarys(value: object) -> None:
    """The manifest's own JSON writer (fast for big libraries) writes what
    ``json.dumps(indent=1, ensure_ascii=False)`` writes, character for character."""
    import json

    from deckbuilder.manifest import _pretty

    assert _pretty(value, "") == json.dumps(value, indent=1, ensure_ascii=False)


def test_manifest_file_is_the_standard_librarys_json() -> None:
    """The committed manifest, read and written again, is exactly what
    ``json.dumps(indent=1, ensure_ascii=False)`` writes for its data."""
    import json
    from pathlib import Path

    data = (Path(__file__).resolve().parent.parent / "decks" / "manifest.json").read_bytes()
    manifest = Manifest.from_json(data, path="manifest.json")
    assert manifest.notes
    expected = json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n"
    assert manifest.to_json().decode() == expected
    assert (
        Manifest().to_json().decode()
        == json.dumps(
            {"format": 1, "notetype": {}, "notes": {}, "removed": {}, "packages": {}}, indent=1
        )
        + "\n"
    )
