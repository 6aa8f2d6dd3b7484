"""Money invariants under random sequences of operations (hypothesis, rule-based).

Operations: generate (both settlement modes), cancel, deposit, validate, refuse, approve, pay
one invoice, payment run, record a reimbursement. After every step: no échéance sits in two
live pro formas, a pro forma's total is the sum of its lines, every payment's net plus its
deductions equals the validated total it pays, credit notes are never over-settled and are
Payé exactly when settled; cancelling restores eligibility exactly (checked in the rule).

The world is small (two CFAs, six contracts) and kept between examples, so that later
examples start from whatever earlier ones left: the invariants hold in any reachable state.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, insert, select

from db.models import CreditApplication, Echeance, Event, Payment, ProForma, ProFormaLine
from domain.errors import WorkflowError
from domain.vocabulary import Status
from tests.checks.test_validate import pdf_bytes
from tests.workflow.reviewkit import seen, seen_note, set_setting, version
from workflow.billing import proformas
from workflow.billing import proformas as portal  # see below
from workflow.deposits import deposits
from workflow.payments import payments
from workflow.review import decisions

# The state machine's source seeds Hypothesis's derandomized run, so its text stays as it was
# when cancelling went through portal.cancel (now proformas.cancel, its one public face).
PICK = st.integers(0, 10_000)


@functools.lru_cache(maxsize=1)
def _invoice() -> bytes:
    return pdf_bytes()  # one small real PDF: checks run; verdicts do not matter here


def machine(world, factory) -> type[RuleBasedStateMachine]:
    """The state machine over this test's world and database."""

    def ids(*where) -> list[int]:
        with factory() as s:
            return list(s.scalars(select(ProForma.id).where(*where).order_by(ProForma.id)))

    def choose(options: list[int], pick: int) -> int | None:
        return options[pick % len(options)] if options else None

    def run(fn, *args, **kwargs):
        with factory.begin() as s:
            return fn(s, *args, **kwargs)

    def confirmed(pf_id: int):
        """What the confirmation dialog shows for this pro forma now."""
        with factory() as s:
            return seen(s, pf_id)

    open_ = ProForma.status.in_([Status.AWAITING, Status.UNDER_REVIEW, Status.REFUSED])
    ready = (ProForma.status == Status.VALIDATED, ProForma.kind == "invoice",
             (ProForma.needs_second_approval.is_(False)) | ProForma.approved_by_id.isnot(None))
    waiting = (ProForma.status == Status.VALIDATED, ProForma.needs_second_approval.is_(True),
               ProForma.approved_by_id.is_(None))
    refund = (ProForma.kind == "credit_note", ProForma.status == Status.VALIDATED,
              ProForma.settlement_mode == "remboursement")

    class Billing(RuleBasedStateMachine):
        @initialize()
        def every_operation_once(self):
            """A known start (while lines are left): one pro forma generated, deposited,
            refused and cancelled; another generated with a trop-perçu (an invoice and a
            credit note), both deposited and validated, then paid by a run that deducts the
            credit note. So every kind of operation happens whatever the random draws; the
            random rules then go on from there."""
            eligible = world.eligible(world.cfa1_id)
            amounts = world.amounts(eligible)
            positive = [i for i, a in zip(eligible, amounts, strict=True) if a > 0]
            negative = [i for i, a in zip(eligible, amounts, strict=True) if a < 0]
            if len(positive) < 2:
                return
            first = run(proformas.generate, world.cfa1, "pedagogie", positive[:1])[0].id
            made = [pf.id for pf in run(proformas.generate, world.cfa1, "pedagogie",
                                        positive[1:2] + negative[:1])]
            for pf_id in (first, *made):
                run(deposits.deposit, world.cfa1, pf_id, _invoice(), "facture.pdf")
            run(decisions.refuse, world.instructeur, first, version(factory, first),
                "MONTANTTOTAL_ERR")
            run(portal.cancel, world.cfa1, first)
            for pf_id in made:
                run(decisions.validate, world.instructeur, pf_id, version(factory, pf_id),
                    "Contrôlé à la main")
                if pf_id in ids(*waiting):
                    run(decisions.approve, world.instructeur2, confirmed(pf_id))
            with factory() as s:
                plan = payments.plan_payment_run(s, world.instructeur)
            run(payments.execute_payment_run, world.instructeur, plan.seen)

        # A rule with nothing to do returns: draws never depend on the database's state.
        @rule(second=st.booleans(), picks=st.lists(PICK, min_size=1, max_size=4),
              whole=st.sampled_from([True, False]), mode=st.sampled_from([None, "remboursement"]))
        def generate(self, second, picks, whole, mode):
            actor, cfa_id = (world.cfa2, world.cfa2_id) if second else (world.cfa1, world.cfa1_id)
            eligible = world.eligible(cfa_id)
            if not eligible:
                return
            if whole:  # every eligible échéance of the picked contracts (credit notes too)
                contracts = world.contracts2 if second else world.contracts1
                picked = {contracts[p % len(contracts)] for p in picks}
                with factory() as s:
                    chosen = sorted(s.scalars(select(Echeance.id).where(
                        Echeance.id.in_(eligible), Echeance.contract_id.in_(picked))))
            else:
                chosen = sorted({eligible[p % len(eligible)] for p in picks})
            try:
                run(proformas.generate, actor, "pedagogie", chosen, mode)
                assert not set(chosen) & set(world.eligible(cfa_id))  # all claimed
            except WorkflowError:
                assert set(chosen) <= set(world.eligible(cfa_id))  # refused: nothing claimed

        @rule(pick=PICK)
        def cancel(self, pick):
            pf_id = choose(ids(open_), pick)
            if pf_id is None:
                return
            with factory() as s:
                pf = s.get_one(ProForma, pf_id)
                cfa_id, actor = pf.cfa_id, world.cfa1 if pf.cfa_id == world.cfa1_id else world.cfa2
                mine = set(s.scalars(select(Echeance.id).where(Echeance.pro_forma_id == pf_id)))
            before = set(world.eligible(cfa_id))
            run(portal.cancel, actor, pf_id)
            assert set(world.eligible(cfa_id)) == before | mine  # eligibility restored exactly

        @rule(pick=PICK)
        def deposit(self, pick):
            pf_id = choose(ids(open_), pick)
            if pf_id is not None:
                owner = world.cfa1 if pf_id in ids(ProForma.cfa_id == world.cfa1_id) \
                    else world.cfa2
                run(deposits.deposit, owner, pf_id, _invoice(), "facture.pdf")

        @rule(pick=PICK, refuse=st.sampled_from([True, False]))
        def decide(self, pick, refuse):
            pf_id = choose(ids(ProForma.status == Status.UNDER_REVIEW), pick)
            if pf_id is None:
                return
            with factory() as s:
                seen = s.get_one(ProForma, pf_id).version
            if refuse:
                run(decisions.refuse, world.instructeur, pf_id, seen, "MONTANTTOTAL_ERR")
            else:
                run(decisions.validate, world.instructeur, pf_id, seen, "Contrôlé à la main")

        @rule(pick=PICK)
        def approve(self, pick):
            pf_id = choose(ids(*waiting), pick)
            if pf_id is not None:
                run(decisions.approve, world.instructeur2, confirmed(pf_id))

        @rule(pick=PICK, run_all=st.booleans())
        def pay(self, pick, run_all):
            if not ids(*ready):
                return
            if run_all:
                with factory() as s:
                    plan = payments.plan_payment_run(s, world.instructeur)
                run(payments.execute_payment_run, world.instructeur, plan.seen)
            else:
                run(payments.pay, world.instructeur, confirmed(choose(ids(*ready), pick)),
                    "VIR-TEST")

        @rule(pick=PICK)
        def reimburse(self, pick):
            note = choose(ids(*refund), pick)
            if note is not None:
                with factory() as s:
                    due = seen_note(s, note)
                run(payments.record_reimbursement, world.instructeur, due, "REMB")

        @rule()
        def advance_everything(self):
            """Every pro forma one step along the happy path (so that runs reach payment)."""
            with factory() as s:
                rows = s.execute(select(ProForma.id, ProForma.status, ProForma.cfa_id)
                                 .where(ProForma.status.notin_([Status.PAID, Status.CANCELLED]))
                                 .order_by(ProForma.id)).all()
            for pf_id, status, cfa_id in rows:
                if status in (Status.AWAITING, Status.REFUSED):
                    owner = world.cfa1 if cfa_id == world.cfa1_id else world.cfa2
                    run(deposits.deposit, owner, pf_id, _invoice(), "facture.pdf")
                elif status == Status.UNDER_REVIEW:
                    run(decisions.validate, world.instructeur, pf_id, version(factory, pf_id),
                        "Contrôlé à la main")
                elif pf_id in ids(*waiting):
                    run(decisions.approve, world.instructeur2, confirmed(pf_id))
                elif pf_id in ids(*ready):
                    run(payments.pay, world.instructeur, confirmed(pf_id), "VIR-TEST")

        @invariant()
        def one_live_pro_forma_per_echeance(self):
            with factory() as s:
                live = s.execute(select(ProFormaLine.echeance_id, ProFormaLine.pro_forma_id)
                                 .join(ProForma).where(ProForma.status != Status.CANCELLED)
                                 ).all()
                echeances = [e for e, _ in live]
                assert len(echeances) == len(set(echeances))
                assert not s.scalar(select(func.count(ProFormaLine.id)).join(ProForma).where(
                    ProForma.status != Status.CANCELLED, ProFormaLine.released.is_(True)))
                claims = dict(s.execute(select(Echeance.id, Echeance.pro_forma_id).where(
                    Echeance.pro_forma_id.isnot(None))).all())
                assert claims == dict(live)

        @invariant()
        def totals_are_the_sum_of_lines(self):
            with factory() as s:
                sums = dict(s.execute(select(ProFormaLine.pro_forma_id,
                                             func.sum(ProFormaLine.amount))
                                      .group_by(ProFormaLine.pro_forma_id)).all())
                for pf_id, total in s.execute(select(ProForma.id, ProForma.total)):
                    assert Decimal(sums[pf_id]) == total

        @invariant()
        def payments_and_deductions_equal_validated_totals(self):
            with factory() as s:
                for pf in s.scalars(select(ProForma).where(ProForma.kind == "invoice")):
                    paid = s.scalars(select(Payment).where(Payment.pro_forma_id == pf.id)).all()
                    assert len(paid) == (1 if pf.status == Status.PAID else 0)
                    for p in paid:
                        cut = s.scalar(select(func.coalesce(func.sum(CreditApplication.amount),
                                                            0)).where(
                            CreditApplication.payment_id == p.id))
                        assert p.gross == pf.total == p.net + p.deducted
                        assert p.net >= 0 and Decimal(cut) == p.deducted
                for note in s.scalars(select(ProForma).where(ProForma.kind == "credit_note")):
                    done = Decimal(payments.settled(s, note.id))
                    assert 0 <= done <= -note.total
                    assert (note.status == Status.PAID) == (done == -note.total)
                    if done:
                        assert note.status in (Status.VALIDATED, Status.PAID)

    return Billing


def test_money_invariants_hold_under_random_operations(world, factory):
    set_setting(factory, "four_eyes_threshold", "3000.00")  # some validations need approval
    for contract, cfa_id, amount in ((world.contracts1[3], world.cfa1_id, "-2000.00"),
                                     (world.contracts2[0], world.cfa2_id, "-450.00")):
        with factory.begin() as s:  # trop-perçus: credit notes larger than some invoices
            s.execute(insert(Echeance), [{
                "contract_id": contract, "cfa_id": cfa_id, "nature": "pedagogie",
                "kind": "regularisation", "year": 1, "period_start": date(2026, 1, 1),
                "period_end": date(2026, 10, 31), "due_on": date(2026, 11, 1),
                "amount": Decimal(amount), "detail": "Trop-perçu", "pro_forma_id": None}])
    run_state_machine_as_test(machine(world, factory), settings=settings(
        max_examples=12, stateful_step_count=10, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck), database=None))
    with factory() as s:
        done = set(s.scalars(select(Event.action)))
    assert {"generated", "cancelled", "deposited", "validated", "refused", "paid",
            "payment_run", "credit_applied"} <= done, done
