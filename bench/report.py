"""Percentiles and the side-by-side table every benchmark prints."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

Row = tuple[str, str, str]


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}×" if baseline else "n/a"


def print_table(title: str, rows: Sequence[Row]) -> None:
    headers = ("measure", "Corrigo", "baseline (same run)")
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(3)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
