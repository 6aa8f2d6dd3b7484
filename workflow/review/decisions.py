"""Instructeurs' decisions: validate, refuse with a reason (a letter to the CFA), approve.

A decision carries the version of the pro forma it was made on; a pro forma that changed
meanwhile (another decision, a new file, a cancellation) refuses it with StaleVersion, so a
decision is never applied twice. Validating against a failed check requires a justification;
above the four-eyes threshold, or against a failed ``iban`` check, a second instructeur must
approve before payment, and nobody approves their own decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import CheckRun, Decision, Document, Notice, ProForma, RefusalReason
from domain.clock import now
from domain.errors import InvalidInput, WorkflowError
from domain.lifecycle import Act
from domain.permissions import DECIDERS
from domain.vocabulary import CHECK_LABELS, CheckName, Outcome, Status
from workflow.accounts import duties
from workflow.common.access import Actor, require_opco, require_role
from workflow.common.confirm import Seen, check
from workflow.common.settings import setting
from workflow.common.transitions import apply, load_for_update
from workflow.deposits import attestations
from workflow.deposits import queue as check_queue


@dataclass(frozen=True)
class ReasonView:
    """A refusal reason of the catalogue, as the decision area offers it."""

    code: str
    label: str
    letter: str
    requires_comment: bool


def refusal_reasons(session: Session, actor: Actor) -> list[ReasonView]:
    """The active refusal reasons, in the catalogue's order (OPCO staff only)."""
    require_opco(actor)
    rows = session.scalars(select(RefusalReason).where(RefusalReason.active.is_(True))
                           .order_by(RefusalReason.position, RefusalReason.id))
    return [ReasonView(r.code, r.label, r.letter, r.requires_comment) for r in rows]


def _active_reason(session: Session, reason_code: str) -> RefusalReason:
    reason = session.scalars(
        select(RefusalReason).where(RefusalReason.code == reason_code,
                                    RefusalReason.active.is_(True))
    ).first()
    if reason is None:
        raise InvalidInput("reason", "Choisissez un motif de refus du catalogue.")
    return reason


def letter_preview(session: Session, actor: Actor, reason_code: str,
                   comment: str | None = None) -> str:
    """The letter the CFA would read if the pro forma were refused for this reason."""
    require_role(actor, *DECIDERS)
    return letter_text(_active_reason(session, reason_code), (comment or "").strip() or None)


DOSSIERS_HEADING = "Dossiers en erreur :"
DRAFT_MAX = 50  # dossiers named one by one in a refusal's draft; the others counted


def refusal_draft(sentences: list[str]) -> str:
    """The comment a refusal starts from when dossiers are in error (the instructeur may edit
    it): the letter then names them under "Précision de nos services", the first
    ``DRAFT_MAX``, then how many more."""
    if not sentences:
        return ""
    named = sentences[:DRAFT_MAX]
    more = len(sentences) - len(named)
    items = [f"- {said}" for said in named]
    if more:
        items.append(f"- et {more} autre(s) dossier(s) en erreur")
    return DOSSIERS_HEADING + "\n" + " ;\n".join(items) + "."


def latest_run(session: Session, pro_forma_id: int) -> CheckRun | None:
    """The latest check run of the latest document of a pro forma (none while that
    document's checks have not landed: an older version's verdicts are not this file's)."""
    current = (select(func.max(Document.version)).where(Document.pro_forma_id == pro_forma_id)
               .scalar_subquery())
    stmt = (
        select(CheckRun).join(Document, Document.id == CheckRun.document_id)
        .where(Document.pro_forma_id == pro_forma_id, Document.version == current)
        .order_by(CheckRun.id.desc()).limit(1)
    )
    return session.scalars(stmt).first()


def checks_seen(run: CheckRun | None) -> dict[str, str]:
    """{check name: outcome} of a run, as recorded with a decision."""
    return {r.name: r.outcome for r in run.results} if run else {}


def four_eyes_threshold(session: Session) -> Decimal:
    """Amount above which a validation needs a second instructeur's approval."""
    return Decimal(setting(session, "four_eyes_threshold", "50000.00"))


def validate(session: Session, actor: Actor, pro_forma_id: object, version: int,
             justification: str | None = None) -> Decision:
    """Validate the deposited invoice of a pro forma under review.

    Raises InvalidInput when a check failed and no justification is given, StaleVersion
    when the pro forma changed since ``version`` (another decision, a new file, a
    cancellation), TransitionRefused when its status does not allow it, AccessDenied.
    Above the four-eyes threshold, or against a failed ``iban`` check, the validation waits
    for a second instructeur's approval before payment.
    """
    require_role(actor, *DECIDERS)
    pf = load_for_update(session, actor, pro_forma_id)
    if waiting := check_queue.pending(session, [pf.id]).get(pf.id):
        raise WorkflowError(f"Pro forma {pf.number} : {waiting.label()} ; attendez leurs "
                            "résultats pour valider (refuser reste possible).")
    attestations.require_present(session, pf, at_validation=True)  # issue 18: no override
    run = latest_run(session, pf.id)
    seen = checks_seen(run)
    failed = sorted(CHECK_LABELS.get(n, n) for n, o in seen.items() if o == Outcome.FAIL)
    note = (justification or "").strip()
    if failed and not note and pf.version == version:
        raise InvalidInput(
            "justification",
            "Des contrôles automatiques ont échoué (" + ", ".join(failed) + ") : "
            "une justification est obligatoire pour valider.",
        )
    apply(session, actor, pf, Act.VALIDATE, expected_version=version,
               comment=note or None)
    pf.decided_at, pf.decided_by_id = now(), actor.user_id
    pf.needs_second_approval = (
        abs(pf.total) > four_eyes_threshold(session) or seen.get(CheckName.IBAN) == Outcome.FAIL
    )
    pf.approved_by_id = None
    return _decision(session, actor, pf, "validated", version, seen, run, comment=note or None,
                     against=bool(failed))


def refuse(session: Session, actor: Actor, pro_forma_id: object, version: int,
           reason_code: str, comment: str | None = None) -> Decision:
    """Refuse with a catalogue reason; the CFA receives the reason's letter as a notice.

    Raises InvalidInput (unknown reason, missing comment for a reason that requires one),
    StaleVersion, TransitionRefused, AccessDenied.
    """
    require_role(actor, *DECIDERS)
    reason = _active_reason(session, reason_code)
    note = (comment or "").strip()
    if reason.requires_comment and not note:
        raise InvalidInput("comment", f"Le motif « {reason.label} » exige un commentaire.")
    pf = load_for_update(session, actor, pro_forma_id)
    run = latest_run(session, pf.id)
    seen = checks_seen(run)
    apply(session, actor, pf, Act.REFUSE, expected_version=version,
               reason=reason.label, comment=note or None)
    pf.decided_at, pf.decided_by_id = now(), actor.user_id
    pf.refusal_reason_id, pf.refusal_comment = reason.id, note or None
    pf.assigned_to_id = None
    against = bool(seen) and all(o == Outcome.PASS for o in seen.values())
    decision = _decision(session, actor, pf, "refused", version, seen, run, reason=reason,
                         comment=note or None, against=against)
    session.flush()
    session.add(Notice(
        cfa_id=pf.cfa_id, pro_forma_id=pf.id, decision_id=decision.id,
        reason_label=reason.label, body=letter_text(reason, note), created_at=now(),
    ))
    return decision


def letter_text(reason: RefusalReason, comment: str | None) -> str:
    """The letter the CFA reads: the reason's text, with the instructeur's comment if any."""
    body = reason.letter
    if comment:
        marker = "\n\nNous vous remercions"
        extra = f"\n\nPrécision de nos services : {comment}"
        body = body.replace(marker, extra + marker, 1) if marker in body else body + extra
    return body


def approve(session: Session, actor: Actor, seen: Seen) -> list[Decision]:
    """Second instructeur's approval of validations that need four eyes: exactly the pro
    formas of ``seen``, at the versions and for the total the user confirmed.

    All or nothing. Raises ConfirmationMismatch when a pro forma changed since, or the total
    differs; WorkflowError when one no longer awaits approval or when separation of duties
    forbids it (``workflow.accounts.duties``: nobody approves their own decision, nor one whose
    validator's account they, or whoever controls their own, created or reset recently);
    AccessDenied.
    """
    require_role(actor, *DECIDERS)
    if not seen.ids:
        raise InvalidInput("selection", "Sélectionnez au moins une validation à approuver.")
    rows = [load_for_update(session, actor, i) for i in seen.ids]
    check(seen, {p.id: (p.number, p.version) for p in rows}, sum((p.total for p in rows),
                                                                  Decimal("0")),
          what="pro forma", nothing_done="Rien n'a été approuvé.")
    out = []
    for pf in rows:
        if (pf.status != Status.VALIDATED or not pf.needs_second_approval
                or pf.approved_by_id):
            raise WorkflowError(f"La pro forma {pf.number} n'attend pas de second contrôle.")
        duties.check_approval(session, actor, pf.decided_by_id, pf.number)
        version = pf.version
        pf.approved_by_id = actor.user_id
        apply(session, actor, pf, Act.APPROVE)
        run = latest_run(session, pf.id)
        out.append(_decision(session, actor, pf, "approved", version, checks_seen(run), run))
    return out


def _decision(session: Session, actor: Actor, pf: ProForma, outcome: str, version: int,
              seen: dict[str, str], run: CheckRun | None, *,
              reason: RefusalReason | None = None, comment: str | None = None,
              against: bool = False) -> Decision:
    decision = Decision(
        pro_forma_id=pf.id, document_id=run.document_id if run else None,
        decided_by_id=actor.user_id, at=now(), outcome=outcome, version=version,
        reason_id=reason.id if reason else None, comment=comment, checks_seen=seen,
        against_checks=against,
    )
    session.add(decision)
    return decision
