"""The review screen's data: the pro forma beside every version of its file, the check
verdicts with their evidence, the event history and the decisions; page rendering.

Read-only: OPCO staff only, checked first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from checks.render import render_pages as _render
from db.models import (
    Apprentice,
    Cfa,
    CheckRun,
    Contract,
    Decision,
    Document,
    Echeance,
    Event,
    ProForma,
    ProFormaLine,
    RefusalReason,
    User,
)
from workflow.access import Actor, get_owned, require_opco
from workflow.decisions import CHECK_LABELS
from workflow.errors import InvalidInput
from workflow.formatting import format_period
from workflow.statuses import Status, label

OUTCOME_LABELS = {"pass": "Conforme", "fail": "Non conforme", "unknown": "À vérifier"}
OUTCOME_ICONS = {"pass": "✅", "fail": "❌", "unknown": "❔"}
ACTION_LABELS = {
    "generated": "Pro forma générée", "deposited": "Facture déposée",
    "replaced": "Facture remplacée", "cancelled": "Annulée", "validated": "Validée",
    "refused": "Refusée", "approved": "Double contrôle approuvé", "paid": "Payée",
    "settled": "Avoir soldé", "assigned": "Attribuée", "unassigned": "Désattribuée",
    "checks_rerun": "Contrôles relancés", "credit_applied": "Avoir imputé",
    "reimbursed": "Remboursement enregistré",
}


@dataclass(frozen=True)
class Verdict:
    """One stored check result, ready to display."""

    name: str
    label: str
    outcome: str
    message: str
    evidence: list[dict[str, Any]]

    def highlights(self) -> dict[int, list[list[float]]]:
        """{page: [bbox, …]} of this verdict's evidence."""
        out: dict[int, list[list[float]]] = {}
        for ev in self.evidence:
            out.setdefault(int(ev["page"]), []).append([float(v) for v in ev["bbox"]])
        return out


@dataclass(frozen=True)
class RunView:
    """One check run of one document version."""

    id: int
    document_id: int
    document_version: int
    ran_at: datetime
    text_source: str
    summary: str
    verdicts: list[Verdict]


@dataclass(frozen=True)
class DocumentView:
    """One deposited version (bytes included, for rendering and download)."""

    id: int
    version: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class ReviewData:
    """Everything the review screen shows about one pro forma."""

    pro_forma_id: int
    number: str
    status: str
    status_label: str
    kind: str
    nature: str
    total: Decimal
    dossiers: int
    version: int
    settlement_mode: str | None
    own_invoice_number: str | None
    deposited_at: datetime | None
    assigned_to: str | None
    needs_second_approval: bool
    cfa: dict[str, str]
    lines: list[dict[str, Any]]
    documents: list[DocumentView]  # newest first
    runs: list[RunView]  # newest first
    events: list[dict[str, Any]]  # oldest first
    decisions: list[dict[str, Any]]  # oldest first

    @property
    def latest_run(self) -> RunView | None:
        return self.runs[0] if self.runs else None

    @property
    def decidable(self) -> bool:
        return self.status == Status.UNDER_REVIEW


def review_data(session: Session, actor: Actor, pro_forma_id: object) -> ReviewData:
    """The pro forma, its CFA, lines, every document version, check run, event and decision.

    Raises AccessDenied for anyone but OPCO staff (and for an unknown id).
    """
    require_opco(actor)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    cfa = session.get_one(Cfa, pf.cfa_id)
    docs = list(session.scalars(select(Document).where(Document.pro_forma_id == pf.id)
                                .order_by(Document.version.desc())))
    versions = {d.id: d.version for d in docs}
    runs = list(session.scalars(select(CheckRun).where(CheckRun.document_id.in_(versions))
                                .order_by(CheckRun.id.desc()))) if docs else []
    names = _names(session, pf)
    return ReviewData(
        pro_forma_id=pf.id, number=pf.number, status=pf.status,
        status_label=label(pf.status, pf.kind), kind=pf.kind, nature=pf.nature,
        total=pf.total, dossiers=pf.dossiers, version=pf.version,
        settlement_mode=pf.settlement_mode, own_invoice_number=pf.own_invoice_number,
        deposited_at=pf.deposited_at, assigned_to=names.get(pf.assigned_to_id),
        needs_second_approval=pf.needs_second_approval,
        cfa={"name": cfa.name, "siret": cfa.siret, "iban": cfa.iban, "bic": cfa.bic,
             "address": cfa.address},
        lines=_lines(session, pf.id),
        documents=[DocumentView(d.id, d.version, d.filename, d.media_type, d.size,
                                d.uploaded_at, d.content) for d in docs],
        runs=[run_view(r, versions[r.document_id]) for r in runs],
        events=_events(session, pf.id, names),
        decisions=_decisions(session, pf.id, names),
    )


def _names(session: Session, pf: ProForma) -> dict[int | None, str]:
    """Names of the users who acted on ``pf`` (events, decisions, assignment)."""
    ids = select(Event.actor_id).where(Event.pro_forma_id == pf.id).union(
        select(Decision.decided_by_id).where(Decision.pro_forma_id == pf.id))
    stmt = select(User.id, User.name).where(
        or_(User.id.in_(ids), User.id == pf.assigned_to_id))
    return {uid: name for uid, name in session.execute(stmt)}


def _lines(session: Session, pf_id: int) -> list[dict[str, Any]]:
    stmt = (
        select(Contract.number, Apprentice.last_name, Apprentice.first_name, Contract.title,
               Echeance.period_start, Echeance.period_end, Echeance.detail,
               ProFormaLine.amount)
        .join(Echeance, Echeance.id == ProFormaLine.echeance_id)
        .join(Contract, Contract.id == ProFormaLine.contract_id)
        .join(Apprentice, Apprentice.id == Contract.apprentice_id)
        .where(ProFormaLine.pro_forma_id == pf_id).order_by(ProFormaLine.id)
    )
    return [{"Contrat": r[0], "Apprenti": f"{r[1]} {r[2]}", "Formation": r[3],
             "Période": format_period(r[4], r[5]), "Détail": r[6], "Montant": r[7]}
            for r in session.execute(stmt)]


def run_view(run: CheckRun, doc_version: int) -> RunView:
    """The display form of a stored check run."""
    return RunView(
        run.id, run.document_id, doc_version, run.ran_at, run.text_source, run.summary,
        [Verdict(r.name, CHECK_LABELS.get(r.name, r.name), r.outcome, r.message,
                 list(r.evidence or [])) for r in run.results],
    )


def _events(session: Session, pf_id: int, names: dict[int | None, str]
            ) -> list[dict[str, Any]]:
    rows = session.scalars(select(Event).where(Event.pro_forma_id == pf_id)
                           .order_by(Event.id))
    return [{"Date": e.at, "Par": names.get(e.actor_id, "—"),
             "Action": ACTION_LABELS.get(e.action, e.action),
             "De": _status(e.from_status), "Vers": _status(e.to_status),
             "Motif": e.reason or "", "Commentaire": e.comment or ""} for e in rows]


def _status(code: str | None) -> str:
    return label(code) if code else ""


def _decisions(session: Session, pf_id: int, names: dict[int | None, str]
               ) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Decision, RefusalReason.label)
        .outerjoin(RefusalReason, RefusalReason.id == Decision.reason_id)
        .where(Decision.pro_forma_id == pf_id).order_by(Decision.id))
    outcome = {"validated": "Validée", "refused": "Refusée", "approved": "Approuvée"}
    return [{"Date": d.at, "Par": names.get(d.decided_by_id, "—"),
             "Décision": outcome.get(d.outcome, d.outcome), "Version": d.version,
             "Motif": reason or "", "Commentaire": d.comment or "",
             "Contre les contrôles": "oui" if d.against_checks else "non"}
            for d, reason in rows]


def render_pages(data: bytes, media_type: str,
                 highlights: dict[int, list[list[float]]] | None = None) -> list[bytes]:
    """The document's pages as PNG images, the given boxes drawn (pages are 1-based).

    Raises InvalidInput when the file cannot be rendered.
    """
    try:
        boxes = {p: [tuple(b) for b in bs] for p, bs in (highlights or {}).items()}
        return list(_render(data, media_type, highlights=boxes))  # type: ignore[arg-type]
    except Exception as exc:  # a broken stored file must not break the screen
        raise InvalidInput("file", f"Le document ne peut pas être affiché ({exc}).") from None
