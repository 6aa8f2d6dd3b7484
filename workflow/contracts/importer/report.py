"""The contract import's vocabulary: its columns, bounds, errors and report."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from domain.formatting import format_day, format_eur
from domain.permissions import IMPORTERS
from domain.vocabulary import ContractChangeKind
from workflow.contracts.regularisation import Regularisation

Progress = Callable[[float, str], None]
MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 200_000
KINDS = tuple(ContractChangeKind)
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
         "nights_per_year", "equipment_amount", "mobility_amount", "rupture_on", "previous",
         "prolonged_from")
LABELS = {**COLUMNS, "cfa_id": "CFA", "prolonged_from": "Fin avant prolongation"}


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
    # L6222-11: the end before a prolongation after a failed exam (None: never prolonged)
    prolonged_from: date | None = None


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
    kind: ContractChangeKind
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



def describe(name: str, value: Any, cfas: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "cfa_id":
        return cfas.get(value, str(value))
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, Decimal):
        return format_eur(value)
    return str(value)


def jsonable(state: State | None) -> dict[str, Any]:
    if state is None:
        return {}
    return {f.name: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(
        v, Decimal) else v) for f in fields(State) if (v := getattr(state, f.name)) is not None}



def what(before: State, after: State, cfas: dict[int, str]) -> str:
    parts = [f"{LABELS[name]} : {describe(name, getattr(before, name), cfas)} → "
             f"{describe(name, getattr(after, name), cfas)}"
             for name in SHOWN if getattr(before, name) != getattr(after, name)]
    return " ; ".join(parts)

