"""Separation of duties: the rules, in one place; decisions, payments and admin apply them.

1. **Four eyes means two people.** An approval (``decisions.approve``) is refused when the
   approver and the validator share a *controller*. An account's controllers are the account
   itself and whoever created it or reset its password within the last ``CONTROL_DAYS`` days
   (events ``user_created`` and ``password_reset``, whose actor is recorded): for that while,
   they knew its password. So nobody approves a validation they made, nor one whose
   validator's account they created or reset, nor one made while someone who created or reset
   their own account also controls the validator's (a manager who resets a colleague's
   password, logs in as them and approves the manager's own validation is refused).
2. **The four-eyes threshold changes only with a second manager.** A change is a proposal
   (``admin.set_four_eyes_threshold``), kept with its proposer under ``PENDING_THRESHOLD``;
   the threshold in force is unchanged until a manager (role manager, not an administrator)
   other than the proposer, and sharing no controller with it (rule 1), approves it
   (``admin.approve_threshold``); any manager or
   administrator, the proposer included, may reject it. Each step
   writes an event (``setting_proposed``, ``setting_changed``, ``setting_rejected``).
3. **The administrator holds no instruction or payment right, even through accounts.**
   Administrators do not decide, approve or pay (``domain.permissions.DECIDERS``,
   ``workflow.payments.payments``), and they manage only CFA and administrator accounts
   (``ACCOUNTS_MANAGED_BY``): they cannot create, reset, deactivate or reactivate an
   instructeur's or a manager's account, so they cannot make or take over one that pays.
   Instructeur and manager accounts are managed by managers, whose own accounts fall under
   rule 1.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Event
from domain.clock import now
from domain.errors import WorkflowError
from domain.vocabulary import Role
from workflow.common.access import Actor

CONTROL_DAYS = 30
CONTROL_ACTIONS = ("user_created", "password_reset")  # events whose actor knew the password
PENDING_THRESHOLD = "four_eyes_threshold.pending"  # setting row holding a proposed threshold
ACCOUNTS_MANAGED_BY = {
    Role.MANAGER: (Role.INSTRUCTEUR, Role.MANAGER, Role.CFA),
    Role.ADMIN: (Role.CFA, Role.ADMIN),
}


def controllers(session: Session, user_id: int) -> set[int]:
    """The account and whoever created it or reset its password in the last
    ``CONTROL_DAYS`` days (rule 1)."""
    since = now() - timedelta(days=CONTROL_DAYS)
    found = session.scalars(
        select(Event.actor_id).where(Event.entity == "user", Event.entity_id == user_id,
                                     Event.action.in_(CONTROL_ACTIONS), Event.at >= since,
                                     Event.actor_id.is_not(None)))
    return {user_id, *found}


def check_approval(session: Session, approver: Actor, validator_id: int | None,
                   number: str) -> None:
    """Rule 1: raise WorkflowError when ``approver`` may not approve the validation of
    pro forma ``number`` made by ``validator_id``."""
    if validator_id is None:
        return
    if validator_id == approver.user_id:
        raise WorkflowError(f"Vous ne pouvez pas approuver votre propre décision ({number}).")
    if controllers(session, approver.user_id) & controllers(session, validator_id):
        raise WorkflowError(
            f"Vous ne pouvez pas approuver la validation de {number} : un même gestionnaire a "
            f"créé ou réinitialisé, depuis moins de {CONTROL_DAYS} jours, votre compte ou "
            "celui de la personne qui l'a validée. Le double contrôle exige deux personnes "
            "distinctes.")


def check_threshold_approval(session: Session, approver: Actor, proposer_id: int) -> None:
    """Rule 2: a manager approves a threshold change, and not its proposer, nor someone who
    shares a controller with it (rule 1: not an account the proposer created or reset)."""
    if approver.role is not Role.MANAGER:
        raise WorkflowError("Seul un manager approuve un changement de seuil du double "
                            "contrôle.")
    if approver.user_id == proposer_id:
        raise WorkflowError("Vous avez proposé ce changement de seuil : un autre gestionnaire "
                            "doit l'approuver.")
    if controllers(session, approver.user_id) & controllers(session, proposer_id):
        raise WorkflowError(
            "Vous ne pouvez pas approuver ce changement de seuil : un même gestionnaire a créé "
            f"ou réinitialisé, depuis moins de {CONTROL_DAYS} jours, votre compte ou celui de "
            "son auteur. Il faut l'approbation d'un autre gestionnaire.")
