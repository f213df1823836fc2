"""Serve the preview folder on localhost. The only module that imports http.server."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from deckbuilder.errors import DeckbuilderError


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the rebuild reports

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload always shows the latest build
        super().end_headers()


def start_server(folder: Path, *, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Serve ``folder`` in a background thread; ``port`` 0 picks a free one. Call shutdown()."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        server = ThreadingHTTPServer((host, port), partial(_Quiet, directory=str(folder)))
    except OSError as error:
        raise DeckbuilderError(
            f"cannot serve {folder} on {host}:{port}: {error.strerror}"
        ) from error
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server
