"""Dashboard figures on money and on the automatic checks, computed by SQL aggregates.

Money (``Decimal``, net of credit notes, which are negative):
- engaged: the échéances (due in the period) of contracts in status Engagé;
- invoiced: live pro formas (not cancelled), created in the period;
- validated: pro formas validated (then possibly paid), decided in the period;
- paid: pro formas paid (a credit note is "paid" once fully settled), paid in the period;
- credit notes outstanding: validated credit notes with money left to settle, per settlement
  mode (déduction / remboursement), the same arithmetic as ``payments.credit_notes``, in one
  query.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from db.models import CheckRun, Contract, CreditApplication, Decision, Echeance, ProForma
from domain.vocabulary import (
    NATURE_LABELS,
    SETTLEMENT_LABELS,
    ContractStatus,
    Kind,
    Nature,
    Outcome,
    SettlementMode,
    Status,
)
from workflow.common.access import Actor, require_manager
from workflow.reporting.dashboard_scope import decisions, deposits, first_run_of_decision
from workflow.reporting.dashboard_sql import (
    Drill,
    Filters,
    as_money,
    in_days,
    in_period,
    scope,
    share,
)

ZERO = Decimal("0.00")
STAGES = ("engaged", "invoiced", "validated", "paid")
STAGE_LABELS = {"engaged": "Engagé", "invoiced": "Facturé", "validated": "Validé",
                "paid": "Payé"}
SUMMARY_LABELS: dict[str, str] = {
    Outcome.PASS: "Tous conformes", Outcome.FAIL: "Au moins un échec",
    Outcome.UNKNOWN: "À vérifier (indéterminé)",
}


@dataclass(frozen=True)
class MoneyRow:
    """Amounts of one nature of cost (``nature`` is "" on the total row)."""

    nature: str
    label: str
    engaged: Decimal
    invoiced: Decimal
    validated: Decimal
    paid: Decimal

    def drill(self, stage: str) -> Drill | None:
        """The pro formas behind one amount (none for "engaged": those are échéances)."""
        return None if stage == "engaged" else Drill("stage", f"{self.nature}:{stage}")


@dataclass(frozen=True)
class CreditRow:
    """Validated credit notes with money left to settle in one settlement mode."""

    mode: str
    label: str
    count: int
    outstanding: Decimal
    drill: Drill


@dataclass(frozen=True)
class Money:
    """Amounts by nature and stage, their total, and the credit notes outstanding."""

    by_nature: list[MoneyRow]
    total: MoneyRow
    credits: list[CreditRow]


def stage_conditions(stage: str, f: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ProForma of a money stage (invoiced, validated, paid) in the period."""
    if stage == "invoiced":
        return [ProForma.status != Status.CANCELLED.value, *in_period(ProForma.created_at, f)]
    if stage == "validated":
        return [ProForma.status.in_((Status.VALIDATED.value, Status.PAID.value)),
                *in_period(ProForma.decided_at, f)]
    if stage == "paid":
        return [ProForma.status == Status.PAID.value, *in_period(ProForma.paid_at, f)]
    raise ValueError(stage)


def left_to_settle() -> ColumnElement[Decimal]:
    """What is left to settle on the current credit note: -total minus what was settled.

    The SQL twin of ``credit_notes.settled``/``outstanding_credits`` (a correlated sum).
    """
    settled = (select(func.coalesce(func.sum(CreditApplication.amount), 0))
               .where(CreditApplication.credit_note_id == ProForma.id).scalar_subquery())
    return -ProForma.total - settled


def credit_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Validated credit notes with money left (the period does not apply: it is now)."""
    return [ProForma.kind == Kind.CREDIT_NOTE, ProForma.status == Status.VALIDATED.value,
            left_to_settle() > 0, *scope(f)]


def money(session: Session, actor: Actor, f: Filters) -> Money:
    """Amounts engaged, invoiced, validated and paid by nature; credit notes outstanding."""
    require_manager(actor)
    f.check()
    amounts: dict[str, dict[str, Decimal]] = {n.value: dict.fromkeys(STAGES, ZERO)
                                              for n in Nature}
    eng = [Contract.status == ContractStatus.ENGAGE, *in_days(Echeance.due_on, f)]
    if f.nature:
        eng.append(Echeance.nature == f.nature)
    if f.cfa_id is not None:
        eng.append(Echeance.cfa_id == f.cfa_id)
    # one sum per nature (FILTER) rather than GROUP BY: no sort or hash of ~2 M échéances
    natures = list(amounts)
    engaged = session.execute(
        select(*(func.sum(Echeance.amount).filter(Echeance.nature == n) for n in natures))
        .select_from(Echeance).join(Contract, Contract.id == Echeance.contract_id).where(*eng)
    ).one()
    for nature, total in zip(natures, engaged, strict=True):
        amounts[nature]["engaged"] = as_money(total)
    sums = [func.sum(case((and_(*stage_conditions(st, f)), ProForma.total), else_=0))
            for st in STAGES[1:]]
    for nature, *values in session.execute(
        select(ProForma.nature, *sums).where(*scope(f)).group_by(ProForma.nature)
    ):
        row = amounts.setdefault(nature, dict.fromkeys(STAGES, ZERO))
        for st, value in zip(STAGES[1:], values, strict=True):
            row[st] = as_money(value)
    shown = [n for n in amounts if not f.nature or n == f.nature]
    by_nature = [MoneyRow(n, NATURE_LABELS.get(Nature(n), n), *amounts[n].values())
                 for n in shown]
    total = MoneyRow("", "Total", *(sum((getattr(r, st) for r in by_nature), ZERO)
                                    for st in STAGES))
    found = {mode: (n, as_money(t)) for mode, n, t in session.execute(
        select(ProForma.settlement_mode, func.count(), func.sum(left_to_settle()))
        .where(*credit_conditions(f)).group_by(ProForma.settlement_mode))}
    credits = [CreditRow(mode, label, found.get(SettlementMode(mode), (0, ZERO))[0],
                         found.get(SettlementMode(mode), (0, ZERO))[1], Drill("credit", mode))
               for mode, label in SETTLEMENT_LABELS.items()]
    return Money(by_nature, total, credits)


@dataclass(frozen=True)
class AgreementRow:
    """Decisions taken on documents whose first check run had this summary."""

    summary: str
    label: str
    validated: int
    refused: int


@dataclass(frozen=True)
class ChecksFigure:
    """How often deposits pass every check, and how often instructeurs agree with the checks.

    ``deposits``: documents deposited in the period; ``all_pass``: those whose first check run
    (lowest run id per document) has summary "pass". ``agreement_share`` is the share of
    decisions not flagged ``Decision.against_checks``.
    """

    deposits: int
    all_pass: int
    all_pass_share: float
    decisions: int
    against: int
    agreement_share: float
    matrix: list[AgreementRow]
    against_drill: Drill


def checks(session: Session, actor: Actor, f: Filters) -> ChecksFigure:
    """Share of all-pass deposits and the instructeurs' agreement with the checks."""
    require_manager(actor)
    f.check()
    deposited, passed = session.execute(deposits(
        select(func.count(), func.count().filter(CheckRun.summary == Outcome.PASS))
        .select_from(CheckRun), f)
    ).one()
    decided, against = session.execute(decisions(
        select(func.count(), func.count().filter(Decision.against_checks.is_(True)))
        .select_from(Decision), f)
    ).one()
    cells: dict[str, dict[str, int]] = {k: {"validated": 0, "refused": 0}
                                        for k in SUMMARY_LABELS}
    for summary, outcome, n in session.execute(decisions(first_run_of_decision(
        select(CheckRun.summary, Decision.outcome, func.count()).select_from(Decision)), f)
        .group_by(CheckRun.summary, Decision.outcome)
    ):
        cells.setdefault(summary, {"validated": 0, "refused": 0})[outcome] = n
    matrix = [AgreementRow(k, SUMMARY_LABELS.get(k, k), v["validated"], v["refused"])
              for k, v in cells.items()]
    return ChecksFigure(deposited, passed, share(passed, deposited), decided, against,
                        share(decided - against, decided), matrix, Drill("against"))
