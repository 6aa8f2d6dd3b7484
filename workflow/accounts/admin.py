"""Managers' settings: refusal reasons, service-level target, four-eyes threshold, accounts.

Every change is written to the event log (entity "refusal_reason", "setting" or "user") in
the caller's transaction. A refusal reason that has served is never deleted, only retired,
so that old letters and decisions keep their meaning. Managers manage instructeur, manager and
CFA accounts; admins manage CFA and admin accounts only; a change of the four-eyes threshold
waits for a second manager's approval (``duties``). Nobody deactivates their own
account.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Cfa, Decision, ProForma, RefusalReason, Setting, User
from domain.clock import now
from domain.errors import InvalidInput, NotFound, WorkflowError
from domain.vocabulary import ROLE_LABELS, Role
from workflow.accounts import duties, sessions
from workflow.accounts.auth import check_new_password, hash_password
from workflow.accounts.thresholds import PendingThreshold, parse_threshold, pending_threshold
from workflow.common import bounds, events
from workflow.common.access import Actor, require_manager
from workflow.common.paging import Page, paginate
from workflow.common.settings import setting
from workflow.common.typed import as_int

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,29}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CAN_CREATE = duties.ACCOUNTS_MANAGED_BY


# --- refusal reasons -------------------------------------------------------------------------

@dataclass(frozen=True)
class ReasonRow:
    """A reason of the catalogue and how many decisions used it."""

    reason_id: int
    code: str
    label: str
    letter: str
    requires_comment: bool
    active: bool
    uses: int


def list_reasons(session: Session, actor: Actor) -> list[ReasonRow]:
    """The whole catalogue (retired reasons included), in catalogue order."""
    require_manager(actor)
    used = (select(Decision.reason_id, func.count().label("n"))
            .where(Decision.reason_id.is_not(None)).group_by(Decision.reason_id).subquery())
    rows = session.execute(
        select(RefusalReason, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.reason_id == RefusalReason.id)
        .order_by(RefusalReason.position, RefusalReason.id)
    ).all()
    return [ReasonRow(r.id, r.code, r.label, r.letter, r.requires_comment, r.active, int(n))
            for r, n in rows]


def _texts(label: str, letter: str) -> tuple[str, str]:
    label, letter = (label or "").strip(), (letter or "").strip()
    limit = bounds.max_length(RefusalReason.label)
    if not label or len(label) > limit:
        raise InvalidInput("label", f"Le libellé du motif est obligatoire ({limit} caractères "
                                    "au plus).")
    if len(letter) < 20:
        raise InvalidInput("letter", "Le texte du courrier est obligatoire (20 caractères au "
                                     "moins) : c'est ce que lit le CFA.")
    return label, letter


def _reason(session: Session, reason_id: object) -> RefusalReason:
    try:
        row = session.get(RefusalReason, as_int(reason_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise NotFound("ce motif de refus")
    return row


def add_reason(session: Session, actor: Actor, code: str, label: str, letter: str,
               requires_comment: bool = False) -> int:
    """Add a reason to the catalogue; returns its id. Raises InvalidInput for a bad value."""
    require_manager(actor)
    code = (code or "").strip().upper()
    if not CODE.match(code):
        raise InvalidInput("code", "Le code du motif s'écrit en majuscules, chiffres et « _ » "
                                   "(2 à 30 caractères), par exemple CERTIF_ABSENT.")
    if session.scalars(select(RefusalReason.id).where(RefusalReason.code == code)).first():
        raise InvalidInput("code", f"Le code {code} existe déjà dans le catalogue.")
    label, letter = _texts(label, letter)
    position = (session.scalar(select(func.max(RefusalReason.position))) or 0) + 1
    row = RefusalReason(code=code, label=label, letter=letter,
                        requires_comment=bool(requires_comment), active=True,
                        position=position)
    session.add(row)
    session.flush()
    events.record(session, actor, "reason_added", entity="refusal_reason", entity_id=row.id,
                  reason=label, data={"code": code})
    return row.id


def edit_reason(session: Session, actor: Actor, reason_id: object, label: str, letter: str,
                requires_comment: bool = False) -> None:
    """Change the label, the letter text and whether a comment is required."""
    require_manager(actor)
    row = _reason(session, reason_id)
    label, letter = _texts(label, letter)
    before = {"label": row.label, "letter": row.letter,
              "requires_comment": row.requires_comment}
    row.label, row.letter, row.requires_comment = label, letter, bool(requires_comment)
    events.record(session, actor, "reason_edited", entity="refusal_reason", entity_id=row.id,
                  reason=label, data={"code": row.code, "before": before})


def set_reason_active(session: Session, actor: Actor, reason_id: object,
                      active: bool) -> None:
    """Retire a reason (no longer offered to instructeurs) or bring it back."""
    require_manager(actor)
    row = _reason(session, reason_id)
    if row.active == active:
        return
    row.active = active
    events.record(session, actor, "reason_restored" if active else "reason_retired",
                  entity="refusal_reason", entity_id=row.id, reason=row.label,
                  data={"code": row.code})


def delete_reason(session: Session, actor: Actor, reason_id: object) -> None:
    """Delete a reason that never served; a reason in use raises WorkflowError (retire it)."""
    require_manager(actor)
    row = _reason(session, reason_id)
    used = session.scalar(select(func.count()).select_from(Decision)
                          .where(Decision.reason_id == row.id))
    used = used or session.scalar(select(func.count()).select_from(ProForma)
                                  .where(ProForma.refusal_reason_id == row.id))
    if used:
        raise WorkflowError(f"Le motif « {row.label} » a déjà servi : il ne peut pas être "
                            "supprimé, seulement retiré du catalogue.")
    events.record(session, actor, "reason_deleted", entity="refusal_reason", entity_id=row.id,
                  reason=row.label, data={"code": row.code})
    session.delete(row)


# --- settings ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ManagerSettings:
    """The settings managers change; ``pending`` is a proposed threshold not yet in force."""

    sla_days: int
    four_eyes_threshold: Decimal
    pending: PendingThreshold | None = None


def get_settings(session: Session, actor: Actor) -> ManagerSettings:
    """The current service-level target (days) and four-eyes threshold (euros), and the
    proposed threshold waiting for approval, if any."""
    require_manager(actor)
    return ManagerSettings(int(setting(session, "sla_days", "15")),
                           Decimal(setting(session, "four_eyes_threshold", "50000.00")),
                           pending_threshold(session))


def _store(session: Session, actor: Actor, key: str, value: str) -> None:
    row = session.get(Setting, key)
    old = row.value if row else None
    if old == value:
        return
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    events.record(session, actor, "setting_changed", entity="setting", reason=key,
                  data={"key": key, "old": old, "new": value})


def set_sla_days(session: Session, actor: Actor, days: object) -> int:
    """Set the service-level target, in whole days from 1 to 365; returns it."""
    require_manager(actor)
    value = bounds.days(days, "sla_days", "Le délai cible d'instruction", low=1, high=365)
    _store(session, actor, "sla_days", str(value))
    return value


def set_four_eyes_threshold(session: Session, actor: Actor, amount: object) -> Decimal:
    """Propose the amount above which a validation needs a second instructeur; returns it.

    The threshold in force does not change: the proposal waits for another manager's
    approval (``approve_threshold``). Proposing the value in force withdraws any proposal;
    a new proposal replaces the previous one.
    """
    require_manager(actor)
    value = parse_threshold(amount)
    in_force = Decimal(setting(session, "four_eyes_threshold", "50000.00"))
    pending = pending_threshold(session)
    if pending is not None and pending.value == value:
        return value
    row = session.get(Setting, duties.PENDING_THRESHOLD)
    if row is not None:
        session.delete(row)
        session.flush()
    if value == in_force:
        if pending is not None:
            events.record(session, actor, "setting_rejected", entity="setting",
                          reason="four_eyes_threshold",
                          data={"key": "four_eyes_threshold", "proposed": str(pending.value),
                                "proposed_by": pending.proposed_by_id})
        return value
    session.add(Setting(key=duties.PENDING_THRESHOLD, value=json.dumps(
        {"value": str(value), "by": actor.user_id, "at": now().isoformat()})))
    events.record(session, actor, "setting_proposed", entity="setting",
                  reason="four_eyes_threshold",
                  data={"key": "four_eyes_threshold", "old": str(in_force), "new": str(value)})
    return value


def approve_threshold(session: Session, actor: Actor, value: object) -> Decimal:
    """A second manager approves the proposed threshold ``value`` (the one shown to them):
    it is in force from now on; returns it. Raises WorkflowError when nothing is proposed,
    when the proposal is another value, or when the actor proposed it."""
    require_manager(actor)
    pending = pending_threshold(session)
    if pending is None or str(pending.value) != str(value):
        raise WorkflowError("Cette proposition de seuil n'est plus en attente : rechargez la "
                            "page.")
    duties.check_threshold_approval(session, actor, pending.proposed_by_id)
    session.delete(session.get_one(Setting, duties.PENDING_THRESHOLD))
    _store(session, actor, "four_eyes_threshold", str(pending.value))
    events.record(session, actor, "setting_approved", entity="setting",
                  reason="four_eyes_threshold",
                  data={"key": "four_eyes_threshold", "new": str(pending.value),
                        "proposed_by": pending.proposed_by_id})
    return pending.value


def reject_threshold(session: Session, actor: Actor, value: object) -> None:
    """Reject (or, for its proposer, withdraw) the proposed threshold ``value``."""
    require_manager(actor)
    pending = pending_threshold(session)
    if pending is None or str(pending.value) != str(value):
        raise WorkflowError("Cette proposition de seuil n'est plus en attente : rechargez la "
                            "page.")
    session.delete(session.get_one(Setting, duties.PENDING_THRESHOLD))
    events.record(session, actor, "setting_rejected", entity="setting",
                  reason="four_eyes_threshold",
                  data={"key": "four_eyes_threshold", "proposed": str(pending.value),
                        "proposed_by": pending.proposed_by_id})


def set_thresholds(session: Session, actor: Actor, sla_days: object,
                   four_eyes_threshold: object) -> ManagerSettings:
    """Set the service-level target and propose the four-eyes threshold (all or nothing);
    returns the settings now, the proposal under ``pending``."""
    set_sla_days(session, actor, sla_days)
    set_four_eyes_threshold(session, actor, four_eyes_threshold)
    return get_settings(session, actor)


# --- user accounts -----------------------------------------------------------------------

@dataclass(frozen=True)
class UserRow:
    """One account as the settings page lists it (never the password hash)."""

    user_id: int
    email: str
    name: str
    role: str
    role_label: str
    cfa: str | None
    active: bool
    last_login_at: datetime | None


def list_users(session: Session, actor: Actor, page: int = 0, page_size: int = 50,
               query: str = "") -> Page[UserRow]:
    """One page of accounts, by e-mail, optionally matching ``query`` (e-mail or name)."""
    require_manager(actor)
    stmt = (select(User.id, User.email, User.name, User.role, Cfa.name, User.active,
                   User.last_login_at)
            .outerjoin(Cfa, Cfa.id == User.cfa_id).order_by(User.email))
    if q := (query or "").strip().lower():
        stmt = stmt.where(or_(func.lower(User.email).contains(q),
                              func.lower(User.name).contains(q)))
    result = paginate(session, stmt, page, page_size)
    rows = [UserRow(i, e, n, r, ROLE_LABELS[Role(r)], c, a, seen)
            for i, e, n, r, c, a, seen in result.rows]
    return Page(rows, result.total, result.page, result.page_size)


def cfa_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of every CFA, by name, for selection lists."""
    require_manager(actor)
    return [(i, n) for i, n in session.execute(select(Cfa.id, Cfa.name).order_by(Cfa.name))]


def instructeur_choices(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the OPCO staff who may decide (instructeurs and managers), by name."""
    require_manager(actor)
    return [(i, n) for i, n in session.execute(
        select(User.id, User.name).where(User.role.in_(("instructeur", "manager")))
        .order_by(User.name))]


def _manageable(session: Session, actor: Actor, user_id: object) -> User:
    require_manager(actor)
    try:
        user = session.get(User, as_int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or Role(user.role) not in CAN_CREATE[actor.role]:
        raise NotFound("ce compte")
    return user


def create_user(session: Session, actor: Actor, email: str, name: str, role: str,
                password: str, cfa_id: object = None) -> int:
    """Create an account (argon2 hash); returns its id. Raises InvalidInput for bad values.

    The initial password is provisional: the new user changes it at the first login.
    """
    require_manager(actor)
    email, name = (email or "").strip().lower(), (name or "").strip()
    if not EMAIL.match(email) or len(email) > bounds.max_length(User.email):
        raise InvalidInput("email", "Adresse e-mail invalide.")
    if not name or len(name) > bounds.max_length(User.name):
        raise InvalidInput("name", f"Le nom est obligatoire ({bounds.max_length(User.name)} "
                                   "caractères au plus).")
    if role not in {r.value for r in CAN_CREATE[actor.role]}:
        raise InvalidInput("role", "Vous ne pouvez pas créer de compte de ce rôle.")
    cfa = None
    if role == Role.CFA:
        try:
            cfa = session.get(Cfa, as_int(cfa_id))
        except (TypeError, ValueError):
            cfa = None
        if cfa is None:
            raise InvalidInput("cfa", "Choisissez le CFA de ce compte.")
    if session.scalars(select(User.id).where(func.lower(User.email) == email)).first():
        raise InvalidInput("email", f"Un compte existe déjà pour {email}.")
    check_new_password(password, email)
    user = User(email=email, name=name, role=role, cfa_id=cfa.id if cfa else None,
                password_hash=hash_password(password), active=True, failed_logins=0,
                created_at=now(), must_change_password=True)
    session.add(user)
    session.flush()
    events.record(session, actor, "user_created", entity="user", entity_id=user.id,
                  data={"email": email, "role": role, "cfa_id": user.cfa_id})
    return user.id


def set_user_active(session: Session, actor: Actor, user_id: object, active: bool) -> None:
    """Deactivate an account (it can no longer log in) or reactivate it."""
    user = _manageable(session, actor, user_id)
    if user.id == actor.user_id:
        raise WorkflowError("Vous ne pouvez pas désactiver votre propre compte.")
    if user.active == active:
        return
    user.active = active
    if not active:  # its open browser sessions end now, not at their next login check
        sessions.revoke_all(session, user.id)
    events.record(session, actor, "user_reactivated" if active else "user_deactivated",
                  entity="user", entity_id=user.id, data={"email": user.email})


def reset_password(session: Session, actor: Actor, user_id: object) -> str:
    """Give an account a new temporary password, returned once (only its hash is stored);
    its owner must replace it at the next login."""
    user = _manageable(session, actor, user_id)
    temporary = "-".join("".join(secrets.choice(TEMP_ALPHABET) for _ in range(4))
                         for _ in range(4))
    user.password_hash = hash_password(temporary)
    user.failed_logins, user.locked_until = 0, None
    user.must_change_password = True
    sessions.revoke_all(session, user.id)  # whoever was logged in must use the new password
    events.record(session, actor, "password_reset", entity="user", entity_id=user.id,
                  data={"email": user.email})
    return temporary
