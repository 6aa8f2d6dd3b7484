"""The ``lines`` check (issue 15, item 3): each pro forma line found on the invoice with its
amount; a changed amount, a missing and an extra contract named with evidence; never a false
"matched"."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from checks import check_document
from checks.model import Expected, ExpectedLine
from tests.checks.thirdparty import lines_invoice

D = Decimal
ROOT = Path(__file__).resolve().parents[2]


def _pro_forma(count: int) -> list[tuple[str, str, Decimal]]:
    return [(f"2024{n:08d}", f"APPRENTI{n} Prénom", D(1000 + 7 * n) + D("0.50"))
            for n in range(1, count + 1)]


def _expected(lines: list[tuple[str, str, Decimal]]) -> Expected:
    return Expected(lines=tuple(ExpectedLine(c, a, p) for c, p, a in lines))


def _check(data: bytes, expected: Expected) -> tuple[str, list[dict[str, object]], str]:
    report = check_document(data, "facture.pdf", expected)
    result = report.result("lines")
    assert result is not None
    return result.outcome, report.found["lines"], result.message


@pytest.mark.parametrize("count", [1, 20, 200])
def test_every_line_matched_when_conforming(count: int) -> None:
    lines = _pro_forma(count)
    outcome, found, _ = _check(lines_invoice(lines, grouped=count == 20), _expected(lines))
    assert outcome == "pass"
    assert [f["status"] for f in found] == ["matched"] * count
    assert all(f["evidence"] is not None for f in found)


def test_changed_missing_and_extra_each_named_with_evidence() -> None:
    lines = _pro_forma(30)
    billed = list(lines)
    billed[4] = (billed[4][0], billed[4][1], D("1200.00"))  # amount changed
    del billed[10]  # a missing contract
    billed.append(("202499999999", "INTRUS Jean", D("500.00")))  # an extra contract
    outcome, found, message = _check(lines_invoice(billed), _expected(lines))
    assert outcome == "fail"
    by_contract = {f["contract"]: f for f in found}
    changed = by_contract[lines[4][0]]
    assert (changed["status"], changed["found"], changed["expected"]) == (
        "amount_differs", "1200.00", str(lines[4][2]))
    assert changed["evidence"]["page"] == 1
    assert by_contract[lines[10][0]]["status"] == "missing"
    assert by_contract["202499999999"]["status"] == "extra"
    assert f"dossier {lines[4][0]} : 1\u202f200,00\u00a0€ facturés" in message
    assert [f["status"] for f in found][:3] == ["amount_differs", "missing", "extra"]
    assert sum(f["status"] == "matched" for f in found) == 28


def test_no_false_matched_on_any_single_change() -> None:
    """Each line changed by a cent in turn: that line, and only that line, differs."""
    lines = _pro_forma(12)
    for index in range(len(lines)):
        billed = list(lines)
        contract, apprentice, amount = billed[index]
        billed[index] = (contract, apprentice, amount + D("0.01"))
        outcome, found, _ = _check(lines_invoice(billed), _expected(lines))
        statuses = {f["contract"]: f["status"] for f in found}
        assert outcome == "fail"
        assert statuses[contract] == "amount_differs"
        assert sum(s == "matched" for s in statuses.values()) == len(lines) - 1


def test_unit_price_equal_to_the_expected_amount_is_not_matched() -> None:
    from tests.checks.thirdparty import page_pdf

    data = page_pdf(["Facture", "202400000013 Formation 2 x 600,00 €   1 200,00 €"])
    outcome, found, _ = _check(data, Expected(lines=(ExpectedLine("202400000013",
                                                                  D("600.00")),)))
    assert outcome == "fail" and found[0]["status"] == "amount_differs"


def test_cli_lines_option(tmp_path: Path) -> None:
    lines = _pro_forma(3)
    billed = [lines[0], (lines[1][0], lines[1][1], D("1.00")), lines[2]]
    pdf = tmp_path / "facture.pdf"
    pdf.write_bytes(lines_invoice(billed))
    csv_file = tmp_path / "lignes.csv"
    csv_file.write_text("contrat;montant;apprenti\n" + "".join(
        f"{c};{str(a).replace('.', ',')};{p}\n" for c, p, a in lines), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "checks", str(pdf), "--lines", str(csv_file),
                           "--json"], cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    check = next(c for c in out["checks"] if c["name"] == "lines")
    assert check["outcome"] == "fail"
    assert [line["status"] for line in out["found"]["lines"]] == [
        "amount_differs", "matched", "matched"]
    bad = tmp_path / "bad.csv"
    bad.write_text("contrat;montant\n202400000001;abc\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "checks", str(pdf), "--lines", str(bad)],
                          cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("Erreur :")
