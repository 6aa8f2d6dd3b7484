"""Pro forma generation and cancellation.

Generation is atomic: the échéances are claimed by a conditional UPDATE (``WHERE pro_forma_id
IS NULL``) and a partial unique index on live lines backs it up, so a double click or a second
tab can never invoice an échéance twice; the loser gets AlreadyClaimed and nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from db.models import Cfa, Counter, Echeance, ProForma, ProFormaLine
from domain.clock import now, today
from domain.errors import AlreadyClaimed, InvalidInput
from domain.lifecycle import Act, require
from domain.vocabulary import SETTLEMENT_MODES, Kind, Status
from workflow.billing.eligibility import not_lapsed
from workflow.billing.portal import ProFormaRow, row_of
from workflow.common import events
from workflow.common.access import Actor, require_cfa
from workflow.common.confirm import Seen, check
from workflow.common.transitions import apply, load_for_update
from workflow.common.typed import rowcount


@dataclass(frozen=True)
class GenerationPreview:
    """What "Générer" would produce: the figures of the manual's confirmation dialog."""

    included: int
    excluded: int
    invoice_amount: Decimal
    credit_amount: Decimal
    invoice_lines: int
    credit_lines: int
    seen: Seen
    invoice_dossiers: int = 0
    credit_dossiers: int = 0

    @property
    def total(self) -> Decimal:
        return self.invoice_amount + self.credit_amount

    @property
    def needs_settlement_mode(self) -> bool:
        return self.credit_lines > 0


def next_numbers(session: Session, count: int) -> list[str]:
    """Reserve ``count`` pro forma numbers (``PRO-`` + 8 digits) from the counter row."""
    stmt = (
        update(Counter).where(Counter.name == "pro_forma")
        .values(value=Counter.value + count).returning(Counter.value)
    )
    last = session.execute(stmt).scalar_one()
    return [f"PRO-{n:08d}" for n in range(last - count + 1, last + 1)]


def _selected(session: Session, cfa_id: int, nature: str,
              ids: Sequence[int]) -> list[tuple[int, int, Decimal]]:
    """(id, contract_id, amount) of the selected échéances that are still eligible (a final
    balance lapsed 4 months after the contract's end is not: ``eligibility.not_lapsed``)."""
    stmt = select(Echeance.id, Echeance.contract_id, Echeance.amount).where(
        Echeance.id.in_(list(ids)), Echeance.cfa_id == cfa_id, Echeance.nature == nature,
        Echeance.pro_forma_id.is_(None), Echeance.due_on <= today(), not_lapsed(),
    )
    return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def preview(session: Session, actor: Actor, nature: str, selected_ids: Sequence[int],
            eligible_count: int) -> GenerationPreview:
    """Figures of the confirmation dialog for the selection (nothing is written)."""
    cfa_id = require_cfa(actor)
    rows = _selected(session, cfa_id, nature, selected_ids)
    invoice, credit = split_by_dossier(rows)
    included = len({r[1] for r in rows})
    return GenerationPreview(
        included=included, excluded=max(eligible_count - included, 0),
        invoice_amount=sum((r[2] for r in invoice), Decimal("0")),
        credit_amount=sum((r[2] for r in credit), Decimal("0")),
        invoice_lines=len(invoice), credit_lines=len(credit),
        seen=Seen.of(((r[0], None) for r in rows), sum((r[2] for r in rows), Decimal("0"))),
        invoice_dossiers=len({r[1] for r in invoice}),
        credit_dossiers=len({r[1] for r in credit}),
    )


Line = tuple[int, int, Decimal]  # (échéance id, contract id, amount)


def split_by_dossier(rows: Sequence[Line]) -> tuple[list[Line], list[Line]]:
    """The selected lines of the invoice and of the credit note, split **per dossier**: each
    contract lands in exactly one of them, by the sign of its selected total (the manual: 53
    contracts included → a pro forma of 46 dossiers and a credit note of 7; issue 18). A
    contract whose selected lines add up to 0 or more goes to the invoice, below 0 to the
    credit note, all its lines with it (a credit note may then hold a positive line that
    reduces what the CFA owes back, and an invoice a negative one)."""
    totals: dict[int, Decimal] = {}
    for _id, contract, amount in rows:
        totals[contract] = totals.get(contract, Decimal("0")) + amount
    invoice = [r for r in rows if totals[r[1]] >= 0]
    credit = [r for r in rows if totals[r[1]] < 0]
    return invoice, credit


def generate(session: Session, actor: Actor, nature: str, selected_ids: Sequence[int],
             settlement_mode: str | None = None, *,
             seen_total: Decimal | None = None) -> list[ProForma]:
    """Generate the pro forma(s) of a selection: one invoice, and one credit note for the
    dossiers whose selected total is negative (``split_by_dossier``).

    Raises InvalidInput for an empty selection or a bad settlement mode, AlreadyClaimed when
    any selected échéance is no longer eligible (taken meanwhile, or not the CFA's),
    ConfirmationMismatch when ``seen_total`` is given and the selection's total differs.
    """
    cfa_id = require_cfa(actor)
    ids = sorted({int(i) for i in selected_ids})
    if not ids:
        raise InvalidInput("selection", "Sélectionnez au moins un contrat à facturer.")
    rows = _selected(session, cfa_id, nature, ids)
    if len(rows) != len(ids):
        raise AlreadyClaimed(len(ids) - len(rows))
    if seen_total is not None:
        check(Seen.of(((i, None) for i in ids), seen_total), {r[0]: ("", None) for r in rows},
              sum((r[2] for r in rows), Decimal("0")), what="échéance",
              nothing_done="Rien n'a été généré.")
    cfa = session.get_one(Cfa, cfa_id)
    mode = settlement_mode or cfa.default_settlement
    if mode not in SETTLEMENT_MODES:
        raise InvalidInput("settlement_mode", "Mode de règlement inconnu.")
    invoice, credit = split_by_dossier(rows)
    groups = [(k, g) for k, g in (("invoice", invoice), ("credit_note", credit))
              if g and (k == Kind.CREDIT_NOTE or any(r[2] for r in g))]
    if not groups:
        raise InvalidInput("selection", "La sélection ne comporte aucun montant à facturer.")
    numbers = next_numbers(session, len(groups))
    return [
        _create(session, actor, cfa_id, nature, kind, lines, number,
                mode if kind == Kind.CREDIT_NOTE else None)
        for (kind, lines), number in zip(groups, numbers, strict=True)
    ]


def _create(session: Session, actor: Actor, cfa_id: int, nature: str, kind: str,
            lines: list[tuple[int, int, Decimal]], number: str,
            mode: str | None) -> ProForma:
    pf = ProForma(
        number=number, cfa_id=cfa_id, nature=nature, kind=kind, status=Status.AWAITING.value,
        total=sum((r[2] for r in lines), Decimal("0")), dossiers=len({r[1] for r in lines}),
        settlement_mode=mode, version=1, created_at=now(), created_by_id=actor.user_id,
    )
    session.add(pf)
    session.flush()
    ids = [r[0] for r in lines]
    claimed = rowcount(session.execute(
        update(Echeance).where(Echeance.id.in_(ids), Echeance.pro_forma_id.is_(None))
        .values(pro_forma_id=pf.id).execution_options(synchronize_session=False)
    ))
    if claimed != len(ids):
        raise AlreadyClaimed(len(ids) - claimed)
    session.execute(insert(ProFormaLine), [
        {"pro_forma_id": pf.id, "echeance_id": e, "contract_id": c, "amount": a,
         "released": False}
        for e, c, a in lines
    ])
    events.record(session, actor, "generated", pro_forma_id=pf.id, to_status=pf.status,
                  version=pf.version, data={"lines": len(lines), "total": str(pf.total)})
    return pf


def cancel(session: Session, actor: Actor, pro_forma_id: object,
           expected_version: int | None = None) -> ProFormaRow:
    """Cancel a pro forma ("Annuler", CFA only): its échéances become eligible again."""
    require_cfa(actor)
    pf = load_for_update(session, actor, pro_forma_id)
    require(Act.CANCEL, pf.status, number=pf.number, kind=pf.kind)  # before the version
    apply(session, actor, pf, Act.CANCEL, expected_version=expected_version)
    pf.cancelled_at = now()
    pf.assigned_to_id = None
    session.execute(
        update(Echeance).where(Echeance.pro_forma_id == pf.id).values(pro_forma_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ProFormaLine).where(ProFormaLine.pro_forma_id == pf.id).values(released=True)
        .execution_options(synchronize_session=False)
    )
    return row_of(pf)


def line_total(session: Session, pro_forma_id: int) -> Decimal:
    """Sum of a pro forma's lines (an invariant: equals its total)."""
    stmt = select(func.coalesce(func.sum(ProFormaLine.amount), 0)).where(
        ProFormaLine.pro_forma_id == pro_forma_id
    )
    return Decimal(session.execute(stmt).scalar_one())


@dataclass(frozen=True)
class Generated:
    """A pro forma just generated, as plain values for the page (never an ORM row)."""

    id: int
    number: str
    kind: str
    total: Decimal
    dossiers: int
    settlement_mode: str | None


def generate_summary(session: Session, actor: Actor, nature: str, seen: Seen,
                     settlement_mode: str | None = None) -> list[Generated]:
    """``generate`` for the pages, of exactly the échéances and the total the user confirmed
    (``preview(…).seen``): the same rules and errors, plain values returned."""
    made = generate(session, actor, nature, seen.ids, settlement_mode, seen_total=seen.total)
    session.flush()
    return [Generated(p.id, p.number, p.kind, p.total, p.dossiers, p.settlement_mode)
            for p in made]
