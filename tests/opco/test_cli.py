"""The command lines: ``python -m opco upgrade|demo|import`` (the composition root) and the
data layer's own ``python -m db upgrade``, whose demo and import run opco's (os.execv)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.contract_import import avenant_rows, contract_rows, rupture_rows, to_csv
from db.__main__ import main as db_main
from db.models import Cfa, Contract, ContractChange, ContractImport, Echeance
from domain.schedule import entitlement
from opco.__main__ import main as opco_main
from tests.factories import TODAY
from tests.workflow.reviewkit import deposit, version
from workflow.billing import proformas
from workflow.billing.eligibility import eligible_ids
from workflow.contracts.contracts import list_contracts, terms_of
from workflow.review import decisions

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


def _run_cli(db_url: str, path: Path, capsys) -> tuple[int, str, str]:
    code = opco_main(["--database-url", db_url, "import", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def _footprint(factory) -> tuple[int, ...]:
    with factory() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0
                     for t in (Contract, Echeance, ContractChange, ContractImport))


def test_the_cli_imports_contracts_then_avenants_then_ruptures(world, db_url, factory,
                                                                tmp_path, capsys):
    """Issue 18, "Done when", by the command line (SQLite, and PostgreSQL in the -m db pass):
    a generated file, then an avenant file and a rupture file, after one advance was
    validated. "Mes contrats" lists the contracts and the ruptures; the validated advance of
    the changed contract is regularised (negative: overpaid), then kept through the rupture;
    each contract's pedagogy
    échéances add up to its entitlement (R6332-25); the eligible list keeps nothing due after a
    rupture; a bad file gets every error listed and changes nothing. (10,000 lines: the bench,
    ``python -m bench.contract_import [--database-url]``, on both engines.)"""
    with factory() as s:
        uai, siret = s.execute(select(Cfa.uai, Cfa.siret).where(
            Cfa.id == world.cfa1_id)).one()
    rows = contract_rows([(uai, siret)], 100, TODAY.date(), prefix="CLI")
    path = tmp_path / "contrats.csv"
    path.write_bytes(to_csv(rows))
    code, out, err = _run_cli(db_url, path, capsys)
    assert (code, err) == (0, "")
    assert out.startswith("100 ligne(s) lue(s) : 100 contrat(s) ont été créé(s), 0 ont été "
                          "modifié(s), 0 inchangé(s) ; 0 régularisation(s).")
    first = rows[0]["number"]
    with factory() as s:
        assert list_contracts(s, world.cfa1, search="CLI", page_size=200).total == 100
        cid = s.scalars(select(Contract.id).where(Contract.number == first)).one()
        advance = s.scalars(select(Echeance.id).where(
            Echeance.contract_id == cid, Echeance.kind == "advance_40",
            Echeance.year == 1)).one()
        eligible = set(eligible_ids(s, world.cfa1, "pedagogie"))
    assert advance in eligible
    with factory.begin() as s:
        (pf,) = proformas.generate(s, world.cfa1, "pedagogie", [advance])
        pf_id = pf.id
    deposit(world, factory, pf_id)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
        advanced = s.get_one(Echeance, advance).amount

    avenants = avenant_rows(rows)  # NPEC − 500 € on one contract in ten, the first among them
    path.write_bytes(to_csv(avenants))
    code, out, err = _run_cli(db_url, path, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"{len(avenants)} ligne(s) lue(s) : 0 contrat(s) ont été créé(s), "
                          f"{len(avenants)} ont été modifié(s), 0 inchangé(s) ; "
                          "1 régularisation(s).")
    assert f"  régularisation : {first} pedagogie -200,00" in out.replace("\u202f", " ") \
        .replace("\xa0", " ").replace("−", "-")

    ruptures = rupture_rows(rows, TODAY.date())  # one contract in five, the first among them
    path.write_bytes(to_csv(ruptures))
    code, out, err = _run_cli(db_url, path, capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"{len(ruptures)} ligne(s) lue(s) : 0 contrat(s) ont été créé(s), "
                          f"{len(ruptures)} ont été modifié(s)")
    broken = {r["number"] for r in ruptures}
    with factory() as s:
        page = list_contracts(s, world.cfa1, search="CLI", page_size=200)
        assert {r.number for r in page.rows if r.status == "rupture"} == broken
        eligible = set(eligible_ids(s, world.cfa1, "pedagogie"))
        for c in s.scalars(select(Contract).where(Contract.number.like("CLI%"))):
            lines = list(s.execute(select(Echeance.id, Echeance.due_on, Echeance.amount,
                                          Echeance.kind).where(
                Echeance.contract_id == c.id, Echeance.nature == "pedagogie")))
            assert sum(a for _i, _d, a, _k in lines) == entitlement(terms_of(c)), c.number
            if c.number in broken:
                assert c.rupture_on is not None
                assert all(d <= c.rupture_on for i, d, _a, _k in lines if i in eligible)
        kept = list(s.execute(select(Echeance.id, Echeance.amount).where(
            Echeance.contract_id == cid, Echeance.pro_forma_id.is_not(None))))
    # the validated advance is kept as it was paid; the rupture's recompute nets what it
    # overpays against the échéances still unclaimed (the sum above: the entitlement)
    assert kept == [(advance, advanced)]

    before = _footprint(factory)
    bad = [dict(rows[1], number="CLIBAD1", employer_siret="12345678901234"),
           dict(rows[2], number="CLIBAD2", start="31/02/2026"),
           {"kind": "résiliation", "number": rows[3]["number"]},
           {"kind": "rupture", "number": "CLIINCONNU", "rupture_on": "01/01/2026"}]
    path.write_bytes(to_csv(bad))
    code, out, err = _run_cli(db_url, path, capsys)
    assert code == 1
    assert out.startswith("4 erreur(s) dans le fichier contrats.csv : rien n'a été importé.")
    assert [line.split(" : ")[0] for line in err.splitlines()] == [
        "  ligne 2, colonne « SIRET employeur », valeur « 12345678901234 »",
        "  ligne 3, colonne « Date de début », valeur « 31/02/2026 »",
        "  ligne 4, colonne « Type de ligne », valeur « résiliation »",
        "  ligne 5, colonne « Numéro de dépôt », valeur « CLIINCONNU »"]
    assert _footprint(factory) == before
