"""Writing an import file's plan: new contracts, changed ones and their recompute, the journal."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from db.models import Apprentice, Contract, ContractChange, ContractImport, Echeance, Employer
from domain.clock import now
from domain.schedule import schedule
from domain.vocabulary import ContractStatus
from workflow.common import events
from workflow.common.access import Actor
from workflow.common.paging import chunks
from workflow.common.typed import table_of
from workflow.contracts.bulk import bulk_insert
from workflow.contracts.importer.report import (
    Changed,
    Created,
    Progress,
    Report,
    State,
    jsonable,
    what,
)
from workflow.contracts.importer.validation import (
    Plan,
    follows_elsewhere,
    load_contracts,
    terms_of_state,
)
from workflow.contracts.regularisation import reason_for, recompute


def _apply(session: Session, actor: Actor | None, plan: Plan, report: Report, data: bytes,
           say: Progress) -> None:
    created = [n for n in plan.after if n not in plan.stored]
    # the raison sociale belongs to the employer (its SIRET), not to the contract: a new one
    # renames the employer and changes no contract (so that a file naming one SIRET two
    # ways is still idempotent)
    changed = [n for n in plan.after if n in plan.stored
               and replace(plan.after[n], employer_name="")
               != replace(plan.before[n], employer_name="")]
    report.unchanged = len(plan.after) - len(created) - len(changed)
    employer_ids = _employer_ids(session, list(plan.after.values()))
    say(0.5, f"Création de {len(created)} contrat(s)")
    ids = _create(session, plan, created, employer_ids)
    say(0.75, f"Modification de {len(changed)} contrat(s)")
    outcomes = _change(session, plan, changed, employer_ids)
    for n in created:
        s = plan.after[n]
        report.created.append(Created(plan.last_line[n], n, f"{s.last_name} {s.first_name}",
                                      plan.cfas.get(s.cfa_id, ""), s.start, s.end, s.npec))
    for n in changed:
        report.changed.append(Changed(plan.last_line[n], n, plan.kind[n],
                                      what(plan.before[n], plan.after[n], plan.cfas)))
    for outcome in outcomes:
        report.regularisations.extend(outcome.regularisations)
    say(0.9, "Journal")
    record = ContractImport(
        filename=report.filename[:200], sha256=hashlib.sha256(data).hexdigest(),
        imported_at=now(), imported_by_id=actor.user_id if actor else None,
        lines=report.lines, created=len(created), changed=len(changed),
        regularised=len(report.regularisations))
    session.add(record)
    session.flush()
    report.import_id = record.id
    all_ids = {**ids, **{n: plan.stored[n].id for n in changed}}
    at = now()
    changes = [{"contract_id": all_ids[n], "import_id": record.id, "line": plan.last_line[n],
                "kind": plan.kind[n], "effective_on": plan.effective[n], "at": at,
                "before": jsonable(plan.before.get(n)), "after": jsonable(plan.after[n])}
               for n in (*created, *changed)]
    bulk_insert(session.connection(), table_of(ContractChange), changes)
    events.record(session, actor, "contracts_imported", entity="contract_import",
                  entity_id=record.id, data={
                      "filename": report.filename[:200], "sha256": record.sha256,
                      "lines": report.lines, "created": len(created), "changed": len(changed),
                      "unchanged": report.unchanged,
                      "regularised": len(report.regularisations),
                      "dry_run": report.dry_run})



def _employer_ids(session: Session, states: list[State]) -> dict[str, int]:
    """{siret: employer id}: the employers of the file, created when missing, renamed when
    the file gives another raison sociale (the last one read for a SIRET wins)."""
    wanted: dict[str, str] = {}
    for s in states:
        wanted[s.employer_siret] = s.employer_name
    found: dict[str, int] = {}
    renames: list[dict[str, object]] = []
    for part in chunks(sorted(wanted)):
        for eid, siret, name in session.execute(select(Employer.id, Employer.siret,
                                                       Employer.name)
                                                .where(Employer.siret.in_(part))
                                                .order_by(Employer.id)):
            if siret not in found and name != wanted[siret]:
                renames.append({"id": eid, "name": wanted[siret]})
            found.setdefault(siret, eid)
    if renames:
        session.execute(update(Employer), renames)
    missing = [{"siret": s, "name": wanted[s]} for s in sorted(wanted) if s not in found]
    if missing:
        session.execute(insert(Employer), missing)
        for part in chunks([m["siret"] for m in missing]):
            for eid, siret in session.execute(select(Employer.id, Employer.siret)
                                              .where(Employer.siret.in_(part))):
                found.setdefault(siret, eid)
    return found


def _create(session: Session, plan: Plan, created: list[str],
            employer_ids: dict[str, int]) -> dict[str, int]:
    """Insert the new contracts, their apprentices and their échéances; {number: id}."""
    if not created:
        return {}
    apprentices = [{"last_name": plan.after[n].last_name, "first_name": plan.after[n].first_name}
                   for n in created]
    conn = session.connection()
    appr_ids = _insert_ids(conn, Apprentice.__table__, apprentices)
    rows = []
    for n, appr in zip(created, appr_ids, strict=True):
        s = plan.after[n]
        rows.append({
            "number": n, "cfa_id": s.cfa_id, "employer_id": employer_ids[s.employer_siret],
            "apprentice_id": appr, "apprentice_last_name": s.last_name,
            "apprentice_first_name": s.first_name, "title": s.title, "rncp": s.rncp,
            "level": s.level, "start": s.start, "end": s.end, "signed_on": s.signed_on,
            "npec": s.npec,
            "status": ContractStatus.RUPTURE if s.rupture_on else ContractStatus.ENGAGE,
            "rupture_on": s.rupture_on, "meals_per_year": s.meals_per_year,
            "nights_per_year": s.nights_per_year, "equipment_amount": s.equipment_amount,
            "mobility_amount": s.mobility_amount, "previous_contract_id": None})
    ids = dict(zip(created, _insert_ids(conn, Contract.__table__, rows), strict=True))
    links = _links(session, plan, created, ids)
    if links:
        session.execute(_UPDATE_PREVIOUS, links)
    echeances = []
    states = plan.before | plan.after
    for n in created:
        s = plan.after[n]
        cfa_id, cid = s.cfa_id, ids[n]
        for i in schedule(terms_of_state(s, follows_elsewhere(s, states))):
            echeances.append({
                "contract_id": cid, "cfa_id": cfa_id, "nature": i.nature.value,
                "kind": i.kind, "year": i.year, "period_start": i.period_start,
                "period_end": i.period_end, "due_on": i.due_on, "amount": i.amount,
                "detail": i.detail, "pro_forma_id": None})
    bulk_insert(conn, table_of(Echeance), echeances)
    return ids


def _insert_ids(conn: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their ids in the same order.

    PostgreSQL: the ids are drawn from the column's sequence first (one query), then the rows
    inserted with them by executemany. (INSERT … RETURNING in parameter order goes through
    SQLAlchemy's "insertmanyvalues" batches, whose long SQL texts psycopg parses again for
    each batch: 1.5 s of CPU for the bench's 10,000 contracts and apprentices.) SQLite: the
    transaction holds the write lock from its BEGIN IMMEDIATE (db.session), so an INTEGER
    PRIMARY KEY takes max(id) + 1, + 2, … in order (checked); a batched RETURNING would be one
    statement per row (``bulk_insert`` keeps the rows' order).
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, "id"))).scalar()
        ids = sorted(conn.execute(
            select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows))))
            .scalars())
        bulk_insert(conn, table, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return ids
    first = (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    bulk_insert(conn, table, rows)
    last = conn.execute(select(func.max(table.c.id))).scalar()
    if last != first + len(rows) - 1:
        raise RuntimeError(f"{table.name} : identifiants non consécutifs à l'import")
    return list(range(first, last + 1))


def _links(session: Session, plan: Plan, numbers: list[str], ids: dict[str, int]
           ) -> list[dict[str, int]]:
    """previous_contract_id of contracts whose "Numéro du contrat précédent" is given."""
    wanted = {n: plan.after[n].previous for n in numbers if plan.after[n].previous}
    if not wanted:
        return []
    known = {c.number: c.id for c in plan.stored.values()} | ids
    missing = sorted(set(wanted.values()) - set(known))
    if missing:
        known |= {c.number: c.id for c in load_contracts(session, missing).values()}
    return [{"b_id": ids.get(n) or plan.stored[n].id, "b_previous": known[p]}
            for n, p in wanted.items()]


def _update_previous() -> Any:
    from sqlalchemy import bindparam

    table = table_of(Contract)
    return (update(table).where(table.c.id == bindparam("b_id"))
            .values(previous_contract_id=bindparam("b_previous")))


_UPDATE_PREVIOUS = _update_previous()


def _change(session: Session, plan: Plan, changed: list[str],
            employer_ids: dict[str, int]) -> list[Any]:
    """Write the new terms of the changed contracts, then recompute their schedules."""
    if not changed:
        return []
    contracts = [plan.stored[n] for n in changed]
    reasons = {}
    links = _links(session, plan, changed, {})
    for c in contracts:
        s = plan.after[c.number]
        old = plan.before[c.number]
        c.employer_id = employer_ids[s.employer_siret]
        if (s.last_name, s.first_name) != (old.last_name, old.first_name):
            appr = session.get_one(Apprentice, c.apprentice_id)
            appr.last_name, appr.first_name = s.last_name, s.first_name
        c.apprentice_last_name, c.apprentice_first_name = s.last_name, s.first_name
        c.title, c.level, c.rncp = s.title, s.level, s.rncp
        c.start, c.end, c.signed_on, c.npec = s.start, s.end, s.signed_on, s.npec
        c.meals_per_year, c.nights_per_year = s.meals_per_year, s.nights_per_year
        c.equipment_amount, c.mobility_amount = s.equipment_amount, s.mobility_amount
        c.rupture_on = s.rupture_on
        c.status = ContractStatus.RUPTURE if s.rupture_on else ContractStatus.ENGAGE
        reasons[c.id] = reason_for(c, plan.kind[c.number], plan.effective[c.number])
    session.flush()
    if links:
        session.execute(_UPDATE_PREVIOUS, links)
        for c in contracts:
            session.refresh(c, ["previous_contract_id", "previous_contract"])
    prolonged = {c.id: day for c in contracts
                 if (day := plan.after[c.number].prolonged_from) is not None}
    return recompute(session, contracts, {c.id: plan.effective[c.number] for c in contracts},
                     reasons, prolonged)
