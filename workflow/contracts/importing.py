"""Import of contracts, avenants and ruptures from a CSV or XLSX file (issue 18).

The format is described in docs/import-format.md (a sample: docs/import-exemple.csv): one line
per event, its "Type de ligne" saying what it is — ``contrat`` (a contract as registered, all
its terms), ``avenant`` (the terms it changes; empty cells keep the current value) or
``rupture`` (the rupture date). Columns follow the national contract registration extract.

* Reading: pandas (``read_csv``, ``read_excel`` with openpyxl), every cell as text, nothing
  guessed by pandas; each value is then checked here, line by line.
* Validation: every error is listed with its line, column, value and reason, in French; a
  file with any error changes nothing (all or nothing, one transaction).
* Idempotent: the file's lines are played in order over the contracts as stored, and only
  what differs at the end is written: the same file twice changes nothing the second time.
* A changed contract (avenant, rupture) has its schedule recomputed
  (``workflow.contracts.regularisation``): unclaimed échéances replaced, those in a live pro
  forma kept, one regularisation per nature for the difference with what was paid or validated.
* A dry run does all of it inside a savepoint rolled back at the end: it reports exactly what
  would be created, changed and regularised.
* An applied file leaves a ``contract_import`` row, one ``contract_change`` per contract
  created or changed, and one event ``contracts_imported`` in the event log.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from stdnum.fr import siret as stdsiret

from db.models import (
    Apprentice,
    Cfa,
    Contract,
    ContractChange,
    ContractImport,
    Echeance,
    Employer,
)
from domain.clock import now, today
from domain.formatting import format_day, format_eur
from domain.money import cents
from domain.permissions import IMPORTERS
from domain.schedule import EQUIPMENT_CAP, ContractTerms, ScheduleError, schedule, validate
from workflow.common import events
from workflow.common.access import Actor, require_role
from workflow.common.paging import chunks
from workflow.common.typed import table_of
from workflow.contracts.regularisation import Regularisation, reason_for, recompute

Progress = Callable[[float, str], None]
MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 200_000
KINDS = ("contrat", "avenant", "rupture")
IMPORT_ROLES = IMPORTERS

# field -> column header of the file (docs/import-format.md)
COLUMNS: dict[str, str] = {
    "kind": "Type de ligne",
    "number": "Numéro de dépôt",
    "previous": "Numéro du contrat précédent",
    "employer_siret": "SIRET employeur",
    "employer_name": "Raison sociale employeur",
    "cfa_uai": "UAI CFA",
    "cfa_siret": "SIRET CFA",
    "last_name": "Nom apprenti",
    "first_name": "Prénom apprenti",
    "title": "Diplôme",
    "level": "Niveau",
    "rncp": "Code RNCP",
    "start": "Date de début",
    "end": "Date de fin",
    "signed_on": "Date de signature",
    "npec": "NPEC",
    "meals_per_year": "Repas par an",
    "nights_per_year": "Nuitées par an",
    "equipment_amount": "Premier équipement",
    "mobility_amount": "Mobilité",
    "rupture_on": "Date de rupture",
    "effective_on": "Date d'effet",
}
REQUIRED_COLUMNS = ("kind", "number")
CONTRACT_FIELDS = ("employer_siret", "employer_name", "last_name", "first_name", "title",
                   "level", "start", "end", "signed_on", "npec")
# bounds of the amounts and quantities (a value outside is refused with its line)
NPEC_MAX = Decimal("99999.99")
MOBILITY_MAX = Decimal("10000.00")
MEALS_MAX = 1000
NIGHTS_MAX = 366
TEXT_MAX = {"employer_name": 200, "last_name": 100, "first_name": 100, "title": 200,
            "rncp": 20, "number": 30, "previous": 30}
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,29}$")
UAI_RE = re.compile(r"^[0-9]{7}[A-Za-z]$")
RNCP_RE = re.compile(r"^(RNCP)?[0-9]{1,10}$", re.IGNORECASE)
# schedule.validate's fields -> the column they come from
TERM_COLUMNS = {"end": "end", "rupture_on": "rupture_on", "npec": "npec",
                "equipment_amount": "equipment_amount", "mobility_amount": "mobility_amount",
                "level": "level", "meals_per_year": "meals_per_year",
                "nights_per_year": "nights_per_year"}
# what "Voir le détail" of a change shows, in this order
SHOWN = ("cfa_id", "employer_siret", "employer_name", "last_name", "first_name", "title",
         "level", "rncp", "start", "end", "signed_on", "npec", "meals_per_year",
         "nights_per_year", "equipment_amount", "mobility_amount", "rupture_on", "previous")
LABELS = {**COLUMNS, "cfa_id": "CFA"}


class ImportError_(Exception):
    """A file that cannot be read at all (format, size, columns): ``errors`` say why."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(errors[0].reason if errors else "Fichier illisible.")
        self.errors = errors


@dataclass(frozen=True)
class LineError:
    """One error of a file: line (1 = header), column header, value as read, French reason."""

    line: int
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class State:
    """A contract's terms as the file sees them (from the database, then its lines)."""

    cfa_id: int
    employer_siret: str
    employer_name: str
    last_name: str
    first_name: str
    title: str
    level: int
    rncp: str
    start: date
    end: date
    signed_on: date
    npec: Decimal
    meals_per_year: int
    nights_per_year: int
    equipment_amount: Decimal
    mobility_amount: Decimal
    rupture_on: date | None
    previous: str


@dataclass(frozen=True)
class Created:
    line: int
    number: str
    apprentice: str
    cfa: str
    start: date
    end: date
    npec: Decimal


@dataclass(frozen=True)
class Changed:
    line: int
    number: str
    kind: str  # avenant | rupture | contrat
    what: str  # "NPEC : 8 000,00 € → 7 000,00 € ; …"


@dataclass
class Report:
    """What an import did (or, in a dry run, would do)."""

    filename: str
    lines: int = 0
    dry_run: bool = True
    created: list[Created] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    unchanged: int = 0
    regularisations: list[Regularisation] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One French sentence for the command line and the page."""
        if self.errors:
            return (f"{len(self.errors)} erreur(s) dans le fichier {self.filename} : "
                    "rien n'a été importé.")
        verb = "seraient" if self.dry_run else "ont été"
        return (f"{self.lines} ligne(s) lue(s) : {len(self.created)} contrat(s) {verb} "
                f"créé(s), {len(self.changed)} {verb} modifié(s), {self.unchanged} "
                f"inchangé(s) ; {len(self.regularisations)} régularisation(s).")


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
    kind: str
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


def _siret(text: str) -> str:
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
    kind = _fold(row.get("kind", ""))
    if kind not in KINDS:
        errors.append(LineError(n, COLUMNS["kind"], row.get("kind", ""),
                                "Type de ligne inconnu : contrat, avenant ou rupture."))
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
    if kind == "contrat":
        for name in CONTRACT_FIELDS:
            if not row.get(name):
                errors.append(LineError(n, COLUMNS[name], "", "Valeur obligatoire pour une "
                                                               "ligne contrat."))
        if not row.get("cfa_uai") and not row.get("cfa_siret"):
            errors.append(LineError(n, COLUMNS["cfa_uai"], "", "UAI ou SIRET du CFA "
                                                               "obligatoire."))
    if kind == "rupture" and not row.get("rupture_on"):
        errors.append(LineError(n, COLUMNS["rupture_on"], "", "Date de rupture obligatoire "
                                                              "pour une ligne rupture."))
    if len(errors) > bad:
        return None
    effective = values.pop("effective_on", None)
    return Line(n, kind, values.pop("number"), values, effective)


# --- the whole file ----------------------------------------------------------------------

def _state_of(c: Contract, employer: Employer, previous: str) -> State:
    return State(c.cfa_id, employer.siret, employer.name, c.apprentice_last_name,
                 c.apprentice_first_name, c.title, c.level, c.rncp, c.start, c.end,
                 c.signed_on, c.npec, c.meals_per_year, c.nights_per_year,
                 c.equipment_amount, c.mobility_amount, c.rupture_on, previous)


def _load_contracts(session: Session, numbers: Sequence[str]) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for part in chunks(sorted(numbers)):
        for c in session.scalars(select(Contract).where(Contract.number.in_(part))):
            found[c.number] = c
    return found


def _employers(session: Session, ids: Iterable[int]) -> dict[int, Employer]:
    found: dict[int, Employer] = {}
    for part in chunks(sorted(set(ids))):
        for e in session.scalars(select(Employer).where(Employer.id.in_(part))):
            found[e.id] = e
    return found


def _terms(state: State, after_rupture_elsewhere: bool) -> ContractTerms:
    return ContractTerms(
        start=state.start, end=state.end, signed_on=state.signed_on, npec=state.npec,
        level=state.level, rupture_on=state.rupture_on, meals_per_year=state.meals_per_year,
        nights_per_year=state.nights_per_year, equipment_amount=state.equipment_amount,
        mobility_amount=state.mobility_amount,
        after_rupture_new_employer=after_rupture_elsewhere)


def _describe(name: str, value: Any, cfas: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "cfa_id":
        return cfas.get(value, str(value))
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, Decimal):
        return format_eur(value)
    return str(value)


def _jsonable(state: State | None) -> dict[str, Any]:
    if state is None:
        return {}
    return {f.name: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(
        v, Decimal) else v) for f in fields(State) if (v := getattr(state, f.name)) is not None}


def require_importer(actor: Actor) -> None:
    """Only managers and administrators import contracts."""
    require_role(actor, *IMPORT_ROLES)


def run(session: Session, actor: Actor | None, data: bytes, filename: str, *,
        dry_run: bool = True, progress: Progress | None = None) -> Report:
    """Read, validate and (unless ``dry_run``) apply a file, in the caller's transaction.

    Nothing is written when the file has an error, and nothing stays written in a dry run
    (the work is done in a savepoint, then rolled back). ``actor``: None for the command
    line (the event has no actor); else a manager or an administrator.
    """
    if actor is not None:
        require_importer(actor)
    say = progress or (lambda _f, _t: None)
    report = Report(filename=filename, dry_run=dry_run)
    try:
        rows = read_table(data, filename)
    except ImportError_ as exc:
        report.errors = exc.errors
        return report
    report.lines = len(rows)
    say(0.05, f"{len(rows)} ligne(s) lue(s)")
    lines: list[Line] = []
    for k, row in enumerate(rows):
        parsed = parse_line(k + 2, row, report.errors)
        if parsed is not None:
            lines.append(parsed)
        if k % 2000 == 1999:
            say(0.05 + 0.25 * k / len(rows), f"Contrôle des lignes : {k + 1}/{len(rows)}")
    plan = _play(session, lines, report.errors)
    say(0.4, "Lignes contrôlées")
    if report.errors:
        report.errors.sort(key=lambda e: (e.line, e.column))
        return report
    savepoint = session.begin_nested()
    try:
        _apply(session, actor, plan, report, data, say)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    say(1.0, "Terminé")
    return report


@dataclass
class _Plan:
    """The file played over the stored contracts: the final state of each contract touched."""

    stored: dict[str, Contract]
    before: dict[str, State]
    after: dict[str, State]
    last_line: dict[str, int]
    kind: dict[str, str]
    effective: dict[str, date]
    cfas: dict[int, str]


def _play(session: Session, lines: list[Line], errors: list[LineError]) -> _Plan:
    """Play the lines in order; check the final terms; list every error."""
    numbers = {ln.number for ln in lines} | {ln.values["previous"] for ln in lines
                                             if "previous" in ln.values}
    stored = _load_contracts(session, [str(n) for n in numbers])
    employers = _employers(session, (c.employer_id for c in stored.values()))
    linked = sorted({c.previous_contract_id for c in stored.values()
                     if c.previous_contract_id is not None})
    previous_numbers: dict[int, str] = {}
    for part in chunks(linked):
        previous_numbers.update((cid, number) for cid, number in session.execute(
            select(Contract.id, Contract.number).where(Contract.id.in_(part))))
    cfa_rows = session.execute(select(Cfa.id, Cfa.uai, Cfa.siret, Cfa.name)).all()
    by_uai = {uai.upper(): cid for cid, uai, _s, _n in cfa_rows}
    by_siret = {siret: cid for cid, _u, siret, _n in cfa_rows}
    cfas = {cid: name for cid, _u, _s, name in cfa_rows}
    before = {n: _state_of(c, employers[c.employer_id],
                           previous_numbers.get(c.previous_contract_id or 0, ""))
              for n, c in stored.items()}
    states: dict[str, State] = dict(before)
    first_line: dict[str, int] = {}
    last_line: dict[str, int] = {}
    kinds: dict[str, str] = {}
    effective: dict[str, date] = {}
    for ln in lines:
        where = COLUMNS["number"]
        if ln.kind == "contrat":
            if ln.number in first_line and ln.number not in stored:
                errors.append(LineError(ln.line, where, ln.number,
                                        f"Contrat déjà décrit ligne {first_line[ln.number]}."))
                continue
            cfa_id = _cfa(ln, by_uai, by_siret, errors)
            if cfa_id is None:
                continue
            old = states.get(ln.number)
            v = ln.values
            if old is not None and old.cfa_id != cfa_id:
                errors.append(LineError(ln.line, COLUMNS["cfa_uai"], v.get("cfa_uai", ""),
                                        "Changement de CFA d'un contrat existant non pris en "
                                        "charge."))
                continue
            states[ln.number] = State(
                cfa_id, v["employer_siret"], v["employer_name"], v["last_name"],
                v["first_name"], v["title"], v["level"], v.get("rncp", ""), v["start"],
                v["end"], v["signed_on"], v["npec"], v.get("meals_per_year", 0),
                v.get("nights_per_year", 0), v.get("equipment_amount", Decimal("0.00")),
                v.get("mobility_amount", Decimal("0.00")),
                # an empty cell never undoes a rupture or a link already recorded (the
                # registration file imported again after a rupture file changes nothing)
                v.get("rupture_on") or (old.rupture_on if old else None),
                v.get("previous") or (old.previous if old else ""))
        else:
            old = states.get(ln.number)
            if old is None:
                errors.append(LineError(ln.line, where, ln.number, "Contrat inconnu : une "
                                        f"ligne {ln.kind} suit le contrat qu'elle modifie."))
                continue
            v = dict(ln.values)
            if ln.kind == "rupture":
                v = {"rupture_on": v["rupture_on"]}
            cfa_given = v.pop("cfa_uai", None) or v.pop("cfa_siret", None)
            v.pop("cfa_uai", None)
            v.pop("cfa_siret", None)
            if cfa_given:
                errors.append(LineError(ln.line, COLUMNS["cfa_uai"], str(cfa_given),
                                        "Un avenant ne change pas le CFA du contrat."))
                continue
            if not v:
                errors.append(LineError(ln.line, where, ln.number,
                                        "Avenant sans aucune valeur à modifier."))
                continue
            states[ln.number] = replace(old, **v)
        first_line.setdefault(ln.number, ln.line)
        last_line[ln.number] = ln.line
        kinds[ln.number] = "contrat" if ln.number not in stored else (
            ln.kind if kinds.get(ln.number, "contrat") == "contrat" else
            "rupture" if "rupture" in (ln.kind, kinds[ln.number]) else "avenant")
        effective[ln.number] = ln.effective_on or ln.values.get("rupture_on") or today()
    after = {n: states[n] for n in last_line}
    for number, state in after.items():
        _check(number, state, states, last_line[number], errors)
    return _Plan(stored, before, after, last_line, kinds, effective, cfas)


def _cfa(ln: Line, by_uai: dict[str, int], by_siret: dict[str, int],
         errors: list[LineError]) -> int | None:
    uai, siret = ln.values.get("cfa_uai"), ln.values.get("cfa_siret")
    found = {by_uai.get(uai) if uai else None, by_siret.get(siret) if siret else None} - {None}
    if uai and by_uai.get(uai) is None:
        errors.append(LineError(ln.line, COLUMNS["cfa_uai"], uai, "CFA inconnu (UAI)."))
        return None
    if siret and by_siret.get(siret) is None:
        errors.append(LineError(ln.line, COLUMNS["cfa_siret"], siret, "CFA inconnu (SIRET)."))
        return None
    if len(found) != 1:
        errors.append(LineError(ln.line, COLUMNS["cfa_siret"], siret or "",
                                "L'UAI et le SIRET désignent deux CFA différents."))
        return None
    return found.pop()


def follows_elsewhere(state: State, states: dict[str, State]) -> bool:
    """The contract follows the rupture of a previous contract with another employer."""
    previous = states.get(state.previous) if state.previous else None
    return (previous is not None and previous.rupture_on is not None
            and previous.employer_siret != state.employer_siret)


def _check(number: str, state: State, states: dict[str, State], line: int,
           errors: list[LineError]) -> None:
    if state.previous:
        previous = states.get(state.previous)
        if state.previous == number:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Un contrat ne peut pas se suivre lui-même."))
        elif previous is None:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Contrat précédent inconnu (ni en base ni dans le "
                                    "fichier)."))
        elif previous.rupture_on is None:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Le contrat précédent n'est pas rompu."))
        elif previous.rupture_on >= state.start:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Le contrat précédent est rompu le "
                                    f"{format_day(previous.rupture_on)}, pas avant le début "
                                    f"de celui-ci ({format_day(state.start)})."))
    if state.signed_on > state.end:
        errors.append(LineError(line, COLUMNS["signed_on"], format_day(state.signed_on),
                                "La date de signature est postérieure à la fin du contrat."))
    try:
        validate(_terms(state, follows_elsewhere(state, states)))
    except ScheduleError as exc:
        column = COLUMNS[TERM_COLUMNS.get(exc.field, "end")]
        value = getattr(state, TERM_COLUMNS.get(exc.field, "end"), "")
        errors.append(LineError(line, column, _describe("x", value, {}), exc.message))


def _apply(session: Session, actor: Actor | None, plan: _Plan, report: Report, data: bytes,
           say: Progress) -> None:
    created = [n for n in plan.after if n not in plan.stored]
    # the raison sociale belongs to the employer (its SIRET), not to the contract: a new one
    # renames the employer and changes no contract (so that a file naming one SIRET two
    # ways is still idempotent)
    changed = [n for n in plan.after if n in plan.stored
               and replace(plan.after[n], employer_name="")
               != replace(plan.before[n], employer_name="")]
    report.unchanged = len(plan.after) - len(created) - len(changed)
    employer_ids = _employer_ids(session, list(plan.after.values()))
    say(0.5, f"Création de {len(created)} contrat(s)")
    ids = _create(session, plan, created, employer_ids)
    say(0.75, f"Modification de {len(changed)} contrat(s)")
    outcomes = _change(session, plan, changed, employer_ids)
    for n in created:
        s = plan.after[n]
        report.created.append(Created(plan.last_line[n], n, f"{s.last_name} {s.first_name}",
                                      plan.cfas.get(s.cfa_id, ""), s.start, s.end, s.npec))
    for n in changed:
        report.changed.append(Changed(plan.last_line[n], n, plan.kind[n],
                                      _what(plan.before[n], plan.after[n], plan.cfas)))
    for outcome in outcomes:
        report.regularisations.extend(outcome.regularisations)
    say(0.9, "Journal")
    record = ContractImport(
        filename=report.filename[:200], sha256=hashlib.sha256(data).hexdigest(),
        imported_at=now(), imported_by_id=actor.user_id if actor else None,
        lines=report.lines, created=len(created), changed=len(changed),
        regularised=len(report.regularisations))
    session.add(record)
    session.flush()
    report.import_id = record.id
    all_ids = {**ids, **{n: plan.stored[n].id for n in changed}}
    at = now()
    changes = [{"contract_id": all_ids[n], "import_id": record.id, "line": plan.last_line[n],
                "kind": plan.kind[n], "effective_on": plan.effective[n], "at": at,
                "before": _jsonable(plan.before.get(n)), "after": _jsonable(plan.after[n])}
               for n in (*created, *changed)]
    if changes:
        session.execute(insert(ContractChange), changes)
    events.record(session, actor, "contracts_imported", entity="contract_import",
                  entity_id=record.id, data={
                      "filename": report.filename[:200], "sha256": record.sha256,
                      "lines": report.lines, "created": len(created), "changed": len(changed),
                      "unchanged": report.unchanged,
                      "regularised": len(report.regularisations),
                      "dry_run": report.dry_run})


def _what(before: State, after: State, cfas: dict[int, str]) -> str:
    parts = [f"{LABELS[name]} : {_describe(name, getattr(before, name), cfas)} → "
             f"{_describe(name, getattr(after, name), cfas)}"
             for name in SHOWN if getattr(before, name) != getattr(after, name)]
    return " ; ".join(parts)


def _employer_ids(session: Session, states: list[State]) -> dict[str, int]:
    """{siret: employer id}: the employers of the file, created when missing, renamed when
    the file gives another raison sociale (the last one read for a SIRET wins)."""
    wanted: dict[str, str] = {}
    for s in states:
        wanted[s.employer_siret] = s.employer_name
    found: dict[str, int] = {}
    renames: list[dict[str, object]] = []
    for part in chunks(sorted(wanted)):
        for eid, siret, name in session.execute(select(Employer.id, Employer.siret,
                                                       Employer.name)
                                                .where(Employer.siret.in_(part))
                                                .order_by(Employer.id)):
            if siret not in found and name != wanted[siret]:
                renames.append({"id": eid, "name": wanted[siret]})
            found.setdefault(siret, eid)
    if renames:
        session.execute(update(Employer), renames)
    missing = [{"siret": s, "name": wanted[s]} for s in sorted(wanted) if s not in found]
    if missing:
        session.execute(insert(Employer), missing)
        for part in chunks([m["siret"] for m in missing]):
            for eid, siret in session.execute(select(Employer.id, Employer.siret)
                                              .where(Employer.siret.in_(part))):
                found.setdefault(siret, eid)
    return found


def _create(session: Session, plan: _Plan, created: list[str],
            employer_ids: dict[str, int]) -> dict[str, int]:
    """Insert the new contracts, their apprentices and their échéances; {number: id}."""
    if not created:
        return {}
    apprentices = [{"last_name": plan.after[n].last_name, "first_name": plan.after[n].first_name}
                   for n in created]
    conn = session.connection()
    appr_ids = _insert_ids(conn, Apprentice.__table__, apprentices)
    rows = []
    for n, appr in zip(created, appr_ids, strict=True):
        s = plan.after[n]
        rows.append({
            "number": n, "cfa_id": s.cfa_id, "employer_id": employer_ids[s.employer_siret],
            "apprentice_id": appr, "apprentice_last_name": s.last_name,
            "apprentice_first_name": s.first_name, "title": s.title, "rncp": s.rncp,
            "level": s.level, "start": s.start, "end": s.end, "signed_on": s.signed_on,
            "npec": s.npec, "status": "rupture" if s.rupture_on else "engage",
            "rupture_on": s.rupture_on, "meals_per_year": s.meals_per_year,
            "nights_per_year": s.nights_per_year, "equipment_amount": s.equipment_amount,
            "mobility_amount": s.mobility_amount, "previous_contract_id": None})
    ids = dict(zip(created, _insert_ids(conn, Contract.__table__, rows), strict=True))
    links = _links(session, plan, created, ids)
    if links:
        session.execute(_UPDATE_PREVIOUS, links)
    echeances = []
    states = plan.before | plan.after
    for n in created:
        s = plan.after[n]
        cfa_id, cid = s.cfa_id, ids[n]
        for i in schedule(_terms(s, follows_elsewhere(s, states))):
            echeances.append({
                "contract_id": cid, "cfa_id": cfa_id, "nature": i.nature.value,
                "kind": i.kind, "year": i.year, "period_start": i.period_start,
                "period_end": i.period_end, "due_on": i.due_on, "amount": i.amount,
                "detail": i.detail, "pro_forma_id": None})
    for part in range(0, len(echeances), 20_000):
        conn.execute(insert(table_of(Echeance)), echeances[part:part + 20_000])
    return ids


def _insert_ids(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their ids in the same order.

    PostgreSQL: INSERT … RETURNING, in parameter order. SQLite: the transaction holds the
    write lock from its BEGIN IMMEDIATE (db.session), so an INTEGER PRIMARY KEY takes
    max(id) + 1, + 2, … in order (checked); a batched RETURNING would be one statement per row.
    """
    if conn.dialect.name != "sqlite":
        return list(conn.execute(insert(table).returning(table.c.id,
                                                         sort_by_parameter_order=True),
                                 rows).scalars())
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    conn.execute(insert(table), rows)
    last = conn.execute(select(func.max(table.c.id))).scalar()
    if last != first + len(rows) - 1:
        raise RuntimeError(f"{table.name} : identifiants non consécutifs à l'import")
    return list(range(first, last + 1))


def _links(session: Session, plan: _Plan, numbers: list[str], ids: dict[str, int]
           ) -> list[dict[str, int]]:
    """previous_contract_id of contracts whose "Numéro du contrat précédent" is given."""
    wanted = {n: plan.after[n].previous for n in numbers if plan.after[n].previous}
    if not wanted:
        return []
    known = {c.number: c.id for c in plan.stored.values()} | ids
    missing = sorted(set(wanted.values()) - set(known))
    if missing:
        known |= {c.number: c.id for c in _load_contracts(session, missing).values()}
    return [{"b_id": ids.get(n) or plan.stored[n].id, "b_previous": known[p]}
            for n, p in wanted.items()]


def _update_previous() -> Any:
    from sqlalchemy import bindparam

    table = table_of(Contract)
    return (update(table).where(table.c.id == bindparam("b_id"))
            .values(previous_contract_id=bindparam("b_previous")))


_UPDATE_PREVIOUS = _update_previous()


def _change(session: Session, plan: _Plan, changed: list[str],
            employer_ids: dict[str, int]) -> list[Any]:
    """Write the new terms of the changed contracts, then recompute their schedules."""
    if not changed:
        return []
    contracts = [plan.stored[n] for n in changed]
    reasons = {}
    links = _links(session, plan, changed, {})
    for c in contracts:
        s = plan.after[c.number]
        old = plan.before[c.number]
        c.employer_id = employer_ids[s.employer_siret]
        if (s.last_name, s.first_name) != (old.last_name, old.first_name):
            appr = session.get_one(Apprentice, c.apprentice_id)
            appr.last_name, appr.first_name = s.last_name, s.first_name
        c.apprentice_last_name, c.apprentice_first_name = s.last_name, s.first_name
        c.title, c.level, c.rncp = s.title, s.level, s.rncp
        c.start, c.end, c.signed_on, c.npec = s.start, s.end, s.signed_on, s.npec
        c.meals_per_year, c.nights_per_year = s.meals_per_year, s.nights_per_year
        c.equipment_amount, c.mobility_amount = s.equipment_amount, s.mobility_amount
        c.rupture_on = s.rupture_on
        c.status = "rupture" if s.rupture_on else "engage"
        reasons[c.id] = reason_for(c, plan.kind[c.number], plan.effective[c.number])
    session.flush()
    if links:
        session.execute(_UPDATE_PREVIOUS, links)
        for c in contracts:
            session.refresh(c, ["previous_contract_id", "previous_contract"])
    return recompute(session, contracts, {c.id: plan.effective[c.number] for c in contracts},
                     reasons)


def template_csv() -> str:
    """The header line of an import file, for the page's "Télécharger le modèle"."""
    return ";".join(COLUMNS.values()) + "\n"
