"""The review screen's data: the pro forma beside every version of its file, the check
verdicts with their evidence, the event history and the decisions; page rendering.

Read-only: OPCO staff only, checked first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BindParameter, bindparam, or_, select
from sqlalchemy.orm import Session

from checks import MAX_PAGES, FileRejected, sandbox
from checks.amounts.lines import contract_key
from checks.model import BBox, ExpectedLine
from checks.pdf.render import PageImage, draw_highlights  # noqa: F401  (PageImage re-exported)
from db.models import (
    Apprentice,
    Cfa,
    CheckResultRow,
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
from domain.errors import AccessDenied, InvalidInput
from domain.formatting import format_eur, format_moment_medium, format_period
from domain.vocabulary import CHECK_LABELS, Outcome, Status, label
from workflow.common.access import Actor, require_opco
from workflow.common.typed import as_int
from workflow.deposits import queue as check_queue
from workflow.deposits.deposits import expected_lines

OUTCOME_ICONS = {Outcome.PASS: "✅", Outcome.FAIL: "❌", Outcome.UNKNOWN: "❔"}
ACTION_LABELS = {
    "generated": "Pro forma générée", "deposited": "Facture déposée",
    "replaced": "Facture remplacée", "cancelled": "Annulée", "validated": "Validée",
    "refused": "Refusée", "approved": "Double contrôle approuvé", "paid": "Payée",
    "settled": "Avoir soldé", "assigned": "Attribuée", "unassigned": "Désattribuée",
    "checks_rerun": "Contrôles relancés", "credit_applied": "Avoir imputé",
    "reimbursed": "Remboursement enregistré",
    "notice_read": "Courrier de refus lu par le CFA",
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


# the ``lines`` check's verdict on each dossier (checks.amounts.lines), differing ones first
LINE_STATUS_LABELS = {
    "amount_differs": "Montant différent", "missing": "Absent de la facture",
    "extra": "Absent de la pro forma", "unreadable": "Illisible : à vérifier",
    "matched": "Conforme",
}
NOT_CHECKED = "Non contrôlée"
LINE_ICONS = {"amount_differs": "❌", "missing": "❌", "extra": "❌", "unreadable": "❔",
              "matched": "✅"}


@dataclass(frozen=True)
class LineView:
    """One dossier of the pro forma beside what the invoice bills for it (or a dossier the
    invoice bills that the pro forma does not hold): ``status`` None when no run of the
    displayed version checked the lines."""

    contract: str
    apprentice: str
    expected: Decimal | None
    found: Decimal | None
    status: str | None
    evidence: dict[str, Any] | None = None

    @property
    def status_label(self) -> str:
        return LINE_STATUS_LABELS.get(self.status or "", NOT_CHECKED)

    @property
    def differs(self) -> bool:
        return self.status not in (None, "matched")

    def highlights(self) -> dict[int, list[list[float]]]:
        """{page: [bbox]} of where the invoice bills this dossier."""
        if not self.evidence:
            return {}
        return {int(self.evidence["page"]): [[float(v) for v in self.evidence["bbox"]]]}

    def sentence(self) -> str | None:
        """What a refusal letter says of this dossier when it is in error, else None."""
        if self.status == "amount_differs" and self.found is not None \
                and self.expected is not None:
            return (f"dossier {self.contract} : {format_eur(self.found)} facturés, "
                    f"{format_eur(self.expected)} attendus")
        if self.status == "missing":
            due = f" ({format_eur(self.expected)} attendus)" if self.expected is not None else ""
            return f"dossier {self.contract} absent de la facture{due}"
        if self.status == "extra":
            billed = f" ({format_eur(self.found)})" if self.found is not None else ""
            return f"dossier {self.contract} facturé{billed} mais absent de la pro forma"
        return None


def line_views(found: dict[str, Any] | None, lines: tuple[ExpectedLine, ...]) -> list[LineView]:
    """The pro forma's dossiers (``deposits.expected_lines``) beside a run's ``found["lines"]``
    in the run's order (differing first), then any dossier the run did not judge (none ran:
    "Non contrôlée"). Amounts as the check compares them (a credit note's in absolute value)."""
    by_key = {contract_key(line.contract): line for line in lines}
    judged = (found or {}).get("lines")
    out: list[LineView] = []
    for item in judged if isinstance(judged, list) else []:
        key = str(item.get("contract", ""))
        line = by_key.pop(key, None)
        out.append(LineView(line.contract if line else key,
                            (line.apprentice or "") if line else "",
                            _decimal(item.get("expected")), _decimal(item.get("found")),
                            str(item.get("status")), item.get("evidence")))
    return out + [LineView(line.contract, line.apprentice or "", abs(line.amount), None, None)
                  for line in by_key.values()]


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except ArithmeticError:
        return None


def dossier_sentences(lines: list[LineView]) -> list[str]:
    """The refusal letter's sentences naming each dossier in error, differing ones first."""
    return [said for line in lines if (said := line.sentence()) is not None]


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
    """One deposited version; its bytes only for the version displayed (the current one):
    the others' are read when downloaded (``document_file``)."""

    id: int
    version: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime
    content: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class DocumentFile:
    """A deposited version's file, for a download."""

    filename: str
    media_type: str
    data: bytes = field(repr=False)


def document_file(session: Session, actor: Actor, document_id: object) -> DocumentFile:
    """The bytes of one deposited version (a download of a previous version).

    Raises AccessDenied for anyone but OPCO staff (and for an unknown id).
    """
    require_opco(actor)
    try:
        key = {"doc": int(document_id)}  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise AccessDenied("ce document") from None
    row = session.execute(_Q_FILE, key).first()
    if row is None:
        raise AccessDenied("ce document")
    return DocumentFile(row.filename, row.media_type, row.content)


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
    # "contrôles en cours" (or the wait for a worker) while a check job has not landed
    pending: str | None = None
    # each dossier beside what the displayed version's invoice bills for it, differing first
    line_checks: list[LineView] = field(default_factory=list)

    @property
    def latest_run(self) -> RunView | None:
        return self.runs[0] if self.runs else None

    @property
    def current_run(self) -> RunView | None:
        """The latest run when it is about the current document (none while a new version's
        checks are pending)."""
        run = self.latest_run
        if run is None or not self.documents or run.document_id != self.documents[0].id:
            return None
        return run

    @property
    def decidable(self) -> bool:
        return self.status == Status.UNDER_REVIEW


def review_data(session: Session, actor: Actor, pro_forma_id: object) -> ReviewData:
    """The pro forma, its CFA, lines, every document version, check run, event and decision.

    Raises AccessDenied for anyone but OPCO staff (and for an unknown id).

    Opened for every decision, so its statements are built once on the tables (Core, bound
    parameters) and read as plain rows: seven indexed queries and no ORM identity map.
    """
    require_opco(actor)
    try:
        key = {"pf": as_int(pro_forma_id)}
    except (TypeError, ValueError):
        raise AccessDenied("cette pro forma") from None
    pf = session.execute(_Q_PRO_FORMA, key).mappings().first()
    if pf is None:
        raise AccessDenied("cette pro forma")
    docs = session.execute(_Q_DOCUMENTS, key).all()
    versions = {d.id: d.version for d in docs}
    runs: dict[int, RunView] = {}
    for r in session.execute(_Q_RUNS, key):
        run = runs.get(r.run_id)
        if run is None:
            run = runs[r.run_id] = RunView(r.run_id, r.document_id, versions[r.document_id],
                                           r.ran_at, r.text_source, r.summary, [])
        if r.name is not None:
            run.verdicts.append(Verdict(r.name, CHECK_LABELS.get(r.name, r.name), r.outcome,
                                        r.message, list(r.evidence or [])))
    names: dict[int | None, str] = {r[0]: r[1] for r in session.execute(_Q_NAMES, key)}
    latest = next(iter(runs.values()), None)
    current = latest if latest and docs and latest.document_id == docs[0].id else None
    found = session.scalar(_Q_FOUND, {"run": current.id}) if current else None
    return ReviewData(
        pro_forma_id=pf["id"], number=pf["number"], status=pf["status"],
        status_label=label(pf["status"], pf["kind"]), kind=pf["kind"], nature=pf["nature"],
        total=pf["total"], dossiers=pf["dossiers"], version=pf["version"],
        settlement_mode=pf["settlement_mode"], own_invoice_number=pf["own_invoice_number"],
        deposited_at=pf["deposited_at"], assigned_to=names.get(pf["assigned_to_id"]),
        needs_second_approval=pf["needs_second_approval"],
        cfa={k: pf[f"cfa_{k}"] for k in ("name", "siret", "iban", "bic", "address")},
        lines=[{"Contrat": r[0], "Apprenti": f"{r[1]} {r[2]}", "Formation": r[3],
                "Période": format_period(r[4], r[5]), "Détail": r[6], "Montant": r[7]}
               for r in session.execute(_Q_LINES, key)],
        documents=[DocumentView(d.id, d.version, d.filename, d.media_type, d.size,
                                d.uploaded_at, session.scalar(_Q_CONTENT, {"doc": d.id})
                                if i == 0 else None) for i, d in enumerate(docs)],
        runs=list(runs.values()),
        events=[{"Date": format_moment_medium(e.at), "Par": names.get(e.actor_id, "—"),
                 "Action": ACTION_LABELS.get(e.action, e.action),
                 "De": _status(e.from_status), "Vers": _status(e.to_status),
                 "Motif": e.reason or "", "Commentaire": e.comment or ""}
                for e in session.execute(_Q_EVENTS, key)],
        decisions=[{"Date": format_moment_medium(d.at), "Par": names.get(d.decided_by_id, "—"),
                    "Décision": DECISION_LABELS.get(d.outcome, d.outcome),
                    "Version": d.version, "Motif": d.label or "",
                    "Commentaire": d.comment or "",
                    "Contre les contrôles": "oui" if d.against_checks else "non"}
                   for d in session.execute(_Q_DECISIONS, key)],
        pending=(waiting.label() if (waiting := check_queue.pending(
            session, [pf["id"]]).get(pf["id"])) else None),
        line_checks=line_views(found, expected_lines(session, pf["id"])),
    )


DECISION_LABELS = {"validated": "Validée", "refused": "Refusée", "approved": "Approuvée"}
_PF, _CFA, _DOC = ProForma.__table__, Cfa.__table__, Document.__table__
_RUN, _RES, _EV = CheckRun.__table__, CheckResultRow.__table__, Event.__table__
_DEC, _USER = Decision.__table__, User.__table__
_PF_ID: BindParameter[int] = bindparam("pf")
_Q_PRO_FORMA = (
    select(_PF.c.id, _PF.c.number, _PF.c.status, _PF.c.kind, _PF.c.nature, _PF.c.total,
           _PF.c.dossiers, _PF.c.version, _PF.c.settlement_mode, _PF.c.own_invoice_number,
           _PF.c.deposited_at, _PF.c.assigned_to_id, _PF.c.needs_second_approval,
           *(_CFA.c[k].label(f"cfa_{k}") for k in ("name", "siret", "iban", "bic", "address")))
    .join(_CFA, _CFA.c.id == _PF.c.cfa_id).where(_PF.c.id == _PF_ID))
_Q_DOCUMENTS = (select(_DOC.c.id, _DOC.c.version, _DOC.c.filename, _DOC.c.media_type,
                       _DOC.c.size, _DOC.c.uploaded_at)  # no bytes: read one version below
                .where(_DOC.c.pro_forma_id == _PF_ID).order_by(_DOC.c.version.desc()))
_Q_FOUND = select(_RUN.c.found).where(_RUN.c.id == bindparam("run"))
_Q_CONTENT = select(_DOC.c.content).where(_DOC.c.id == bindparam("doc"))
_Q_FILE = select(_DOC.c.filename, _DOC.c.media_type, _DOC.c.content).where(
    _DOC.c.id == bindparam("doc"))
_Q_RUNS = (  # every run of every version, newest first, each with its results in order
    select(_RUN.c.id.label("run_id"), _RUN.c.document_id, _RUN.c.ran_at, _RUN.c.text_source,
           _RUN.c.summary, _RES.c.name, _RES.c.outcome, _RES.c.message, _RES.c.evidence)
    .join(_DOC, _DOC.c.id == _RUN.c.document_id)
    .outerjoin(_RES, _RES.c.run_id == _RUN.c.id)
    .where(_DOC.c.pro_forma_id == _PF_ID).order_by(_RUN.c.id.desc(), _RES.c.id))
_Q_NAMES = select(_USER.c.id, _USER.c.name).where(or_(
    _USER.c.id.in_(select(_EV.c.actor_id).where(_EV.c.pro_forma_id == _PF_ID).union(
        select(_DEC.c.decided_by_id).where(_DEC.c.pro_forma_id == _PF_ID))),
    _USER.c.id == select(_PF.c.assigned_to_id).where(_PF.c.id == _PF_ID).scalar_subquery()))
_LINE, _ECH, _CON, _APP = (ProFormaLine.__table__, Echeance.__table__, Contract.__table__,
                          Apprentice.__table__)
_REASON = RefusalReason.__table__
_Q_LINES = (
    select(_CON.c.number, _APP.c.last_name, _APP.c.first_name, _CON.c.title,
           _ECH.c.period_start, _ECH.c.period_end, _ECH.c.detail, _LINE.c.amount)
    .join(_ECH, _ECH.c.id == _LINE.c.echeance_id)
    .join(_CON, _CON.c.id == _LINE.c.contract_id)
    .join(_APP, _APP.c.id == _CON.c.apprentice_id)
    .where(_LINE.c.pro_forma_id == _PF_ID).order_by(_LINE.c.id))
_Q_EVENTS = select(_EV).where(_EV.c.pro_forma_id == _PF_ID).order_by(_EV.c.id)
_Q_DECISIONS = (select(_DEC, _REASON.c.label)
                .outerjoin(_REASON, _REASON.c.id == _DEC.c.reason_id)
                .where(_DEC.c.pro_forma_id == _PF_ID).order_by(_DEC.c.id))


def _status(code: str | None) -> str:
    return label(code) if code else ""


def run_view(run: CheckRun, doc_version: int) -> RunView:
    """The display form of a stored check run."""
    return RunView(
        run.id, run.document_id, doc_version, run.ran_at, run.text_source, run.summary,
        [Verdict(r.name, CHECK_LABELS.get(r.name, r.name), r.outcome, r.message,
                 list(r.evidence or [])) for r in run.results],
    )


def render_page(data: bytes, media_type: str, number: int = 1) -> PageImage:
    """Page ``number`` (1-based) as a PNG of at most ``checks.pdf.render.RENDER_MAX_PIXELS``
    pixels, without highlights, rendered in the sandbox (``checks.sandbox``).

    Raises InvalidInput (French) when the file cannot be rendered within the sandbox's limits.
    """
    try:
        page = sandbox.render_page(data, media_type, number)
    except FileRejected as exc:
        raise InvalidInput("file", f"Le document ne peut pas être affiché : {exc.message}"
                           ) from None
    except Exception as exc:  # a broken stored file must not break the screen
        raise InvalidInput("file", f"Le document ne peut pas être affiché ({exc}).") from None
    assert isinstance(page, PageImage)  # checks.sandbox hands it back untyped
    return page


def highlight(page: PageImage, boxes: list[list[float]] | None) -> bytes:
    """``page``'s PNG with the evidence boxes of that page drawn on top."""
    return draw_highlights(page, [_box(b) for b in boxes or []])


def _box(b: list[float]) -> BBox:
    x0, top, x1, bottom = b
    return (x0, top, x1, bottom)


def render_pages(data: bytes, media_type: str,
                 highlights: dict[int, list[list[float]]] | None = None) -> list[bytes]:
    """Every page (at most ``checks.MAX_PAGES``) as PNG images, the given boxes drawn (pages
    are 1-based), each page rendered alone by ``render_page``.

    Raises InvalidInput when the file cannot be rendered.
    """
    first = render_page(data, media_type, 1)
    pages = [first] + [render_page(data, media_type, n)
                       for n in range(2, min(first.page_count, MAX_PAGES) + 1)]
    return [highlight(p, (highlights or {}).get(n)) for n, p in enumerate(pages, start=1)]
