"""Depositing the CFA's own invoice: file validation, automatic checks, duplicate detection.

The document, its check results and the status change are written in the caller's single
transaction: either all of them land or none does. Every version is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import checks
from checks import sandbox
from db.models import Cfa, CheckResultRow, CheckRun, Document, ProForma
from domain.clock import now
from domain.errors import InvalidInput
from domain.lifecycle import LIVE, deposit_act, require
from domain.vocabulary import label
from workflow.common.access import Actor, get_owned, require_cfa
from workflow.common.bounds import fits
from workflow.common.transitions import apply, load_for_update
from workflow.common.uploads import clean_filename
from workflow.deposits import attestations

OUTCOME_ORDER = {"fail": 2, "unknown": 1, "pass": 0}


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
        pro_forma_number=pf.number, total=pf.total, credit_note=pf.kind == "credit_note",
        siret=cfa.siret, iban=cfa.iban,
    )


def run_checks(session: Session, pf: ProForma, data: bytes, filename: str, *,
               timeout: float | None = None, media_type: str | None = None) -> Precheck:
    """Run the automatic checks (in ``checks.sandbox``) and the duplicate check.

    Raises InvalidInput for a bad file, "Fichier trop coûteux à analyser" included, except
    when ``media_type`` is given (a re-check of a stored file): a file the sandbox stops then
    gets every check ``unknown`` with the reason. ``timeout``: ``sandbox.CHECK_TIMEOUT_S``.
    """
    try:
        report = sandbox.check_document(data, filename, expected_for(session, pf),
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
    return Precheck(report, duplicate_check(session, pf, hashlib.sha256(data).hexdigest(), own),
                    attestations.check(session, pf))


def duplicate_check(session: Session, pf: ProForma, sha256: str,
                    own_number: str | None) -> checks.CheckResult:
    """``duplicate``: fail when another live pro forma carries the same file or own number."""
    live = [s.value for s in LIVE]
    same_file = session.scalars(
        select(ProForma.number).join(Document, Document.pro_forma_id == ProForma.id)
        .where(Document.sha256 == sha256, ProForma.id != pf.id, ProForma.status.in_(live))
        .limit(1)
    ).first()
    if same_file:
        return checks.CheckResult("duplicate", "fail",
                                  f"Ce fichier a déjà été déposé pour la pro forma {same_file}.")
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
                "duplicate", "fail",
                f"Le numéro de facture {own_number} figure déjà sur la pro forma {same_number}.",
            )
        return checks.CheckResult("duplicate", "pass", "Aucun doublon détecté.")
    return checks.CheckResult("duplicate", "unknown",
                              "Numéro de facture non lu : doublon non vérifiable.")


def _deposit_allowed(pf: ProForma) -> None:
    require(deposit_act(pf.status), pf.status, number=pf.number, kind=pf.kind)


def precheck(session: Session, actor: Actor, pro_forma_id: object, data: bytes,
             filename: str) -> Precheck:
    """The pre-check shown before "Envoyer"; writes nothing."""
    require_cfa(actor)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    _deposit_allowed(pf)
    return run_checks(session, pf, data, clean_filename(filename),
                      timeout=sandbox.PRECHECK_TIMEOUT_S)


@dataclass(frozen=True)
class DepositReceipt:
    """What the CFA is told after "Envoyer"."""

    number: str
    version: int
    status_label: str
    message: str


def deposit(session: Session, actor: Actor, pro_forma_id: object, data: bytes, filename: str,
            expected_version: int | None = None) -> DepositReceipt:
    """Store a new version of the CFA's invoice, its checks, and move to En cours de validation.

    The document, its verdicts and the status change land in the caller's one transaction;
    returns what the CFA is told after "Envoyer".

    Raises InvalidInput (bad file), TransitionRefused (status forbids it), StaleVersion.
    """
    require_cfa(actor)
    pf = load_for_update(session, actor, pro_forma_id)
    _deposit_allowed(pf)
    filename = clean_filename(filename)
    pre = run_checks(session, pf, data, filename)
    version = (session.scalar(
        select(func.max(Document.version)).where(Document.pro_forma_id == pf.id)) or 0) + 1
    own = pre.report.found.get("invoice_number")
    doc = Document(
        pro_forma_id=pf.id, version=version, filename=filename,
        media_type=pre.report.media_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content=data, own_invoice_number=own,
        uploaded_at=now(), uploaded_by_id=actor.user_id,
    )
    session.add(doc)
    session.flush()
    store_check_run(session, doc, pre)
    apply(session, actor, pf, deposit_act(pf.status), expected_version=expected_version,
          comment=filename)
    moment = now()
    pf.deposited_at = moment
    pf.first_deposited_at = pf.first_deposited_at or moment
    pf.own_invoice_number = own
    pf.assigned_to_id = None
    word = "facture d'avoir" if pf.kind == "credit_note" else "facture"
    return DepositReceipt(pf.number, doc.version, label(pf.status, pf.kind),
                          f"Votre {word} a bien été envoyée à l'Opco EP pour instruction.")


def store_check_run(session: Session, doc: Document, pre: Precheck) -> CheckRun:
    """Persist one check run with its verdicts and evidence."""
    results = pre.results
    worst = max((r.outcome for r in results), key=OUTCOME_ORDER.__getitem__, default="unknown")
    run = CheckRun(
        document_id=doc.id, ran_at=now(), text_source=pre.report.text_source, summary=worst,
        found=pre.report.found, elapsed_ms=round(pre.report.elapsed_ms, 1),
    )
    session.add(run)
    session.flush()
    session.add_all(
        CheckResultRow(
            run_id=run.id, name=r.name, outcome=r.outcome, message=r.message,
            evidence=[{"page": e.page, "bbox": list(e.bbox), "text": e.text}
                      for e in r.evidence],
        )
        for r in results
    )
    pf = session.get_one(ProForma, doc.pro_forma_id)
    pf.latest_run_id, pf.check_summary = run.id, worst
    return run
