"""Benchmarks of the console: ``python -m bench [--scale small|medium|national|all] …``.

For each scale and each database (SQLite and PostgreSQL), builds the data set once (reused on
later runs), then times the hot paths through the workflow and as hand-written SQL, and each
dashboard query; then measures the automatic checks over the generated corpus. Figures are
medians after a warm-up, printed side by side so that growth from scale to scale is visible.
With ``--jobs [DEPOSITS]``, the check jobs section too (``bench/jobs.py``: a burst of deposits
with 1, 2 and 4 workers; also ``python -m bench.jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from bench import checks as checks_bench
from bench import dashboard as dashboard_bench
from bench import datasets, report, workload
from bench import jobs as jobs_bench


def run_database(kind: str, scale: str, url: str | None, admin: str) -> dict[str, Any]:
    """Build or reuse one database and measure it."""
    if url is None:
        url = (datasets.sqlite_url(scale) if kind == "sqlite"
               else datasets.postgres_url(admin, scale))
    print(f"… {kind} / {scale} : préparation de la base", file=sys.stderr, flush=True)
    data = datasets.ensure(kind, url, scale, admin_url=admin, quiet=True)
    print(f"… {kind} / {scale} : mesures", file=sys.stderr, flush=True)
    figures: dict[str, Any] = {"build_seconds": data.build_seconds, "reused": data.reused}
    figures["workload"] = workload.measure(url)
    figures["dashboard"] = dashboard_bench.run(url)
    return figures


def _postgres_reachable(admin: str) -> bool:
    from sqlalchemy import create_engine

    try:
        create_engine(admin).connect().close()
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True


def _print(results: dict[str, dict[str, Any]]) -> None:
    cols = list(results)
    print("\nFigures (médianes, ms) — " + " | ".join(cols))
    print(f"{'':30s}" + "".join(f"{c:>26s}" for c in cols))
    print(f"{'construction (s)':30s}" + "".join(
        f"{results[c]['build_seconds']:>26.1f}" for c in cols))
    names = list(next(iter(results.values()))["workload"])
    for name in names:
        cells = []
        for c in cols:
            e = results[c]["workload"].get(name, {})
            ratio = f" ×{e['ratio']:.2f}" if "ratio" in e else ""
            mark = "" if e.get("orm_ms", 0) <= report.target(name) else " !"
            cells.append(f"{e.get('orm_ms', float('nan')):9.1f}{ratio}{mark}")
        print(f"{name:30s}" + "".join(f"{cell:>26s}" for cell in cells))
    for name in next(iter(results.values()))["dashboard"]:
        cells = [f"{results[c]['dashboard'].get(name, float('nan')):9.1f}" +
                 ("" if results[c]["dashboard"].get(name, 0) <= 1000 else " !") for c in cols]
        print(f"{'dashboard.' + name:30s}"[:30] + "".join(f"{cell:>26s}" for cell in cells))
    print("(ORM ×ratio = temps via le workflow / même requête écrite en SQL ; ! = cible dépassée)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "medium", "national", "all"],
                        default="small")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", help="measure this database instead (built if empty)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--markdown", action="store_true",
                        help="print the README's Performance table (bench/report.py)")
    parser.add_argument("--no-checks", action="store_true", help="skip the checks benchmark")
    parser.add_argument("--jobs", type=int, nargs="?", const=1000, metavar="DEPOSITS",
                        help="also the check jobs section (bench/jobs.py): a burst of DEPOSITS "
                             "deposits (1000) with 1, 2 and 4 workers on each database")
    args = parser.parse_args(argv)
    admin = os.environ.get("BENCH_POSTGRES_URL", datasets.DEFAULT_PG)
    scales = ["small", "medium", "national"] if args.scale == "all" else [args.scale]
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in kinds and not args.database_url and not _postgres_reachable(admin):
        print(f"PostgreSQL injoignable ({admin}) : mesures sur SQLite seulement.",
              file=sys.stderr)
        kinds = [k for k in kinds if k != "postgresql"]
    results: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        for scale in scales:
            url = args.database_url if args.database_url else None
            results[f"{kind}/{scale}"] = run_database(kind, scale, url, admin)
    output: dict[str, Any] = {"databases": results}
    if not args.no_checks:
        output["checks"] = checks_bench.measure(scans=True)
    if args.jobs:
        output["jobs"] = jobs_bench.measure(args.jobs, (1, 2, 4), tuple(kinds), admin)
    if args.json:
        print(json.dumps(output, ensure_ascii=False, indent=2, default=str))
    elif args.markdown:
        print(report.markdown(output))
    else:
        _print(results)
        if "checks" in output:
            print()
            checks_bench._print(output["checks"])
        if "jobs" in output:
            print()
            jobs_bench.print_table(output["jobs"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
