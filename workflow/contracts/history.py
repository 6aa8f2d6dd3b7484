"""A contract's history for "Mes contrats" (issue 18): its creation, each avenant with what it
changed, a prolongation, the rupture date, and the regularisations the recomputes made.

Read from the import's ``contract_change`` rows (the terms before and after, as JSON) and the
contract's échéances of kind ``regularisation``. A contract that never came through the
import (demo data) gets its creation, and its rupture, from the contract row. What a CFA reads
is about its own contract only: the CFA (which never changes) and the number of a previous
contract (which may be another CFA's) are never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Contract, ContractChange
from domain.formatting import format_day, format_eur
from domain.vocabulary import ContractChangeKind, EcheanceKind
from workflow.common.access import Actor, get_owned
from workflow.contracts.contracts import EcheanceRow, contract_schedule
from workflow.contracts.importer.report import LABELS, SHOWN

KIND_LABELS = {ContractChangeKind.AVENANT: "Avenant", ContractChangeKind.RUPTURE: "Rupture",
               ContractChangeKind.PROLONGATION: "Prolongation",
               ContractChangeKind.CONTRAT: "Mise à jour du contrat"}
HIDDEN = {"cfa_id", "previous"}
DAYS = {"start", "end", "signed_on", "rupture_on", "prolonged_from"}
AMOUNTS = {"npec", "equipment_amount", "mobility_amount"}


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a contract's life: its date, its name, and what it changed (French)."""

    on: date
    label: str
    what: str


@dataclass(frozen=True)
class ContractHistory:
    """The history of one contract and its regularisation échéances."""

    number: str
    entries: list[HistoryEntry]
    regularisations: list[EcheanceRow]


def contract_history(session: Session, actor: Actor, contract_id: object) -> ContractHistory:
    """The history of one contract the actor may see (a CFA: its own contracts only).

    Raises:
        AccessDenied: another CFA's contract, or no such contract (the same answer).
    """
    contract = get_owned(session, Contract, contract_id, actor, "ce contrat")
    changes = session.execute(
        select(ContractChange.kind, ContractChange.effective_on, ContractChange.before,
               ContractChange.after)
        .where(ContractChange.contract_id == contract.id).order_by(ContractChange.id)).all()
    entries: list[HistoryEntry] = []
    for kind, effective_on, before, after in changes:
        if not before:
            entries.append(HistoryEntry(contract_day(after, "signed_on") or effective_on,
                                        "Création", _created(after)))
        else:
            entries.append(HistoryEntry(effective_on, KIND_LABELS.get(kind, kind),
                                        _changed(before, after)))
    if not changes:
        entries.append(HistoryEntry(contract.signed_on, "Création", _created({
            "start": contract.start.isoformat(), "end": contract.end.isoformat(),
            "npec": str(contract.npec)})))
        if contract.rupture_on is not None:
            entries.append(HistoryEntry(contract.rupture_on, "Rupture",
                                        f"Date de rupture : {format_day(contract.rupture_on)}"))
    regularisations = [e for e in contract_schedule(session, actor, contract.id)
                       if e.kind == EcheanceKind.REGULARISATION]
    return ContractHistory(contract.number, entries, regularisations)


def contract_day(values: dict[str, object], name: str) -> date | None:
    """A date of a change's JSON terms, or None."""
    text = values.get(name)
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _created(after: dict[str, object]) -> str:
    parts = [f"du {_shown('start', after.get('start'))} au {_shown('end', after.get('end'))}",
             f"NPEC {_shown('npec', after.get('npec'))}"]
    if after.get("rupture_on"):
        parts.append(f"rompu le {_shown('rupture_on', after.get('rupture_on'))}")
    return "Contrat " + ", ".join(parts)


def _changed(before: dict[str, object], after: dict[str, object]) -> str:
    parts = [f"{LABELS[name]} : {_shown(name, before.get(name))} → "
             f"{_shown(name, after.get(name))}"
             for name in SHOWN if name not in HIDDEN and before.get(name) != after.get(name)]
    return " ; ".join(parts) or "Aucune condition modifiée"


def _shown(name: str, value: object) -> str:
    """A JSON value of a change in French (dates JJ/MM/AAAA, amounts in euros)."""
    if value is None or value == "":
        return "—"
    if name in DAYS:
        day = contract_day({name: value}, name)
        return format_day(day) if day else str(value)
    if name in AMOUNTS:
        try:
            return format_eur(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    return str(value)
