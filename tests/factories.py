"""A small fixed world for tests: two CFAs, their users and contracts, OPCO staff.

Contracts are built through the real schedule engine; the clock is pinned to TODAY.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.models import Apprentice, Contract, Echeance, Employer, Payment, ProForma, ProFormaLine
from domain.clock import PARIS, freeze
from domain.schedule import ContractTerms, schedule
from seed.demo import echeance_row, make_cfa, make_siret, make_user
from workflow.accounts.auth import hash_password
from workflow.common.access import Actor, actor_of

# Paris time: moments are aware (stored in UTC), days are French (domain.clock)
TODAY = datetime(2026, 11, 27, 10, 0, tzinfo=PARIS)
PASSWORD = "correct horse battery"


@cache
def password_hash() -> str:
    """One argon2 hash per process (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


CONTRACTS_1 = [
    # old regime, 2 years, due installments over two years
    ContractTerms(date(2024, 9, 2), date(2026, 8, 31), date(2024, 8, 1), Decimal("8000"), 5),
    # worked example: rupture → regularisation of -295.89, the advance and month 7 counted
    # as paid (PAID_BEFORE_RUPTURE)
    ContractTerms(date(2025, 9, 1), date(2027, 8, 31), date(2025, 8, 15), Decimal("8000"), 4,
                  rupture_on=date(2026, 4, 30)),
    ContractTerms(date(2025, 10, 1), date(2027, 9, 30), date(2025, 9, 10), Decimal("6000"), 4,
                  equipment_amount=Decimal("500"), meals_per_year=100),
    ContractTerms(date(2026, 1, 5), date(2028, 1, 4), date(2025, 12, 1), Decimal("9000"), 6),
]
CONTRACTS_2 = [
    ContractTerms(date(2025, 9, 15), date(2027, 9, 14), date(2025, 9, 1), Decimal("7000"), 3),
    ContractTerms(date(2026, 2, 2), date(2027, 2, 1), date(2026, 1, 10), Decimal("5500"), 4),
]


# Issue 18: the trop-perçu is paid − due, and "paid" means in a pro forma Validé or Payé. The
# world's worked example (A1) had its advance and month 7 paid before the rupture: they sit in a
# real pro forma Payé (PAID_PRO_FORMA, paid on 2026-03-20 with its payment row), so they are
# no longer eligible and the −295,89 € is a trop-perçu of money really paid.
PAID_BEFORE_RUPTURE = {("A", 1): {("advance_40", 1), ("month7_30", 1)}}
PAID_PRO_FORMA = "PRO-00600001"  # before the counter's first number: no test's numbering moves
PAID_AT = datetime(2026, 3, 20, 9, 0, tzinfo=PARIS)


@dataclass
class World:
    """Ids and actors of the fixed test world."""

    cfa1: Actor
    cfa2: Actor
    instructeur: Actor
    instructeur2: Actor
    manager: Actor
    admin: Actor
    cfa1_id: int
    cfa2_id: int
    contracts1: list[int] = field(default_factory=list)
    contracts2: list[int] = field(default_factory=list)
    factory: sessionmaker[Session] | None = None
    paid_pro_forma_id: int = 0  # PAID_PRO_FORMA (A1's advance and month 7, Payé)

    def eligible(self, cfa_id: int, nature: str = "pedagogie") -> list[int]:
        """Ids of the échéances of a CFA eligible today for ``nature``."""
        assert self.factory is not None
        with self.factory() as s:
            return list(s.scalars(select(Echeance.id).where(
                Echeance.cfa_id == cfa_id, Echeance.nature == nature,
                Echeance.pro_forma_id.is_(None), Echeance.due_on <= TODAY.date(),
            ).order_by(Echeance.id)))

    def amounts(self, ids: list[int]) -> list[Decimal]:
        """Amounts of échéances, in id order."""
        assert self.factory is not None
        with self.factory() as s:
            return list(s.scalars(select(Echeance.amount).where(Echeance.id.in_(ids))
                                  .order_by(Echeance.id)))


def _contracts(s: Session, rng: random.Random, cfa_id: int, terms: list[ContractTerms],
               tag: str) -> list[int]:
    employer = Employer(name=f"EMPLOYEUR {tag}", siret=make_siret(rng))
    s.add(employer)
    s.flush()
    ids = []
    for n, t in enumerate(terms):
        appr = Apprentice(last_name=f"NOM{tag}{n}", first_name=f"Prénom{n}")
        s.add(appr)
        s.flush()
        c = Contract(number=f"{tag}{n:06d}", cfa_id=cfa_id, employer_id=employer.id,
                     apprentice_id=appr.id, apprentice_last_name=appr.last_name,
                     apprentice_first_name=appr.first_name, title=f"TITRE {tag} {n}",
                     level=t.level,
                     start=t.start, end=t.end, signed_on=t.signed_on, npec=t.npec,
                     status="rupture" if t.rupture_on else "engage", rupture_on=t.rupture_on,
                     meals_per_year=t.meals_per_year, nights_per_year=t.nights_per_year,
                     equipment_amount=t.equipment_amount, mobility_amount=t.mobility_amount)
        s.add(c)
        s.flush()
        paid = PAID_BEFORE_RUPTURE.get((tag, n), set())
        s.execute(insert(Echeance),
                  [echeance_row(c.id, cfa_id, i) for i in schedule(t, paid=paid)])
        ids.append(c.id)
    return ids


def build_world(factory: sessionmaker[Session]) -> World:
    """Create the world in one transaction and pin the clock to TODAY."""
    freeze(TODAY)
    rng = random.Random(1)
    pw = password_hash()
    with factory.begin() as s:
        cfa1, cfa2 = make_cfa(rng, "CFA UN", 0), make_cfa(rng, "CFA DEUX", 1)
        s.add_all([cfa1, cfa2])
        s.flush()
        users = [
            make_user("cfa1@test.fr", "Util CFA1", "cfa", pw, cfa1.id),
            make_user("cfa2@test.fr", "Util CFA2", "cfa", pw, cfa2.id),
            make_user("instr@test.fr", "Instructeur Un", "instructeur", pw),
            make_user("instr2@test.fr", "Instructeur Deux", "instructeur", pw),
            make_user("manager@test.fr", "Manager", "manager", pw),
            make_user("admin@test.fr", "Admin", "admin", pw),
        ]
        s.add_all(users)
        s.flush()
        world = World(*(actor_of(u) for u in users), cfa1.id, cfa2.id, factory=factory)
        world.contracts1 = _contracts(s, rng, cfa1.id, CONTRACTS_1, "A")
        world.contracts2 = _contracts(s, rng, cfa2.id, CONTRACTS_2, "B")
        _paid_before_rupture(s, world, users[0].id, users[2].id)
    return world


def _paid_before_rupture(s: Session, world: World, cfa_user: int, instr: int) -> None:
    """A1's advance and month 7 in a pro forma Payé (generated 2026-03-05, paid 2026-03-20):
    the money its rupture regularisation (−295,89 €) compares with (R6332-25; issue 18)."""
    contract = world.contracts1[1]
    rows = s.execute(select(Echeance.id, Echeance.amount).where(
        Echeance.contract_id == contract, Echeance.kind.in_(
            [k for k, _y in PAID_BEFORE_RUPTURE[("A", 1)]])).order_by(Echeance.id)).all()
    total = sum((a for _i, a in rows), Decimal("0"))
    pf = ProForma(number=PAID_PRO_FORMA, cfa_id=world.cfa1_id, nature="pedagogie",
                  kind="invoice", status="paid", total=total, dossiers=1, version=4,
                  created_at=datetime(2026, 3, 5, 9, 0, tzinfo=PARIS), created_by_id=cfa_user,
                  deposited_at=datetime(2026, 3, 6, 9, 0, tzinfo=PARIS),
                  first_deposited_at=datetime(2026, 3, 6, 9, 0, tzinfo=PARIS),
                  own_invoice_number="FA-2026-031",
                  decided_at=datetime(2026, 3, 10, 9, 0, tzinfo=PARIS),
                  decided_by_id=instr, paid_at=PAID_AT)
    s.add(pf)
    s.flush()
    s.execute(update(Echeance).where(Echeance.id.in_([i for i, _a in rows]))
              .values(pro_forma_id=pf.id))
    s.execute(insert(ProFormaLine), [
        {"pro_forma_id": pf.id, "echeance_id": i, "contract_id": contract, "amount": a,
         "released": False} for i, a in rows])
    s.add(Payment(pro_forma_id=pf.id, cfa_id=world.cfa1_id, gross=total,
                  deducted=Decimal("0.00"), net=total, paid_on=PAID_AT.date(),
                  reference="VIR-2026-03-20", paid_by_id=instr))
    world.paid_pro_forma_id = pf.id
