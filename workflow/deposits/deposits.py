"""Depositing the CFA's own invoice: file validation, automatic checks, duplicate detection.

The document, its check job and the status change are written in the caller's single
transaction: either all of them land or none does; the checks themselves run afterwards, off
the request path, as a job (``workflow.deposits.jobs``), and the pro forma reads "contrôles en
cours" until they land. Every version is kept, up to ``max_versions_per_pro_forma`` (a setting,
10), and a CFA deposits at most ``max_deposits_per_hour`` files an hour (a setting, 60).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import checks
from checks import sandbox
from checks.model import ExpectedLine
from db.models import (
    Apprentice,
    Cfa,
    CheckResultRow,
    CheckRun,
    Contract,
    Document,
    Echeance,
    ProForma,
    ProFormaLine,
)
from domain.clock import now
from domain.errors import InvalidInput
from domain.lifecycle import LIVE, deposit_act, require
from domain.vocabulary import CheckName, JobKind, Kind, Outcome, label
from workflow.common.access import Actor, get_owned, require_cfa
from workflow.common.bounds import fits
from workflow.common.settings import setting
from workflow.common.transitions import apply, load_for_update
from workflow.common.uploads import clean_filename
from workflow.deposits import attestations, queue

OUTCOME_ORDER: dict[Outcome, int] = {Outcome.FAIL: 2, Outcome.UNKNOWN: 1, Outcome.PASS: 0}


@dataclass(frozen=True)
class Precheck:
    """The verdicts shown to the CFA before sending (nothing stored yet)."""

    report: checks.Report
    duplicate: checks.CheckResult
    attestation: checks.CheckResult | None = None  # a final balance asks for it (issue 18)

    @property
    def results(self) -> tuple[checks.CheckResult, ...]:
        extra = () if self.attestation is None else (self.attestation,)
        return (*self.report.checks, self.duplicate, *extra)


def expected_for(session: Session, pf: ProForma) -> checks.Expected:
    """What the checks expect of an invoice answering ``pf``."""
    cfa = session.get_one(Cfa, pf.cfa_id)
    return checks.Expected(
        pro_forma_number=pf.number, total=pf.total, credit_note=pf.kind == Kind.CREDIT_NOTE,
        siret=cfa.siret, iban=cfa.iban, lines=(lines := expected_lines(session, pf.id)),
        other_contracts=frozenset(session.scalars(
            select(Contract.number).where(Contract.cfa_id == pf.cfa_id))
            ) - {line.contract for line in lines} if lines else frozenset(),
    )


def expected_lines(session: Session, pro_forma_id: int) -> tuple[ExpectedLine, ...]:
    """The pro forma's lines as the ``lines`` check expects them: one per contract (dossier),
    in the pro forma PDF's order (contract number), with the apprentice, the sum of its
    échéances and, when there are several, each échéance's amount (an invoice may print one
    row per échéance, as the pro forma PDF does, or one per dossier)."""
    rows = session.execute(
        select(Contract.number, Apprentice.last_name, Apprentice.first_name, ProFormaLine.amount)
        .select_from(ProFormaLine)
        .join(Echeance, Echeance.id == ProFormaLine.echeance_id)
        .join(Contract, Contract.id == ProFormaLine.contract_id)
        .join(Apprentice, Apprentice.id == Contract.apprentice_id)
        .where(ProFormaLine.pro_forma_id == pro_forma_id)
        .order_by(Contract.number, Echeance.due_on, ProFormaLine.id))
    grouped: dict[str, tuple[str, list[Decimal]]] = {}
    for number, last, first, amount in rows:
        grouped.setdefault(number, (f"{last} {first}", []))[1].append(amount)
    return tuple(ExpectedLine(number, sum(parts, Decimal(0)), who,
                                     tuple(parts) if len(parts) > 1 else ())
                 for number, (who, parts) in grouped.items())


def read_file(data: bytes, filename: str, expected: checks.Expected, *,
              timeout: float | None = None, media_type: str | None = None) -> checks.Report:
    """The automatic checks of a file, in ``checks.sandbox``; takes no session: the caller
    holds no database transaction while the file is read.

    Raises InvalidInput for a bad file, "Fichier trop coûteux à analyser" included, except
    when ``media_type`` is given (a re-check of a stored file): a file the sandbox stops then
    gets every check ``unknown`` with the reason. ``timeout``: ``sandbox.CHECK_TIMEOUT_S``.
    """
    try:
        report = sandbox.check_document(data, filename, expected,
                                        timeout=timeout or sandbox.CHECK_TIMEOUT_S)
    except sandbox.TooCostly as exc:
        if media_type is None:
            raise InvalidInput("file", exc.message) from None
        report = sandbox.unknown_report(filename, media_type, exc)
    except checks.FileRejected as exc:
        raise InvalidInput("file", exc.message) from None
    own = report.found.get("invoice_number")
    if own is not None:  # read from the file: it must fit where it is stored
        fits(own, ProForma.own_invoice_number, "Le numéro de facture lu dans votre fichier",
             "file")
    return report


def duplicate_check(session: Session, pf: ProForma, sha256: str,
                    own_number: str | None) -> checks.CheckResult:
    """``duplicate``: fail when another live pro forma carries the same file or own number."""
    live = [s.value for s in LIVE]
    same_file = session.execute(
        select(ProForma.number, ProForma.cfa_id)
        .join(Document, Document.pro_forma_id == ProForma.id)
        .where(Document.sha256 == sha256, ProForma.id != pf.id, ProForma.status.in_(live))
        .order_by((ProForma.cfa_id != pf.cfa_id).asc()).limit(1)  # the CFA's own first
    ).first()
    if same_file:  # another CFA's pro forma is named to nobody but that CFA (issue 14)
        where = f" pour la pro forma {same_file.number}" if same_file.cfa_id == pf.cfa_id \
            else " sur le portail"
        return checks.CheckResult(CheckName.DUPLICATE, Outcome.FAIL,
                                  f"Ce fichier a déjà été déposé{where}.")
    if own_number:
        same_number = session.scalars(
            select(ProForma.number).where(
                ProForma.cfa_id == pf.cfa_id, ProForma.id != pf.id,
                ProForma.status.in_(live),
                func.upper(ProForma.own_invoice_number) == own_number.upper(),
            ).limit(1)
        ).first()
        if same_number:
            return checks.CheckResult(
                CheckName.DUPLICATE, Outcome.FAIL,
                f"Le numéro de facture {own_number} figure déjà sur la pro forma {same_number}.",
            )
        return checks.CheckResult(CheckName.DUPLICATE, Outcome.PASS, "Aucun doublon détecté.")
    return checks.CheckResult(CheckName.DUPLICATE, Outcome.UNKNOWN,
                              "Numéro de facture non lu : doublon non vérifiable.")


def _deposit_allowed(pf: ProForma) -> None:
    require(deposit_act(pf.status), pf.status, number=pf.number, kind=pf.kind)


def precheck(factory: sessionmaker[Session], actor: Actor, pro_forma_id: object, data: bytes,
             filename: str) -> Precheck:
    """The pre-check shown before "Envoyer"; writes nothing.

    Takes a session factory, as the check job does (``workflow.deposits.jobs``), since no
    database transaction may be open while the file is read (on SQLite every transaction
    holds the write lock: logins, validations and the check jobs would wait up to the
    sandbox's deadline): what the checks expect is read, with the access checks, in a short
    transaction; the file is read in the sandbox with none open; the duplicate and attestation
    checks run in a new short transaction, after the access checks again (the pro forma may
    have changed meanwhile).
    """
    require_cfa(actor)
    filename = clean_filename(filename)
    with factory.begin() as s:
        pf = get_owned(s, ProForma, pro_forma_id, actor, "cette pro forma")
        _deposit_allowed(pf)
        pf_id, expected = pf.id, expected_for(s, pf)
    report = read_file(data, filename, expected, timeout=sandbox.PRECHECK_TIMEOUT_S)
    with factory.begin() as s:
        pf = get_owned(s, ProForma, pf_id, actor, "cette pro forma")
        _deposit_allowed(pf)
        own = report.found.get("invoice_number")
        return Precheck(report, duplicate_check(s, pf, hashlib.sha256(data).hexdigest(), own),
                        attestations.check(s, pf))


@dataclass(frozen=True)
class DepositReceipt:
    """What the CFA is told after "Envoyer"."""

    number: str
    version: int
    status_label: str
    message: str


def deposit(session: Session, actor: Actor, pro_forma_id: object, data: bytes, filename: str,
            expected_version: int | None = None) -> DepositReceipt:
    """Store a new version of the CFA's invoice, queue its checks, move to En cours de validation.

    The document, its check job and the status change land in the caller's one transaction;
    the file is only validated here (type, size, name, structure, in the sandbox with the
    pre-check's short deadline, before the session's first statement), its checks run
    afterwards as a job. Returns what the CFA is
    told after "Envoyer".

    Raises InvalidInput (bad file, too many versions, too many deposits in the last hour, a
    final balance without its attestation de réalisation), TransitionRefused (status forbids
    it), StaleVersion.
    """
    require_cfa(actor)
    filename = clean_filename(filename)
    # first, before this session's first statement: no transaction (nor SQLite's write lock)
    # is open while the sandbox reads the file; its verdict is told after the access checks
    try:
        media_type, refused = validate(data, filename), None
    except InvalidInput as exc:
        media_type, refused = "", exc
    pf = load_for_update(session, actor, pro_forma_id)
    _deposit_allowed(pf)
    if refused is not None:
        raise refused
    attestations.require_present(session, pf)  # a final balance: the attestation first
    version = (queue.current_version(session, pf) or 0) + 1
    _within_quotas(session, pf, version)
    doc = Document(
        pro_forma_id=pf.id, version=version, filename=filename, media_type=media_type,
        size=len(data), sha256=hashlib.sha256(data).hexdigest(), content=data,
        own_invoice_number=None, uploaded_at=now(), uploaded_by_id=actor.user_id,
    )
    session.add(doc)
    session.flush()
    queue.enqueue(session, doc, JobKind.DEPOSIT, actor.user_id)
    apply(session, actor, pf, deposit_act(pf.status), expected_version=expected_version,
          comment=filename)
    moment = now()
    pf.deposited_at = moment
    pf.first_deposited_at = pf.first_deposited_at or moment
    pf.own_invoice_number = None  # read by the job from the new file
    pf.latest_run_id, pf.check_summary = None, None  # the new version has no verdict yet
    pf.assigned_to_id = None
    said = ("Votre facture d'avoir a bien été ajoutée." if pf.kind == Kind.CREDIT_NOTE  # §1.2.1.3
            else "Votre facture a bien été envoyée à l'Opco EP pour instruction.")
    return DepositReceipt(pf.number, doc.version, label(pf.status, pf.kind), said)


def validate(data: bytes, filename: str) -> str:
    """The media type of an acceptable file, validated in the sandbox (pre-check deadline).

    Raises InvalidInput with the French reason, "Fichier trop coûteux à analyser" included.
    """
    try:
        return str(sandbox.run(checks.validate_file, data, filename,
                               timeout=sandbox.PRECHECK_TIMEOUT_S))
    except checks.FileRejected as exc:
        raise InvalidInput("file", exc.message) from None


MAX_VERSIONS_KEY, MAX_VERSIONS_DEFAULT = "max_versions_per_pro_forma", "10"
MAX_DEPOSITS_KEY, MAX_DEPOSITS_DEFAULT = "max_deposits_per_hour", "60"


def _within_quotas(session: Session, pf: ProForma, version: int) -> None:
    """At most N versions per pro forma, at most M deposits an hour per CFA (settings)."""
    most = int(setting(session, MAX_VERSIONS_KEY, MAX_VERSIONS_DEFAULT))
    if version > most:
        raise InvalidInput("file", f"La pro forma {pf.number} a déjà reçu {most} versions de "
                           "facture, le maximum : contactez l'Opco EP pour en déposer une autre.")
    per_hour = int(setting(session, MAX_DEPOSITS_KEY, MAX_DEPOSITS_DEFAULT))
    recent = session.scalar(
        select(func.count()).select_from(Document)
        .join(ProForma, ProForma.id == Document.pro_forma_id)
        .where(ProForma.cfa_id == pf.cfa_id, Document.uploaded_at > now() - timedelta(hours=1)))
    if (recent or 0) >= per_hour:
        raise InvalidInput("file", f"Votre CFA a déjà déposé {per_hour} fichiers dans la "
                           "dernière heure, le maximum : réessayez un peu plus tard.")


def store_check_run(session: Session, doc: Document, pre: Precheck) -> CheckRun:
    """Persist one check run with its verdicts and evidence."""
    results = pre.results
    worst = max((Outcome(r.outcome) for r in results), key=OUTCOME_ORDER.__getitem__,
                default=Outcome.UNKNOWN)
    run = CheckRun(
        document_id=doc.id, ran_at=now(), text_source=pre.report.text_source, summary=worst,
        found=pre.report.found, elapsed_ms=round(pre.report.elapsed_ms, 1),
    )
    session.add(run)
    session.flush()
    session.add_all(
        CheckResultRow(
            run_id=run.id, name=CheckName(r.name), outcome=Outcome(r.outcome), message=r.message,
            evidence=[{"page": e.page, "bbox": list(e.bbox), "text": e.text}
                      for e in r.evidence],
        )
        for r in results
    )
    pf = session.get_one(ProForma, doc.pro_forma_id)
    pf.latest_run_id, pf.check_summary = run.id, worst
    return run
