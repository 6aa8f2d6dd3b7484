"""The national-scale data set: ~900 CFAs, ~300,000 contracts, ~1.5 M échéances, ~150,000
pro formas, loaded with bulk inserts (COPY on PostgreSQL, executemany on SQLite).

Rows get their ids here, so that no insert has to come back for a generated key. Contract
terms are drawn from a finite pool (start on the 1st or the 15th, usual NPEC values) so that
the échéancier of each distinct set of terms is computed once by the real schedule engine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, text

from db.models import Base
from domain.clock import PARIS
from domain.schedule import ContractTerms, Installment, pedagogy_schedule, schedule
from domain.schedule import add_months as _add_months
from domain.vocabulary import ContractStatus, Nature, Role, SettlementMode
from seed.bulk import bulk
from seed.demo import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES, TITLES, make_cfa, make_siret
from seed.national_proformas import ProFormaBuilder

CHUNK = 20_000


@dataclass(frozen=True)
class Scale:
    """Size of a generated data set."""

    name: str
    cfas: int
    contracts: int
    employers: int


SCALES = {
    "small": Scale("small", 9, 3_000, 400),          # national / 100
    "medium": Scale("medium", 90, 30_000, 4_000),    # national / 10
    "national": Scale("national", 900, 300_000, 40_000),
}
NPECS = [Decimal(v) for v in (5250, 6000, 6500, 7000, 7800, 8000, 8500, 9000, 10500)]


@dataclass
class Ids:
    """Next id per table (rows are numbered here, not by the database)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def _cached_schedule() -> Callable[[ContractTerms], list[Installment]]:
    """``schedule`` memoised in two halves: the pedagogy part depends on the NPEC and level,
    the other natures on the dates and forecasts only, so each half recurs far more often."""
    pedagogy: dict[ContractTerms, list[Installment]] = {}
    extras: dict[ContractTerms, list[Installment]] = {}

    def get(terms: ContractTerms) -> list[Installment]:
        p_key = replace(terms, meals_per_year=0, nights_per_year=0,
                        equipment_amount=Decimal("0"), mobility_amount=Decimal("0"))
        if p_key not in pedagogy:
            pedagogy[p_key] = pedagogy_schedule(p_key)
        e_key = replace(terms, npec=Decimal("1000"), level=3)
        if e_key not in extras:
            extras[e_key] = [i for i in schedule(e_key) if i.nature is not Nature.PEDAGOGIE]
        return pedagogy[p_key] + extras[e_key]

    return get


def _terms(rng: random.Random, today: date) -> ContractTerms:
    back = rng.randrange(1, 26)  # months ago
    month = (today.month - 1 - back) % 12 + 1
    year = today.year + (today.month - 1 - back) // 12
    start = date(year, month, rng.choice([1, 15]))
    months = rng.choice([12, 18, 24, 24, 24, 36])
    end_y, end_m = divmod(start.month - 1 + months, 12)
    end = date(start.year + end_y, end_m + 1, start.day) - timedelta(days=1)
    signed = start - timedelta(days=20)
    level = rng.choice(TITLES)[1]
    rupture = None
    if rng.random() < 0.2:
        rupture = min(end, _add_months(start, rng.choice([2, 4, 7, 10, 14])))
    return ContractTerms(start, end, signed, rng.choice(NPECS), level, rupture,
                         meals_per_year=rng.choice([0, 0, 100]),
                         equipment_amount=Decimal(rng.choice([0, 0, 500])))


def _cfa_sizes(rng: random.Random, scale: Scale) -> list[int]:
    """Contracts per CFA: a long tail, the largest (CFA 1) holding thousands."""
    weights = [1 / (rank + 8) ** 0.9 for rank in range(scale.cfas)]
    factor = scale.contracts / sum(weights)
    sizes = [max(20, int(w * factor)) for w in weights]
    sizes[-1] += scale.contracts - sum(sizes)
    rng.shuffle(sizes[10:])
    return sizes


def build_national(engine: Engine, today: date, scale: Scale = SCALES["national"],
                   seed: int = 42, progress: Callable[[str], None] = print) -> None:
    """Load a data set of ``scale`` (national by default) into an empty, migrated database."""
    from workflow.accounts.auth import hash_password

    started = time.perf_counter()
    rng = random.Random(seed)
    ids = Ids()
    tables = Base.metadata.tables
    pw = hash_password(DEMO_PASSWORD)

    def say(msg: str) -> None:
        progress(f"[{time.perf_counter() - started:6.1f} s] {msg}")

    cfas = [make_cfa(rng, f"CFA NATIONAL {i + 1:03d}", i) for i in range(scale.cfas)]
    cfa_rows = []
    for i, c in enumerate(cfas):
        cfa_rows.append({"id": i + 1, "name": c.name, "siret": c.siret, "uai": c.uai,
                         "nda": c.nda, "address": c.address, "iban": c.iban, "bic": c.bic,
                         "default_settlement": SettlementMode.DEDUCTION})
    bulk(engine, tables["cfa"], cfa_rows)
    bulk(engine, tables["employer"], [
        {"id": i + 1, "name": f"ENTREPRISE {rng.choice(LAST_NAMES)} {i + 1}",
         "siret": make_siret(rng)} for i in range(scale.employers)])
    bulk(engine, tables["app_user"], _users(pw, today))
    say(f"{scale.cfas} CFA, {scale.employers} employeurs, comptes créés")
    sizes = _cfa_sizes(rng, scale)
    get_schedule = _cached_schedule()
    pf_builder = ProFormaBuilder(rng, ids, today, cfa_rows)
    contract_id = 0
    batch: dict[str, list[dict[str, Any]]] = {"apprentice": [], "contract": [], "echeance": []}
    for cfa_index, size in enumerate(sizes):
        cfa_id = cfa_index + 1
        cfa_echeances: list[dict[str, Any]] = []
        for _ in range(size):
            contract_id += 1
            terms = _terms(rng, today)
            apprentice = {"id": contract_id, "last_name": rng.choice(LAST_NAMES),
                          "first_name": rng.choice(FIRST_NAMES)}
            batch["apprentice"].append(apprentice)
            title, level, rncp = rng.choice(TITLES)
            row = _contract_row(contract_id, cfa_id, rng, terms, title, rncp, scale.employers)
            row["apprentice_last_name"] = apprentice["last_name"]
            row["apprentice_first_name"] = apprentice["first_name"]
            batch["contract"].append(row)
            for inst in get_schedule(terms):
                row = _echeance_row(ids.take("echeance"), contract_id, cfa_id, inst)
                cfa_echeances.append(row)
        pf_builder.invoice(cfa_id, cfa_echeances)
        batch["echeance"].extend(cfa_echeances)
        if len(batch["echeance"]) >= CHUNK * 5 or cfa_index == len(sizes) - 1:
            pf_builder.flush_pro_formas(engine)
            for name in ("apprentice", "contract", "echeance"):
                bulk(engine, tables[name], batch[name])
                batch[name] = []
            say(f"{contract_id} contrats, {ids.next['echeance'] - 1} échéances")
    pf_builder.flush(engine, say)
    _finish(engine, contract_id, ids, pf_builder.last_number)
    say("séquences et statistiques à jour")


def _users(pw: str, today: date) -> list[dict[str, Any]]:
    at = datetime.combine(today, datetime.min.time(), tzinfo=PARIS)
    rows = [
        ("cfa@demo.fr", "Gestionnaire CFA NATIONAL 001", Role.CFA, 1),
        ("cfa2@demo.fr", "Gestionnaire CFA NATIONAL 002", Role.CFA, 2),
        ("instructeur@demo.fr", "Inès Instructrice", Role.INSTRUCTEUR, None),
        ("instructeur2@demo.fr", "Paul Second", Role.INSTRUCTEUR, None),
        ("manager@demo.fr", "Marc Manager", Role.MANAGER, None),
        ("admin@demo.fr", "Alice Admin", Role.ADMIN, None),
    ]
    rows += [(f"instructeur{n}@opco.example", f"Instructeur {n}", Role.INSTRUCTEUR, None)
             for n in range(3, 31)]
    return [{"id": i + 1, "email": e, "name": n, "role": r, "cfa_id": c, "password_hash": pw,
             "active": True, "must_change_password": False, "failed_logins": 0,
             "locked_until": None, "last_login_at": None, "created_at": at}
            for i, (e, n, r, c) in enumerate(rows)]


def _contract_row(cid: int, cfa_id: int, rng: random.Random, t: ContractTerms, title: str,
                  rncp: str, employers: int) -> dict[str, Any]:
    return {"id": cid, "number": f"{t.start.year}{cid:08d}", "cfa_id": cfa_id,
            "employer_id": rng.randrange(1, employers + 1), "apprentice_id": cid,
            "title": title, "rncp": rncp, "level": t.level, "start": t.start, "end": t.end,
            "signed_on": t.signed_on, "npec": t.npec,
            "status": ContractStatus.RUPTURE if t.rupture_on else ContractStatus.ENGAGE,
            "rupture_on": t.rupture_on,
            "meals_per_year": t.meals_per_year, "nights_per_year": t.nights_per_year,
            "equipment_amount": t.equipment_amount, "mobility_amount": t.mobility_amount}


def _echeance_row(eid: int, contract_id: int, cfa_id: int, i: Installment) -> dict[str, Any]:
    return {"id": eid, "contract_id": contract_id, "cfa_id": cfa_id, "nature": i.nature.value,
            "kind": i.kind, "year": i.year, "period_start": i.period_start,
            "period_end": i.period_end, "due_on": i.due_on, "amount": i.amount,
            "detail": i.detail, "pro_forma_id": None}


def _finish(engine: Engine, contracts: int, ids: Ids, last_number: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET value = :v WHERE name = 'pro_forma'"),
                     {"v": last_number})
        if engine.dialect.name == "postgresql":
            for table in ("cfa", "employer", "app_user", "apprentice", "contract", "echeance",
                          "pro_forma", "pro_forma_line", "document", "check_run",
                          "check_result", "decision", "payment", "event"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))
        else:
            conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        # VACUUM (not only ANALYZE): it sets the visibility map of the freshly copied rows,
        # without which an index-only count still visits every heap page
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))

