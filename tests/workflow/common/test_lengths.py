"""Issue 17 item 7: every stored string fits its column, checked in the workflow with a French
message, against the lengths declared once in db/models/ (String(n)).

An invoice number of more than 60 characters, read from a Factur-X XML, passed the pre-check
and then made "Envoyer" fail on PostgreSQL (StringDataRightTruncation); SQLite kept it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from checks.model import MAX_NAME
from db.models import (
    Cfa,
    CheckResultRow,
    CreditApplication,
    Document,
    ProForma,
    SavedFilter,
    User,
)
from domain.errors import InvalidInput
from tests.workflow.reviewkit import facturx_bytes, generate
from workflow.billing import filters
from workflow.billing.eligibility import EligibleFilters
from workflow.common import bounds
from workflow.deposits import deposits

LONG = "FA-2026-" + "0123456789" * 6  # 68 characters


def test_an_over_long_invoice_number_is_refused_in_french_before_anything_is_stored(
        world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with factory.begin() as s:
        data = facturx_bytes(s, s.get_one(ProForma, pf_id), LONG)
    with pytest.raises(InvalidInput) as err:
        deposits.precheck(factory, world.cfa1, pf_id, data, "facture.pdf")
    assert "dépasse 60 caractères (68 reçus)" in str(err.value)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0
    # sent anyway: the deposit no longer reads the file; its check job stores no number and
    # says why in the invoice_number verdict
    with factory.begin() as s:
        deposits.deposit(s, world.cfa1, pf_id, data, "facture.pdf")
    with factory() as s:
        assert s.get_one(ProForma, pf_id).own_invoice_number is None
        verdict = s.scalars(select(CheckResultRow).where(
            CheckResultRow.name == "invoice_number")).one()
        assert verdict.outcome == "fail" and "dépasse 60 caractères (68 reçus)" in verdict.message
    with factory.begin() as s:  # 60 characters fit, on SQLite and PostgreSQL alike
        deposits.deposit(s, world.cfa1, pf_id, facturx_bytes(s, s.get_one(
            ProForma, pf_id), LONG[:60]), "facture.pdf")
    with factory() as s:
        assert s.get_one(ProForma, pf_id).own_invoice_number == LONG[:60]


def test_any_text_too_long_for_its_column_is_refused_at_flush(world, factory):
    with factory() as s:
        s.get_one(Cfa, 1).name = "X" * 201
        with pytest.raises(InvalidInput) as err:
            s.commit()
        s.rollback()
    assert "201 caractères, 200 au plus" in str(err.value)
    with factory() as s:
        assert len(s.get_one(Cfa, 1).name) <= 200


def test_limits_are_read_from_the_models(world, factory):
    assert bounds.max_length(ProForma.own_invoice_number) == 60
    assert filters.NAME_LENGTH == bounds.max_length(SavedFilter.name) == 100
    assert bounds.max_length(CreditApplication.reference) == 35
    assert bounds.max_length(User.email) == 200
    assert bounds.max_length(Document.filename) == MAX_NAME  # what the checks enforce
    with factory.begin() as s, pytest.raises(InvalidInput, match="100 caractères au plus"):
        filters.save_filter(s, world.cfa1, "F" * 101, EligibleFilters(last_name="MARTIN"))
