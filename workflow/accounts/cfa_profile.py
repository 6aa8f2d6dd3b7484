""""Mon CFA": the CFA's identity, its bank details on file (read only) and the default
settlement mode of its credit notes (the one setting a CFA user may change)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import Cfa
from domain.errors import InvalidInput
from domain.vocabulary import SETTLEMENT_MODES, SettlementMode
from workflow.common import events
from workflow.common.access import Actor, require_cfa


@dataclass(frozen=True)
class CfaProfile:
    """What "Mon CFA" shows."""

    id: int
    name: str
    siret: str
    uai: str
    nda: str
    address: str
    iban: str
    bic: str
    default_settlement: str

    @property
    def iban_display(self) -> str:
        """The IBAN in groups of four ("FR76 3000 …"), as printed on a RIB."""
        return " ".join(self.iban[i:i + 4] for i in range(0, len(self.iban), 4))


def _profile(cfa: Cfa) -> CfaProfile:
    return CfaProfile(cfa.id, cfa.name, cfa.siret, cfa.uai, cfa.nda, cfa.address, cfa.iban,
                      cfa.bic, cfa.default_settlement)


def get_profile(session: Session, actor: Actor) -> CfaProfile:
    """The acting user's CFA (AccessDenied for anyone but a CFA user)."""
    return _profile(session.get_one(Cfa, require_cfa(actor)))


def set_default_settlement(session: Session, actor: Actor, mode: str) -> CfaProfile:
    """Change the default settlement mode of future credit notes; logs an event.

    Existing pro formas keep their own mode. Raises InvalidInput for an unknown mode.
    """
    cfa = session.get_one(Cfa, require_cfa(actor))
    if mode not in SETTLEMENT_MODES:
        raise InvalidInput("settlement_mode", "Mode de règlement inconnu : choisissez "
                           "« déduction » ou « remboursement ».")
    before = cfa.default_settlement
    if before != mode:
        cfa.default_settlement = SettlementMode(mode)
        events.record(session, actor, "default_settlement_changed", entity="cfa",
                      entity_id=cfa.id, comment=f"{before} → {mode}",
                      data={"from": before, "to": mode})
    return _profile(cfa)
