"""The pro forma lifecycle: which status may follow which, and the CFA's actions per status."""

from __future__ import annotations

from domain.vocabulary import CfaAction, Status

LIVE = frozenset(Status) - {Status.CANCELLED}

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.AWAITING: frozenset({Status.UNDER_REVIEW, Status.CANCELLED}),
    Status.UNDER_REVIEW: frozenset(
        {Status.UNDER_REVIEW, Status.VALIDATED, Status.REFUSED, Status.CANCELLED}
    ),
    Status.REFUSED: frozenset({Status.UNDER_REVIEW, Status.CANCELLED}),
    Status.VALIDATED: frozenset({Status.PAID}),
    Status.PAID: frozenset(),
    Status.CANCELLED: frozenset(),
}


CFA_ACTIONS: dict[Status, tuple[CfaAction, ...]] = {
    Status.AWAITING: (CfaAction.EXPORT, CfaAction.ATTACH, CfaAction.CANCEL),
    Status.UNDER_REVIEW: (CfaAction.EXPORT, CfaAction.REPLACE, CfaAction.CANCEL),
    Status.VALIDATED: (CfaAction.EXPORT,),
    Status.PAID: (CfaAction.EXPORT,),
    Status.REFUSED: (
        CfaAction.EXPORT, CfaAction.SEE_REFUSAL, CfaAction.REPLACE, CfaAction.CANCEL,
    ),
    Status.CANCELLED: (),
}

def allowed_next(status: str) -> frozenset[Status]:
    """The statuses reachable from ``status``."""
    return ALLOWED[Status(status)]


def cfa_actions(status: str) -> tuple[CfaAction, ...]:
    """The additional actions a CFA user may take on a pro forma in ``status``."""
    return CFA_ACTIONS[Status(status)]
