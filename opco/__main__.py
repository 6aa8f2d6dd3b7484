"""Command line of the console.

    python -m opco upgrade                    create or migrate the schema
    python -m opco demo [--scale small|national] [--if-empty]   fill the database with demo data
    python -m opco import FILE [--dry-run]    import contracts, avenants and ruptures
                                              (CSV or XLSX, docs/import-format.md)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from domain.clock import today


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m opco",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="create or migrate the schema")
    demo_cmd = sub.add_parser("demo", help="fill the database with demo data")
    demo_cmd.add_argument("--scale", choices=["small", "national"], default="small",
                      help="small: 5 CFAs replayed through the workflow; national: ~900 CFAs, "
                           "~300,000 contracts in bulk")
    demo_cmd.add_argument("--if-empty", action="store_true",
                      help="do nothing when the database already holds data")
    imp = sub.add_parser("import", help="import contracts, avenants and ruptures (CSV/XLSX)")
    imp.add_argument("file", help="a .csv or .xlsx file (docs/import-format.md)")
    imp.add_argument("--dry-run", action="store_true",
                     help="show what would be created, changed and regularised; write nothing")
    args = parser.parse_args(argv)
    url = args.database_url or Settings.from_env().database_url
    engine = make_engine(url)
    upgrade(engine)
    if args.command == "upgrade":
        print("Schéma à jour.")
        return 0
    if args.command == "import":
        return import_file(make_sessionmaker(engine), args.file, args.dry_run)
    return demo(engine, args.scale, args.if_empty)


def demo(engine: Engine, scale: str, if_empty: bool) -> int:
    """``python -m opco demo``: the small or national demo data set, into an empty database.
    (Imported here, not at the top: ``upgrade`` loads neither seed nor workflow.)"""
    from seed.demo import is_empty

    factory = make_sessionmaker(engine)
    if not is_empty(factory):
        if if_empty:
            print("La base contient déjà des données : rien à faire.")
            return 0
        print("La base contient déjà des données : utilisez une base vide.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if scale == "small":
        from seed.small import build_small

        build_small(factory, today())
    else:
        from seed.national import build_national

        build_national(engine, today())
    print(f"Données de démonstration créées en {time.perf_counter() - started:.1f} s.")
    return 0


def import_file(factory: sessionmaker[Session], path: str, dry_run: bool) -> int:
    """``python -m opco import``: a French summary, then every error (exit code 1) or what
    was (or would be) created, changed and regularised."""
    from domain.formatting import format_eur
    from workflow.contracts.importing import run

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        print(f"Fichier illisible : {path} ({exc.strerror}).", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with factory.begin() as s:
        report = run(s, None, data, Path(path).name, dry_run=dry_run)
    elapsed = time.perf_counter() - started
    print(("Simulation (rien n'est écrit) : " if dry_run else "") + report.summary()
          + f" ({elapsed:.1f} s)")
    for e in report.errors:
        print(f"  ligne {e.line}, colonne « {e.column} », valeur « {e.value} » : {e.reason}",
              file=sys.stderr)
    if report.errors:
        return 1
    for c in report.created[:20]:
        print(f"  créé : {c.number} ({c.apprentice})")
    for m in report.changed[:20]:
        print(f"  modifié ({m.kind}) : {m.number} — {m.what}")
    for r in report.regularisations[:20]:
        print(f"  régularisation : {r.number} {r.nature} {format_eur(r.amount)}")
    hidden = sum(max(len(x) - 20, 0) for x in (report.created, report.changed,
                                                report.regularisations))
    if hidden:
        print(f"  … et {hidden} autre(s) ligne(s) de détail.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
