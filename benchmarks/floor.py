"""The floor under ``deckbuilder build``: raw markdown-it-py parsing plus raw genanki writing.

Two steps:

    floor.py prepare --packages BUILT_DIR --plan PLAN.json
        (not timed) reads the packages a deckbuilder build wrote: note types, decks, and
        every note's GUID, fields and tags, per package (combined, per scenario, per topic).

    floor.py run --scenarios DIR --plan PLAN.json --out EMPTY_DIR
        (timed by the caller, in a fresh process) parses every scenario markdown file with
        ``MarkdownIt("commonmark").enable("table").parse``, then writes the same notes into
        the same set of packages with genanki's own table writer, one after the other.
        Prints one JSON line of phase timings; ``load_s`` and ``load_cpu_s`` (reading the
        prepared plan) are work deckbuilder does not do, so the caller subtracts them.

It does only what any build must do (read and parse the markdown, write the packages) with
the libraries deckbuilder itself uses, in one process: no card extraction, no HTML
rendering, no manifest, no change report. It writes the packages the way a careful tool
would, so that it is a fair floor and not a slow one: the scratch SQLite file has no journal
and no fsync, the zip is deflated at level 1 (what deckbuilder uses), and the scratch file
is deleted (genanki's ``write_to_file`` fsyncs on every commit, stores the zip
uncompressed and leaves its temporary database behind in ``$TMPDIR``).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

_STARTED = time.perf_counter()


def _read_package(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "collection.anki2"
        with zipfile.ZipFile(path) as archive:
            db_path.write_bytes(archive.read("collection.anki2"))
        db = sqlite3.connect(db_path)
        try:
            models_json, decks_json = db.execute("SELECT models, decks FROM col").fetchone()
            rows = db.execute(
                "SELECT n.guid, n.mid, n.flds, n.tags, min(c.did) FROM notes n "
                "JOIN cards c ON c.nid = n.id GROUP BY n.id ORDER BY n.id"
            ).fetchall()
        finally:
            db.close()
    models = {
        int(mid): {
            "name": m["name"],
            "type": int(m.get("type", 0)),
            "fields": [f["name"] for f in m["flds"]],
            "templates": [
                {"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]} for t in m["tmpls"]
            ],
            "css": m["css"],
        }
        for mid, m in json.loads(models_json).items()
    }
    decks = {
        int(did): (d["name"], d.get("desc", ""))
        for did, d in json.loads(decks_json).items()
        if int(did) != 1  # genanki always adds the empty Default deck
    }
    return {"models": models, "decks": decks, "rows": rows}


def prepare(packages: Path, plan_path: Path) -> None:
    models: dict[int, Any] = {}
    notes: dict[str, tuple[int, list[str], list[str]]] = {}
    plan: list[tuple[str, list[tuple[int, str, str, list[str]]]]] = []
    for path in sorted(packages.rglob("*.apkg")):
        content = _read_package(path)
        models.update(content["models"])
        by_deck: dict[int, list[str]] = {did: [] for did in content["decks"]}
        for guid, mid, flds, tags, did in content["rows"]:
            notes.setdefault(guid, (int(mid), flds.split("\x1f"), tags.split()))
            by_deck.setdefault(int(did), []).append(guid)
        decks = [
            (did, *content["decks"].get(did, (f"deck {did}", "")), guids)
            for did, guids in by_deck.items()
            if guids
        ]
        plan.append((str(path.relative_to(packages)), decks))
    plan_path.write_text(
        json.dumps({"models": models, "notes": notes, "packages": plan}), encoding="utf-8"
    )
    total = sum(len(g) for _rel, decks in plan for *_x, g in decks)
    print(f"{len(plan)} packages, {len(notes)} distinct notes, {total} note placements")


def _write_package(genanki: Any, decks: list[Any], target: Path) -> None:
    """genanki's tables in a scratch SQLite file without journal or fsync, zipped at
    deflate level 1, the scratch file removed: the least a package writer must do."""
    import itertools

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".floor-") as scratch:
        db_path = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        try:
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            genanki.Package(decks).write_to_db(connection.cursor(), 0.0, itertools.count(1))
            connection.commit()
        finally:
            connection.close()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.write(db_path, "collection.anki2")
            archive.writestr("media", "{}")


def run(scenarios: Path, plan_path: Path, out: Path) -> dict[str, float]:
    import warnings

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    import genanki
    from markdown_it import MarkdownIt

    t1 = time.perf_counter()
    c1 = time.process_time()
    timings["import_s"] = t1 - t0
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    t2 = time.perf_counter()
    timings["load_s"] = t2 - t1
    timings["load_cpu_s"] = time.process_time() - c1

    md = MarkdownIt("commonmark").enable("table")
    tokens = 0
    for path in sorted(scenarios.glob("*/*.md")):
        tokens += len(md.parse(path.read_text(encoding="utf-8")))
    t3 = time.perf_counter()
    timings["parse_s"] = t3 - t2

    models = {
        mid: genanki.Model(
            mid,
            m["name"],
            fields=[{"name": name} for name in m["fields"]],
            templates=m["templates"],
            css=m["css"],
            model_type=genanki.Model.CLOZE if m["type"] == 1 else genanki.Model.FRONT_BACK,
        )
        for mid, m in ((int(k), v) for k, v in plan["models"].items())
    }
    notes = plan["notes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # genanki warns about HTML tags it does not know
        for relative, decks in plan["packages"]:
            gdecks = []
            for deck_id, name, description, guids in decks:
                deck = genanki.Deck(deck_id, name, description=description)
                for guid in guids:
                    mid, fields, tags = notes[guid]
                    deck.add_note(
                        genanki.Note(model=models[mid], fields=fields, tags=tags, guid=guid)
                    )
                gdecks.append(deck)
            _write_package(genanki, gdecks, out / relative)
    t4 = time.perf_counter()
    timings["write_s"] = t4 - t3
    timings["in_process_s"] = t4 - _STARTED
    timings["tokens"] = tokens
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--packages", type=Path, required=True)
    p.add_argument("--plan", type=Path, required=True)
    r = sub.add_parser("run")
    r.add_argument("--scenarios", type=Path, required=True)
    r.add_argument("--plan", type=Path, required=True)
    r.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.step == "prepare":
        prepare(args.packages, args.plan)
    else:
        print(json.dumps(run(args.scenarios, args.plan, args.out)))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
