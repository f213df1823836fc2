"""Writing outputs safely: the one atomic-write helper, streamed digests, the build lock,
recovery of leftovers, and disk errors turned into clear errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from deckbuilder.errors import BuildLocked, DeckbuilderError

CHUNK = 1 << 20


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, then rename.

    ``data`` is the bytes, or a function that writes them to the open file. The file gets
    the usual permissions (0644 under the usual umask), not the temporary file's 0600.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha(path: Path) -> str | None:
    """The SHA-256 of a file, read in chunks; None if there is no regular file there."""
    try:
        with path.open("rb") as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def disk_error(error: OSError, *, doing: str) -> DeckbuilderError:
    """An OSError as the one line a user needs: which file, what we were doing, why."""
    where = f"{error.filename}: " if error.filename else ""
    reason = error.strerror or str(error)
    return DeckbuilderError(f"{where}cannot {doing}: {reason}")


@contextlib.contextmanager
def disk_errors(doing: str) -> Iterator[None]:
    """Report an OSError raised inside as a DeckbuilderError."""
    try:
        yield
    except OSError as error:
        raise disk_error(error, doing=doing) from error


def make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents); a clear error if a file is in the way."""
    with disk_errors("create the output folder"):
        for parent in (*reversed(folder.parents), folder):
            if parent.exists() and not parent.is_dir():
                raise DeckbuilderError(f"{parent}: cannot create the output folder: not a folder")
        folder.mkdir(parents=True, exist_ok=True)


_HELD: set[str] = set()  # output folders this process is building into
_HELD_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(out: Path, *, name: str) -> Iterator[None]:
    """One build at a time per output folder; a second one is refused at once.

    A POSIX record lock belongs to this process alone: worker processes forked while it
    is held do not inherit it, and it goes away when this process dies, however it dies.
    (Within one process, a set of held folders keeps two threads apart.)
    """
    import errno
    import fcntl

    busy = BuildLocked(
        f"{out}: another deckbuilder build is writing here; try again when it has finished"
    )
    make_folder(out)
    path = out / name
    key = str(out.resolve())
    with _HELD_GUARD:
        if key in _HELD:
            raise busy
        _HELD.add(key)
    try:
        with disk_errors("open the lock file"):
            if path.is_dir() or path.is_symlink():
                raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EACCES, errno.EAGAIN):
                    raise busy from None
                raise disk_error(error, doing="lock the output folder") from error
            yield
        finally:
            os.close(fd)  # closing releases the lock
    finally:
        with _HELD_GUARD:
            _HELD.discard(key)


def recover(out: Path, *, folders: tuple[str, ...]) -> None:
    """Remove what killed or failed builds left behind (call while holding the lock):
    staging folders and temporary files in ``out`` and the given sub-folders."""
    for folder in (out, *(out / f for f in folders)):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith(".staging-") and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            elif name.endswith(".tmp") and name.startswith((".", "tmp")) and entry.is_file():
                entry.unlink(missing_ok=True)
