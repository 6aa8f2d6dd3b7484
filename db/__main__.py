"""Command line of the data layer.

    python -m db upgrade                      create or migrate the schema
    python -m db demo [--scale small|national] [--if-empty]   fill the database with demo data
"""

from __future__ import annotations

import argparse
import sys
import time

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from domain.clock import today


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="create or migrate the schema")
    demo = sub.add_parser("demo", help="fill the database with demo data")
    demo.add_argument("--scale", choices=["small", "national"], default="small",
                      help="small: 5 CFAs replayed through the workflow; national: ~900 CFAs, "
                           "~300,000 contracts in bulk")
    demo.add_argument("--if-empty", action="store_true",
                      help="do nothing when the database already holds data")
    args = parser.parse_args(argv)
    url = args.database_url or Settings.from_env().database_url
    engine = make_engine(url)
    upgrade(engine)
    if args.command == "upgrade":
        print("Schéma à jour.")
        return 0
    from seed import demo as demo_mod

    factory = make_sessionmaker(engine)
    if not demo_mod.is_empty(factory):
        if args.if_empty:
            print("La base contient déjà des données : rien à faire.")
            return 0
        print("La base contient déjà des données : utilisez une base vide.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.scale == "small":
        from seed.small import build_small

        build_small(factory, today())
    else:
        from seed.national import build_national

        build_national(engine, today())
    print(f"Données de démonstration créées en {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
