"""The pro forma lifecycle, declared once: each action with the statuses it starts from, the
status it leads to, the roles that may take it, the CFA menu entry offering it, the words of its
refusal and the event it writes (django-fsm's ``@transition``, as data).

Guards, menus and tests read this declaration: ``require`` refuses an action a status does not
allow with a typed error; ``ALLOWED`` and ``CFA_ACTIONS`` are views of it, never restated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.errors import AccessDenied, TransitionRefused
from domain.permissions import ALL_ROLES, CFA_ONLY, DECIDERS, PAYERS
from domain.vocabulary import CfaAction, Role, Status, label


class Act(StrEnum):
    """Everything that can be done to a pro forma once generated."""

    EXPORT = "export"
    SEE_REFUSAL = "see_refusal"
    ATTACH = "attach"
    REPLACE = "replace"
    CANCEL = "cancel"
    VALIDATE = "validate"
    REFUSE = "refuse"
    APPROVE = "approve"
    PAY = "pay"
    SETTLE = "settle"


@dataclass(frozen=True)
class Action:
    """One action of the lifecycle.

    ``target`` is None for an action that leaves the status as it is (an export, reading a
    letter, a second approval); ``words`` completes "… qui ne permet pas de {words}".
    """

    act: Act
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    words: str
    menu: CfaAction | None = None
    event: str | None = None


_OPEN = frozenset({Status.AWAITING, Status.UNDER_REVIEW, Status.REFUSED})
_DECIDE = frozenset(DECIDERS)
_PAY = frozenset(PAYERS)

ACTIONS: dict[Act, Action] = {a.act: a for a in (
    # in the order of the CFA's menu (§1.2.1.2)
    Action(Act.EXPORT, frozenset(Status) - {Status.CANCELLED}, None, ALL_ROLES,
           "exporter les contrats concernés", CfaAction.EXPORT),
    Action(Act.SEE_REFUSAL, frozenset({Status.REFUSED}), None, ALL_ROLES,
           "voir le motif de refus", CfaAction.SEE_REFUSAL),
    Action(Act.ATTACH, frozenset({Status.AWAITING}), Status.UNDER_REVIEW, CFA_ONLY,
           "déposer une facture", CfaAction.ATTACH, "deposited"),
    Action(Act.REPLACE, frozenset({Status.UNDER_REVIEW, Status.REFUSED}), Status.UNDER_REVIEW,
           CFA_ONLY, "déposer une facture", CfaAction.REPLACE, "replaced"),
    Action(Act.CANCEL, _OPEN, Status.CANCELLED, CFA_ONLY, "l'annuler", CfaAction.CANCEL,
           "cancelled"),
    Action(Act.VALIDATE, frozenset({Status.UNDER_REVIEW}), Status.VALIDATED, _DECIDE,
           "la valider", None, "validated"),
    Action(Act.REFUSE, frozenset({Status.UNDER_REVIEW}), Status.REFUSED, _DECIDE,
           "la refuser", None, "refused"),
    Action(Act.APPROVE, frozenset({Status.VALIDATED}), None, _DECIDE,
           "l'approuver", None, "approved"),
    Action(Act.PAY, frozenset({Status.VALIDATED}), Status.PAID, _PAY, "la payer", None, "paid"),
    Action(Act.SETTLE, frozenset({Status.VALIDATED}), Status.PAID, _PAY, "la payer", None,
           "settled"),
)}

LIVE = frozenset(Status) - {Status.CANCELLED}

# views of the declaration
ALLOWED: dict[Status, frozenset[Status]] = {
    s: frozenset(a.target for a in ACTIONS.values() if a.target is not None and s in a.sources)
    for s in Status
}
CFA_ACTIONS: dict[Status, tuple[CfaAction, ...]] = {
    s: tuple(a.menu for a in ACTIONS.values() if a.menu is not None and s in a.sources)
    for s in Status
}


def require(act: Act, status: str, *, number: str, kind: str = "invoice",
            role: Role | None = None) -> Action:
    """The action, if ``status`` allows it (and ``role`` may take it, when given).

    Raises TransitionRefused, whose French message names the status and the action, or
    AccessDenied for a role the action does not admit.
    """
    action = ACTIONS[act]
    if role is not None and role not in action.roles:
        raise AccessDenied("cette fonction")
    if Status(status) not in action.sources:
        raise TransitionRefused(number, label(status, kind), action.words)
    return action


def deposit_act(status: str) -> Act:
    """A first invoice is attached; any later one replaces the previous version."""
    return Act.ATTACH if status == Status.AWAITING else Act.REPLACE


def allowed_next(status: str) -> frozenset[Status]:
    """The statuses reachable from ``status``."""
    return ALLOWED[Status(status)]


def cfa_actions(status: str) -> tuple[CfaAction, ...]:
    """The additional actions the CFA's menu offers on a pro forma in ``status``."""
    return CFA_ACTIONS[Status(status)]
