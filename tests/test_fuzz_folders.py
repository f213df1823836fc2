"""A grammar of whole scenario folders, written by a stranger: nothing outside the folder ships.

Hypothesis writes complete folders (front matter, requirements, concepts, trade-off
tables, follow-ups, mistakes, rubrics) whose text puts links and images to every kind of
target (inside, outside, absolute, encoded, devices, FIFOs, folders, symlinks out) in every
position the parser cuts from: labels with code spans, option cells, items indented as
code, nested lists and quotes up to past the parser's limit, code blocks, tables; plus
control characters. For every folder:

- loading either succeeds or raises a DeckbuilderError whose message prints no control
  character; nothing else escapes, and nothing hangs;
- every card renders or raises a DeckbuilderError, and every media file it would ship
  is a regular file inside the scenario folder, and no field or media file carries the
  outside secret.

A smaller property runs the real build and reads every byte of every package.
``HYPOTHESIS_PROFILE=long`` runs 20,000 folders through the first property.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_LIBRARY, Clock
from deckbuilder.build import build
from deckbuilder.errors import DeckbuilderError
from deckbuilder.library import load_library
from deckbuilder.render import render_card
from deckbuilder.sources import image_resolver
from test_fuzz import hang_guard

SECRET = "OUTSIDE-SECRET-7f3a9c"
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x9B)]

# link and image targets, relative to the scenario folder (see _folder for what each is)
SAFE = ["img.png", "sub/pic.png", "https://example.com/x.png"]
TARGETS = [
    "img.png",
    "sub/pic.png",
    "./img.png",
    "sub/../img.png",
    "missing.png",
    "sub",
    "fifo.png",
    "zero.png",
    "out.png",
    "loop.png",
    "../secret.txt",
    "../../secret.txt",
    "%2e%2e/secret.txt",
    "..%2Fsecret.txt",
    "sub/%2e%2e/%2e%2e/secret.txt",
    "SECRET_ABS",
    "//SECRET_ABS",
    "/dev/zero",
    "/etc/hostname",
    "file:///etc/hostname",
    "http://example.com/x.png",
    "https://example.com/x.png",
    "data:image/png;base64,AAAA",
    "javascript:alert(1)",
    "img.png#frag",
    "img.png?q=1",
    "<img.png>",
    "",
]

TOPICS = (
    "topics:\n  - id: serving\n    title: Serving\n    description: d\n"
    "    keywords: [tokens, KV cache]\n  - id: continuous-batching\n    title: Batching\n"
    "    description: d\n    keywords: [batching]\n"
)
WORDS = st.sampled_from(
    ["tokens", "KV cache", "**200 ms**", "**8** GPUs", "x", "P99", "_e_", "*s*", "{#id-x}", "}}"]
)


@st.composite
def target(draw: st.DrawFn) -> str:
    chosen = draw(st.sampled_from(SAFE if draw(st.integers(0, 40)) else TARGETS))
    return chosen.replace("SECRET_ABS", "{secret}")  # filled in once the folder exists


TARGET = target()


@st.composite
def inline(draw: st.DrawFn) -> str:
    """One line of inline markdown: words, links, images, code spans, raw HTML."""
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(
            st.sampled_from(
                ["word", "image", "link", "code-image", "ref", "autolink", "html", "control"]
            )
        )
        if kind == "word":
            parts.append(draw(WORDS))
        elif kind == "image":
            parts.append(f"![a]({draw(TARGET)})")
        elif kind == "link":
            parts.append(f"[l]({draw(TARGET)})")
        elif kind == "code-image":
            parts.append(f"`![c]({draw(TARGET)})`")
        elif kind == "ref":
            parts.append("![r][ref]")
        elif kind == "autolink":
            parts.append(f"<{draw(TARGET)}>")
        elif kind == "html":
            parts.append(f'<img src="{draw(TARGET)}">')
        elif draw(st.integers(0, 15)) == 0:
            parts.append(draw(st.sampled_from(CONTROL)))
    return " ".join(parts)


INLINE = inline()


@st.composite
def label(draw: st.DrawFn) -> str:
    """A bold label, sometimes wrapping its text (or an image) in a code span."""
    text = draw(st.one_of(WORDS, INLINE))
    if draw(st.booleans()):
        text = f"`{text}`"
    return text.replace("**", "")


LABEL = label()


@st.composite
def item(draw: st.DrawFn, *, labelled: bool) -> str:
    """A list item: bullet, optional label, body, and maybe a nested or indented block."""
    indent = " " * draw(st.sampled_from([0, 0, 0, 1, 4, 5, 6, 8]))
    bullet = draw(st.sampled_from(["-", "*", "+", "1."]))
    gap = " " * draw(st.sampled_from([1, 1, 1, 5, 6]))
    head = f"**{draw(LABEL)}:** " if labelled and draw(st.integers(0, 5)) else ""
    if not labelled:
        head = "**42** "  # a number to know has a bold number to hide
    lines = [f"{indent}{bullet}{gap}{head}{draw(INLINE)}"]
    for _ in range(draw(st.integers(0, 2))):
        pad = " " * draw(st.sampled_from([2, 4, 6, 8]))
        lines += [pad + line for line in draw(BLOCK).split("\n")]
    return "\n".join(lines)


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["para", "nested", "quote", "fence", "indented", "table", "def"]))
    if kind == "para":
        return draw(INLINE)
    if kind == "nested":
        levels = draw(st.integers(1, 12) if not draw(st.integers(0, 8)) else st.integers(1, 4))
        return "\n".join("  " * level + f"- {draw(INLINE)}" for level in range(levels))
    if kind == "quote":
        deep = not draw(st.integers(0, 8))
        return "> " * draw(st.integers(1, 25) if deep else st.integers(1, 3)) + draw(INLINE)
    if kind == "fence":
        return f"```\n{draw(INLINE)}\n```"
    if kind == "indented":
        return "    " + draw(INLINE)
    if kind == "table":
        return f"| a | b |\n| - | - |\n| {draw(INLINE)} | {draw(INLINE)} |"
    return f"[ref]: {draw(TARGET)}"


BLOCK = block()


@st.composite
def items(draw: st.DrawFn, *, labelled: bool = True) -> str:
    return "\n".join(
        draw(LABELLED_ITEM if labelled else BARE_ITEM) for _ in range(draw(st.integers(1, 4)))
    )


LABELLED_ITEM = item(labelled=True)
BARE_ITEM = item(labelled=False)


@st.composite
def extra(draw: st.DrawFn) -> str:
    """Free blocks anywhere: between sections, or as sections' trailing text."""
    return "\n\n".join(draw(BLOCK) for _ in range(draw(st.integers(0, 2))))


EXTRA = extra()
LABELLED_ITEMS = items()
BARE_ITEMS = items(labelled=False)


@st.composite
def folder_files(draw: st.DrawFn) -> dict[str, str]:
    front = (
        "---\nid: fuzz\nnumber: 1\ntitle: Fuzz\ndifficulty: medium\nlevel: L5\n"
        "duration: 45 min\nfocus: f\ntopics: [serving]\nrequirements:\n"
        f"  - {draw(st.sampled_from(['ok'] * 6 + ['x' + chr(0x1F), '[a](b)', '{secret}']))!r}\n---\n"
    )
    if not draw(st.integers(0, 20)):
        front = front.replace("---\n", "", 1)
    problem = (
        f"{front}\n# Fuzz\n\n{draw(EXTRA)}\n\n## Requirements\n\n### Functional\n\n"
        f"{draw(LABELLED_ITEMS)}\n\n## Numbers to know\n\n{draw(BARE_ITEMS)}\n"
    )
    options = [
        f"| {draw(LABEL)} | {draw(INLINE)} | {draw(INLINE)} | {draw(INLINE)} |"
        for _ in range(draw(st.integers(1, 3) if not draw(st.integers(0, 8)) else st.just(2)))
    ]
    solution = (
        f"# S\n\n## Key concepts\n\n{draw(LABELLED_ITEMS)}\n\n{draw(EXTRA)}\n\n## Trade-offs\n\n"
        f"### {draw(LABEL)}\n\n{draw(EXTRA)}\n\n| Option | Pros | Cons | Wins when |\n"
        "| --- | --- | --- | --- |\n" + "\n".join(options) + f"\n\n**Choice:** {draw(INLINE)}\n"
    )
    discussion = (
        f"# D\n\n## Follow-up questions\n\n### {draw(INLINE)}\n\n{draw(EXTRA)}\n\n"
        f"{draw(LABELLED_ITEMS)}\n\n## Common mistakes\n\n{draw(LABELLED_ITEMS)}\n"
    )
    levels = ["Strong Hire", "Hire", "Lean No Hire", "No Hire"]
    rubric = (
        f"# R\n\n## Dimensions\n\n### {draw(LABEL)}\n\n"
        + "\n".join(f"- **{level}:** {draw(INLINE)}" for level in levels)
        + f"\n\n{draw(EXTRA)}\n"
    )
    return {
        "problem.md": problem,
        "solution.md": solution,
        "discussion_points.md": discussion,
        "rubric.md": rubric,
    }


@contextmanager
def written(files: dict[str, str]) -> Iterator[tuple[Path, Path, Path]]:
    """The folder on disk: (scenarios root, scenario folder, outside secret)."""
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        secret = base / "secret.txt"
        secret.write_text(SECRET)
        root = base / "scenarios"
        folder = root / "01-fuzz"
        (folder / "sub").mkdir(parents=True)
        (root / "topics.yaml").write_text(TOPICS)
        (folder / "img.png").write_bytes(b"\x89PNG inside")
        (folder / "sub" / "pic.png").write_bytes(b"\x89PNG inside too")
        os.mkfifo(folder / "fifo.png")
        (folder / "zero.png").symlink_to("/dev/zero")
        (folder / "out.png").symlink_to(secret)
        (folder / "loop.png").symlink_to("loop.png")
        (root / "secret.txt").write_text(SECRET)  # inside the root, outside the scenario
        for name, text in files.items():
            (folder / name).write_text(text.replace("{secret}", str(secret)))
        yield root, folder, secret


def _event(name: str) -> None:
    if currently_in_test_context():
        event(name)  # how many folders loaded and were rendered: --hypothesis-show-statistics


def _assert_clean(error: DeckbuilderError) -> None:
    message = str(error)
    assert not any(ch in message for ch in CONTROL if ch not in "\t"), message


def check_folder(files: dict[str, str]) -> None:
    with written(files) as (root, folder, _secret), hang_guard():
        try:
            library = load_library(root, jobs=1)
        except DeckbuilderError as error:
            _event("refused by check")
            _assert_clean(error)
            return
        _event("loaded")
        inside = folder.resolve()
        for scenario in library.scenarios:
            images = image_resolver(folder, scenario_id=scenario.meta.id)
            for card in scenario.cards:
                try:
                    rendered = render_card(card, scenario.meta, images=images)
                except DeckbuilderError as error:
                    _assert_clean(error)
                    continue
                for field in rendered.fields:
                    assert SECRET not in field, (card.full_key, field)
                for _name, path in rendered.media:
                    real = path.resolve()
                    assert real.is_relative_to(inside) and real.is_file(), (card.full_key, path)
                    assert SECRET.encode() not in real.read_bytes()


# DECKBUILDER_FUZZ_FOLDERS splits a long run into chunks (each with its own --hypothesis-seed)
FOLDERS = int(os.environ.get("DECKBUILDER_FUZZ_FOLDERS", 20_000 if LONG else 200))
_many = settings(max_examples=FOLDERS)


@_many
@given(folder_files())
def test_no_generated_folder_ships_an_outside_file_or_escapes(files: dict[str, str]) -> None:
    check_folder(files)


@settings(max_examples=2_000 if LONG else 25)
@given(folder_files())
def test_built_packages_never_hold_an_outside_file(files: dict[str, str]) -> None:
    """The real build, then every byte of every package: the secret is never there."""
    with written(files) as (root, _folder, _secret), tempfile.TemporaryDirectory() as out:
        try:
            build(root, out=Path(out), now=Clock().seconds, jobs=1)
        except DeckbuilderError as error:
            _assert_clean(error)
        for package in Path(out).rglob("*.apkg"):
            with zipfile.ZipFile(package) as archive:
                for name in archive.namelist():
                    assert SECRET.encode() not in archive.read(name), (package, name)


def test_the_tester_s_attacks_through_the_same_check() -> None:
    """The three attacks the tester found, on the fixture scenario, pass through check_folder."""
    files = {
        name: (FIXTURE_LIBRARY / "01-mini-serving" / name).read_text()
        for name in ("problem.md", "solution.md", "discussion_points.md", "rubric.md")
    }
    files["solution.md"] = (
        files["solution.md"]
        .replace("- **KV cache:**", "- **`![x]({secret})`**: hidden.\n- **KV cache:**", 1)
        .replace("| Static batching |", "| `![y](out.png)` |", 1)
        .replace("- **KV cache:**", "-      **Sneaky:** ![z](../secret.txt)\n- **KV cache:**", 1)
    )
    check_folder(files)
