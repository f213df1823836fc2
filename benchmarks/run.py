"""Benchmark ``deckbuilder build`` against a floor measured in the same run, and print ratios.

    .venv/bin/python benchmarks/run.py [--sizes 10,100,1000] [--repeat K] [--json PATH]

For each size N it generates a synthetic library of N scenarios (benchmarks/generate.py)
and measures, each in a fresh subprocess, wall time and peak RSS (os.wait4):

- full: ``deckbuilder build --scenarios LIB --out EMPTY`` (start-up included, any cores);
- floor: benchmarks/floor.py, raw markdown-it-py parsing of the same files plus raw
  genanki writing of the same notes into the same packages, in one process (its notes
  come from the full build's packages, read before timing; reading them is not counted);
- no-op: a second build into the same folder with nothing changed;
- one-edit: a build after editing one concept's answer in one file;

and, once, ``deckbuilder --help`` against ``python -c "import click"`` (median of runs).
Peak memory is the larger of the biggest single process (os.wait4) and the sampled PSS
of the whole process tree (a parallel build's workers included).

Every child runs deckbuilder from a snapshot of src/deckbuilder copied when the run starts
(``--live`` runs the working tree instead), so edits made to src/ during a long run do not
mix versions; the JSON records the commit and whether src/ changed meanwhile.
Measurements of one kind alternate with those they are compared with, and every result is
a ratio to a baseline from the same run: the machine is shared and noisy, so no absolute
time is judged. Targets are shown beside the ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True  # keep benchmarks/ free of __pycache__
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PYTHON = sys.executable
FLOOR = HERE / "floor.py"
NUMBER_LIMIT = "number must be between 1 and 99"

TARGETS = {
    "full_vs_floor": 1.0,  # full build <= 1.0x the floor, wall time, paired runs
    "full_vs_floor_cpu": 1.3,  # full build <= 1.3x the floor, CPU time (user+sys), paired
    "one_edit_vs_full": 0.05,  # one-edit rebuild <= 5% of a full build
    "noop_vs_full": 0.03,  # no-op rebuild <= 3% of a full build
    "growth_per_10x": 11.0,  # time(10N) / time(N) <= 11
    "peak_rss_mb_at_1000": 1024.0,  # peak memory of the N=1000 build <= 1 GB
    "help_vs_import_click": 1.5,  # deckbuilder --help <= 1.5x python -c "import click"
    "default_vs_jobs1": 1.0,  # default jobs <= --jobs 1, real library and N=1000, paired
    "real_one_edit_s": 0.25,  # one answer edited, real library
    "real_noop_s": 0.15,  # no-op rebuild, real library
    "real_check_s": 0.3,  # deckbuilder check, real library, warm cache
    "quiz_first_card_warm_s": 0.3,  # deckbuilder quiz: start to the first card shown, warm
    "placements_vs_peer": 1.0,  # placements/s >= the fastest peer's notes/s (13k, 50k notes)
}
ROOT = HERE.parent


@dataclass
class Run:
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_mb: float  # the largest single process of the tree (os.wait4)
    returncode: int
    stdout: str
    stderr: str
    tree_rss_mb: float = 0.0  # sampled: the most RSS the whole process tree held at once
    tree_pss_mb: float = 0.0  # the same in PSS (shared pages counted once)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; zeros if it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            values = dict(line.split(":", 1) for line in handle if ":" in line)
        return int(values["Rss"].split()[0]), int(values["Pss"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0, 0


class TreeSampler(threading.Thread):
    """Polls the memory of a process and all its descendants (a parallel build's workers)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0

    def run(self) -> None:
        while not self.stop.is_set():
            rss = pss = 0
            for pid in _descendants(self.pid):
                r, p = _memory_kib(pid)
                rss, pss = rss + r, pss + p
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.stop.wait(self.interval)


def run_child(
    cmd: list[str], *, check: bool = True, keep_stdout: bool = True, sample: bool = False
) -> Run:
    """Run a command, timing it; peak RSS from os.wait4 and, with ``sample``, of its tree."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV
        )
        sampler = TreeSampler(process.pid) if sample and os.path.exists("/proc/self") else None
        if sampler is not None:
            sampler.start()
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(
            wall_s=wall,
            user_s=usage.ru_utime,
            sys_s=usage.ru_stime,
            max_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
            returncode=process.returncode,
            stdout=out.read().decode(errors="replace") if keep_stdout else "",
            stderr=err.read().decode(errors="replace"),
            tree_rss_mb=sampler.peak_rss / 1024 if sampler else 0.0,
            tree_pss_mb=sampler.peak_pss / 1024 if sampler else 0.0,
        )
    if check and result.returncode != 0:
        raise SystemExit(
            f"command failed ({result.returncode}): {' '.join(cmd)}\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


# Children run deckbuilder from a snapshot of src/deckbuilder taken when the run starts
# (others edit src/ while a long run goes on); set by use_snapshot().
CHILD_ENV: dict[str, str] | None = None
ENTRY: Path | None = None
ENTRY_SCRIPT = """import sys
from deckbuilder.cli import main
if __name__ == "__main__":
    sys.argv[0] = "deckbuilder"
    sys.exit(main())
"""


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def use_snapshot(work: Path) -> str:
    """Copy src/deckbuilder into ``work`` and make every child import it from there."""
    global CHILD_ENV, ENTRY
    import deckbuilder

    source = Path(deckbuilder.__file__).resolve().parent
    target = work / "src-snapshot"
    rmtree(target)
    shutil.copytree(source, target / "deckbuilder", ignore=shutil.ignore_patterns("__pycache__"))
    ENTRY = target / "deckbuilder_cli.py"  # its folder comes first on sys.path
    ENTRY.write_text(ENTRY_SCRIPT, encoding="utf-8")
    CHILD_ENV = dict(os.environ, PYTHONPATH=str(target))
    return tree_digest(target / "deckbuilder")


def deckbuilder_cmd() -> list[str]:
    if ENTRY is not None:
        return [PYTHON, str(ENTRY)]
    exe = Path(PYTHON).parent / "deckbuilder"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("deckbuilder")
    if found is None:
        raise SystemExit("deckbuilder is not installed in this Python's environment")
    return [found]


def median(values: list[float]) -> float:
    return statistics.median(values)


def build(library: Path, out: Path, *more: str) -> Run:
    cmd = [*deckbuilder_cmd(), "build", "--scenarios", str(library), "--out", str(out), *more]
    return run_child(cmd, sample=True)


def floor(library: Path, plan: Path, out: Path) -> tuple[Run, dict[str, float]]:
    result = run_child(
        [
            PYTHON,
            str(FLOOR),
            "run",
            "--scenarios",
            str(library),
            "--plan",
            str(plan),
            "--out",
            str(out),
        ]
    )
    phases = json.loads(result.stdout.strip().splitlines()[-1])
    return result, phases


def changes(stdout: str) -> dict[str, int]:
    counts = {"added": 0, "changed": 0, "removed": 0}
    for line in stdout.splitlines():
        word = line.split(maxsplit=1)[0] if line.strip() else ""
        if word in counts:
            counts[word] += 1
    match = re.search(r"\((\d+) written, (\d+) unchanged\), (\d+) notes", stdout)
    if match:
        counts["written"], counts["unchanged"], counts["notes"] = map(int, match.groups())
    return counts


def edit_one_answer(library: Path, n: int, round_: int) -> str:
    """Append a few words to the first key concept's definition in the middle scenario."""
    folders = sorted(p for p in library.iterdir() if p.is_dir())
    path = folders[len(folders) // 2] / "solution.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index("## Key concepts")
    for index in range(start + 1, len(lines)):
        if lines[index].startswith("- **"):
            lines[index] = re.sub(r" Edited in round \d+\.$", "", lines[index])
            lines[index] += f" Edited in round {round_}."
            break
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path.relative_to(library))


def rmtree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def source_state() -> dict[str, Any]:
    """Which deckbuilder was measured: HEAD and whether src/ had uncommitted changes."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=HERE.parent, capture_output=True, text=True, check=False
            )
        except OSError:
            return ""
        return done.stdout.rstrip("\n")

    return {
        "head": git("rev-parse", "HEAD"),
        "src_changes": git("status", "--porcelain", "--", "src").splitlines(),
    }


def startup(runs: int) -> dict[str, Any]:
    help_cmd = [*deckbuilder_cmd(), "--help"]
    click_cmd = [PYTHON, "-c", "import click"]
    run_child(help_cmd)  # warm the page cache once
    run_child(click_cmd)
    helps, clicks = [], []
    for _ in range(runs):
        helps.append(run_child(help_cmd).wall_s)
        clicks.append(run_child(click_cmd).wall_s)
    h, c = median(helps), median(clicks)
    return {
        "runs": runs,
        "help_s": h,
        "import_click_s": c,
        "ratio": h / c,
        "target": TARGETS["help_vs_import_click"],
        "help_all_s": helps,
        "import_click_all_s": clicks,
    }


def bench_size(
    n: int, *, repeat: int, seed: int, work: Path, log: Any, jobs1: bool = False
) -> dict[str, Any]:
    library = work / f"lib-{n}-seed{seed}"
    started = time.perf_counter()
    rmtree(library)  # always fresh: an earlier run may have left an edit behind
    generate(library, n, seed=seed)
    generated_s = time.perf_counter() - started
    md_bytes = sum(p.stat().st_size for p in library.glob("*/*.md"))
    log(f"N={n}: library ready ({md_bytes / 1e6:.1f} MB, {generated_s:.1f} s)")

    outs = work / f"out-{n}"
    rmtree(outs)
    outs.mkdir()
    main_out = outs / "main"
    plan = outs / "floor-plan.json"
    fulls: list[Run] = []
    floors: list[Run] = []
    floor_phases: list[dict[str, float]] = []
    floor_net: list[float] = []
    floor_net_cpu: list[float] = []
    first_report: dict[str, int] = {}
    singles: list[Run] = []
    for r in range(repeat):
        target = main_out if r == 0 else outs / f"full-{r}"
        full = build(library, target)
        fulls.append(full)
        if r == 0:
            first_report = changes(full.stdout)
            run_child(
                [PYTHON, str(FLOOR), "prepare", "--packages", str(main_out), "--plan", str(plan)]
            )
        else:
            rmtree(target)
        log(
            f"N={n}: full build {r + 1}/{repeat}: {full.wall_s:.2f} s, largest process "
            f"{full.max_rss_mb:.0f} MB, tree {full.tree_pss_mb:.0f} MB PSS"
        )
        floor_out = outs / f"floor-{r}"
        result, phases = floor(library, plan, floor_out)
        rmtree(floor_out)
        floors.append(result)
        floor_phases.append(phases)
        floor_net.append(result.wall_s - phases["load_s"])
        floor_net_cpu.append(result.user_s + result.sys_s - phases.get("load_cpu_s", 0.0))
        log(
            f"N={n}: floor {r + 1}/{repeat}: {floor_net[-1]:.2f} s "
            f"(plus {phases['load_s']:.2f} s reading its plan, not counted)"
        )
        if jobs1:
            single_out = outs / f"jobs1-{r}"
            singles.append(build(library, single_out, "--jobs", "1"))
            rmtree(single_out)
            log(f"N={n}: full build --jobs 1 {r + 1}/{repeat}: {singles[-1].wall_s:.2f} s")
    plan.unlink(missing_ok=True)

    noops: list[Run] = []
    for r in range(repeat):
        noops.append(build(library, main_out))
        log(f"N={n}: no-op rebuild {r + 1}/{repeat}: {noops[-1].wall_s:.2f} s")
    edits: list[Run] = []
    edited = ""
    for r in range(repeat):
        edited = edit_one_answer(library, n, r + 1)
        edits.append(build(library, main_out))
        log(f"N={n}: one-edit rebuild {r + 1}/{repeat}: {edits[-1].wall_s:.2f} s")
    rmtree(outs)

    full_s = median([x.wall_s for x in fulls])
    floor_s = median(floor_net)
    # full build r and floor r ran back to back: the ratio is taken pair by pair, so a
    # drift in the machine's speed between pairs cancels out
    pair_wall = [f.wall_s / b for f, b in zip(fulls, floor_net, strict=True)]
    pair_cpu = [(f.user_s + f.sys_s) / b for f, b in zip(fulls, floor_net_cpu, strict=True)]
    noop_s = median([x.wall_s for x in noops])
    edit_s = median([x.wall_s for x in edits])
    peak_single = max(x.max_rss_mb for x in fulls)
    peak_tree_pss = max(x.tree_pss_mb for x in fulls)
    peak_tree_rss = max(x.tree_rss_mb for x in fulls)
    peak = max(peak_single, peak_tree_pss)
    edit_report = changes(edits[-1].stdout)
    noop_report = changes(noops[-1].stdout)
    phase_medians = {
        key: median([p[key] for p in floor_phases]) for key in ("import_s", "parse_s", "write_s")
    }
    jobs_ratio = [f.wall_s / s.wall_s for f, s in zip(fulls, singles, strict=False)]
    return {
        "default_vs_jobs1": median(jobs_ratio) if jobs_ratio else None,
        "default_vs_jobs1_pairs": jobs_ratio,
        "jobs1_s": median([x.wall_s for x in singles]) if singles else None,
        "n": n,
        "seed": seed,
        "repeat": repeat,
        "markdown_bytes": md_bytes,
        "notes": first_report.get("notes"),
        "packages": first_report.get("written"),
        "full_s": full_s,
        "floor_s": floor_s,
        "noop_s": noop_s,
        "one_edit_s": edit_s,
        "full_vs_floor": median(pair_wall),
        "full_vs_floor_pairs": pair_wall,
        "one_edit_vs_full": edit_s / full_s,
        "noop_vs_full": noop_s / full_s,
        "peak_memory_mb": peak,
        "peak_rss_largest_process_mb": peak_single,
        "peak_tree_pss_mb": peak_tree_pss,
        "peak_tree_rss_mb": peak_tree_rss,
        "full_cpu_s": median([x.user_s + x.sys_s for x in fulls]),
        "floor_cpu_s": median(floor_net_cpu),
        "full_vs_floor_cpu": median(pair_cpu),
        "full_vs_floor_cpu_pairs": pair_cpu,
        "floor_phases_s": phase_medians,
        "floor_peak_rss_mb": max(x.max_rss_mb for x in floors),
        "noop_report": noop_report,
        "one_edit_report": edit_report,
        "edited_file": edited,
        "all_runs": {
            "full": [asdict(x) | {"stdout": "", "stderr": ""} for x in fulls],
            "floor": [asdict(x) | {"stdout": "", "stderr": ""} for x in floors],
            "floor_net_s": floor_net,
            "noop": [asdict(x) | {"stdout": "", "stderr": ""} for x in noops],
            "one_edit": [asdict(x) | {"stdout": "", "stderr": ""} for x in edits],
        },
    }


PARSE_ONE = """import sys, time
from pathlib import Path
from deckbuilder.markdown import parse
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.md"))]
start = time.perf_counter()
for text in texts:
    parse(text)
print(time.perf_counter() - start)
"""


def first_card(library: Path, state: Path) -> float:
    """Seconds from starting ``deckbuilder quiz`` to the first card printed (JSON mode)."""
    cmd = [*deckbuilder_cmd(), "quiz", "--scenarios", str(library), "--state", str(state)]
    start = time.perf_counter()
    process = subprocess.Popen(
        [*cmd, "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=CHILD_ENV,
    )
    assert process.stdout is not None and process.stdin is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.stdin.close()
    process.wait()
    if b'"card"' not in line:
        raise SystemExit(f"the quiz showed no card: {line[:200]!r}")
    return elapsed


def bench_real(source: Path, *, repeat: int, work: Path, log: Any) -> dict[str, Any]:
    """The shipped scenarios: cold build with the default jobs against --jobs 1 (paired),
    no-op, one answer edited, check and the quiz's first card with a warm cache."""
    library = work / "real" / "scenarios"
    rmtree(library.parent)
    shutil.copytree(source, library)
    cmd = deckbuilder_cmd()
    defaults, singles = [], []
    for r in range(repeat):
        for runs, more in ((defaults, ()), (singles, ("--jobs", "1"))):
            out = work / "real" / f"cold-{r}"
            runs.append(build(library, out, *more))
            rmtree(out)
    out = work / "real" / "decks"
    build(library, out)
    noops = [build(library, out).wall_s for _ in range(repeat)]
    edits = []
    for r in range(repeat):
        edit_one_answer(library, 10, r + 1)
        edits.append(build(library, out).wall_s)
    check = [*cmd, "check", "--scenarios", str(library)]
    run_child(check)  # fills the user cache
    checks = [run_child(check).wall_s for _ in range(repeat)]
    state = work / "real" / "quiz.db"
    first_card(library, state)  # warms the cache
    quiz = [first_card(library, state) for _ in range(repeat)]
    # the floor of an edit: start Python with what a build imports, and parse one scenario
    # what a build with work to do imports (a no-op imports only deckbuilder.build)
    imports = [PYTHON, "-c", "import deckbuilder.cli, deckbuilder.build, deckbuilder.rebuild"]
    import_s = median([run_child(imports).wall_s for _ in range(repeat)])
    folders = sorted(p for p in library.iterdir() if p.is_dir())
    parse = [PYTHON, "-c", PARSE_ONE, str(folders[len(folders) // 2])]  # the edited one
    parse_s = median([float(run_child(parse).stdout) for _ in range(repeat)])
    rmtree(library.parent)
    pairs = [d.wall_s / s.wall_s for d, s in zip(defaults, singles, strict=True)]
    result = {
        "cold_default_s": median([x.wall_s for x in defaults]),
        "cold_jobs1_s": median([x.wall_s for x in singles]),
        "default_vs_jobs1": median(pairs),
        "default_vs_jobs1_pairs": pairs,
        "noop_s": median(noops),
        "one_edit_s": median(edits),
        "check_s": median(checks),
        "quiz_first_card_warm_s": median(quiz),
        "floor_imports_s": import_s,
        "floor_parse_one_scenario_s": parse_s,
        "all_runs": {"noop": noops, "one_edit": edits, "check": checks, "quiz": quiz},
    }
    log(f"real library: {json.dumps({k: v for k, v in result.items() if k != 'all_runs'})}")
    return result


def bench_peers(sizes: list[int], *, repeat: int, work: Path, log: Any) -> list[dict[str, Any]]:
    """benchmarks/peers.py at these sizes: placements/s against the fastest peer's notes/s."""
    import peers

    folder = work / "peers"
    rmtree(folder)
    folder.mkdir(parents=True)
    found = peers.install_peers(folder / "venv")
    results = []
    for n in sizes:
        size_work = folder / f"n{n}"
        size_work.mkdir()
        result = peers.bench(n, repeat=repeat, peers=found, work=size_work)
        log(peers.table(result))
        results.append(result)
    rmtree(folder)
    return results


def summary(
    real: dict[str, Any] | None, peer_results: list[dict[str, Any]], sizes: dict[str, Any]
) -> str:
    """The issue's target table: one row per target, with what was measured."""
    rows: list[tuple[str, str, str, str]] = []

    def row(measure: str, value: float | None, fmt: str, target: str, ok: bool | None) -> None:
        shown = "not measured" if value is None else fmt.format(value)
        rows.append((measure, shown, target, "-" if ok is None else _verdict(ok)))

    for key, label in (("full_vs_floor", "wall"), ("full_vs_floor_cpu", "CPU")):
        for n, result in sizes.items():
            row(
                f"full build / fair floor, {label}, N={n}",
                result[key],
                "{:.2f}x",
                f"<= {TARGETS[key]:.1f}x",
                result[key] <= TARGETS[key],
            )
    for n, result in sizes.items():
        row(
            f"one-answer edit / full build, N={n}",
            result["one_edit_vs_full"],
            "{:.1%}",
            "<= 5% at N=1000",
            result["one_edit_vs_full"] <= TARGETS["one_edit_vs_full"] if n == "1000" else None,
        )
    for n, result in sizes.items():
        row(
            f"no-op / full build, N={n}",
            result["noop_vs_full"],
            "{:.1%}",
            "<= 3% at N=100, 1000",
            result["noop_vs_full"] <= TARGETS["noop_vs_full"] if n in ("100", "1000") else None,
        )
    for n, result in sizes.items():
        if n == "1000":
            row(
                "peak memory, whole tree (PSS), N=1000",
                result["peak_memory_mb"],
                "{:.0f} MB",
                "<= 1024 MB",
                result["peak_memory_mb"] <= TARGETS["peak_rss_mb_at_1000"],
            )
    for key, label in (
        ("one_edit_s", "one-answer edit, real library"),
        ("noop_s", "no-op, real library"),
        ("check_s", "check, real library"),
        ("quiz_first_card_warm_s", "quiz time to first card, warm"),
    ):
        target = TARGETS[f"real_{key}" if not key.startswith("quiz") else key]
        value = None if real is None else real[key]
        row(
            label,
            value,
            "{:.2f} s",
            f"<= {target:.2f} s",
            None if value is None else value <= target,
        )
    value = None if real is None else real["default_vs_jobs1"]
    row(
        "default jobs / --jobs 1, real library",
        value,
        "{:.2f}x",
        "<= 1.0x",
        None if value is None else value <= TARGETS["default_vs_jobs1"],
    )
    for n, result in sizes.items():
        if result.get("default_vs_jobs1") is not None:
            row(
                f"default jobs / --jobs 1, N={n}",
                result["default_vs_jobs1"],
                "{:.2f}x",
                "<= 1.0x",
                result["default_vs_jobs1"] <= TARGETS["default_vs_jobs1"],
            )
    for result in peer_results:
        tools = result["tools"]
        others = [v["notes_per_s"] for k, v in tools.items() if "placements_per_s" not in v]
        placed = tools["deckbuilder"]["placements_per_s"]
        fastest = max(others) if others else None
        row(
            f"placements/s / fastest peer notes/s, {result['notes']:,} notes",
            None if fastest is None else placed / fastest,
            f"{{:.2f}}x ({placed:,.0f} vs {fastest or 0:,.0f})",
            ">= 1.0x",
            None if fastest is None else placed / fastest >= TARGETS["placements_vs_peer"],
        )
    if not peer_results:
        row("placements/s / fastest peer notes/s, 13k and 50k notes", None, "", ">= 1.0x", None)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    floors = []
    if real is not None:
        floors.append(
            f"  real library floors: Python start-up with an edit's imports "
            f"{real['floor_imports_s']:.2f} s; markdown-it parse of the edited scenario "
            f"{real['floor_parse_one_scenario_s']:.2f} s; cold build (default jobs) "
            f"{real['cold_default_s']:.2f} s, --jobs 1 {real['cold_jobs1_s']:.2f} s"
        )
    for result in peer_results:
        floor = next((v for k, v in result["tools"].items() if k.startswith("fair floor")), None)
        if floor is not None:
            floors.append(
                f"  {result['notes']:,} notes: the fair floor places "
                f"{floor['placements_per_s']:,.0f} notes/s (one process, the same packages)"
            )
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(["Targets (issue 18):", *lines, *floors])


def _verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(result: dict[str, Any], start: dict[str, Any]) -> str:
    n = result["n"]
    rows = [
        (
            "full build / floor",
            f"{result['full_s']:.2f} s / {result['floor_s']:.2f} s",
            f"{result['full_vs_floor']:.2f}x",
            f"<= {TARGETS['full_vs_floor']:.2f}x",
            _verdict(result["full_vs_floor"] <= TARGETS["full_vs_floor"]),
        ),
        (
            "full build / floor, CPU",
            f"{result['full_cpu_s']:.2f} s / {result['floor_cpu_s']:.2f} s",
            f"{result['full_vs_floor_cpu']:.2f}x",
            f"<= {TARGETS['full_vs_floor_cpu']:.2f}x",
            _verdict(result["full_vs_floor_cpu"] <= TARGETS["full_vs_floor_cpu"]),
        ),
        (
            "one-edit rebuild / full",
            f"{result['one_edit_s']:.2f} s / {result['full_s']:.2f} s",
            f"{result['one_edit_vs_full']:.1%}",
            f"<= {TARGETS['one_edit_vs_full']:.0%}",
            _verdict(result["one_edit_vs_full"] <= TARGETS["one_edit_vs_full"]),
        ),
        (
            "no-op rebuild / full",
            f"{result['noop_s']:.2f} s / {result['full_s']:.2f} s",
            f"{result['noop_vs_full']:.1%}",
            f"<= {TARGETS['noop_vs_full']:.0%}",
            _verdict(result["noop_vs_full"] <= TARGETS["noop_vs_full"]),
        ),
        (
            "help / import click",
            f"{start['help_s'] * 1000:.0f} ms / {start['import_click_s'] * 1000:.0f} ms",
            f"{start['ratio']:.2f}x",
            f"<= {TARGETS['help_vs_import_click']:.1f}x",
            _verdict(start["ratio"] <= TARGETS["help_vs_import_click"]),
        ),
        (
            "peak memory of the full build",
            f"{result['peak_memory_mb']:.0f} MB",
            "",
            "<= 1024 MB at N=1000",
            _verdict(result["peak_memory_mb"] <= TARGETS["peak_rss_mb_at_1000"])
            if n >= 1000
            else "-",
        ),
    ]
    if result.get("default_vs_jobs1") is not None:
        rows.append(
            (
                "default jobs / --jobs 1",
                f"{result['full_s']:.2f} s / {result['jobs1_s']:.2f} s",
                f"{result['default_vs_jobs1']:.2f}x",
                f"<= {TARGETS['default_vs_jobs1']:.1f}x",
                _verdict(result["default_vs_jobs1"] <= TARGETS["default_vs_jobs1"]),
            )
        )
    for growth in result.get("growth", []):
        rows.append(
            (
                f"growth time(N={growth['to']}) / time(N={growth['from']})",
                f"{growth['to_s']:.2f} s / {growth['from_s']:.2f} s",
                f"{growth['ratio']:.2f}",
                f"<= {growth['target']:.1f}",
                _verdict(growth["ratio"] <= growth["target"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    heads = ("measure", "measured", "ratio", "target", "met")
    widths = [max(w, len(h)) for w, h in zip(widths, heads, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if i in (0, 1) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    phases = result["floor_phases_s"]
    edit = result["one_edit_report"]
    noop = result["noop_report"]
    header = (
        f"N = {n}: {result['notes']:,} notes in {result['packages']} packages, "
        f"{result['markdown_bytes'] / 1e6:.1f} MB of markdown, repeat {result['repeat']} "
        "(times are medians; full/floor ratios are medians of back-to-back pairs)"
    )
    notes = [
        f"  floor phases: start-up+imports {phases['import_s']:.2f} s, markdown-it parse "
        f"{phases['parse_s']:.2f} s, genanki write {phases['write_s']:.2f} s "
        f"(+ interpreter start; reading its prepared notes is excluded)",
        f"  CPU time (user+sys): full {result['full_cpu_s']:.2f} s over {result['full_s']:.2f} s "
        f"wall ({result['full_cpu_s'] / result['full_s']:.2f} cores busy), floor "
        f"{result['floor_cpu_s']:.2f} s: full/floor in CPU time {result['full_vs_floor_cpu']:.2f}x "
        "(cores busy = CPU / wall: above 1 is parallel work, below 1 is waiting for the "
        "disk or for other processes)",
        f"  peak memory = max(largest process RSS {result['peak_rss_largest_process_mb']:.0f} MB "
        f"(wait4), process tree PSS {result['peak_tree_pss_mb']:.0f} MB (sampled every 0.2 s; "
        f"tree RSS {result['peak_tree_rss_mb']:.0f} MB)); floor peak RSS "
        f"{result['floor_peak_rss_mb']:.0f} MB",
        f"  no-op wrote {noop.get('written')} packages, {noop['changed']} changed notes; "
        f"one-edit ({result['edited_file']}) wrote {edit.get('written')} packages, "
        f"{edit['changed']} changed notes",
    ]
    rule = "-" * len(line(heads))
    return "\n".join([header, line(heads), rule, *(line(r) for r in rows), *notes])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated N values")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build (median)")
    parser.add_argument("--startup-runs", type=int, default=11)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    parser.add_argument("--workdir", type=Path, default=None, help="kept; default: a temp dir")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--jobs1-sizes",
        default="1000",
        help="sizes at which a --jobs 1 build is paired with each full build",
    )
    parser.add_argument(
        "--real",
        default=str(ROOT / "scenarios"),
        help="the real library for the rows measured on it ('' to skip)",
    )
    parser.add_argument(
        "--peers",
        default="100,400",
        help="sizes for benchmarks/peers.py (13k and 50k notes); '' to skip",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the live src/ tree instead of a snapshot taken at the start",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("sizes must be positive integers and --repeat at least 1")

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="deckbuilder-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    import deckbuilder

    live_src = Path(deckbuilder.__file__).resolve().parent
    source_at_start = source_state()
    snapshot = None if args.live else use_snapshot(work)
    global CHILD_ENV
    # commands without --out (check, quiz) cache in the user's cache folder: a fresh one
    CHILD_ENV = {**(CHILD_ENV or os.environ), "XDG_CACHE_HOME": str(work / "user-cache")}
    try:
        start = startup(args.startup_runs)
        log(
            f"start-up: --help {start['help_s'] * 1000:.0f} ms, import click "
            f"{start['import_click_s'] * 1000:.0f} ms"
        )
        jobs1 = {int(x) for x in args.jobs1_sizes.split(",") if x.strip()}
        results = []
        for n in sizes:
            results.append(
                bench_size(
                    n, repeat=args.repeat, seed=args.seed, work=work, log=log, jobs1=n in jobs1
                )
            )
        real = (
            bench_real(Path(args.real), repeat=args.repeat, work=work, log=log)
            if args.real
            else None
        )
        peer_sizes = [int(x) for x in args.peers.split(",") if x.strip()]
        peer_results = bench_peers(peer_sizes, repeat=args.repeat, work=work, log=log)
    finally:
        if args.workdir is None:
            rmtree(work)
    growth = []
    for a, b in itertools.pairwise(results):
        factor = b["n"] / a["n"]
        entry = {
            "from": a["n"],
            "to": b["n"],
            "from_s": a["full_s"],
            "to_s": b["full_s"],
            "ratio": b["full_s"] / a["full_s"],
            "target": TARGETS["growth_per_10x"] * factor / 10,
        }
        growth.append(entry)
        b["growth"] = [entry]
    for result in results:
        print(table(result, start))
        print()
    print(summary(real, peer_results, {str(r["n"]): r for r in results}))
    print()
    drifted = snapshot is not None and tree_digest(live_src) != snapshot
    if drifted:
        print(
            f"note: {live_src} changed during this run; every build above ran the snapshot "
            "taken at its start"
        )
    document = {
        "benchmark": "deckbuilder build",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_at_end": os.getloadavg(),
        },
        "targets": TARGETS,
        "source": {
            "at_start": source_at_start,
            "at_end": source_state(),
            "snapshot_sha256": snapshot,
            "live": args.live,
            "src_changed_during_run": drifted,
        },
        "startup": start,
        "growth": growth,
        "sizes": {str(r["n"]): r for r in results},
        "real": real,
        "peers": peer_results,
    }
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
