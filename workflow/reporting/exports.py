""""Exporter les contrats concernés": a pro forma's contracts and échéances as CSV or Excel.

Amounts stay exact: Decimal all the way, written as text with a decimal comma in the CSV
(French spreadsheets read it as a number) and as Decimal cells with a euro format in Excel.
One pro forma's lines are read by one SQL query; nothing loads a whole table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import Select, literal, select
from sqlalchemy.orm import Session

from db.models import Apprentice, Contract, Echeance, Employer, ProForma, ProFormaLine
from domain.formatting import format_period
from domain.lifecycle import Act, require
from domain.vocabulary import NATURE_LABELS, Nature
from workflow.billing.portal import FileDownload
from workflow.common.access import Actor, get_owned
from workflow.contracts.contracts import CONTRACT_STATUS_LABELS

COLUMNS = ("N° pro forma", "Type", "Numéro enregistrement", "Libellé", "Apprenti", "Employeur",
           "SIRET employeur", "Durée contrat", "Période acompte", "Échéance le", "Montant",
           "Statut")
CSV_MEDIA = "text/csv"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00 "€";-#,##0.00 "€"'
# A text cell starting with one of these is a formula (or becomes one) for Excel, LibreOffice
# and Google Sheets: "=HYPERLINK(…)" in an employer's name from upstream contract data must
# stay text. OWASP's CSV injection advice: prefix such text cells with a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutral(value: object) -> object:
    """A cell for a CSV or XLSX export: text that a spreadsheet would read as a formula gets a
    leading quote; anything else (numbers, dates, Decimal amounts, None) is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportLine:
    """One échéance of the pro forma with its contract."""

    contract_number: str
    title: str
    apprentice: str
    employer: str
    employer_siret: str
    contract_start: date
    contract_end: date
    period_start: date
    period_end: date
    due_on: date
    amount: Decimal
    status: str


@dataclass(frozen=True)
class Export:
    """The pro forma's number and nature, and its lines in contract order."""

    number: str
    nature: str
    lines: list[ExportLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def export_lines(session: Session, actor: Actor, pro_forma_id: object) -> Export:
    """The contracts concerned by a pro forma (AccessDenied / TransitionRefused otherwise)."""
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    require(Act.EXPORT, pf.status, number=pf.number, kind=pf.kind)
    stmt: Select[str, str, str, str, str, date, date, date, date, date, Decimal, str] = (
        select(Contract.number, Contract.title,
               Apprentice.first_name + literal(" ") + Apprentice.last_name, Employer.name,
               Employer.siret, Contract.start, Contract.end, Echeance.period_start,
               Echeance.period_end, Echeance.due_on, ProFormaLine.amount, Contract.status)
        .select_from(ProFormaLine)
        .join(Echeance, Echeance.id == ProFormaLine.echeance_id)
        .join(Contract, Contract.id == ProFormaLine.contract_id)
        .join(Apprentice, Apprentice.id == Contract.apprentice_id)
        .join(Employer, Employer.id == Contract.employer_id)
        .where(ProFormaLine.pro_forma_id == pf.id)
        .order_by(Contract.number, Echeance.due_on, ProFormaLine.id)
    )
    return Export(pf.number, pf.nature, [ExportLine(*r) for r in session.execute(stmt)])


def _frame(export: Export) -> pd.DataFrame:
    nature = NATURE_LABELS[Nature(export.nature)]
    return pd.DataFrame([[
        export.number, nature, ln.contract_number, ln.title, ln.apprentice, ln.employer,
        ln.employer_siret, format_period(ln.contract_start, ln.contract_end),
        format_period(ln.period_start, ln.period_end), ln.due_on.strftime("%d/%m/%Y"),
        ln.amount, CONTRACT_STATUS_LABELS.get(ln.status, ln.status),
    ] for ln in export.lines], columns=list(COLUMNS)).map(neutral)


def to_csv(export: Export) -> bytes:
    """CSV for French spreadsheets: ``;`` separated, UTF-8 with BOM, "1575,00" amounts."""
    frame = _frame(export)
    frame["Montant"] = [f"{a:.2f}".replace(".", ",") for a in frame["Montant"]]
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    return ("\ufeff" + _plain(text)).encode("utf-8")


def _plain(text: str) -> str:
    """Babel's narrow and no-break spaces become plain spaces in exported text."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def to_excel(export: Export) -> bytes:
    """An .xlsx workbook: one sheet of lines, exact Decimal amounts, a total row."""
    frame = _frame(export)
    for col in ("Durée contrat", "Période acompte"):
        frame[col] = frame[col].map(_plain)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="Contrats")
        sheet = writer.sheets["Contrats"]
        amount_col = COLUMNS.index("Montant") + 1
        last = len(frame) + 1
        sheet.cell(row=last + 1, column=amount_col - 1, value="Total")
        sheet.cell(row=last + 1, column=amount_col, value=export.total)
        for row in range(2, last + 2):
            sheet.cell(row=row, column=amount_col).number_format = EURO_FORMAT
        for idx, name in enumerate(COLUMNS, start=1):
            width = max([len(name), *(len(str(v)) for v in frame[name])]) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=idx).column_letter].width = \
                min(width, 60)
    return buf.getvalue()


def export_csv(session: Session, actor: Actor, pro_forma_id: object) -> FileDownload:
    """The CSV export of a pro forma's contracts, ready to download."""
    export = export_lines(session, actor, pro_forma_id)
    return FileDownload(f"Contrats_{export.number}.csv", CSV_MEDIA, to_csv(export))


def export_excel(session: Session, actor: Actor, pro_forma_id: object) -> FileDownload:
    """The Excel export of a pro forma's contracts, ready to download."""
    export = export_lines(session, actor, pro_forma_id)
    return FileDownload(f"Contrats_{export.number}.xlsx", XLSX_MEDIA, to_excel(export))
