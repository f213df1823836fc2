"""``stats`` as text: an 80-column table with ids, a 30-day forecast of due cards and a
retention-over-time chart, drawn with block characters. Pure: lines in, nothing printed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from deckbuilder.interview.history import history_lines
from deckbuilder.quiz.stats import Counts, Stats

_BLOCKS = " ▁▂▃▄▅▆▇█"
_NAME = 30


def _row(name: str, c: Counts) -> str:
    retention = "-" if c.retention is None else f"{c.retention:.0%}"
    label = name if len(name) <= _NAME - 1 else name[: _NAME - 2] + "…"
    return (
        f"{label:<{_NAME}}{c.cards:>6}{c.studied:>8}{c.due_today:>6}{c.due_week:>7}"
        f"{c.reviews_today:>8}{retention:>10}"
    )


def bars(values: Sequence[int], *, height: int = 5, width: int = 2) -> list[str]:
    """A vertical bar chart, ``height`` rows of eighth blocks, one bar of ``width`` per value."""
    top = max(values, default=0)
    rows = []
    for level in range(height, 0, -1):
        row = ""
        for value in values:
            eighths = round(value / top * height * 8) if top else 0
            filled = min(max(eighths - (level - 1) * 8, 0), 8)
            row += _BLOCKS[filled] * (width - 1) + " "
        rows.append(row.rstrip())
    return rows


def sparkline(shares: Sequence[float | None]) -> str:
    """One character per value in [0, 1]; · where there is no value."""
    return "".join("·" if s is None else _BLOCKS[1 + round(s * 7)] for s in shares)


def _forecast(stats: Stats) -> list[str]:
    days = stats.forecast
    top = max(days, default=0)
    lines = [f"Due in the next {len(days)} days (a bar a day, from today; tallest {top:,})"]
    chart = bars(days)
    for index, row in enumerate(chart):
        axis = f"{top:>5} ┤" if index == 0 else "      │"
        lines.append(axis + row)
    lines.append("      └" + "─" * (2 * len(days)))
    ticks = [" "] * (2 * len(days) + 4)
    for day, label in ((0, "today"), (7, "+7d"), (14, "+14d"), (21, "+21d"), (28, "+28d")):
        if day < len(days):
            ticks[2 * day : 2 * day + len(label)] = label
    lines.append("       " + "".join(ticks).rstrip())
    week = sum(days[:7])
    lines.append(
        f"       today {days[0]:,} · next 7 days {week:,} · next {len(days)} days {sum(days):,}"
    )
    return lines


def _retention(stats: Stats) -> list[str]:
    days = stats.retention_days
    shares = [None if graded == 0 else passed / graded for passed, graded in days]
    lines = [f"Retention, last {len(days)} days (reviews not rated Again; ▁ 0% … █ 100%, · none)"]
    lines.append("       " + sparkline(shares) + "  today")

    def share(part: Sequence[tuple[int, int]]) -> str:
        passed, graded = sum(p for p, _ in part), sum(g for _, g in part)
        return "-" if not graded else f"{passed / graded:.0%} of {graded:,}"

    lines.append(f"       last 7 days {share(days[-7:])} · {len(days)} days {share(days)}")
    return lines


def summary_lines(
    stats: Stats, *, scenario_labels: Mapping[str, str], topic_labels: Mapping[str, str]
) -> list[str]:
    """The table (scenarios as "NN id", topics by id: the values filters take), then charts."""
    head = f"{'':<{_NAME}}{'cards':>6}{'studied':>8}{'due':>6}{'due':>7}{'reviews':>8}"
    head += f"{'retention':>10}"
    sub = f"{'':<{_NAME}}{'':>14}{'today':>6}{'7 days':>7}{'today':>8}{'30 days':>10}"
    lines = [head, sub, _row("All", stats.total), "", "By scenario"]
    ordered = sorted(stats.by_scenario.items(), key=lambda kv: scenario_labels.get(kv[0], kv[0]))
    lines += [_row(scenario_labels.get(k, k), v) for k, v in ordered]
    lines += ["", "By topic"]
    lines += [_row(topic_labels.get(k, k), v) for k, v in sorted(stats.by_topic.items())]
    if stats.by_drill:
        lines += ["", "Drills (formula families)"]
        lines += [_row(k, v) for k, v in sorted(stats.by_drill.items())]
    lines += history_lines(stats.interviews, titles=scenario_labels)
    lines += ["", *_forecast(stats), "", *_retention(stats)]
    if stats.removed:
        lines += [
            "",
            f"{len(stats.removed)} studied cards are no longer in the scenarios "
            "(kept in the history, never shown):",
        ]
        lines += [f"  {key}" for key in sorted(stats.removed)]
    return lines
