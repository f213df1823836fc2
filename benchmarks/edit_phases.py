"""Where a one-answer rebuild spends its time, phase by phase, at any library size.

    .venv/bin/python benchmarks/edit_phases.py LIBRARY OUT [--round K]

LIBRARY must already be built into OUT (``deckbuilder build --scenarios LIBRARY --out
OUT``). The script appends a few words to one answer in the middle scenario (as
``run.py`` does), then runs ``deckbuilder build`` in this process with a wall-clock timer
around each phase of ``rebuild.py`` and ``commit.py``. Run it twice: the first run after a
change to deckbuilder's code also re-parses every scenario (the cache keys cover the code).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import edit_one_answer  # noqa: E402


def _timed(times: dict[str, float], label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - started

    return wrapper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--round", type=int, default=1, help="a new edit for each round")
    args = parser.parse_args(argv)
    edited = edit_one_answer(args.library, 0, args.round)
    started = time.perf_counter()
    from deckbuilder import archive, cli, commit, manifest, noop, rebuild

    imports = time.perf_counter() - started
    times: dict[str, float] = {}
    for module, name, label in (
        (noop, "fingerprint", "no-op fingerprint (hash every input)"),
        (rebuild, "load_library", "load (parse the edited scenario, decode the others)"),
        (rebuild, "render_library", "rendered fields (from the cache)"),
        (rebuild, "read_manifest", "read the manifest"),
        (rebuild, "_package_files", "SHA-256 of every package"),
        (archive, "hashes", "notes archive: list its hashes"),
        (rebuild, "plan", "plan (every note)"),
        (commit, "map_jobs", "write the changed packages"),
        (manifest.Manifest, "to_json", "manifest to text"),
        (archive, "update", "notes archive: add the new entries"),
        (rebuild, "commit", "commit (packages, archive, manifest, swap)"),
        (noop, "record", "no-op record"),
    ):
        setattr(module, name, _timed(times, label, getattr(module, name)))
    started = time.perf_counter()
    cli.main(
        ["build", "--scenarios", str(args.library), "--out", str(args.out)], standalone_mode=False
    )
    total = time.perf_counter() - started
    print(f"edited {edited}; imports {imports:.3f} s; build {total:.3f} s")
    for label, seconds in times.items():
        print(f"  {label:<52} {seconds:8.3f} s  {seconds / total:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
