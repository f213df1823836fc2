"""Profile one full ``deckbuilder build`` of a generated library with cProfile.

    .venv/bin/python benchmarks/profile_build.py [-n 100] [--top 40] [--jobs 1] [--out PROF]

The build runs in this process through the CLI, into an empty folder. With the default
``--jobs 1`` (DECKBUILDER_JOBS=1) everything runs in this process, so the profile sees all
of the work; with more jobs, work done in worker processes shows only as waiting. Prints
the top functions by cumulative time and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also save the raw profile")
    args = parser.parse_args(argv)
    os.environ["DECKBUILDER_JOBS"] = str(args.jobs)
    work = Path(tempfile.mkdtemp(prefix="deckbuilder-profile-"))
    try:
        library = generate(work / "lib", args.n, seed=args.seed)
        from deckbuilder.cli import main as cli

        sys.argv = ["deckbuilder", "build", "--scenarios", str(library), "--out", str(work / "o")]
        profile = cProfile.Profile()
        real_stdout = sys.stdout
        sys.stdout = io.StringIO()  # the change report: one line per note
        try:
            profile.runcall(cli, standalone_mode=False)
        finally:
            sys.stdout = real_stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out is not None:
        profile.dump_stats(args.out)
    for order in ("cumulative", "tottime"):
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        print(f"=== N={args.n}, jobs={args.jobs}: top {args.top} by {order} ===")
        print(text.getvalue().split("\n\n", 1)[-1].strip())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
