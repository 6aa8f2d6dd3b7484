"""The ``lines`` check wired into the console (issue 15, item 3): the deposit's job, the
pre-check and the re-check pass the pro forma's dossiers; the verdict and each dossier's match
are stored with the run, and the pro forma's summary counts them. Real invoices drawn by
``specimens``, real jobs, SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from db.models import CheckResultRow, CheckRun, Contract, ProForma
from domain.formatting import format_eur
from tests.workflow.reviewkit import MIXED, generate, invoice_bytes, invoice_lines
from workflow.billing import portal
from workflow.deposits import deposits
from workflow.review import review

INTRUDER = "202499999999"  # a contract number of the console's form, in no pro forma


def _deposit(world, factory, pf_id: int, data: bytes, name: str = "facture.pdf") -> None:
    with factory.begin() as s:  # its job runs at the commit (tests/conftest.py)
        deposits.deposit(s, world.cfa1, pf_id, data, name)


def _verdict(factory, pf_id: int) -> tuple[str, str, dict[str, dict], list[dict], str]:
    """The latest run's lines outcome and message, each dossier's match by contract (and in
    stored order), and the pro forma's summary."""
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        run = s.get_one(CheckRun, pf.latest_run_id)
        row = s.scalars(select(CheckResultRow).where(CheckResultRow.run_id == run.id,
                                                     CheckResultRow.name == "lines")).one()
        found = list(run.found["lines"])
        return row.outcome, row.message, {f["contract"]: f for f in found}, found, \
            pf.check_summary


def _many(world, factory) -> int:
    """A pro forma of three dossiers of cfa1 (A0, A2, A3), several échéances each."""
    (pf_id,) = generate(world, factory, [c for i, c in enumerate(world.contracts1) if i != 1])
    return pf_id


def test_conforming_invoice_of_one_dossier_every_line_matched(world, factory):
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        (line,) = deposits.expected_lines(s, pf_id)
        assert line.amount == pf.total and len(line.parts) > 1  # several échéances, summed
        data = invoice_bytes(s, pf)
    _deposit(world, factory, pf_id, data)
    outcome, message, by_contract, _, summary = _verdict(factory, pf_id)
    assert (outcome, summary) == ("pass", "pass")
    assert message == "1 ligne(s) conforme(s) à la pro forma."
    match = by_contract[line.contract]
    assert (match["status"], Decimal(match["found"])) == ("matched", pf.total)
    assert match["evidence"]["page"] == 1 and len(match["evidence"]["bbox"]) == 4


def test_conforming_invoice_of_many_dossiers_per_dossier_or_per_echeance(world, factory):
    pf_id = _many(world, factory)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        lines = deposits.expected_lines(s, pf_id)
        assert len(lines) == 3 == pf.dossiers
        assert sum(line.amount for line in lines) == pf.total
        per_echeance = invoice_bytes(s, pf, per_echeance=True)  # as the pro forma PDF prints
        per_dossier = invoice_bytes(s, pf, own="FA-2026-0999")
        rows = invoice_lines(s, pf, per_echeance=True)
    assert len(rows) > len(lines)
    for data in (per_echeance, per_dossier):
        _deposit(world, factory, pf_id, data)
        outcome, _, by_contract, found, summary = _verdict(factory, pf_id)
        assert (outcome, summary) == ("pass", "pass")
        assert {c: f["status"] for c, f in by_contract.items()} == {
            line.contract: "matched" for line in lines}
        assert [Decimal(by_contract[line.contract]["found"]) for line in lines] == [
            line.amount for line in lines]
        assert all(f["evidence"] is not None for f in found)


def test_changed_missing_and_extra_dossiers_each_named(world, factory):
    pf_id = _many(world, factory)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        rows = invoice_lines(s, pf)
        changed, missing, kept = rows
        billed = [(changed[0], changed[1], changed[2] + Decimal("80.00")), kept,
                  (INTRUDER, "INTRUS Jean", Decimal("500.00"))]
        data = invoice_bytes(s, pf, lines=billed, total=pf.total)  # the total is right
    _deposit(world, factory, pf_id, data)
    outcome, message, by_contract, found, summary = _verdict(factory, pf_id)
    assert (outcome, summary) == ("fail", "fail")  # a failed lines check fails the pro forma
    with factory() as s:
        results = {r.name: r.outcome for r in s.get_one(
            CheckRun, s.get_one(ProForma, pf_id).latest_run_id).results}
    assert results["total"] == "pass"  # only the lines tell what is wrong
    assert [f["status"] for f in found] == ["amount_differs", "missing", "extra", "matched"]
    assert by_contract[changed[0]]["found"] == str(changed[2] + Decimal("80.00"))
    assert by_contract[changed[0]]["expected"] == str(changed[2])
    assert by_contract[missing[0]]["evidence"] is None
    assert by_contract[INTRUDER]["status"] == "extra"
    for contract in (changed[0], INTRUDER):
        assert by_contract[contract]["evidence"]["page"] == 1
    assert (f"dossier {changed[0]} : {format_eur(changed[2] + Decimal('80.00'))} facturés, "
            f"{format_eur(changed[2])} attendus") in message
    assert f"dossier {missing[0]} absent de la facture" in message
    assert f"dossier {INTRUDER} facturé ({format_eur(Decimal('500.00'))}) mais absent de la " \
        "pro forma" in message
    with factory() as s:  # the evidence of each wrong line is the verdict's evidence
        pf = s.get_one(ProForma, pf_id)
        row = s.scalars(select(CheckResultRow).where(
            CheckResultRow.run_id == pf.latest_run_id, CheckResultRow.name == "lines")).one()
        assert len(row.evidence) == 2 and {e["page"] for e in row.evidence} == {1}


def test_contradictory_rows_are_unknown_never_matched(world, factory):
    """A dossier billed on two rows that disagree (and no échéance split explains them):
    ``unreadable``, the verdict ``unknown``, never ``matched``."""
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        ((contract, who, amount),) = invoice_lines(s, pf)
        billed = [(contract, who, amount), (contract, who, Decimal("10.00"))]
        data = invoice_bytes(s, pf, lines=billed, total=pf.total)
    _deposit(world, factory, pf_id, data)
    outcome, message, by_contract, _, summary = _verdict(factory, pf_id)
    assert by_contract[contract]["status"] == "unreadable"
    assert outcome == "unknown" and summary != "pass"
    assert f"dossier {contract} : montant de la ligne illisible" in message


def test_credit_note_lines_in_absolute_value(world, factory):
    """A credit note prints its dossiers negative: matched against the pro forma's negative
    amounts, in absolute value like its total."""
    ids = generate(world, factory, MIXED)
    with factory() as s:
        (note,) = [p for p in (s.get_one(ProForma, i) for i in ids) if p.kind == "credit_note"]
        data = invoice_bytes(s, note)
        (line,) = deposits.expected_lines(s, note.id)
        assert line.amount < 0
    _deposit(world, factory, note.id, data)
    outcome, _, by_contract, _, _ = _verdict(factory, note.id)
    assert outcome == "pass"
    assert Decimal(by_contract[line.contract]["found"]) == -line.amount


def test_precheck_names_the_dossiers_before_sending(world, factory):
    pf_id = _many(world, factory)
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        changed, missing, kept = invoice_lines(s, pf)
        wrong = invoice_bytes(s, pf, lines=[(changed[0], changed[1], Decimal("1200.00")), kept],
                              total=pf.total)
        good = invoice_bytes(s, pf)
    verdicts = {v.name: v for v in portal.precheck(factory, world.cfa1, pf_id, wrong, "f.pdf")}
    lines = verdicts["lines"]
    assert lines.outcome == "fail" and lines.label == "Lignes de la pro forma"
    assert (f"dossier {changed[0]} : {format_eur(Decimal('1200.00'))} facturés, "
            f"{format_eur(changed[2])} attendus") in lines.message
    assert f"dossier {missing[0]} absent de la facture" in lines.message
    assert verdicts["total"].outcome == "pass"
    verdicts = {v.name: v for v in portal.precheck(factory, world.cfa1, pf_id, good, "f.pdf")}
    assert verdicts["lines"].outcome == "pass"
    with factory() as s:  # the pre-check stores nothing
        assert s.get_one(ProForma, pf_id).latest_run_id is None


def test_recheck_passes_the_lines_again(world, factory):
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        ((contract, who, amount),) = invoice_lines(s, pf)
        data = invoice_bytes(s, pf, lines=[(contract, who, amount - Decimal("1.00"))],
                             total=pf.total)
    _deposit(world, factory, pf_id, data)
    first = _verdict(factory, pf_id)
    with factory.begin() as s:
        review.rerun_checks(s, world.instructeur, pf_id)
    again = _verdict(factory, pf_id)
    with factory() as s:
        assert s.scalars(select(CheckRun.id)).all()[-1] == s.get_one(
            ProForma, pf_id).latest_run_id
        assert len(s.scalars(select(CheckRun.id)).all()) == 2
    assert first[0] == again[0] == "fail" and again[2][contract]["status"] == "amount_differs"


def test_another_contract_of_the_cfa_billed_is_named_extra(world, factory):
    """The world's contract numbers ("A000003") are not of the console's 12-digit form: billed
    on an invoice whose pro forma does not hold it, the CFA's other contract is still named."""
    (pf_id,) = generate(world, factory, [world.contracts1[0]])
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        rows = invoice_lines(s, pf)
        other = s.get_one(Contract, world.contracts1[2]).number
        data = invoice_bytes(s, pf, lines=[*rows, (other, "NOM Autre", Decimal("700.00"))],
                             total=pf.total)
        expected = deposits.expected_for(s, pf)
    assert other in expected.other_contracts and rows[0][0] not in expected.other_contracts
    _deposit(world, factory, pf_id, data)
    outcome, message, by_contract, _, _ = _verdict(factory, pf_id)
    assert outcome == "fail" and by_contract[other]["status"] == "extra"
    assert by_contract[rows[0][0]]["status"] == "matched"
    assert f"dossier {other} facturé ({format_eur(Decimal('700.00'))}) mais absent de la " \
        "pro forma" in message
