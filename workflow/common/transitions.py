"""Status changes of a pro forma: the one way a command moves a pro forma along its lifecycle
(``domain.lifecycle``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import ProForma
from domain.errors import StaleVersion
from domain.lifecycle import Act, require
from domain.vocabulary import label
from workflow.common import events
from workflow.common.access import Actor, get_owned


def apply(session: Session, actor: Actor, pf: ProForma, act: Act, *,
          expected_version: int | None = None, reason: str | None = None,
          comment: str | None = None) -> None:
    """Take ``act`` on ``pf`` if the lifecycle allows it from its status: move it to the
    action's status (if any), bump its version, log the action's event.

    Raises StaleVersion when ``expected_version`` is given and differs from the current one,
    TransitionRefused when the lifecycle forbids the action from the current status.
    """
    if expected_version is not None and pf.version != expected_version:
        raise StaleVersion(pf.number, expected_version, pf.version,
                           label(pf.status, pf.kind))
    action = require(act, pf.status, number=pf.number, kind=pf.kind)
    before = pf.status
    after = action.target if action.target is not None else before
    pf.status = after
    pf.version += 1
    events.record(session, actor, action.event or act.value, pro_forma_id=pf.id,
                  from_status=before, to_status=after, reason=reason, comment=comment,
                  version=pf.version)


def load_for_update(session: Session, actor: Actor, pro_forma_id: object) -> ProForma:
    """The pro forma, row-locked (PostgreSQL), if the actor may reach it."""
    return get_owned(session, ProForma, pro_forma_id, actor, "cette pro forma",
                     for_update=True)
