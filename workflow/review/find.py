"""Find a pro forma, whatever its status, by its number or by the CFA's own invoice number
(the instructeur's search box above the queue)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Cfa, ProForma
from domain.vocabulary import label
from workflow.common.access import Actor, require_opco
from workflow.common.bounds import fits


@dataclass(frozen=True)
class Found:
    """One pro forma found."""

    pro_forma_id: int
    number: str
    own_invoice_number: str | None
    cfa: str
    status_label: str
    total: Decimal


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_pro_formas(session: Session, actor: Actor, text: str, limit: int = 20) -> list[Found]:
    """Pro formas whose number or CFA invoice number contains ``text`` (case ignored), the
    exact matches first; OPCO staff only (AccessDenied otherwise)."""
    require_opco(actor)
    text = (text or "").strip()
    if not text:
        return []
    fits(text, ProForma.own_invoice_number, "Le numéro recherché", "search")
    pattern = _like(text)
    rows = session.execute(
        select(ProForma.id, ProForma.number, ProForma.own_invoice_number, Cfa.name,
               ProForma.status, ProForma.kind, ProForma.total)
        .join(Cfa, Cfa.id == ProForma.cfa_id)
        .where(or_(ProForma.number.ilike(pattern, escape="\\"),
                   ProForma.own_invoice_number.ilike(pattern, escape="\\")))
        .order_by((ProForma.number != text.upper()), ProForma.number.desc())
        .limit(limit)).all()
    return [Found(r[0], r[1], r[2], r[3], label(r[4], r[5]), r[6]) for r in rows]
