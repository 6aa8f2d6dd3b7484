"""Demo data: CFAs, contracts and their échéanciers, pro formas in every status, accounts.

The small scale is built through the workflow functions themselves (generation, deposits of
real generated invoice PDFs, decisions, payments), so the demo obeys every rule the console
enforces. The demo accounts, password ``demo``, exist only in a database made here.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import iban as stdiban
from stdnum import luhn

from db.models import (
    Apprentice,
    Cfa,
    Contract,
    Echeance,
    Employer,
    ProForma,
    ProFormaLine,
    User,
)
from domain.clock import freeze, now
from domain.schedule import ContractTerms, Installment, schedule
from domain.vocabulary import ContractStatus, Nature, Role, SettlementMode

DEMO_PASSWORD = "demo"
TITLES = [
    ("TITRE HOMOLOGUE AUXILIAIRE SPECIALISE VETERINAIRE", 4, "RNCP34210"),
    ("AUXILIAIRE SPECIALISE VETERINAIRE", 4, "RNCP34210"),
    ("CAP CUISINE", 3, "RNCP37859"),
    ("BP COIFFURE", 4, "RNCP37190"),
    ("BTS MANAGEMENT COMMERCIAL OPERATIONNEL", 5, "RNCP38368"),
    ("BTS COMPTABILITE ET GESTION", 5, "RNCP38329"),
    ("LICENCE PROFESSIONNELLE METIERS DU COMMERCE", 6, "RNCP30080"),
    ("TITRE PROFESSIONNEL DEVELOPPEUR WEB ET WEB MOBILE", 5, "RNCP37674"),
    ("MASTER MANAGEMENT ET ADMINISTRATION DES ENTREPRISES", 7, "RNCP39421"),
    ("CAP ACCOMPAGNANT EDUCATIF PETITE ENFANCE", 3, "RNCP38565"),
]
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
              "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID",
              "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "JOLLANS", "VIVES", "GAILLARDON"]
FIRST_NAMES = ["Julia", "Amandine", "Jade", "Lucie", "Emma", "Louise", "Hugo", "Léo", "Gabriel",
               "Raphaël", "Arthur", "Chloé", "Inès", "Manon", "Nathan", "Tom", "Camille"]
EMPLOYER_WORDS = ["CLINIQUE VETERINAIRE", "SARL", "BOULANGERIE", "GARAGE", "SAS", "CABINET",
                  "RESTAURANT", "SALON", "PHARMACIE", "EURL"]
TOWNS = ["LYON", "NANTES", "LILLE", "RENNES", "DIJON", "TOURS", "METZ", "NIMES", "BREST"]


# --- identifiers -----------------------------------------------------------------------

def make_siret(rng: random.Random) -> str:
    """A valid SIRET (Luhn on the SIREN and on the 14 digits)."""
    siren8 = f"{rng.randrange(10**7, 10**8)}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    nic4 = f"{rng.randrange(1, 10**4):04d}"
    return siren + nic4 + luhn.calc_check_digit(siren + nic4)


def make_iban(rng: random.Random) -> str:
    """A valid French IBAN (RIB key and ISO 13616 check digits)."""
    bank, branch = f"{rng.randrange(10**4, 10**5)}", f"{rng.randrange(10**4, 10**5)}"
    account = f"{rng.randrange(10**10, 10**11)}"
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return "FR" + stdiban.calc_check_digits("FR00" + bban) + bban


# --- reference rows --------------------------------------------------------------------

@dataclass(frozen=True)
class DemoCfa:
    name: str
    email: str | None
    contracts: int


SMALL_CFAS = [
    DemoCfa("CFA DES METIERS DU VIVANT - ACADEMIE DEMO", "cfa@demo.fr", 60),
    DemoCfa("CFA INTERPRO DU BASSIN NANTAIS", "cfa2@demo.fr", 24),
    DemoCfa("CFA HOTELLERIE RESTAURATION DE LYON", None, 14),
    DemoCfa("CFA COMMERCE ET GESTION DE LILLE", None, 12),
    DemoCfa("ECOLE SUPERIEURE DU NUMERIQUE EN ALTERNANCE", None, 12),
]


def make_cfa(rng: random.Random, name: str, index: int) -> Cfa:
    """A CFA with valid identifiers and bank details."""
    return Cfa(
        name=name, siret=make_siret(rng),
        uai=f"{rng.randrange(10**6, 10**7)}{chr(65 + index % 26)}",
        nda=f"{rng.randrange(10**10, 10**11)}",
        address=f"{rng.randrange(1, 120)} rue de la République, {rng.choice(TOWNS)}",
        iban=make_iban(rng), bic="BNPAFRPPXXX", default_settlement=SettlementMode.DEDUCTION,
    )


def make_user(email: str, name: str, role: Role, password_hash: str,
              cfa_id: int | None = None) -> User:
    """A demo account."""
    return User(email=email, name=name, role=role, cfa_id=cfa_id, password_hash=password_hash,
                active=True, failed_logins=0, created_at=now())


# --- contracts -------------------------------------------------------------------------

def contract_terms(rng: random.Random, today: date) -> tuple[ContractTerms, str, str]:
    """Random but plausible contract terms; returns (terms, title, rncp)."""
    title, level, rncp = rng.choice(TITLES)
    start = today - timedelta(days=rng.randrange(30, 760))
    months = rng.choice([12, 18, 24, 24, 24, 36])
    end = _add_months(start, months) - timedelta(days=1)
    signed = start - timedelta(days=rng.randrange(5, 60))
    npec = Decimal(rng.choice([5250, 6000, 6500, 7000, 7800, 8000, 8500, 9000, 10500]))
    rupture = None
    if rng.random() < 0.2:
        rupture = start + timedelta(days=rng.randrange(45, max(46, min((today - start).days,
                                                                       (end - start).days))))
        rupture = min(rupture, end)
    terms = ContractTerms(
        start=start, end=end, signed_on=signed, npec=npec, level=level, rupture_on=rupture,
        meals_per_year=rng.choice([0, 0, 80, 120]), nights_per_year=rng.choice([0, 0, 20]),
        equipment_amount=Decimal(rng.choice([0, 0, 250, 500])),
        mobility_amount=Decimal(rng.choice([0] * 8 + [500])),
    )
    return terms, title, rncp


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def add_contracts(session: Session, rng: random.Random, cfa: Cfa, count: int, today: date,
                  employers: list[Employer], start_number: int) -> int:
    """Insert ``count`` contracts of a CFA with their échéances; returns the next number."""
    for n in range(count):
        terms, title, rncp = contract_terms(rng, today)
        appr = Apprentice(last_name=rng.choice(LAST_NAMES), first_name=rng.choice(FIRST_NAMES))
        session.add(appr)
        session.flush()
        contract = Contract(
            number=f"{today.year - 1}{start_number + n:08d}", cfa_id=cfa.id,
            employer_id=rng.choice(employers).id, apprentice_id=appr.id,
            apprentice_last_name=appr.last_name, apprentice_first_name=appr.first_name,
            title=title,
            rncp=rncp, level=terms.level, start=terms.start, end=terms.end,
            signed_on=terms.signed_on, npec=terms.npec,
            status=ContractStatus.RUPTURE if terms.rupture_on else ContractStatus.ENGAGE,
            rupture_on=terms.rupture_on,
            meals_per_year=terms.meals_per_year, nights_per_year=terms.nights_per_year,
            equipment_amount=terms.equipment_amount, mobility_amount=terms.mobility_amount,
        )
        session.add(contract)
        session.flush()
        session.execute(insert(Echeance), [
            echeance_row(contract.id, cfa.id, i) for i in schedule(terms)
        ])
    return start_number + count


def record_rupture(session: Session, contract_id: int, rupture_on: date) -> None:
    """Seed builders: record the rupture of a contract after some of its échéances were paid.

    The échéances in a pro forma Validé or Payé stay as paid; the unclaimed ones are replaced
    by the schedule recomputed to the rupture against what was paid, so its regularisation is
    a trop-perçu only when what was paid exceeds what is due (R6332-25; issue 18). Not the
    avenant/rupture recompute of the console: a contract with an échéance in any other live
    pro forma, or a paid one of another nature, is refused.
    """
    from workflow.contracts.contracts import PAID_STATUSES, paid_installments, terms_of

    contract = session.get_one(Contract, contract_id)
    contract.rupture_on, contract.status = rupture_on, ContractStatus.RUPTURE
    paid = paid_installments(session, contract.id)
    claimed = session.execute(
        select(Echeance.nature, ProForma.status).join(ProForma)
        .where(Echeance.contract_id == contract.id)).all()
    if any(n != Nature.PEDAGOGIE.value or st not in PAID_STATUSES for n, st in claimed):
        raise ValueError(f"contrat {contract.number} : échéance dans une pro forma en cours")
    fresh = {(i.nature.value, i.kind, i.year): i for i in schedule(terms_of(contract), paid)
             if not (i.nature is Nature.PEDAGOGIE and (i.kind, i.year) in paid)}
    unclaimed = session.scalars(select(Echeance).where(
        Echeance.contract_id == contract.id, Echeance.pro_forma_id.is_(None))).all()
    for row in unclaimed:  # updated in place: a cancelled pro forma's lines still name it
        new = fresh.pop((row.nature, row.kind, row.year), None)
        if new is not None:
            row.period_start, row.period_end, row.due_on = (new.period_start, new.period_end,
                                                            new.due_on)
            row.amount, row.detail = new.amount, new.detail
        elif session.scalar(select(ProFormaLine.id).where(ProFormaLine.echeance_id == row.id)
                            .limit(1)) is None:
            session.delete(row)
        else:
            raise ValueError(f"contrat {contract.number} : échéance annulée {row.kind} "
                             "sans équivalent après la rupture")
    if fresh:
        session.execute(insert(Echeance), [echeance_row(contract.id, contract.cfa_id, i)
                                           for i in fresh.values()])
    session.flush()


def echeance_row(contract_id: int, cfa_id: int, i: Installment) -> dict[str, object]:
    """Column values of one échéance row."""
    return {
        "contract_id": contract_id, "cfa_id": cfa_id, "nature": i.nature.value,
        "kind": i.kind, "year": i.year, "period_start": i.period_start,
        "period_end": i.period_end, "due_on": i.due_on, "amount": i.amount,
        "detail": i.detail, "pro_forma_id": None,
    }


def make_employers(rng: random.Random, count: int) -> Iterator[Employer]:
    """Employers with valid SIRETs."""
    for _ in range(count):
        name = f"{rng.choice(EMPLOYER_WORDS)} {rng.choice(LAST_NAMES)} {rng.choice(TOWNS)}"
        yield Employer(name=name, siret=make_siret(rng))


def is_empty(factory: sessionmaker[Session]) -> bool:
    """True when the database holds no CFA yet."""
    with factory() as s:
        return s.scalars(select(Cfa.id).limit(1)).first() is None


@dataclass
class Clock:
    """Backdates the workflow's clock while the demo replays past activity."""

    at: datetime

    def step(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        freeze(self.at)
        return self.at


def with_clock(at: datetime, fn: Callable[[], None]) -> None:
    """Run ``fn`` with the workflow clock pinned to ``at``."""
    freeze(at)
    try:
        fn()
    finally:
        freeze(None)
