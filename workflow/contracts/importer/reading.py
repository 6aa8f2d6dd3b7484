"""Reading an import file (pandas, every cell as text) and parsing each line."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from stdnum.fr import siret as stdsiret

from domain.formatting import format_eur
from domain.money import cents
from domain.schedule import EQUIPMENT_CAP
from domain.vocabulary import ContractChangeKind
from workflow.contracts.importer.report import (
    COLUMNS,
    CONTRACT_FIELDS,
    KINDS,
    MAX_BYTES,
    MAX_LINES,
    MEALS_MAX,
    MOBILITY_MAX,
    NIGHTS_MAX,
    NPEC_MAX,
    NUMBER_RE,
    REQUIRED_COLUMNS,
    RNCP_RE,
    TEXT_MAX,
    UAI_RE,
    ImportError_,
    LineError,
)

# --- reading -----------------------------------------------------------------------------

def _fold(text: str) -> str:
    """Header comparison: case, accents, spaces and apostrophes folded."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


HEADERS = {_fold(header): name for name, header in COLUMNS.items()}


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's lines as {field: text}, in order (a line's number is its index + 2).

    Raises:
        ImportError_: an unreadable file, an unknown or missing column, too many lines.
    """
    import pandas as pd

    def fail(reason: str, column: str = "", value: str = "") -> ImportError_:
        return ImportError_([LineError(1, column, value, reason)])

    if len(data) > MAX_BYTES:
        raise fail(f"Fichier trop volumineux (plus de {MAX_BYTES // (1024 * 1024)} Mo).")
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False,
                                  engine="openpyxl")
        elif name.endswith(".csv"):
            text = _decode(data)
            first = text.split("\n", 1)[0]
            sep = ";" if first.count(";") >= first.count(",") else ","
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                skipinitialspace=True)
        else:
            raise fail("Format de fichier non pris en charge : utilisez un fichier .csv ou "
                       ".xlsx.")
    except ImportError_:
        raise
    except Exception:  # noqa: BLE001 - pandas/openpyxl: any unreadable or empty content
        raise fail("Fichier illisible ou vide : vérifiez qu'il s'agit bien d'un fichier CSV "
                   "(séparateur ;) ou XLSX, avec la ligne des en-têtes.") from None
    columns: dict[str, str] = {}
    errors = []
    for header in frame.columns:
        known = HEADERS.get(_fold(header))
        if known is None:
            errors.append(LineError(1, str(header), str(header),
                                    "Colonne inconnue (voir docs/import-format.md)."))
        elif known in columns.values():
            errors.append(LineError(1, str(header), str(header), "Colonne en double."))
        else:
            columns[str(header)] = known
    for needed in REQUIRED_COLUMNS:
        if needed not in columns.values():
            errors.append(LineError(1, COLUMNS[needed], "", "Colonne obligatoire absente."))
    if errors:
        raise ImportError_(errors)
    if len(frame) > MAX_LINES:
        raise fail(f"Trop de lignes ({len(frame)}) : au plus {MAX_LINES} par fichier.")
    frame = frame.rename(columns=columns)
    return [{str(k): _clean(v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_([LineError(1, "", "", "Encodage du fichier non reconnu (UTF-8 "
                                               "attendu).")])


def _clean(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\u00a0", " ").replace("\u202f", " ").strip()


# --- one line ----------------------------------------------------------------------------

@dataclass
class Line:
    """One parsed line: its number, kind, contract number and the values it gives."""

    line: int
    kind: ContractChangeKind
    number: str
    values: dict[str, Any]
    effective_on: date | None


DAY_RE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
ISO_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?: 00:00:00)?$")


def _date(text: str) -> date:
    text = text.strip()
    fast = DAY_RE.match(text)
    iso = None if fast else ISO_RE.match(text)
    try:
        if fast:
            return date(int(fast[3]), int(fast[2]), int(fast[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        raise ValueError("Date invalide : ce jour n'existe pas.") from None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError("Date invalide : attendu JJ/MM/AAAA (ou AAAA-MM-JJ).")


def _amount(text: str, low: Decimal, high: Decimal, positive: bool = False) -> Decimal:
    raw = text.replace(" ", "").replace("€", "").replace("EUR", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError("Montant invalide : attendu un nombre en euros, par exemple "
                         "8000,00.") from None
    if not value.is_finite() or value != cents(value):
        raise ValueError("Montant invalide : au plus deux décimales.")
    if (positive and value <= 0) or value < low or value > high:
        lower = "strictement positif" if positive else f"au moins {format_eur(low)}"
        raise ValueError(f"Montant hors bornes : {lower}, au plus {format_eur(high)}.")
    return cents(value)


def _integer(text: str, low: int, high: int) -> int:
    raw = text.replace(" ", "")
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not re.fullmatch(r"[0-9]{1,7}", raw):
        raise ValueError("Nombre entier attendu.")
    value = int(raw)
    if not low <= value <= high:
        raise ValueError(f"Valeur hors bornes : entre {low} et {high}.")
    return value


@lru_cache(maxsize=4096)
def _siret(text: str) -> str:
    """A SIRET's 14 digits (spaces and dots dropped), its Luhn key checked. Memoised: a file
    names a few hundred employers and CFAs over thousands of lines, and the key check
    (python-stdnum) was a tenth of the import's CPU on the bench; a bad SIRET raises each time
    (exceptions are not cached)."""
    raw = re.sub(r"[ .]", "", text)
    if not re.fullmatch(r"[0-9]{14}", raw):
        raise ValueError("SIRET invalide : 14 chiffres attendus.")
    if not stdsiret.is_valid(raw):
        raise ValueError("SIRET invalide : la clé de contrôle ne correspond pas.")
    return raw


def _text(name: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if len(text) > TEXT_MAX[name]:
            raise ValueError(f"Texte trop long : au plus {TEXT_MAX[name]} caractères.")
        if any(unicodedata.category(ch)[0] == "C" for ch in text):
            raise ValueError("Caractère de contrôle interdit.")
        return text
    return check


def _number(text: str) -> str:
    if not NUMBER_RE.fullmatch(text):
        raise ValueError("Numéro invalide : lettres, chiffres et tirets, 30 caractères au "
                         "plus.")
    return text


def _uai(text: str) -> str:
    if not UAI_RE.fullmatch(text):
        raise ValueError("UAI invalide : 7 chiffres et une lettre attendus.")
    return text.upper()


def _rncp(text: str) -> str:
    if not RNCP_RE.fullmatch(text.replace(" ", "")):
        raise ValueError("Code RNCP invalide : RNCP suivi de chiffres attendu.")
    digits = re.sub(r"[^0-9]", "", text)
    return f"RNCP{digits}"


PARSERS: dict[str, Callable[[str], Any]] = {
    "number": _number, "previous": _number,
    "employer_siret": _siret, "employer_name": _text("employer_name"),
    "cfa_uai": _uai, "cfa_siret": _siret,
    "last_name": _text("last_name"), "first_name": _text("first_name"),
    "title": _text("title"), "level": lambda t: _integer(t, 3, 7), "rncp": _rncp,
    "start": _date, "end": _date, "signed_on": _date, "rupture_on": _date,
    "effective_on": _date,
    "npec": lambda t: _amount(t, Decimal("0"), NPEC_MAX, positive=True),
    "meals_per_year": lambda t: _integer(t, 0, MEALS_MAX),
    "nights_per_year": lambda t: _integer(t, 0, NIGHTS_MAX),
    "equipment_amount": lambda t: _amount(t, Decimal("0"), EQUIPMENT_CAP),
    "mobility_amount": lambda t: _amount(t, Decimal("0"), MOBILITY_MAX),
}


def parse_line(n: int, row: dict[str, str], errors: list[LineError]) -> Line | None:
    """One line's values, or None with its errors appended (every bad cell is listed)."""
    bad = len(errors)
    folded = _fold(row.get("kind", ""))
    kind = ContractChangeKind(folded) if folded in KINDS else None
    if kind is None:
        errors.append(LineError(n, COLUMNS["kind"], row.get("kind", ""),
                                "Type de ligne inconnu : contrat, avenant, rupture ou "
                                "prolongation."))
    values: dict[str, Any] = {}
    for name, text in row.items():
        if name == "kind" or not text:
            continue
        try:
            values[name] = PARSERS[name](text)
        except ValueError as exc:
            errors.append(LineError(n, COLUMNS[name], text, str(exc)))
    if not row.get("number"):
        errors.append(LineError(n, COLUMNS["number"], "", "Numéro de dépôt obligatoire."))
    if kind == ContractChangeKind.CONTRAT:
        for name in CONTRACT_FIELDS:
            if not row.get(name):
                errors.append(LineError(n, COLUMNS[name], "", "Valeur obligatoire pour une "
                                                               "ligne contrat."))
        if not row.get("cfa_uai") and not row.get("cfa_siret"):
            errors.append(LineError(n, COLUMNS["cfa_uai"], "", "UAI ou SIRET du CFA "
                                                               "obligatoire."))
    if kind == ContractChangeKind.PROLONGATION and not row.get("end"):
        errors.append(LineError(n, COLUMNS["end"], "", "Date de fin obligatoire pour une ligne "
                                                       "prolongation."))
    if kind == ContractChangeKind.RUPTURE and not row.get("rupture_on"):
        errors.append(LineError(n, COLUMNS["rupture_on"], "", "Date de rupture obligatoire "
                                                              "pour une ligne rupture."))
    if kind is None or len(errors) > bad:
        return None
    effective = values.pop("effective_on", None)
    return Line(n, kind, values.pop("number"), values, effective)

