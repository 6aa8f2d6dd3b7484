"""Past activity of the small demo, replayed through the workflow with a backdated clock.

Each scenario is one pro forma's life: generated, deposited (a real invoice PDF), decided,
paid. Together they put pro formas in every status, a rework loop, refusal letters, a credit
note to deduct, and a queue of deposits of various ages for the dashboards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Cfa, Contract, Echeance, ProForma, ProFormaLine
from domain.clock import freeze
from domain.vocabulary import Kind, Nature
from workflow.billing import proformas
from workflow.billing.eligibility import not_lapsed
from workflow.common.access import Actor
from workflow.common.confirm import Seen
from workflow.deposits import attestations, deposits
from workflow.payments import payments
from workflow.review import decisions

# (cfa, pro forma, own invoice number, total shown or None, IBAN shown or None) -> PDF bytes
InvoiceMaker = Callable[[Cfa, ProForma, str, Decimal | None, str | None], bytes]


@dataclass(frozen=True)
class Scenario:
    """One pro forma's story; ``days_ago`` dates its generation."""

    days_ago: int
    steps: tuple[str, ...]  # deposit_ok, deposit_bad_total, deposit_bad_iban, validate,
    #                         refuse_total, pay, cancel, rupture (after pay: see _rupture)
    contracts: int = 4
    nature: Nature = Nature.PEDAGOGIE
    with_credit: bool = False


DEMO_CFA_STORY = (
    Scenario(150, ("deposit_ok", "validate", "pay", "rupture"), contracts=6),
    Scenario(140, ("deposit_ok", "validate", "pay"), contracts=3, nature=Nature.EQUIPEMENT),
    Scenario(122, ("deposit_ok", "validate"), contracts=4, with_credit=True),
    Scenario(120, ("deposit_bad_total", "refuse_total"), contracts=3),
    Scenario(115, ("deposit_bad_total", "refuse_total", "deposit_ok", "validate"), contracts=2),
    Scenario(110, ("deposit_bad_total", "refuse_total"), contracts=3),
    Scenario(100, ("deposit_ok", "validate"), contracts=5),
    Scenario(60, ("deposit_bad_total",), contracts=3),  # the oldest in the review queue
    Scenario(45, ("deposit_bad_iban",), contracts=2),
    Scenario(20, ("deposit_bad_total",), contracts=2),
    Scenario(12, ("deposit_ok",), contracts=2, nature=Nature.FRAIS_ANNEXES),
    Scenario(4, ("deposit_ok",), contracts=2),
    Scenario(30, ("cancel",), contracts=2),
    Scenario(8, (), contracts=2),
)
OTHER_CFA_STORY = (
    Scenario(90, ("deposit_ok", "validate", "pay"), contracts=3),
    Scenario(50, ("deposit_bad_total", "refuse_total"), contracts=2),
    Scenario(25, ("deposit_ok",), contracts=2),
    Scenario(6, (), contracts=2),
)


@dataclass
class Cast:
    """The actors of the replay."""

    cfa_user: Actor
    instructeur: Actor
    second: Actor


def replay(factory: sessionmaker[Session], cast: Cast, cfa_id: int, today: date,
           story: Sequence[Scenario], invoice_pdf: InvoiceMaker) -> None:
    """Play every scenario of ``story`` for one CFA, each in its own transactions."""
    for n, sc in enumerate(story):
        start = datetime.combine(today - timedelta(days=sc.days_ago), datetime.min.time())
        at = start.replace(hour=9) + timedelta(minutes=7 * n)
        try:
            _play(factory, cast, cfa_id, sc, at, invoice_pdf, n)
        finally:
            freeze(None)


def _pick(s: Session, cfa_id: int, sc: Scenario, at: datetime) -> list[int]:
    """Échéances of ``sc.contracts`` contracts eligible at ``at`` (credit notes if asked)."""
    rows = s.execute(
        select(Echeance.id, Echeance.contract_id, Echeance.amount).where(
            Echeance.cfa_id == cfa_id, Echeance.nature == sc.nature,
            Echeance.pro_forma_id.is_(None), Echeance.due_on <= at.date(), not_lapsed(),
        ).order_by(Echeance.due_on, Echeance.id)
    ).all()
    contracts: list[int] = []
    if sc.with_credit:
        contracts = list(dict.fromkeys(r[1] for r in rows if r[2] < 0))[:2]
    for r in rows:
        if len(contracts) >= sc.contracts + (2 if sc.with_credit else 0):
            break
        if r[1] not in contracts and r[2] > 0:
            contracts.append(r[1])
    return [r[0] for r in rows if r[1] in contracts]


def _play(factory: sessionmaker[Session], cast: Cast, cfa_id: int, sc: Scenario,
          at: datetime, invoice_pdf: InvoiceMaker, n: int) -> None:
    freeze(at)
    with factory.begin() as s:
        ids = _pick(s, cfa_id, sc, at)
        if not ids:
            return
        made = proformas.generate(s, cast.cfa_user, sc.nature, ids)
        pf_ids = [p.id for p in made]
    for k, pf_id in enumerate(pf_ids):
        moment = at
        for step_no, step in enumerate(sc.steps):
            moment = moment + timedelta(days=2 + 3 * step_no, hours=k)
            freeze(moment)
            with factory.begin() as s:
                _step(s, cast, pf_id, step, invoice_pdf, f"FA-{at:%Y}-{n:03d}{k}{step_no}")


def _attestation_pdf(cfa: Cfa, pf: ProForma) -> bytes:
    """The CFA's attestation de réalisation des actions de formation (a one-page PDF)."""
    buf = BytesIO()
    page = Canvas(buf, invariant=1)
    page.drawString(60, 780, "Attestation de réalisation des actions de formation")
    page.drawString(60, 760, f"{cfa.name} - pro forma {pf.number}")
    page.showPage()
    page.save()
    return buf.getvalue()


def _step(s: Session, cast: Cast, pf_id: int, step: str, invoice_pdf: InvoiceMaker,
          own_number: str) -> None:
    pf = s.get_one(ProForma, pf_id)
    cfa = s.get_one(Cfa, pf.cfa_id)
    if step.startswith("deposit"):
        total = pf.total + Decimal("-90.00") if step == "deposit_bad_total" else None
        iban = "FR7630006000011234567890189" if step == "deposit_bad_iban" else None
        data = invoice_pdf(cfa, pf, own_number, total, iban)
        if (attestations.holds_final_balance(s, pf_id)
                and attestations.latest_id(s, pf_id) is None):  # a final balance (issue 18)
            attestations.deposit(s, cast.cfa_user, pf_id, _attestation_pdf(cfa, pf),
                                 f"Attestation_{pf.number}.pdf")
        deposits.deposit(s, cast.cfa_user, pf_id, data, f"Facture_{own_number}.pdf")
    elif step == "validate":
        decisions.validate(s, cast.instructeur, pf_id, pf.version,
                           justification="Contrôlé manuellement.")
        if pf.needs_second_approval:
            decisions.approve(s, cast.second, Seen.one(pf_id, pf.version, pf.total))
    elif step == "refuse_total":
        decisions.refuse(s, cast.instructeur, pf_id, pf.version, "MONTANTTOTAL_ERR")
    elif step == "pay" and pf.kind == Kind.INVOICE:
        payments.pay(s, cast.instructeur, Seen.one(pf_id, pf.version, pf.total),
                     reference=f"VIR-{pf.number}")
    elif step == "cancel":
        proformas.cancel(s, cast.cfa_user, pf_id)
    elif step == "rupture":
        _rupture(s, pf_id)


RUPTURES_AFTER_PAYMENT = 4


def _rupture(s: Session, pf_id: int) -> None:
    """Ruptures recorded after the payment of a pro forma: a few of its contracts end 60 days
    after their start, so what was paid exceeds what is due and the regularisation is a real
    trop-perçu (paid − due, R6332-25), for the demo's credit notes."""
    from seed.demo import record_rupture

    contracts = s.scalars(select(Contract).join(ProFormaLine, ProFormaLine.contract_id
                                                == Contract.id)
                          .where(ProFormaLine.pro_forma_id == pf_id,
                                 Contract.rupture_on.is_(None))
                          .distinct().order_by(Contract.id)).all()
    for contract in contracts[:RUPTURES_AFTER_PAYMENT]:
        record_rupture(s, contract.id, min(contract.start + timedelta(days=60), contract.end))
