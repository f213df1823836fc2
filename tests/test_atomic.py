"""Builds never leave decks/ half written, never interleave, and ship images as media."""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankiutil import fresh_collection, import_package
from conftest import Clock
from deckbuilder import apkg
from deckbuilder.build import LOCK, build
from deckbuilder.cli import main
from deckbuilder.scenario import load_library


def snapshot(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_failure_half_way_leaves_previous_decks_untouched(
    library_copy: Path, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A build that dies after writing some packages changes nothing in decks/ and leaves no
    debris, whether packages are written in line or by worker processes."""
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    before = snapshot(out)
    rubric = library_copy / "01-mini-serving" / "rubric.md"
    rubric.write_text(rubric.read_text().replace("no estimate.", "no estimate at all."))
    real = apkg.write_package
    written = tmp_path / "written.log"

    def failing(path: Path, **kwargs: object) -> None:
        if path.name == "serving.apkg":  # the last of the three, by size
            raise OSError("disk full (injected)")
        real(path, **kwargs)  # type: ignore[arg-type]
        with written.open("a") as log:
            log.write(path.name + "\n")

    monkeypatch.setattr(apkg, "write_package", failing)
    clock.advance(60)
    with pytest.raises(OSError, match="injected"):
        build(load_library(library_copy), out=out, now=clock, jobs=jobs)
    assert sorted(written.read_text().split()) == ["01-mini-serving.apkg", "llm-system-design.apkg"]
    assert snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".staging")] == []
    monkeypatch.setattr(apkg, "write_package", real)
    report = build(load_library(library_copy), out=out, now=clock)
    assert len(report.written) == 3


def test_second_build_at_once_is_refused(library_copy: Path, tmp_path: Path) -> None:
    """While one build holds decks/, another is refused with a clear message and writes nothing."""
    out = tmp_path / "decks"
    out.mkdir()
    with (out / LOCK).open("a") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        result = CliRunner().invoke(
            main, ["build", "--scenarios", str(library_copy), "--out", str(out)]
        )
        fcntl.flock(holder, fcntl.LOCK_UN)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}: another deckbuilder build is writing here; try again when it has finished\n"
    )
    assert sorted(p.name for p in out.rglob("*") if p.suffix in (".apkg", ".json")) == []


@pytest.mark.anki
def test_images_are_shipped_as_media(library_copy: Path, tmp_path: Path, clock: Clock) -> None:
    """A local image in a card is packaged under a content-hashed name and lands in Anki's media."""
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    (library_copy / "01-mini-serving" / "arch.png").write_bytes(image)
    solution = library_copy / "01-mini-serving" / "solution.md"
    solution.write_text(
        solution.read_text().replace(
            "decoding step.", "decoding step.\n  ![architecture](arch.png)"
        )
    )
    out = tmp_path / "decks"
    build(load_library(library_copy), out=out, now=clock)
    col = fresh_collection(tmp_path / "anki")
    try:
        import_package(col, out / "llm-system-design.apkg")
        (note_id,) = col.find_notes('"Back:*architecture*"')
        back = col.get_note(note_id)["Back"]
        assert 'src="mini-serving--' in back and "--arch.png" in back
        name = back.split('src="', 1)[1].split('"', 1)[0]
        assert (Path(col.media.dir()) / name).read_bytes() == image
    finally:
        col.close()
