"""Card-quality measures of a scenarios folder, and notes per kind before and after.

    python benchmarks/card_stats.py [--scenarios scenarios] [--before OLD/decks/manifest.json]

"Before" counts come from a build manifest (for example the first release's
``decks/manifest.json``), which lists every packaged note's key; "after" counts are the
study cards the current code builds from ``--scenarios``. The measures are those of
``deckbuilder lint --stats``: the share of answers over 60 words, basic answers that are
lists of four or more items, derivable clozes, duplicate fronts, split siblings and
rubric cards in the packages.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from deckbuilder.library import load_library
from deckbuilder.lint import lint, measure


def before_counts(manifest: Path) -> Counter[str]:
    notes = json.loads(manifest.read_text(encoding="utf-8")).get("notes", {})
    return Counter(str(note["key"]).split("/")[1] for note in notes.values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scenarios", type=Path, default=Path("scenarios"))
    parser.add_argument("--before", type=Path, help="a build manifest to compare kinds with")
    args = parser.parse_args(argv)
    library = load_library(args.scenarios, jobs=1)
    measured = measure(library)
    stats = measured.as_dict()
    for name, value in stats.items():
        if name != "per_kind":
            print(f"{name:28} {value}")
    findings = Counter(f.rule for f in lint(library))
    print(f"{'lint findings':28} {dict(sorted(findings.items()))}")
    after = measured.per_kind
    before = before_counts(args.before) if args.before else Counter()
    print("\n| kind | before | after |\n| --- | ---: | ---: |")
    for kind in sorted(set(before) | set(after)):
        print(f"| {kind} | {before.get(kind, 0)} | {after.get(kind, 0)} |")
    print(f"| total | {sum(before.values())} | {sum(after.values())} |")


if __name__ == "__main__":
    main()
