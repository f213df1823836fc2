"""Benchmark ``deckbuilder preview`` against ``deckbuilder build`` on the same scenarios.

    .venv/bin/python benchmarks/preview.py [--scenarios scenarios] [--repeat 7]

Each run starts a fresh subprocess writing into an empty folder: a full build (its cache
is in the output folder, so it starts cold), a preview with an empty user cache folder
(cold), and a preview whose parse cache is warm (the usual case: ``check``, ``list`` and
the quiz fill it too), alternating so all see the same machine load. Prints the medians of
wall time and of CPU time (user + system, children included) and the ratios to the
build; the issue's target is about 1 or less. No absolute time is judged: the machine is
shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DECKBUILDER = Path(sys.executable).parent / "deckbuilder"


def _timed(command: list[str], *, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one command (the CPU of its worker processes included)."""
    before = os.times()
    start = time.perf_counter()
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=Path, default=Path("scenarios"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    kinds = ("build", "preview (cold cache)", "preview (warm cache)")
    results: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    warm = Path(tempfile.mkdtemp(prefix="bench-warm-cache-"))
    try:
        for _ in range(args.repeat):
            for kind in kinds:
                out = Path(tempfile.mkdtemp(prefix="bench-"))
                try:
                    command = [
                        str(DECKBUILDER),
                        kind.split()[0],
                        "--scenarios",
                        str(args.scenarios),
                    ]
                    cache = warm if "warm" in kind else out / "cache"
                    results[kind].append(
                        _timed([*command, "--out", str(out / "site")], cache=cache)
                    )
                finally:
                    shutil.rmtree(out)
    finally:
        shutil.rmtree(warm)
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in results.items()
    }
    for name, (wall, cpu) in medians.items():
        print(
            f"{name:21} median wall {wall:5.2f} s   median CPU {cpu:5.2f} s   ({args.repeat} runs)"
        )
    build_wall, build_cpu = medians["build"]
    for name in kinds[1:]:
        wall, cpu = medians[name]
        print(f"{name} / build: wall {wall / build_wall:.2f}x, CPU {cpu / build_cpu:.2f}x")
    print(f"target: about 1 or less; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
