"""A content-addressed cache of per-scenario work (parsed cards, rendered fields), as JSON.

Keys hash every byte that can change the result: the scenario folder's files,
topics.yaml, and deckbuilder's own source code together with the versions of the
libraries that shape a card (``code_digest``). So an edit to the parser, a card
builder or the renderer, or an upgrade, can never serve stale cards.

Entries are JSON, so an entry cannot run code, and sealed with a MAC under a key that
stays in the user's cache folder, so a planted entry (its name can be computed from
public content) is a miss, as is one that does not decode into the expected values.
The cache can make a build faster, never different. Builds keep it in
``<out>/.cache`` (ignored by git); commands without an output folder keep it in the
user's cache folder, one sub-folder per scenarios folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from deckbuilder.storage import write_atomic

CACHE_FORMAT = 3
SUFFIX = ".json"


# (import name, distribution name): the libraries whose version changes cards or packages
_LIBRARIES = (
    ("markdown_it", "markdown_it_py"),
    ("mdit_py_plugins", "mdit_py_plugins"),
    ("pygments", "pygments"),
    ("yaml", "pyyaml"),
    ("genanki", "genanki"),
)


def _installed(module: str, distribution: str) -> str:
    """The names of the distribution's metadata folders beside the installed module (they
    carry its version), found without importing it; '?' where there are none."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "?"
    site = Path(spec.origin).parent.parent
    prefix = distribution.lower() + "-"
    try:
        names = sorted(
            n
            for n in os.listdir(site)
            if n.lower().startswith(prefix) and n.endswith((".dist-info", ".egg-info"))
        )
    except OSError:
        return "?"
    return ",".join(names) or "?"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of deckbuilder's own source files and of the versions of the libraries that
    shape a card or a package (read from their installed metadata, without importing them,
    so that a no-op build stays cheap)."""
    import deckbuilder

    digest = hashlib.sha256(f"cache {CACHE_FORMAT}\0".encode())
    for module, distribution in _LIBRARIES:
        digest.update(f"{module} {_installed(module, distribution)}\0".encode())
    package = Path(deckbuilder.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _user_cache() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("deckbuilder", appauthor=False)


@lru_cache(maxsize=1)
def _secret() -> bytes:
    """This user's key for sealing cache files (kept in the user's cache folder, 0600).

    Entries in ``decks/.cache`` could be planted by anyone who can add a file to the
    repository, and their names can be computed from public content; a seal made with a
    key that never leaves this machine makes every planted file a miss."""
    import secrets

    path = _user_cache() / "cache.key"
    with contextlib.suppress(OSError):
        key = path.read_bytes()
        if len(key) == 32:
            return key
    key = secrets.token_bytes(32)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    with contextlib.suppress(OSError):
        if len(existing := path.read_bytes()) == 32:
            return existing  # another process made it first: use theirs
    return key  # no key file possible: a seal valid for this process only


def mac(data: bytes) -> bytes:
    """The MAC of ``data`` under this user's key (hex digits)."""
    return hmac.new(_secret(), data, hashlib.sha256).hexdigest().encode()


def seal(value: object) -> bytes:
    """``value`` as JSON, after a line with its MAC under this user's key (the JSON is
    not wrapped in another JSON string, so it is encoded and decoded once)."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return mac(data) + b"\n" + data


def unseal(raw: bytes) -> Any | None:
    """The value sealed by ``seal``; None for anything else (foreign, planted, damaged)."""
    signature, newline, data = raw.partition(b"\n")
    if not newline or not hmac.compare_digest(signature, mac(data)):
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


def user_cache_dir(root: Path) -> Path:
    """The cache for a scenarios folder read without an output folder (check, list, quiz)."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    folder = _user_cache() / "libraries"
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def load(directory: Path | None, kind: str, key: str) -> Any | None:
    """The entry's JSON value, or None: a missing, partial or foreign entry is a miss."""
    if directory is None:
        return None
    try:
        return unseal((directory / kind / f"{key}{SUFFIX}").read_bytes())
    except OSError:
        return None


def store(directory: Path | None, kind: str, key: str, value: object) -> None:
    """Write an entry atomically; a cache that cannot be written only costs speed.

    The cache folder is created only inside an existing parent (never the output folder
    itself), so a read-only run such as ``build --check`` creates no output folder.
    """
    if directory is None or not directory.parent.is_dir():
        return
    folder = directory / kind
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}{SUFFIX}", seal(value))


def prune(directory: Path | None, kind: str, keep: set[str]) -> None:
    """Drop entries no longer used, so the cache does not grow with every edit."""
    if directory is None:
        return
    try:
        entries = list((directory / kind).iterdir())
    except OSError:
        return
    for entry in entries:
        legacy = entry.suffix == ".pickle"  # entries of earlier versions: never read
        if legacy or (entry.suffix == SUFFIX and entry.stem not in keep):
            with contextlib.suppress(OSError):
                entry.unlink()
