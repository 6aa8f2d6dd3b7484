"""The command lines: ``python -m opco upgrade|demo|import`` (the composition root) and the
data layer's own ``python -m db upgrade``, whose demo and import run opco's (os.execv)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.__main__ import main as db_main
from db.models import Cfa, Contract
from opco.__main__ import main as opco_main

ROOT = Path(__file__).resolve().parents[2]


def test_both_command_lines_upgrade_the_schema(db_url, capsys):
    assert db_main(["--database-url", db_url, "upgrade"]) == 0
    assert opco_main(["--database-url", db_url, "upgrade"]) == 0
    assert capsys.readouterr().out == "Schéma à jour.\nSchéma à jour.\n"


def _python_m(*args: str) -> tuple[int, str, str]:
    """``python -m ARGS`` in a child process from the repository's root: (exit code, stdout,
    stderr), the import's elapsed time ("(0.4 s)") blanked so that two runs compare."""
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    def blank(text: str) -> str:
        return re.sub(r"\(\d+\.\d s\)", "(… s)", text)
    return done.returncode, blank(done.stdout), blank(done.stderr)


def _sample(world, factory, tmp_path: Path) -> Path:
    """docs/import-exemple.csv with the world's CFAs in place of the sample's."""
    with factory() as s:
        (uai1, _s1), (_u2, siret2) = list(s.execute(select(Cfa.uai, Cfa.siret)
                                                     .order_by(Cfa.id)))[:2]
    text = (ROOT / "docs" / "import-exemple.csv").read_text("utf-8-sig")
    path = tmp_path / "import-exemple.csv"
    path.write_text(text.replace("5408156A", uai1).replace("52171205918556", siret2), "utf-8")
    return path


def test_python_m_db_import_is_python_m_opco_import(world, db_url, factory, tmp_path):
    """Issue 18 writes ``python -m db import FILE [--dry-run]``: it runs opco's import (same
    output, same exit code), on a good file and on a bad one, and the dry runs write
    nothing."""
    sample = _sample(world, factory, tmp_path)
    with factory() as s:
        contracts = s.scalar(select(func.count(Contract.id)))
    by_opco = _python_m("opco", "--database-url", db_url, "import", str(sample), "--dry-run")
    by_db = _python_m("db", "--database-url", db_url, "import", str(sample), "--dry-run")
    assert by_opco[0] == 0 and by_opco[1].startswith(
        "Simulation (rien n'est écrit) : 8 ligne(s) lue(s) : 4 contrat(s) seraient créé(s)")
    assert by_db == by_opco
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Type de ligne;Num\xc3\xa9ro de d\xc3\xa9p\xc3\xb4t\nrupture;INCONNU\n")
    by_opco = _python_m("opco", "--database-url", db_url, "import", str(bad))
    by_db = _python_m("db", "--database-url", db_url, "import", str(bad))
    assert by_opco[0] == 1 and "ligne 2" in by_opco[2]
    assert by_db == by_opco
    with factory() as s:
        assert s.scalar(select(func.count(Contract.id))) == contracts


def test_python_m_db_demo_is_python_m_opco_demo(world, db_url):
    """``python -m db demo`` is opco's demo (here: a database that already holds data)."""
    by_opco = _python_m("opco", "--database-url", db_url, "demo", "--if-empty")
    assert by_opco == (0, "La base contient déjà des données : rien à faire.\n", "")
    assert _python_m("db", "--database-url", db_url, "demo", "--if-empty") == by_opco


def test_python_m_db_says_so_in_french_when_opco_cannot_start(tmp_path):
    """When the interpreter cannot be started again, a French message and exit code 2."""
    code = ("import sys; sys.executable = '/nonexistent/python'; "
            "from db.__main__ import main; sys.exit(main(['import', 'contrats.csv']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "Impossible de lancer « python -m opco import contrats.csv » : ")
    assert "Lancez cette commande vous-même." in done.stderr


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
