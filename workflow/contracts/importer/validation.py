"""Playing an import file's lines over the stored contracts and checking the final terms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Cfa, Contract, Employer
from domain.clock import today
from domain.formatting import format_day
from domain.schedule import ContractTerms, ScheduleError, same_certification, validate
from domain.vocabulary import ContractChangeKind
from workflow.common.paging import chunks
from workflow.contracts.contracts import prolongations
from workflow.contracts.importer.reading import Line
from workflow.contracts.importer.report import COLUMNS, TERM_COLUMNS, LineError, State, describe


def state_of(c: Contract, employer: Employer, previous: str,
             prolonged_from: date | None = None) -> State:
    return State(c.cfa_id, employer.siret, employer.name, c.apprentice_last_name,
                 c.apprentice_first_name, c.title, c.level, c.rncp, c.start, c.end,
                 c.signed_on, c.npec, c.meals_per_year, c.nights_per_year,
                 c.equipment_amount, c.mobility_amount, c.rupture_on, previous, prolonged_from)


def load_contracts(session: Session, numbers: Sequence[str]) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for part in chunks(sorted(numbers)):
        for c in session.scalars(select(Contract).where(Contract.number.in_(part))):
            found[c.number] = c
    return found


def _employers(session: Session, ids: Iterable[int]) -> dict[int, Employer]:
    found: dict[int, Employer] = {}
    for part in chunks(sorted(set(ids))):
        for e in session.scalars(select(Employer).where(Employer.id.in_(part))):
            found[e.id] = e
    return found


def terms_of_state(state: State, after_rupture_elsewhere: bool) -> ContractTerms:
    return ContractTerms(
        start=state.start, end=state.end, signed_on=state.signed_on, npec=state.npec,
        level=state.level, rupture_on=state.rupture_on, meals_per_year=state.meals_per_year,
        nights_per_year=state.nights_per_year, equipment_amount=state.equipment_amount,
        mobility_amount=state.mobility_amount,
        after_rupture_new_employer=after_rupture_elsewhere, prolonged_from=state.prolonged_from)


@dataclass
class Plan:
    """The file played over the stored contracts: the final state of each contract touched."""

    stored: dict[str, Contract]
    before: dict[str, State]
    after: dict[str, State]
    last_line: dict[str, int]
    kind: dict[str, ContractChangeKind]
    effective: dict[str, date]
    cfas: dict[int, str]


def play(session: Session, lines: list[Line], errors: list[LineError]) -> Plan:
    """Play the lines in order; check the final terms; list every error."""
    numbers = {ln.number for ln in lines} | {ln.values["previous"] for ln in lines
                                             if "previous" in ln.values}
    stored = load_contracts(session, [str(n) for n in numbers])
    employers = _employers(session, (c.employer_id for c in stored.values()))
    linked = sorted({c.previous_contract_id for c in stored.values()
                     if c.previous_contract_id is not None})
    previous_numbers: dict[int, str] = {}
    for part in chunks(linked):
        previous_numbers.update((cid, number) for cid, number in session.execute(
            select(Contract.id, Contract.number).where(Contract.id.in_(part))))
    cfa_rows = session.execute(select(Cfa.id, Cfa.uai, Cfa.siret, Cfa.name)).all()
    by_uai = {uai.upper(): cid for cid, uai, _s, _n in cfa_rows}
    by_siret = {siret: cid for cid, _u, siret, _n in cfa_rows}
    cfas = {cid: name for cid, _u, _s, name in cfa_rows}
    extended = prolongations(session, [c.id for c in stored.values()])
    before = {n: state_of(c, employers[c.employer_id],
                          previous_numbers.get(c.previous_contract_id or 0, ""),
                          extended.get(c.id))
              for n, c in stored.items()}
    states: dict[str, State] = dict(before)
    first_line: dict[str, int] = {}
    last_line: dict[str, int] = {}
    kinds: dict[str, ContractChangeKind] = {}
    effective: dict[str, date] = {}
    for ln in lines:
        where = COLUMNS["number"]
        if ln.kind == ContractChangeKind.CONTRAT:
            if ln.number in first_line and ln.number not in stored:
                errors.append(LineError(ln.line, where, ln.number,
                                        f"Contrat déjà décrit ligne {first_line[ln.number]}."))
                continue
            cfa_id = _cfa(ln, by_uai, by_siret, errors)
            if cfa_id is None:
                continue
            old = states.get(ln.number)
            v = ln.values
            if old is not None and old.cfa_id != cfa_id:
                errors.append(LineError(ln.line, COLUMNS["cfa_uai"], v.get("cfa_uai", ""),
                                        "Changement de CFA d'un contrat existant non pris en "
                                        "charge."))
                continue
            prolonged = old.prolonged_from if old else None
            states[ln.number] = State(
                cfa_id, v["employer_siret"], v["employer_name"], v["last_name"],
                v["first_name"], v["title"], v["level"], v.get("rncp", ""), v["start"],
                # the registration extract keeps the end before a prolongation: that end
                # read again leaves the prolongation in place
                old.end if old and prolonged and v["end"] == prolonged else v["end"],
                v["signed_on"], v["npec"], v.get("meals_per_year", 0),
                v.get("nights_per_year", 0), v.get("equipment_amount", Decimal("0.00")),
                v.get("mobility_amount", Decimal("0.00")),
                # an empty cell never undoes a rupture or a link already recorded (the
                # registration file imported again after a rupture file changes nothing)
                v.get("rupture_on") or (old.rupture_on if old else None),
                v.get("previous") or (old.previous if old else ""), prolonged)
        elif ln.kind == ContractChangeKind.PROLONGATION:
            old = states.get(ln.number)
            if not _prolong(ln, old, states, errors):
                continue
        else:
            old = states.get(ln.number)
            if old is None:
                errors.append(LineError(ln.line, where, ln.number, "Contrat inconnu : une "
                                        f"ligne {ln.kind} suit le contrat qu'elle modifie."))
                continue
            v = dict(ln.values)
            if ln.kind == ContractChangeKind.RUPTURE:
                v = {"rupture_on": v["rupture_on"]}
            cfa_given = v.pop("cfa_uai", None) or v.pop("cfa_siret", None)
            v.pop("cfa_uai", None)
            v.pop("cfa_siret", None)
            if cfa_given:
                errors.append(LineError(ln.line, COLUMNS["cfa_uai"], str(cfa_given),
                                        "Un avenant ne change pas le CFA du contrat."))
                continue
            if not v:
                errors.append(LineError(ln.line, where, ln.number,
                                        "Avenant sans aucune valeur à modifier."))
                continue
            states[ln.number] = replace(old, **v)
        first_line.setdefault(ln.number, ln.line)
        last_line[ln.number] = ln.line
        contrat = ContractChangeKind.CONTRAT
        kinds[ln.number] = contrat if ln.number not in stored else (
            ln.kind if kinds.get(ln.number, contrat) == contrat
            else ContractChangeKind.RUPTURE
            if ContractChangeKind.RUPTURE in (ln.kind, kinds[ln.number])
            else ContractChangeKind.AVENANT)
        effective[ln.number] = ln.effective_on or ln.values.get("rupture_on") or today()
    after = {n: states[n] for n in last_line}
    for number, state in after.items():
        _check(number, state, states, last_line[number], errors)
    return Plan(stored, before, after, last_line, kinds, effective, cfas)


def _prolong(ln: Line, old: State | None, states: dict[str, State],
             errors: list[LineError]) -> bool:
    """L6222-11: after a failed exam, the contract is extended by one year at most (its new
    "Date de fin"; the one-year bound is ``schedule.validate``'s). False with its error."""
    where = COLUMNS["number"]
    if old is None:
        errors.append(LineError(ln.line, where, ln.number, "Contrat inconnu : une ligne "
                                                           "prolongation suit le contrat "
                                                           "qu'elle prolonge."))
        return False
    others = sorted(set(ln.values) - {"end"})
    if others:
        errors.append(LineError(ln.line, COLUMNS[others[0]], str(ln.values[others[0]]),
                                "Une ligne prolongation ne donne que la nouvelle date de fin "
                                "(et sa date d'effet)."))
        return False
    if old.rupture_on is not None:
        errors.append(LineError(ln.line, COLUMNS["end"], format_day(ln.values["end"]),
                                "Un contrat rompu ne peut pas être prolongé."))
        return False
    states[ln.number] = replace(old, end=ln.values["end"],
                                prolonged_from=old.prolonged_from or old.end)
    return True


def _cfa(ln: Line, by_uai: dict[str, int], by_siret: dict[str, int],
         errors: list[LineError]) -> int | None:
    uai, siret = ln.values.get("cfa_uai"), ln.values.get("cfa_siret")
    found = {by_uai.get(uai) if uai else None, by_siret.get(siret) if siret else None} - {None}
    if uai and by_uai.get(uai) is None:
        errors.append(LineError(ln.line, COLUMNS["cfa_uai"], uai, "CFA inconnu (UAI)."))
        return None
    if siret and by_siret.get(siret) is None:
        errors.append(LineError(ln.line, COLUMNS["cfa_siret"], siret, "CFA inconnu (SIRET)."))
        return None
    if len(found) != 1:
        errors.append(LineError(ln.line, COLUMNS["cfa_siret"], siret or "",
                                "L'UAI et le SIRET désignent deux CFA différents."))
        return None
    return found.pop()


def follows_elsewhere(state: State, states: dict[str, State]) -> bool:
    """The contract follows the rupture of a previous contract with another employer, for the
    same certification (R6332-25-1's 200 €: ``schedule.same_certification``)."""
    previous = states.get(state.previous) if state.previous else None
    return (previous is not None and previous.rupture_on is not None
            and previous.employer_siret != state.employer_siret
            and same_certification((previous.rncp, previous.title, previous.level),
                                   (state.rncp, state.title, state.level)))


def _check(number: str, state: State, states: dict[str, State], line: int,
           errors: list[LineError]) -> None:
    if state.previous:
        previous = states.get(state.previous)
        if state.previous == number:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Un contrat ne peut pas se suivre lui-même."))
        elif previous is None:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Contrat précédent inconnu (ni en base ni dans le "
                                    "fichier)."))
        elif previous.rupture_on is None:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Le contrat précédent n'est pas rompu."))
        elif previous.rupture_on >= state.start:
            errors.append(LineError(line, COLUMNS["previous"], state.previous,
                                    "Le contrat précédent est rompu le "
                                    f"{format_day(previous.rupture_on)}, pas avant le début "
                                    f"de celui-ci ({format_day(state.start)})."))
    if state.signed_on > state.end:
        errors.append(LineError(line, COLUMNS["signed_on"], format_day(state.signed_on),
                                "La date de signature est postérieure à la fin du contrat."))
    try:
        validate(terms_of_state(state, follows_elsewhere(state, states)))
    except ScheduleError as exc:
        column = COLUMNS[TERM_COLUMNS.get(exc.field, "end")]
        value = getattr(state, TERM_COLUMNS.get(exc.field, "end"), "")
        errors.append(LineError(line, column, describe("x", value, {}), exc.message))
