"""Builds: reproducible bytes, no churn, a cache that cannot serve stale cards, and
``build`` and ``build --check`` that always agree."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from conftest import FIXTURE_LIBRARY, ROOT, SCENARIOS, Clock, edit, snapshot
from deckbuilder.build import CACHE, REMOVED, build

FOUNDATIONS = "00-foundations/foundations.md"
DISCUSSION = "01-mini-serving/discussion_points.md"
QUESTION = (
    "### Why stream tokens? {#why-stream}\n\n"
    "- **What do users gain?** They see progress sooner; total time is unchanged.\n"
)


def test_unchanged_rebuild_is_byte_identical(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """A rebuild with no content change, hours later, writes nothing and leaves every byte as it was."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    before = snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.apkg")}
    clock.advance(7200)
    (out / CACHE / "state.json").unlink()  # no shortcut: plan the whole build again
    report = build(library_copy, out=out, now=clock.seconds)
    assert (report.written, report.changes) == ((), ())
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.apkg")} == mtimes


def test_packages_are_reproducible_from_scratch(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """Two builds of the same content into empty folders at the same time give the same bytes."""
    build(library_copy, out=tmp_path / "a", now=clock.seconds)
    build(library_copy, out=tmp_path / "b", now=clock.seconds)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_removed_note_stays_reported_once(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """A removal is reported by the build that sees it, and later builds stay quiet and identical."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    edit(
        library_copy / "01-mini-serving" / "discussion_points.md",
        "### Why stream tokens? {#why-stream}\n\n"
        "- **What do users gain?** They see progress sooner; total time is unchanged.\n",
        "",
    )
    clock.advance(60)
    first = build(library_copy, out=out, now=clock.seconds)
    assert [(c.change, c.key) for c in first.changes] == [
        ("removed", "mini-serving/follow-up/why-stream--what-do-users-gain")
    ]
    assert REMOVED in first.written
    before = snapshot(out)
    clock.advance(60)
    (out / CACHE / "state.json").unlink()
    second = build(library_copy, out=out, now=clock.seconds)
    assert second.changes == () and second.written == ()
    assert snapshot(out) == before


def test_check_lists_stale_packages(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """build --check on stale decks names exactly the packages that would change."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    assert build(library_copy, out=out, now=clock.seconds, check=True).stale == ()
    edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    report = build(library_copy, out=out, now=clock.seconds, check=True)
    assert report.stale == (
        "llm-system-design.apkg",
        "scenarios/00-foundations.apkg",
        "topics/serving.apkg",
    )
    (out / "topics" / "kv-cache.apkg").write_bytes(b"tampered")
    edit(library_copy / FOUNDATIONS, "all at once.", "all tokens at once.")
    report = build(library_copy, out=out, now=clock.seconds, check=True)
    assert report.stale == ("topics/kv-cache.apkg",)


def test_cache_never_changes_the_result(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """Packages built from the cache are the bytes of a build without one; entries that do not
    decode (garbage, wrong shapes, pickles) are ignored; an edit after caching is seen."""
    cached, cold = tmp_path / "cached", tmp_path / "cold"
    build(library_copy, out=cached, now=clock.seconds)
    for path in [*cached.rglob("*.apkg"), cached / "manifest.json", cached / CACHE / "state.json"]:
        path.unlink()
    build(library_copy, out=cached, now=clock.seconds)  # parsed and rendered from the cache
    build(library_copy, out=cold, now=clock.seconds)
    assert snapshot(cached) == snapshot(cold)
    entries = sorted((cached / CACHE).glob("*/*.json"))
    assert [p.parent.name for p in entries] == ["rendered"] * 2 + ["scenarios"] * 2
    for entry, junk in zip(entries, [b"not json", b'{"meta": [1, 2]}'] * 2, strict=True):
        entry.write_bytes(junk)
    edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    clock.advance(60)
    report = build(library_copy, out=cached, now=clock.seconds)
    assert [c.key for c in report.changes] == ["foundations/concept/prefill"]


def test_a_planted_pickle_is_never_loaded(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """The cache is JSON: a pickle planted under any entry's name (or the old .pickle names)
    runs no code, and the build is the same as without it."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    planted = pickle.dumps(Payload())
    for entry in list((out / CACHE).glob("*/*.json")):
        entry.write_bytes(planted)
        entry.with_suffix(".pickle").write_bytes(planted)
    expected = snapshot(out)
    (out / CACHE / "state.json").unlink()
    build(library_copy, out=out, now=clock.seconds)
    assert not marker.exists()
    assert snapshot(out) == expected
    assert not list((out / CACHE).rglob("*.pickle"))


def test_planted_cache_files_are_never_used(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """Cache files that this user's deckbuilder did not seal (as a file force-added to a pull
    request would be) are ignored: a rendered entry that ships a file from outside the
    scenarios or a script, and a build record that claims there is nothing to do."""
    from deckbuilder import cache

    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    expected = snapshot(out)
    rendered = sorted((out / CACHE / "rendered").glob("*.json"))[0]  # one scenario's entry
    entry = cache.unseal(rendered.read_bytes())
    assert entry is not None
    entry[0][0][1] = "<script>alert(1)</script>"
    entry[0][2] = [["secret.txt", "/etc/hostname"]]
    forged = json.dumps(entry)
    state = cache.unseal((out / CACHE / "state.json").read_bytes())
    assert state is not None
    for planted in (
        forged,
        json.dumps({"mac": "0" * 64, "data": forged}),
        "0" * 64 + "\n" + forged,
    ):
        rendered.write_text(planted)  # under the name the build will look up
        for package in out.rglob("*.apkg"):
            package.write_bytes(b"stale")
        (out / CACHE / "state.json").write_text("0" * 64 + "\n" + json.dumps(state))
        report = build(library_copy, out=out, now=clock.seconds)
        assert len(report.written) == 11
        assert snapshot(out) == expected


def test_fast_noop_only_when_nothing_changed(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """The fast no-op trusts its record only while inputs and outputs are untouched."""
    out = tmp_path / "decks"
    first = build(library_copy, out=out, now=clock.seconds)
    assert first.written and first.notes == 31
    again = build(library_copy, out=out, now=clock.seconds)
    assert (again.written, again.changes, again.notes) == ((), (), 31)
    assert again.packages == first.packages
    (out / "topics" / "serving.apkg").write_bytes(b"tampered")
    repaired = build(library_copy, out=out, now=clock.seconds)
    assert repaired.written == ("topics/serving.apkg",)
    (out / REMOVED).write_bytes(b"left by a killed build")
    cleaned = build(library_copy, out=out, now=clock.seconds)
    assert cleaned.deleted == (REMOVED,) and not (out / REMOVED).exists()
    edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    clock.advance(60)
    edited = build(library_copy, out=out, now=clock.seconds)
    assert [c.change for c in edited.changes] == ["changed"]


def test_packages_have_normal_permissions(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """Packages and the manifest are readable by others as any file (0644 under umask 022)."""
    umask = os.umask(0o022)
    try:
        build(library_copy, out=tmp_path / "decks", now=clock.seconds)
    finally:
        os.umask(umask)
    outputs = [*(tmp_path / "decks").rglob("*.apkg"), tmp_path / "decks" / "manifest.json"]
    assert {oct(p.stat().st_mode & 0o777) for p in outputs} == {"0o644"}


def _build_with(source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from deckbuilder.cli import main; main()", "build", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(source)},
        timeout=120,
    )


def test_a_change_in_card_code_rebuilds_and_check_agrees(
    library_copy: Path, tmp_path: Path
) -> None:
    """Upgrading deckbuilder (here: a copy whose concept fronts read differently) rewrites the
    packages those cards are in, and build --check agrees with build before and after."""
    import deckbuilder

    old, new = tmp_path / "old", tmp_path / "new"
    for copy in (old, new):
        shutil.copytree(Path(deckbuilder.__file__).parent, copy / "deckbuilder")
    edit(
        new / "deckbuilder" / "cards.py",
        '"What is **{label}**?"',
        '"Define **{label}**."',
    )
    out = tmp_path / "decks"
    args = ("--scenarios", str(library_copy), "--out", str(out))
    assert _build_with(old, *args).returncode == 0
    assert _build_with(old, "--check", *args).returncode == 0
    stale = _build_with(new, "--check", *args)
    assert stale.returncode == 1 and "llm-system-design.apkg" in stale.stderr
    rebuilt = _build_with(new, *args)
    assert "changed  01 Mini Serving: Key concept: KV cache" in rebuilt.stdout
    assert "Built 11 packages (7 written, 4 unchanged)" in rebuilt.stdout
    assert _build_with(new, "--check", *args).returncode == 0
    assert _build_with(old, "--check", *args).returncode == 1


def test_the_recut_changes_no_card(tmp_path: Path) -> None:
    """Rebuilt from the committed manifest, every committed package comes out byte for byte
    the same: the code that makes cards and packages changed no card."""
    out = tmp_path / "decks"
    shutil.copytree(ROOT / "decks", out, ignore=shutil.ignore_patterns(".cache", ".lock"))
    committed = snapshot(out)
    for package in out.rglob("*.apkg"):
        package.unlink()
    report = build(SCENARIOS, out=out, now=lambda: 0.0)
    assert report.changes == () and len(report.written) == len(report.packages)
    assert snapshot(out) == committed


def test_manifest_is_json_with_the_documented_fields(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """The manifest records every note's key, hash and date, and every package's hashes."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest) == {"format", "notetype", "notes", "removed", "packages"}
    assert len(manifest["notes"]) == 31
    note = next(iter(manifest["notes"].values()))
    assert set(note) == {"key", "title", "scenario", "hash", "modified"}
    assert note["modified"] == int(clock.seconds())


@pytest.mark.parametrize("edit_first", [False, True])
def test_build_and_check_agree(
    library_copy: Path, tmp_path: Path, clock: Clock, edit_first: bool
) -> None:
    """Whatever state decks/ is in, --check is stale exactly when build would write."""
    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    if edit_first:
        edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    check = build(library_copy, out=out, now=clock.seconds, check=True)
    report = build(library_copy, out=out, now=clock.seconds)
    assert bool(check.stale) == bool(report.written or report.deleted or report.changes)
    assert build(library_copy, out=out, now=clock.seconds, check=True).stale == ()


LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


@settings(max_examples=200 if LONG else 6, stateful_step_count=6, deadline=None)
class CheckAgreesWithBuild(RuleBasedStateMachine):
    """Whatever happens to the scenarios, decks/ and its cache between builds, build --check
    is stale exactly when build writes, and after a build it is clean."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp())
        self.library = self.tmp / "scenarios"
        shutil.copytree(FIXTURE_LIBRARY, self.library)
        self.out = self.tmp / "decks"
        self.clock = Clock()
        self.question = (self.library / DISCUSSION).read_text()
        build(self.library, out=self.out, now=self.clock.seconds)

    @rule(answer=st.sampled_from(["on those.", "on queue depth.", "on KV usage, not CPU."]))
    def edit_an_answer(self, answer: str) -> None:
        mistakes = self.library / DISCUSSION
        mistakes.write_text(re.sub(r"so scale on .*", f"so scale {answer}", mistakes.read_text()))

    @rule(present=st.booleans())
    def remove_or_restore_a_question(self, present: bool) -> None:
        text = self.question if present else self.question.replace(QUESTION, "")
        (self.library / DISCUSSION).write_text(text)

    @rule(name=st.sampled_from(["llm-system-design.apkg", "topics/serving.apkg", REMOVED]))
    def tamper_with_a_package(self, name: str) -> None:
        (self.out / name).write_bytes(b"tampered")

    @rule(name=st.sampled_from(["llm-system-design.apkg", "scenarios/01-mini-serving.apkg"]))
    def delete_a_package(self, name: str) -> None:
        (self.out / name).unlink(missing_ok=True)

    @rule()
    def lose_the_cache(self) -> None:
        shutil.rmtree(self.out / CACHE, ignore_errors=True)

    @rule()
    def check_then_build(self) -> None:
        self.clock.advance(60)
        check = build(self.library, out=self.out, now=self.clock.seconds, check=True)
        report = build(self.library, out=self.out, now=self.clock.seconds)
        assert bool(check.stale) == bool(report.written or report.deleted or report.changes)
        assert build(self.library, out=self.out, now=self.clock.seconds, check=True).stale == ()

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


test_check_agrees_with_build = CheckAgreesWithBuild.TestCase


def test_an_updated_package_is_the_package_written_from_scratch(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """A rebuild updates each package's cached database row by row; the packages are
    byte for byte those of a build without that cache, after edits, a removed note and a
    damaged cached database alike."""
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    build(library_copy, out=warm, now=clock.seconds)
    edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    solution = library_copy / "01-mini-serving" / "solution.md"
    text = solution.read_text(encoding="utf-8")
    kept = [line for line in text.split("\n") if not line.startswith("- **KV cache")]
    assert len(kept) < len(text.split("\n"))
    solution.write_text("\n".join(kept), encoding="utf-8")
    (next((warm / CACHE / "packages").glob("*.anki2"))).write_bytes(b"damaged")
    clock.advance(60)
    shutil.copytree(warm, cold, ignore=shutil.ignore_patterns(".cache", ".lock"))
    warm_report = build(library_copy, out=warm, now=clock.seconds)
    cold_report = build(library_copy, out=cold, now=clock.seconds)
    assert {c.change for c in warm_report.changes} == {"changed", "removed"}
    assert warm_report == cold_report
    assert snapshot(warm) == snapshot(cold)


def test_a_selected_load_uses_the_cache_and_keeps_to_the_selection(
    library_copy: Path, tmp_path: Path
) -> None:
    """`check mini-serving` and the quiz's filters load only the chosen scenarios, from
    the cache when it has them, with the same result as a load that parses them."""
    from deckbuilder.library import load_library

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    everything = load_library(library_copy, cache_dir=cache_dir)
    assert len(everything.scenarios) > 1
    parsed = load_library(library_copy, only=("mini-serving",))
    cached = load_library(library_copy, only=("mini-serving",), cache_dir=cache_dir)
    assert [s.meta.id for s in cached.scenarios] == ["mini-serving"]
    assert cached.scenarios[0].cards == parsed.scenarios[0].cards
    assert cached.scenarios[0].digest  # keyed in the cache, not parsed without one


def test_the_notes_archive_is_never_trusted_blindly(
    library_copy: Path, tmp_path: Path, clock: Clock
) -> None:
    """The archive of notes' last contents (an SQLite file in the cache) is read entry by
    entry: one whose MAC does not hold is a miss, read back from the packages instead, so
    a planted entry never reaches removed.apkg; an edit adds one entry and keeps the rest."""
    import sqlite3

    from deckbuilder import apkg
    from deckbuilder.archive import NOTES

    out = tmp_path / "decks"
    build(library_copy, out=out, now=clock.seconds)
    db = sqlite3.connect(out / CACHE / NOTES)
    count = db.execute("SELECT count(*) FROM notes").fetchone()[0]
    db.close()
    edit(library_copy / FOUNDATIONS, "all tokens at once.", "all at once.")
    clock.advance(60)
    build(library_copy, out=out, now=clock.seconds)
    db = sqlite3.connect(out / CACHE / NOTES)
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == count + 1
    forged = json.dumps(["Planted", False, ["<script>x</script>", "", "", ""], []]).encode()
    db.execute("UPDATE notes SET content = ?", (forged,))  # every MAC now fails
    db.commit()
    db.close()
    text = (library_copy / DISCUSSION).read_text()
    (library_copy / DISCUSSION).write_text(text.replace(QUESTION, ""))
    clock.advance(60)
    report = build(library_copy, out=out, now=clock.seconds)
    assert REMOVED in report.written
    (removed,) = apkg.read_notes(out / REMOVED)
    assert "What do users gain?" in removed.fields[0] and "script" not in removed.fields[0]
