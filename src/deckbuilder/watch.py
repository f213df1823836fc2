"""Rebuild whenever a scenario file is saved. The only module that imports watchfiles."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles import watch as watch_changes

from deckbuilder.errors import DeckbuilderError


def watch(
    scenarios: Path,
    *,
    rebuild: Callable[[], None],
    ready: Callable[[], None],
    stop: threading.Event | None = None,
) -> None:
    """Call ``rebuild`` once now and again after every batch of saved changes under ``scenarios``.

    ``ready`` is called each time the watcher is running and waiting for the next save
    (after the first build and after every rebuild), so nothing saved before it is missed.
    Editors save through temporary files and renames; watchfiles debounces a burst of
    events into one batch, so one save gives one rebuild.
    """
    if not scenarios.is_dir():
        raise DeckbuilderError(f"{scenarios}: scenarios folder not found")
    rebuild()
    waiting = False
    try:
        for changes in watch_changes(
            scenarios,
            stop_event=stop,
            watch_filter=lambda _change, path: path.endswith((".md", ".yaml")),
            debounce=300,
            rust_timeout=200,
            yield_on_timeout=True,
        ):
            if changes:
                rebuild()
                waiting = False
            if not waiting:
                ready()  # the watcher is running: saves from now on are seen
                waiting = True
    except OSError as error:  # the folder went away, or the system's watch limit was hit
        raise DeckbuilderError(f"{scenarios}: cannot watch: {error.strerror or error}") from error
