"""Command line of the data layer.

    python -m db upgrade                      create or migrate the schema

The demo data and the contract import are the console's command line, above every layer:
``python -m opco demo`` and ``python -m opco import FILE`` (``opco/__main__.py``); the data
layer imports neither ``seed`` nor ``workflow``.
"""

from __future__ import annotations

import argparse
import sys

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine

MOVED = ("demo", "import")  # subcommands of ``python -m opco`` now


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    moved = next((a for a in args_in if a in MOVED), None)
    if moved is not None:
        print(f"« python -m db {moved} » est devenu « python -m opco {moved} » "
              "(mêmes options).", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m db",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="create or migrate the schema")
    args = parser.parse_args(args_in)
    upgrade(make_engine(args.database_url or Settings.from_env().database_url))
    print("Schéma à jour.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
