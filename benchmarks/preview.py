"""Benchmark ``deckbuilder preview`` against ``deckbuilder build`` on the same scenarios.

    .venv/bin/python benchmarks/preview.py [--scenarios scenarios] [--repeat 7]

Each run starts a fresh subprocess writing into an empty folder: a full build, then a
preview, alternating so both see the same machine load. Prints the medians of wall time
and of CPU time (user + system, children included) and the ratio preview / build; the
issue's target is a ratio of about 1 or less. No absolute time is judged: the machine is
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


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command (the CPU of its worker processes included)."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
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
    results: dict[str, list[tuple[float, float]]] = {"build": [], "preview": []}
    for _ in range(args.repeat):
        for name in ("build", "preview"):
            out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
            try:
                command = [str(DECKBUILDER), name, "--scenarios", str(args.scenarios)]
                results[name].append(_timed([*command, "--out", str(out / "site")]))
            finally:
                shutil.rmtree(out)
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in results.items()
    }
    for name, (wall, cpu) in medians.items():
        print(
            f"{name:8} median wall {wall:5.2f} s   median CPU {cpu:5.2f} s   ({args.repeat} runs)"
        )
    (build_wall, build_cpu), (preview_wall, preview_cpu) = medians["build"], medians["preview"]
    wall_ratio, cpu_ratio = preview_wall / build_wall, preview_cpu / build_cpu
    print(
        f"preview / build: wall {wall_ratio:.2f}x, CPU {cpu_ratio:.2f}x"
        f" (target: about 1 or less); load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
