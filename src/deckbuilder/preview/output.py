"""Write the preview site into a folder, file by file and atomically, and record its version.

Only files this module wrote before (listed in ``version.json``) are ever deleted, so an
``--out`` folder that holds anything else keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from deckbuilder.errors import DeckbuilderError
from deckbuilder.preview.site import VERSION_FILE, Site
from deckbuilder.storage import write_atomic


def _read_version(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / VERSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def write_site(site: Site, *, out: Path) -> None:
    """Write every page, style, script and image; drop pages of scenarios that are gone."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        previous = _read_version(out).get("files", [])
        for name, data in site.files:
            _write_if_changed(out / name, data)
        for name, source in site.media:
            _write_if_changed(out / name, source.read_bytes())
        names = sorted([name for name, _ in site.files] + [name for name, _ in site.media])
        for name in set(previous) - set(names):
            if isinstance(name, str) and "/" not in name and not name.startswith("."):
                (out / name).unlink(missing_ok=True)
        record = {"version": site.version, "error": "", "files": names}
        write_atomic(out / VERSION_FILE, json.dumps(record, indent=1).encode())
    except OSError as error:
        raise DeckbuilderError(f"cannot write the preview to {out}: {error.strerror}") from error


def record_error(out: Path, message: str) -> None:
    """Keep the pages as they are and tell open pages (``--serve``) what went wrong."""
    record = _read_version(out)
    record["error"] = message
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / VERSION_FILE, json.dumps(record, indent=1).encode())
    except OSError as error:
        raise DeckbuilderError(f"cannot write the preview to {out}: {error.strerror}") from error
