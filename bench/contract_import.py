"""Benchmark of the contract import (issue 18): 10,000 lines in at most 10 s on SQLite.

    python -m bench.contract_import [--lines 10000] [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless ``--database-url`` is given),
five CFAs, then imports a generated file of ``--lines`` new contracts, the same file again
(idempotent: nothing changes), an avenant file (NPEC changed on one contract in ten) and a
rupture file (one contract in five), and prints the time of each.
The generators are also used by the tests (tests/workflow/contracts/test_contract_import.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from domain.schedule import add_months
from seed.demo import FIRST_NAMES, LAST_NAMES, TITLES, make_cfa, make_siret
from workflow.contracts.importing import COLUMNS

LIMIT_SECONDS = 10.0


def contract_rows(cfas: list[tuple[str, str]], count: int, today: date, seed: int = 18,
                  prefix: str = "IMP") -> list[dict[str, str]]:
    """``count`` "contrat" lines over ``cfas`` ((uai, siret) pairs), valid and plausible."""
    rng = random.Random(seed)
    employers = [(make_siret(rng), f"EMPLOYEUR {k:04d}") for k in range(max(count // 20, 1))]
    rows = []
    for k in range(count):
        title, level, rncp = rng.choice(TITLES)
        start = today - timedelta(days=rng.randrange(0, 700))
        end = add_months(start, rng.choice([12, 18, 24, 24, 36])) - timedelta(days=1)
        uai, _siret = cfas[k % len(cfas)]
        siret, name = rng.choice(employers)
        rows.append({
            "kind": "contrat", "number": f"{prefix}{k:09d}", "employer_siret": siret,
            "employer_name": name, "cfa_uai": uai, "last_name": rng.choice(LAST_NAMES),
            "first_name": rng.choice(FIRST_NAMES), "title": title, "level": str(level),
            "rncp": rncp, "start": start.strftime("%d/%m/%Y"),
            "end": end.strftime("%d/%m/%Y"),
            "signed_on": (start - timedelta(days=rng.randrange(5, 60))).strftime("%d/%m/%Y"),
            "npec": f"{rng.choice([5250, 6000, 7000, 8000, 9000, 10500])},00",
            "meals_per_year": str(rng.choice([0, 0, 80, 120])),
            "nights_per_year": str(rng.choice([0, 0, 20])),
            "equipment_amount": rng.choice(["", "", "250,00", "500,00"]),
            "mobility_amount": rng.choice([""] * 8 + ["500,00"]),
        })
    return rows


def avenant_rows(contracts: list[dict[str, str]], every: int = 10) -> list[dict[str, str]]:
    """An avenant on one contract in ``every``: its NPEC lowered by 500 €."""
    rows = []
    for row in contracts[::every]:
        npec = Decimal(row["npec"].replace(",", ".")) - 500
        rows.append({"kind": "avenant", "number": row["number"],
                     "npec": f"{npec:.2f}".replace(".", ","), "effective_on": ""})
    return rows


def rupture_rows(contracts: list[dict[str, str]], today: date, every: int = 5
                 ) -> list[dict[str, str]]:
    """A rupture of one contract in ``every``, halfway between its start and today."""
    rows = []
    for row in contracts[::every]:
        start = date(*reversed([int(x) for x in row["start"].split("/")]))
        end = date(*reversed([int(x) for x in row["end"].split("/")]))
        day = min(start + (today - start) / 2, end)
        rows.append({"kind": "rupture", "number": row["number"],
                     "rupture_on": day.strftime("%d/%m/%Y")})
    return rows


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """The lines as a CSV file (separator ;, UTF-8 with BOM), every column of the format."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS.values())
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    """The lines as an XLSX workbook (one sheet, the header on line 1)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Contrats")
    ws.append(list(COLUMNS.values()))
    for row in rows:
        ws.append([row.get(name, "") for name in COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall clock seconds, CPU seconds of this process, result): on a shared machine the CPU
    time says what the import costs, the wall clock what the user waits."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - started, time.process_time() - cpu, result


def main(argv: list[str] | None = None) -> int:
    from db.migrate import upgrade
    from db.session import make_engine, make_sessionmaker
    from domain.clock import today
    from workflow.contracts.importing import run

    parser = argparse.ArgumentParser(prog="python -m bench.contract_import")
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    rng = random.Random(5)
    with factory.begin() as s:
        cfas = [make_cfa(rng, f"CFA BENCH {k}", k) for k in range(5)]
        s.add_all(cfas)
        s.flush()
        pairs = [(c.uai, c.siret) for c in cfas]
    day = today()
    rows = contract_rows(pairs, args.lines, day)
    files = [("contrats.csv", to_csv(rows)), ("contrats-bis.csv", to_csv(rows)),
             ("avenants.csv", to_csv(avenant_rows(rows))),
             ("ruptures.csv", to_csv(rupture_rows(rows, day)))]
    worst = worst_cpu = 0.0
    for name, data in files:
        def once(data: bytes = data, name: str = name) -> object:
            with factory.begin() as s:
                return run(s, None, data, name, dry_run=False)
        seconds, cpu, report = timed(once)
        print(f"{name:20} {seconds:6.2f} s (CPU {cpu:5.2f} s)  "
              f"{report.summary()}")  # type: ignore[attr-defined]
        if report.errors:  # type: ignore[attr-defined]
            print(report.errors[:5])  # type: ignore[attr-defined]
            return 1
        if name == "contrats.csv":
            worst, worst_cpu = seconds, cpu
    engine.dispose()
    tmp.cleanup()
    verdict = "OK" if worst <= LIMIT_SECONDS else "TROP LENT"
    print(f"Import de {args.lines} lignes : {worst:.2f} s, CPU {worst_cpu:.2f} s "
          f"(limite {LIMIT_SECONDS:.0f} s) — {verdict}")
    return 0 if worst <= LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
