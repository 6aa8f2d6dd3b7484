"""The README's "Performance" table from one ``python -m bench --json`` run.

``python -m bench.report results.json`` (or ``python -m bench --markdown``) prints a Markdown
table: one row per figure, one column per database and scale, each cell the median in ms
with the ORM/raw ratio, ✗ where a national-scale target is missed; then the growth from the
smallest to the largest scale of the page and queue figures.
"""

from __future__ import annotations

import json
import sys
from typing import Any

TARGETS_MS = {
    "eligible_page": 150, "eligible_search": 150, "recap": 300, "queue_page": 100,
    "queue_filtered": 100, "take_next": 50, "review_data": 100, "generate_5000": 3000,
}
LABELS = {
    "eligible_page": "eligible contracts, first page",
    "eligible_search": "eligible contracts, name search",
    "recap": "recap (Inclus/Exclus/Montant)",
    "queue_page": "review queue, first page",
    "queue_filtered": "review queue, filtered (checks failed)",
    "take_next": "Prendre le suivant",
    "review_data": "review screen data",
    "generate_5000": "generate 5,000 lines + PDF",
}
RATIO_MAX, GROWTH_MAX, BUILD_MAX_S, DASHBOARD_MAX_MS = 1.5, 3.0, 600, 1000
GROWTH_FIGURES = ("eligible_page", "eligible_search", "queue_page", "queue_filtered")


def target(name: str) -> float:
    """The target of a figure in ms (dashboard queries: 1 s)."""
    return TARGETS_MS.get(name, DASHBOARD_MAX_MS)


def _cell(entry: dict[str, float], name: str, judged: bool) -> str:
    """One figure; ✗ marks a missed target, judged at national scale only (the targets')."""
    ms = entry.get("orm_ms")
    if ms is None:
        return "—"
    text = f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}"
    if "ratio" in entry:
        ratio = entry["ratio"]
        text += f" (×{ratio:.2f}{' ✗' if judged and ratio > RATIO_MAX else ''})"
    return f"**{text}** ✗" if judged and ms > target(name) else text


def markdown(output: dict[str, Any]) -> str:
    """The Markdown table of a bench run's ``databases`` results."""
    results: dict[str, dict[str, Any]] = output["databases"]
    cols = list(results)
    lines = ["| figure (median ms; ORM/raw) | target | " + " | ".join(cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    judged = {c: c.endswith("/national") for c in cols}
    builds = []
    for c in cols:
        s = results[c]["build_seconds"]
        builds.append(f"**{s:,.0f}** ✗" if judged[c] and s > BUILD_MAX_S else f"{s:,.0f}")
    lines.append(f"| build the data set (s) | ≤ {BUILD_MAX_S} at national | "
                 + " | ".join(builds) + " |")
    for name in results[cols[0]]["workload"]:
        cells = [_cell(results[c]["workload"].get(name, {}), name, judged[c]) for c in cols]
        lines.append(f"| {LABELS.get(name, name)} | ≤ {target(name):,.0f} | "
                     + " | ".join(cells) + " |")
    for name in results[cols[0]]["dashboard"]:
        cells = [_cell({"orm_ms": results[c]["dashboard"][name]}, name, judged[c])
                 for c in cols]
        lines.append(f"| dashboard: {name} | ≤ {DASHBOARD_MAX_MS:,} | " + " | ".join(cells)
                     + " |")
    growth = _growth(results)
    if growth:
        lines += ["", "| growth smallest → largest scale (target < ×3) | "
                  + " | ".join(growth[0]) + " |", "|---|" + "---|" * len(growth[0])]
        lines += [f"| {LABELS.get(n, n)} | " + " | ".join(cells) + " |"
                  for n, cells in growth[1:]]
    return "\n".join(lines)


def _growth(results: dict[str, dict[str, Any]]) -> list[Any]:
    """[[database, …], (figure, [×growth, …]), …] between the first and last scale measured."""
    kinds: dict[str, list[str]] = {}
    for col in results:
        kind, _, _scale = col.partition("/")
        kinds.setdefault(kind, []).append(col)
    pairs = {k: (v[0], v[-1]) for k, v in kinds.items() if len(v) > 1}
    if not pairs:
        return []
    rows: list[Any] = [[f"{k} ({a.partition('/')[2]} → {b.partition('/')[2]})"
                        for k, (a, b) in pairs.items()]]
    for name in GROWTH_FIGURES:
        cells = []
        for a, b in pairs.values():
            low = results[a]["workload"].get(name, {}).get("orm_ms")
            high = results[b]["workload"].get(name, {}).get("orm_ms")
            if not low or high is None:
                cells.append("—")
                continue
            factor = high / low
            cells.append(f"×{factor:.1f}" + (" ✗" if factor >= GROWTH_MAX else ""))
        rows.append((name, cells))
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], encoding="utf-8") if args else sys.stdin as handle:
        print(markdown(json.load(handle)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
