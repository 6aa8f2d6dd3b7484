"""The CFA's "Mes factures/factures d'avoir pro formas" (seed §1.2): list, menu, deposit,
deposited documents, refusal letters and cancellation.

Every function checks access first: a CFA user reaches only its own CFA's pro formas,
documents and letters, whatever id it passes (a missing and a forbidden row answer the same).
The additional actions offered per row come from ``domain.lifecycle.CFA_ACTIONS`` only, and
each action re-checks that table, so a hand-made request for a forbidden action is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from checks.model import MAX_BYTES, MAX_NAME
from checks.pdf.validate import EXTENSIONS
from db.models import Document, Notice, ProForma
from domain.clock import now
from domain.errors import AccessDenied, InvalidInput
from domain.formatting import format_eur
from domain.lifecycle import Act, cfa_actions, require
from domain.vocabulary import (
    CHECK_LABELS,
    OUTCOME_LABELS,
    STATUS_CHOICES,
    CfaAction,
    CheckName,
    Kind,
    Nature,
    Outcome,
    Role,
    SettlementMode,
    Status,
    label,
)
from workflow.common import events
from workflow.common.access import Actor, get_owned, require_cfa
from workflow.common.paging import Page, paginate
from workflow.common.typed import as_int
from workflow.deposits import deposits


@dataclass(frozen=True)
class ProFormaSearch:
    """The search of §1.2.1.1: pro forma number, own invoice number, status, type (nature)."""

    number: str = ""
    own_number: str = ""
    status: str = ""
    nature: str = ""

    def __post_init__(self) -> None:
        if self.status and self.status not in STATUS_CHOICES:
            raise InvalidInput("status", "Statut inconnu.")
        if self.nature and self.nature not in {n.value for n in Nature}:
            raise InvalidInput("nature", "Type de pro forma inconnu.")


@dataclass(frozen=True)
class ProFormaRow:
    """One row of the list, with the additional actions its status allows."""

    id: int
    number: str
    nature: str
    kind: str
    created_at: datetime
    deposited_at: datetime | None
    total: Decimal
    dossiers: int
    status: str
    version: int
    settlement_mode: str | None
    own_invoice_number: str | None

    @property
    def status_label(self) -> str:
        return label(self.status, self.kind)

    @property
    def actions(self) -> tuple[CfaAction, ...]:
        return cfa_actions(self.status)

    @property
    def total_label(self) -> str:
        """"96 540,00 € (46 dossiers)", as the list shows the total."""
        word = "dossier" if self.dossiers == 1 else "dossiers"
        return f"{format_eur(self.total)} ({self.dossiers} {word})"


_COLUMNS = (ProForma.id, ProForma.number, ProForma.nature, ProForma.kind, ProForma.created_at,
            ProForma.deposited_at, ProForma.total, ProForma.dossiers, ProForma.status,
            ProForma.version, ProForma.settlement_mode, ProForma.own_invoice_number)


def row_of(pf: ProForma) -> ProFormaRow:
    """The list's row of one pro forma, as the CFA sees it after an action."""
    return ProFormaRow(*(getattr(pf, c.key) for c in _COLUMNS))


PRO_FORMA_SORTS: dict[str, tuple[str, tuple[ColumnElement[Any], ...]]] = {
    "created_desc": ("Création (plus récentes d'abord)",
                     (ProForma.created_at.desc(), ProForma.id.desc())),
    "created_asc": ("Création (plus anciennes d'abord)",
                    (ProForma.created_at.asc(), ProForma.id.asc())),
    "deposited_desc": ("Dépôt de facture (plus récents d'abord)",
                       (ProForma.deposited_at.desc().nulls_last(), ProForma.id.desc())),
    "total_desc": ("Montant total (décroissant)", (ProForma.total.desc(), ProForma.id.desc())),
    "total_asc": ("Montant total (croissant)", (ProForma.total.asc(), ProForma.id.asc())),
    "number_asc": ("Numéro de pro forma", (ProForma.number.asc(),)),
    "status": ("Statut", (ProForma.status.asc(), ProForma.created_at.desc(), ProForma.id.desc())),
}
"""The orders "Mes factures" can be sorted by: key -> (French label, ORDER BY)."""


def list_pro_formas(session: Session, actor: Actor, search: ProFormaSearch | None = None, *,
                    page: int = 0, page_size: int = 20,
                    sort: str = "created_desc") -> Page[ProFormaRow]:
    """The acting CFA's pro formas, newest first (or by ``sort``, a key of
    ``PRO_FORMA_SORTS``), filtered and paged in SQL."""
    cfa_id = require_cfa(actor)
    s = search or ProFormaSearch()
    stmt: Select[int, str, Nature, Kind, datetime, datetime | None, Decimal, int, Status, int,
                 SettlementMode | None, str | None]
    stmt = select(*_COLUMNS).where(ProForma.cfa_id == cfa_id)
    if s.number.strip():
        stmt = stmt.where(ProForma.number.ilike(f"%{s.number.strip()}%"))
    if s.own_number.strip():
        stmt = stmt.where(ProForma.own_invoice_number.ilike(f"%{s.own_number.strip()}%"))
    if s.status:
        stmt = stmt.where(ProForma.status == s.status)
    if s.nature:
        stmt = stmt.where(ProForma.nature == s.nature)
    stmt = stmt.order_by(*PRO_FORMA_SORTS.get(sort, PRO_FORMA_SORTS["created_desc"])[1])
    result = paginate(session, stmt, page, page_size)
    return Page([ProFormaRow(*r) for r in result.rows], result.total, result.page,
                result.page_size)


def get_pro_forma(session: Session, actor: Actor, pro_forma_id: object) -> ProFormaRow:
    """One pro forma of the list (AccessDenied when it is not the actor's)."""
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    return ProFormaRow(*(getattr(pf, c.key) for c in _COLUMNS))


# --- deposited documents -----------------------------------------------------------------

@dataclass(frozen=True)
class DocumentInfo:
    """One deposited version (without its bytes)."""

    id: int
    version: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime
    own_invoice_number: str | None


@dataclass(frozen=True)
class FileDownload:
    """A file to hand to the browser."""

    filename: str
    media_type: str
    data: bytes


def document_versions(session: Session, actor: Actor, pro_forma_id: object) -> list[DocumentInfo]:
    """Every deposited version of a pro forma's invoice, latest first."""
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    stmt = select(Document.id, Document.version, Document.filename, Document.media_type,
                  Document.size, Document.uploaded_at, Document.own_invoice_number
                  ).where(Document.pro_forma_id == pf.id).order_by(Document.version.desc())
    return [DocumentInfo(*r) for r in session.execute(stmt)]


def document_file(session: Session, actor: Actor, document_id: object) -> FileDownload:
    """The bytes of one deposited version, if its pro forma is the actor's (else AccessDenied)."""
    try:
        key = as_int(document_id)
    except (TypeError, ValueError):
        raise AccessDenied("ce document") from None
    doc = session.get(Document, key)
    if doc is None:
        raise AccessDenied("ce document")
    try:
        get_owned(session, ProForma, doc.pro_forma_id, actor, "ce document")
    except AccessDenied:
        raise AccessDenied("ce document") from None
    return FileDownload(doc.filename, doc.media_type, doc.content)


# --- deposit ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """One automatic check as the CFA reads it before "Envoyer"."""

    name: str
    outcome: str
    message: str

    @property
    def label(self) -> str:
        return CHECK_LABELS.get(self.name, self.name)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


@dataclass(frozen=True)
class UploadRules:
    """What a deposited file may be, read from the checks' one declaration of it."""

    kinds: tuple[str, ...]  # "pdf", "jpg"…, in the declared order
    max_mb: int
    max_name: int

    @property
    def sentence(self) -> str:
        """The manual's sentence under the upload zone (§1.2.1.3)."""
        return (f"Vous pouvez choisir un fichier {', '.join(self.kinds)}. La taille maximum de "
                f"fichier autorisée est de {self.max_mb}Mo. Assurez-vous que le nom de votre "
                f"fichier ne dépasse pas les {self.max_name} caractères (Extension comprise).")

    @property
    def short(self) -> str:
        """"pdf, jpg, jpeg, png, gif — 5 Mo maximum" (the upload zone's own line)."""
        return f"{', '.join(self.kinds)} — {self.max_mb} Mo maximum"


def upload_rules() -> UploadRules:
    """The upload rules (``checks.model.MAX_BYTES``, ``MAX_NAME``, the extensions that
    ``checks.pdf.validate`` accepts): rendered, never retyped."""
    return UploadRules(tuple(ext.lstrip(".") for ext in EXTENSIONS), MAX_BYTES // 2**20,
                       MAX_NAME)


def precheck(factory: sessionmaker[Session], actor: Actor, pro_forma_id: object, data: bytes,
             filename: str) -> list[Verdict]:
    """The verdicts of the automatic checks on a file about to be sent; stores nothing.

    Takes a session factory: no transaction is open while the sandbox reads the file (see
    ``deposits.precheck``); the pro forma the verdicts are worded against is read afterwards
    in its own short transaction.

    Raises InvalidInput with the French reason when the file is refused (type, size, name…),
    TransitionRefused when the status allows no deposit, AccessDenied for another CFA's id.
    """
    pre = deposits.precheck(factory, actor, pro_forma_id, data, filename)
    with factory.begin() as s:
        pf = get_owned(s, ProForma, pro_forma_id, actor, "cette pro forma")
    return [_verdict(r.name, r.outcome, r.message, pre.report.found, pf) for r in pre.results]


def _verdict(name: str, outcome: str, message: str, found: dict[str, object],
             pf: ProForma) -> Verdict:
    """The checks' verdict, worded for the CFA for the total (seed's conformity rule 3)."""
    if name == CheckName.TOTAL and outcome == Outcome.FAIL:
        try:
            shown = Decimal(str(found.get("total")))
        except (InvalidOperation, ValueError):
            return Verdict(name, outcome, message)
        if abs(shown) != abs(pf.total):
            word = "facture d'avoir" if pf.kind == Kind.CREDIT_NOTE else "facture"
            message = (f"Le total de votre {word} ({format_eur(shown)}) diffère de celui de la "
                       f"pro forma ({format_eur(pf.total)}).")
    return Verdict(name, outcome, message)


# --- refusal letters -----------------------------------------------------

@dataclass(frozen=True)
class RefusalLetter:
    """The "Motif de refus" of §1.2.2: pro forma number, reason, letter."""

    notice_id: int
    pro_forma_id: int
    number: str
    nature: str
    reason_label: str
    body: str
    created_at: datetime
    read_at: datetime | None


def refusal_letter(session: Session, actor: Actor, pro_forma_id: object) -> RefusalLetter:
    """The latest refusal letter of a refused pro forma; a CFA reading it marks it read.

    Raises AccessDenied (not the actor's), TransitionRefused (not refused), InvalidInput when
    no letter exists.
    """
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    require(Act.SEE_REFUSAL, pf.status, number=pf.number, kind=pf.kind)
    notice = session.scalars(select(Notice).where(Notice.pro_forma_id == pf.id)
                             .order_by(Notice.id.desc()).limit(1)).first()
    if notice is None:
        raise InvalidInput("notice", f"Aucun courrier de refus pour la pro forma {pf.number}.")
    if actor.role is Role.CFA and notice.read_at is None:
        notice.read_at = now()
        events.record(session, actor, "notice_read", entity="notice", entity_id=notice.id,
                      pro_forma_id=pf.id, reason=notice.reason_label)
    return RefusalLetter(notice.id, pf.id, pf.number, pf.nature, notice.reason_label,
                         notice.body, notice.created_at, notice.read_at)


def unread_letters(session: Session, actor: Actor) -> int:
    """How many refusal letters the acting CFA has not read yet."""
    cfa_id = require_cfa(actor)
    stmt = select(func.count(Notice.id)).where(Notice.cfa_id == cfa_id, Notice.read_at.is_(None))
    return int(session.execute(stmt).scalar_one())
