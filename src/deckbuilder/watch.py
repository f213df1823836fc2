"""Rebuild whenever a scenario file is saved. The only module that imports watchfiles."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import watch as watch_changes


def watch(
    scenarios: Path,
    *,
    rebuild: Callable[[], None],
    stop: threading.Event | None = None,
) -> None:
    """Call ``rebuild`` once now and again after every batch of saved changes under ``scenarios``.

    Editors save through temporary files and renames; watchfiles debounces a
    burst of events into one batch, so one save gives one rebuild.
    """
    rebuild()
    for _changes in watch_changes(
        scenarios,
        stop_event=stop,
        watch_filter=lambda _change, path: path.endswith((".md", ".yaml")),
        debounce=300,
        rust_timeout=500,
        yield_on_timeout=False,
    ):
        rebuild()
