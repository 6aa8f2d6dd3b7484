"""Exports of the contracts concerned by a pro forma: CSV and Excel, amounts exact."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from tests.workflow.reviewkit import seen_echeances as lines
from workflow import exports, proformas
from workflow.errors import AccessDenied


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
