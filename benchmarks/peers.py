"""deckbuilder against peer markdown-to-Anki converters, on the same cards.

    .venv/bin/python benchmarks/peers.py [--sizes 10,100,400] [--repeat 3] [--json PATH]

For each size N it generates a synthetic library of N scenarios (benchmarks/generate.py),
builds it once with deckbuilder (not timed) and reads every note's front and back from the
combined package. Those cards are written in each peer's own input format:

- ankdown (``ankdown -r DIR -p OUT.apkg``): cards separated by ``---``, front and back by ``%``;
- markdown-anki-decks (``mdankideck convert DIR OUT``): one file per deck, ``## front`` then
  the back.

Then, alternating run by run, it times a cold ``deckbuilder build`` and each peer as whole
processes (wall and CPU via os.wait4), and prints notes per second for each tool and
placements per second for deckbuilder and for the fair floor (``floor.py``: the same
markdown-it parse and genanki writing the same notes into the same packages, one process):
deckbuilder writes each note into the combined, a per-scenario and one or more per-topic
packages; the peers write each note once.

The peers are installed into a throwaway virtual environment from the package index. A
peer that cannot be installed (no network, no wheel for this Python) is reported as
unavailable and left out; nothing else changes.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path
from typing import Any

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

FLOOR = HERE / "floor.py"
FLOOR_NAME = "fair floor (floor.py)"
PEERS = {
    "ankdown": (("ankdown==0.7.1",), "ankdown"),
    # its typer 0.4 breaks with click 8.2 and later: the command then prints its version
    # and converts nothing, with exit status 0 (every peer's output is counted below)
    "markdown-anki-decks": (("markdown-anki-decks==1.1.1", "click<8.2"), "mdankideck"),
}
_TAG = re.compile(r"<[^>]*>")


def timed(cmd: list[str], *, cwd: Path | None = None) -> dict[str, float]:
    """Wall and CPU seconds of one child process (os.wait4's own accounting). A child that
    prints a JSON line with ``load_s`` and ``load_cpu_s`` (the floor: reading its prepared
    notes, work no tool does) has them taken off."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as sink:
        # genanki's write_to_file leaves its scratch database in $TMPDIR: keep it in ours
        env = {**os.environ, "TMPDIR": str(cwd or Path(tempfile.gettempdir()))}
        process = subprocess.Popen(cmd, cwd=cwd, stdout=sink, stderr=subprocess.PIPE, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        sink.seek(0)
        out = sink.read().decode(errors="replace").strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[0]} failed: {err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    if out and out[-1].startswith("{") and "load_s" in out[-1]:
        phases = json.loads(out[-1])
        wall -= phases["load_s"]
        cpu -= phases.get("load_cpu_s", phases["load_s"])
    return {"wall_s": wall, "cpu_s": cpu}


def install_peers(root: Path) -> dict[str, Path]:
    """Each peer's command in a throwaway venv; peers that fail to install are skipped."""
    venv.EnvBuilder(with_pip=True).create(root)
    found = {}
    for name, (requirements, command) in PEERS.items():
        done = subprocess.run(
            [str(root / "bin" / "pip"), "install", "-q", *requirements],
            capture_output=True,
            text=True,
            check=False,
        )
        exe = root / "bin" / command
        if done.returncode == 0 and exe.exists():
            found[name] = exe
        else:
            print(f"{name}: unavailable ({done.stderr.strip().splitlines()[-1:]})")
    return found


def package_notes(path: Path) -> list[tuple[str, str, str]]:
    """(deck, front, back) of every note in a package, fields as plain text."""
    with tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "collection.anki2"
        with zipfile.ZipFile(path) as archive:
            db_path.write_bytes(archive.read("collection.anki2"))
        db = sqlite3.connect(db_path)
        try:
            decks = {
                int(k): v["name"]
                for k, v in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).items()
            }
            rows = db.execute(
                "SELECT n.flds, min(c.did) FROM notes n JOIN cards c ON c.nid = n.id "
                "GROUP BY n.id ORDER BY n.id"
            ).fetchall()
        finally:
            db.close()

    def plain(field: str) -> str:
        return " ".join(html.unescape(_TAG.sub(" ", field)).split())

    out = []
    for flds, did in rows:
        fields = flds.split("\x1f")
        out.append((decks[int(did)], plain(fields[0]), plain(fields[1]) or "(see front)"))
    return out


def placements(out: Path) -> int:
    total = 0
    for path in out.rglob("*.apkg"):
        if path.name == "removed.apkg":
            continue
        with tempfile.TemporaryDirectory() as scratch:
            db_path = Path(scratch) / "c.anki2"
            with zipfile.ZipFile(path) as archive:
                db_path.write_bytes(archive.read("collection.anki2"))
            db = sqlite3.connect(db_path)
            total += db.execute("SELECT count(*) FROM notes").fetchone()[0]
            db.close()
    return total


def write_inputs(cards: list[tuple[str, str, str]], work: Path) -> dict[str, Path]:
    by_deck: dict[str, list[tuple[str, str]]] = {}
    for deck, front, back in cards:
        by_deck.setdefault(deck, []).append((front, back))
    ank, mad = work / "ankdown-in", work / "mad-in"
    ank.mkdir()
    mad.mkdir()
    for i, (deck, items) in enumerate(sorted(by_deck.items())):
        ank_text = "\n---\n\n".join(f"{front}\n\n%\n\n{back}\n" for front, back in items)
        (ank / f"{i:05d}.md").write_text(ank_text, encoding="utf-8")
        mad_text = f"# {deck}\n\n" + "".join(f"## {front}\n\n{back}\n\n" for front, back in items)
        (mad / f"{i:05d}.md").write_text(mad_text, encoding="utf-8")
    return {"ankdown": ank, "markdown-anki-decks": mad}


def bench(n: int, *, repeat: int, peers: dict[str, Path], work: Path) -> dict[str, Any]:
    deckbuilder = [str(Path(sys.executable).parent / "deckbuilder")]
    library = work / f"lib-{n}"
    generate(library, n, seed=1)
    first = work / "first"
    subprocess.run(
        [*deckbuilder, "build", "--scenarios", str(library), "--out", str(first)],
        check=True,
        capture_output=True,
    )
    cards = package_notes(first / "llm-system-design.apkg")
    placed = placements(first)
    inputs = write_inputs(cards, work)
    plan = work / "floor-plan.json"
    subprocess.run(
        [sys.executable, str(FLOOR), "prepare", "--packages", str(first), "--plan", str(plan)],
        check=True,
        capture_output=True,
    )
    floor_args = ["--scenarios", str(library), "--plan", str(plan), "--out"]
    written: dict[str, int] = {}
    runs: dict[str, list[dict[str, float]]] = {
        "deckbuilder": [],
        FLOOR_NAME: [],
        **{p: [] for p in peers},
    }
    for r in range(repeat):
        out = work / f"db-{r}"
        out.mkdir()
        runs["deckbuilder"].append(
            timed([*deckbuilder, "build", "--scenarios", str(library), "--out", str(out)], cwd=out)
        )
        subprocess.run(["rm", "-rf", str(out)], check=True)
        out.mkdir()
        runs[FLOOR_NAME].append(
            timed([sys.executable, str(FLOOR), "run", *floor_args, str(out)], cwd=out)
        )
        subprocess.run(["rm", "-rf", str(out)], check=True)
        for name, exe in peers.items():
            target = work / f"{name}-{r}"
            target.mkdir()
            if name == "ankdown":
                cmd = [str(exe), "-r", str(inputs[name]), "-p", str(target / "out.apkg")]
            else:
                cmd = [str(exe), str(inputs[name]), str(target)]
            runs[name].append(timed(cmd, cwd=target))
            written[name] = placements(target)  # every note, once: or the run does not count
            subprocess.run(["rm", "-rf", str(target)], check=True)
    result: dict[str, Any] = {"n": n, "notes": len(cards), "placements": placed, "tools": {}}
    for name, count in written.items():
        if count != len(cards):
            print(f"{name}: wrote {count:,} of {len(cards):,} notes; left out", flush=True)
            del runs[name]
    db_wall = statistics.median(x["wall_s"] for x in runs["deckbuilder"])
    for name, values in runs.items():
        wall = statistics.median(x["wall_s"] for x in values)
        result["tools"][name] = {
            "wall_s": wall,
            "cpu_s": statistics.median(x["cpu_s"] for x in values),
            "notes_per_s": len(cards) / wall,
            "vs_deckbuilder": wall / db_wall,
        }
    for name in ("deckbuilder", FLOOR_NAME):  # both write every placement
        result["tools"][name]["placements_per_s"] = placed / result["tools"][name]["wall_s"]
    return result


def table(result: dict[str, Any]) -> str:
    lines = [
        f"N = {result['n']}: {result['notes']:,} notes, deckbuilder places them "
        f"{result['placements']:,} times ({result['placements'] / result['notes']:.1f} per note)",
        f"{'tool':<22}{'wall s':>9}{'CPU s':>9}{'x deckbuilder':>15}{'notes/s':>10}"
        f"{'placements/s':>14}",
    ]
    for name, row in result["tools"].items():
        per = row.get("placements_per_s")
        lines.append(
            f"{name:<22}{row['wall_s']:>9.2f}{row['cpu_s']:>9.2f}{row['vs_deckbuilder']:>15.2f}"
            f"{row['notes_per_s']:>10,.0f}{(f'{per:,.0f}' if per else '-'):>14}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,400")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="peers-") as scratch:
        work = Path(scratch)
        peers = install_peers(work / "venv")
        for n in (int(x) for x in args.sizes.split(",")):
            size_work = work / f"n{n}"
            size_work.mkdir()
            result = bench(n, repeat=args.repeat, peers=peers, work=size_work)
            print(table(result), flush=True)
            results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
