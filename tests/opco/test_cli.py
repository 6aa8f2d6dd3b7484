"""The command lines: ``python -m opco upgrade|demo|import`` (the composition root) and the
data layer's own ``python -m db upgrade``, which sends demo and import to opco."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.__main__ import main as db_main
from db.models import Cfa
from opco.__main__ import main as opco_main

ROOT = Path(__file__).resolve().parents[2]


def test_both_command_lines_upgrade_the_schema(db_url, capsys):
    assert db_main(["--database-url", db_url, "upgrade"]) == 0
    assert opco_main(["--database-url", db_url, "upgrade"]) == 0
    assert capsys.readouterr().out == "Schéma à jour.\nSchéma à jour.\n"


def test_db_sends_demo_and_import_to_opco_and_touches_nothing(db_url, factory, capsys):
    assert db_main(["--database-url", db_url, "demo", "--if-empty"]) == 2
    assert capsys.readouterr().err == (
        "« python -m db demo » est devenu « python -m opco demo » (mêmes options).\n")
    assert db_main(["import", "contrats.csv", "--dry-run"]) == 2
    assert "« python -m opco import »" in capsys.readouterr().err
    with factory() as s:
        assert s.scalar(select(func.count(Cfa.id))) == 0


def test_opco_demo_leaves_a_database_that_holds_data(world, db_url, capsys):
    assert opco_main(["--database-url", db_url, "demo", "--if-empty"]) == 0
    assert capsys.readouterr().out == "La base contient déjà des données : rien à faire.\n"
    assert opco_main(["--database-url", db_url, "demo"]) == 2
    assert capsys.readouterr().err == (
        "La base contient déjà des données : utilisez une base vide.\n")


def test_python_m_opco_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "opco", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert all(word in done.stdout for word in ("upgrade", "demo", "import"))
