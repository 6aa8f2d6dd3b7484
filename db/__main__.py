"""Command line of the data layer.

    python -m db upgrade                      create or migrate the schema
    python -m db demo …, python -m db import … the same as ``python -m opco demo …`` and
                                              ``python -m opco import …`` (same arguments)

The demo data and the contract import belong to the console's command line, above every layer
(``opco/__main__.py``); the data layer imports neither ``seed`` nor ``workflow``. So that the
commands written in the issues and in older notes still work, ``python -m db demo|import``
replaces its process with ``python -m opco`` and the same arguments (``os.execv``: same
interpreter, same environment and working directory; its output and exit code are opco's).
"""

from __future__ import annotations

import argparse
import os
import sys

from db.config import Settings
from db.migrate import upgrade
from db.session import make_engine

MOVED = ("demo", "import")  # subcommands of ``python -m opco``, run there


def _command(args: list[str]) -> str | None:
    """The subcommand: the first argument that is neither an option nor an option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--database-url":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _to_opco(args: list[str]) -> int:
    """Replace this process with ``python -m opco ARGS``; returns only when that fails."""
    command = [sys.executable, "-m", "opco", *args]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(sys.executable, command)
    except OSError as exc:
        print(f"Impossible de lancer « python -m opco {' '.join(args)} » : "
              f"{exc.strerror or exc}. Lancez cette commande vous-même.", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if _command(args_in) in MOVED:
        return _to_opco(args_in)
    parser = argparse.ArgumentParser(prog="python -m db",
                                     description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="default: $DATABASE_URL or sqlite:///data/console.db")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("upgrade", help="create or migrate the schema")
    for moved in MOVED:
        sub.add_parser(moved, help=f"the same as python -m opco {moved} (same arguments)")
    args = parser.parse_args(args_in)
    upgrade(make_engine(args.database_url or Settings.from_env().database_url))
    print("Schéma à jour.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
