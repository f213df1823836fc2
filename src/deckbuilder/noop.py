"""The fast no-op: a record of the last build (``.cache/state.json``) that proves, when
the inputs and outputs are exactly as it left them, that there is nothing to do.

The fingerprint hashes every byte a build reads and deckbuilder's own code with the
versions of the libraries it builds with (as the cache keys do: that covers the package
writer's version and the note types), so an upgrade is never mistaken for a no-op. This
module imports nothing heavy: a no-op build never loads the parser or the package writer.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deckbuilder import cache
from deckbuilder.outputs import MANIFEST
from deckbuilder.sources import folder_digest
from deckbuilder.storage import file_sha, write_atomic

STATE = "state.json"


def fingerprint(root: Path) -> str:
    """A hash of everything a build reads: every scenario folder, topics.yaml, and
    deckbuilder's code (with the note types and the package writer's version) and the
    versions of its libraries. Equal fingerprints give equal packages."""
    digest = hashlib.sha256(f"noop\0{cache.code_digest()}\0".encode())
    with contextlib.suppress(OSError):
        digest.update((root / "topics.yaml").read_bytes())
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


def unchanged(
    out: Path, *, folder: Path, fingerprint: str, present: Sequence[str]
) -> tuple[tuple[str, ...], int] | None:
    """(packages, notes) of the last build, if its record in ``folder`` proves a rebuild has
    nothing to do: same inputs, and the manifest and exactly these packages (``present``)
    as that build left them."""
    try:
        state: Any = cache.unseal((folder / STATE).read_bytes())
        packages = list(state["packages"])
        if (
            state["fingerprint"] != fingerprint
            or state["manifest"] != file_sha(out / MANIFEST)
            or sorted(present) != sorted(packages)
            or _stats(out, packages) != state["packages"]
        ):
            return None
        return tuple(packages), int(state["notes"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(
    out: Path, *, folder: Path, fingerprint: str, notes: int, packages: Sequence[str]
) -> None:
    """Remember this build, for the next one (a record that cannot be written costs speed)."""
    state = {
        "fingerprint": fingerprint,
        "manifest": file_sha(out / MANIFEST),
        "notes": notes,
        "packages": _stats(out, packages),
    }
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / STATE, cache.seal(state))
