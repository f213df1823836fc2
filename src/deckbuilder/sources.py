"""Read the input files safely: size, UTF-8, symlinks, unreadable files; digests of folders
and images, read in chunks. Every problem is collected as ``path:line: message``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from deckbuilder.controls import control_problems
from deckbuilder.errors import DeckbuilderError
from deckbuilder.model import Problem, SourceLocation
from deckbuilder.storage import CHUNK

MAX_FILE_BYTES = 1_048_576  # 1 MiB: far above any real scenario file
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

# A resolver turns an image target written in a card into (name in the package, file).
ImageResolver = Callable[[str], tuple[str, Path]]


def inside(path: Path, *, root: Path, label: str, problems: list[Problem]) -> bool:
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
    except RuntimeError as error:  # a loop (Python 3.11)
        problems.append(Problem(SourceLocation(label, 1), f"symlink loop ({error})"))
        return False
    except OSError as error:
        problems.append(Problem(SourceLocation(label, 1), _unreadable(error)))
        return False
    if not real.is_relative_to(root.resolve()):
        problems.append(
            Problem(
                SourceLocation(label, 1), f"symlink leads outside the scenarios folder ({real})"
            )
        )
        return False
    return True


def _unreadable(error: OSError) -> str:
    import errno

    if error.errno == errno.ELOOP:
        return f"symlink loop ({error})"
    return f"cannot read: {error.strerror or error}"


def read_text(
    path: Path, *, label: str, problems: list[Problem], root: Path | None = None
) -> str | None:
    """A file's text, or None with a problem: missing, a bad symlink, too big, not UTF-8,
    unreadable."""
    if root is not None and not inside(path, root=root, label=label, problems=problems):
        return None
    try:
        if not path.is_file():
            problems.append(Problem(SourceLocation(label, 1), "required file is missing"))
            return None
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    SourceLocation(label, 1),
                    f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                )
            )
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        problems.append(Problem(SourceLocation(label, 1), _unreadable(error)))
        return None
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
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    rejected = control_problems(text, path=label)  # the one gate: nothing past it holds one
    problems += rejected
    return None if rejected else text


def _stream(digest: hashlib._Hash, path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)


def folder_digest(folder: Path, *, extra: bytes = b"") -> str:
    """A hash of every regular file under a folder (names and bytes, read in chunks, so a
    huge stray file costs time, not memory), plus ``extra``."""
    digest = hashlib.sha256(extra)
    for path in sorted(folder.rglob("*")):
        try:
            if not path.is_file():
                continue
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            _stream(digest, path)
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


def media_name(scenario_id: str, target: str, content_sha: str) -> str:
    """A flat media file name for an image: unique per scenario, path and content.

    The content hash is part of the name, so a changed image changes the note's
    fields and reaches Anki as an update, never as a silently stale picture.
    """
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", target.strip("./"))
    return f"{scenario_id}--{content_sha[:10]}--{clean}"


def image_resolver(folder: Path, *, scenario_id: str) -> ImageResolver:
    """Resolve a card's local image targets to files in the scenario's folder."""

    base = folder.resolve()

    def resolve(target: str) -> tuple[str, Path]:
        # loading checked this already; checked again because these bytes go into a
        # package, and nothing outside the scenario folder may ever reach one
        try:
            path = (base / unquote(target.split("#", 1)[0].split("?", 1)[0])).resolve()
        except (RuntimeError, OSError) as error:
            raise DeckbuilderError(
                f"{folder}: image '{target}' cannot be read ({error})"
            ) from error
        if not path.is_relative_to(base) or path == base:
            raise DeckbuilderError(f"{folder}: image '{target}' is outside the scenario folder")
        if not path.is_file():
            raise DeckbuilderError(f"{folder}: image '{target}' is not a regular file")
        digest = hashlib.sha256()
        try:
            _stream(digest, path)
        except OSError as error:
            raise DeckbuilderError(
                f"{path}: cannot read the image '{target}': {error.strerror or error}"
            ) from error
        return media_name(scenario_id, target, digest.hexdigest()), path

    return resolve
