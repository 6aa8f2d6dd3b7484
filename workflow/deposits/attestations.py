"""The attestation de réalisation des actions de formation (issue 18).

For the last year of a contract signed from 1 July 2025, the final 10 % balance is paid once
the CFA sends its invoice **and** an attestation de réalisation des actions de formation; when
they are not sent within 4 months of the contract's end, it is not due (R6332-25 as amended by
décret 2025-585; ``../shared/domain.md``; docs/domain-notes.md). So a pro forma that holds a
final balance asks, at deposit, for the attestation beside the invoice:

* same file rules as the invoice (type by content, 5 Mo, name of 50 characters at most;
  validated in ``checks.sandbox`` like every inspection of a file);
* kept as its own document (``attestation``, every version), shown to the instructeur;
* a check ``attestation`` among the invoice's automatic checks: pass when one is stored, fail
  when it is missing (the instructeur may refuse: "certificat de réalisation manquant").

The reading that protects the money (docs/domain-notes.md): the balance is not due without
the attestation, so the invoice of such a pro forma is **not accepted** until an attestation
is stored (``require_present`` at deposit: the CFA joins it first, in the same dialog), and an
instructeur cannot validate one whose attestation is missing — no justification overrides it
(``require_present`` in ``workflow.review.decisions.validate``, for an invoice deposited
before this rule).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

import checks
from checks import sandbox
from checks.pdf.validate import validate_file
from db.models import Attestation, Echeance, ProForma, ProFormaLine
from domain.clock import now
from domain.errors import InvalidInput, TransitionRefused
from domain.lifecycle import cfa_actions
from domain.vocabulary import CfaAction, CheckName, EcheanceKind, Outcome, label
from workflow.common import events
from workflow.common.access import Actor, get_owned, require_cfa
from workflow.common.uploads import clean_filename

CHECK = CheckName.ATTESTATION
LABEL = "Attestation de réalisation"
MISSING = ("Attestation de réalisation des actions de formation absente : elle est exigée "
           "avec la facture du solde final (R6332-25, décret 2025-585).")
PRESENT = "Attestation de réalisation des actions de formation jointe ({name})."


def _final_balance() -> ColumnElement[bool]:
    """The final 10 % balance: a ``balance_10`` due on the last day of its period (the
    contract's end), as ``eligibility.not_lapsed`` reads it."""
    return and_(Echeance.kind == EcheanceKind.BALANCE_10, Echeance.due_on == Echeance.period_end)


def holds_final_balance(session: Session, pro_forma_id: int) -> bool:
    """True when a live line of the pro forma is a contract's final balance."""
    stmt = (select(ProFormaLine.id).join(Echeance, Echeance.id == ProFormaLine.echeance_id)
            .where(ProFormaLine.pro_forma_id == pro_forma_id,
                   ProFormaLine.released.is_(False), _final_balance()).limit(1))
    return session.scalar(stmt) is not None


def needed(session: Session, actor: Actor, pro_forma_id: object) -> bool:
    """For the deposit form: does this pro forma ask for an attestation?"""
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    return holds_final_balance(session, pf.id)


def latest(session: Session, pro_forma_id: int) -> Attestation | None:
    """The newest attestation of a pro forma (access checked by the caller)."""
    return session.scalars(select(Attestation).where(Attestation.pro_forma_id == pro_forma_id)
                           .order_by(Attestation.version.desc()).limit(1)).first()


REQUIRED_AT_DEPOSIT = ("Joignez d'abord l'attestation de réalisation des actions de formation : "
                       "cette pro forma porte le solde final d'un contrat, qui n'est dû que sur "
                       "la facture accompagnée de cette attestation (R6332-25, décret "
                       "2025-585).")
REQUIRED_AT_VALIDATION = ("Pro forma {number} : l'attestation de réalisation des actions de "
                          "formation est absente ; le solde final n'est pas dû sans elle "
                          "(R6332-25, décret 2025-585). Refusez la facture (certificat de "
                          "réalisation manquant) ou attendez que le CFA la joigne.")


def require_present(session: Session, pf: ProForma, *, at_validation: bool = False) -> None:
    """Refuse an invoice (deposit or validation) of a pro forma holding a final balance
    while no attestation is stored.

    Raises:
        InvalidInput: the attestation is missing (field ``file`` at deposit,
            ``attestation`` at validation).
    """
    if not holds_final_balance(session, pf.id) or latest_id(session, pf.id) is not None:
        return
    if at_validation:
        raise InvalidInput("attestation", REQUIRED_AT_VALIDATION.format(number=pf.number))
    raise InvalidInput("file", REQUIRED_AT_DEPOSIT)


def latest_id(session: Session, pro_forma_id: int) -> int | None:
    """The id of the newest attestation of a pro forma, without reading its bytes."""
    return session.scalar(select(Attestation.id).where(Attestation.pro_forma_id == pro_forma_id)
                          .order_by(Attestation.version.desc()).limit(1))


def check(session: Session, pf: ProForma) -> checks.CheckResult | None:
    """The ``attestation`` check of an invoice deposit, or None when none is asked for."""
    if not holds_final_balance(session, pf.id):
        return None
    found = latest(session, pf.id)
    if found is None:
        return checks.CheckResult(CHECK, Outcome.FAIL, MISSING)
    return checks.CheckResult(CHECK, Outcome.PASS, PRESENT.format(name=found.filename))


def deposit(session: Session, actor: Actor, pro_forma_id: object, data: bytes,
            filename: str) -> Attestation:
    """Store a new version of the attestation (CFA only; the pro forma's status is unchanged).

    Raises InvalidInput for a bad file or a pro forma without final balance,
    TransitionRefused when the status allows no deposit.
    """
    require_cfa(actor)
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    acts = cfa_actions(pf.status)
    if CfaAction.ATTACH not in acts and CfaAction.REPLACE not in acts:
        raise TransitionRefused(pf.number, label(pf.status, pf.kind),
                                "joindre une attestation")
    if not holds_final_balance(session, pf.id):
        raise InvalidInput("file", "Cette pro forma ne porte aucun solde final : aucune "
                                   "attestation de réalisation n'est demandée.")
    name = clean_filename(filename)
    try:
        media_type = sandbox.run(validate_file, data, name, timeout=sandbox.CHECK_TIMEOUT_S)
    except checks.FileRejected as exc:  # TooCostly included
        raise InvalidInput("file", exc.message) from None
    version = (session.scalar(select(func.max(Attestation.version))
                              .where(Attestation.pro_forma_id == pf.id)) or 0) + 1
    row = Attestation(pro_forma_id=pf.id, version=version, filename=name,
                      media_type=media_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), content=data,
                      uploaded_at=now(), uploaded_by_id=actor.user_id)
    session.add(row)
    session.flush()
    events.record(session, actor, "attestation_deposited", pro_forma_id=pf.id,
                  version=pf.version, comment=name, data={"attestation_version": version})
    return row


@dataclass(frozen=True)
class AttestationView:
    """One attestation, as the review screen shows it (bytes included, for download)."""

    version: int
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime
    content: bytes = field(repr=False)


def for_review(session: Session, actor: Actor, pro_forma_id: object) -> AttestationView | None:
    """The newest attestation of a pro forma the actor may see (OPCO staff, or its CFA)."""
    pf = get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma")
    found = latest(session, pf.id)
    if found is None:
        return None
    return AttestationView(found.version, found.filename, found.media_type, found.size,
                           found.uploaded_at, found.content)
