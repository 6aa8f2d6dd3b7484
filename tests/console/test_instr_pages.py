"""AppTest of the instructeur pages: queue, review, payments, in French, through the workflow."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import Notice, Payment, ProForma
from domain.vocabulary import Status
from tests.console.conftest import page_tables, page_text
from tests.workflow.reviewkit import deposit, generate, queue_of, version
from workflow.billing import proformas
from workflow.review import decisions


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def test_queue_page_lists_and_takes_the_next(world, factory, page):
    ids = queue_of(world, factory, 2)
    at = page("instr_queue.py", world.instructeur)
    assert not at.exception
    assert "File d'instruction" in page_text(at) and "Prendre le suivant" in page_text(at)
    assert "CFA UN" in page_tables(at) and "PRO-" in page_tables(at)
    button(at, "Prendre le suivant").click().run()
    with factory() as s:
        assert s.get_one(ProForma, ids[0]).assigned_to_id == world.instructeur.user_id


def test_review_page_shows_file_verdicts_and_refuses_with_the_letter(world, factory, page):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, total=Decimal("15910.00"))
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    assert not at.exception, at.exception
    body = page_text(at)
    assert "Instruire une facture" in body and "CFA UN" in body
    assert "Montant total" in body and "Une justification est obligatoire" in body
    assert at.get("image")  # the rendered page
    at.radio[0].set_value(2).run()  # the failed total: its box is drawn
    assert not at.exception
    button(at, "Valider").click().run()
    assert "obligatoire pour valider" in "\n".join(e.value for e in at.error)
    assert version(factory, pf_id) == 2  # nothing changed
    assert "Le montant indiqué n'est pas égal" in "\n".join(t.value for t in at.text)
    button(at, "Refuser et envoyer").click().run()
    assert not at.exception
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.REFUSED
        assert s.scalars(select(Notice.reason_label)).one() == (
            "Montant non conforme à la facture pro forma")


def test_review_page_refuses_a_stale_decision(world, factory, page):
    (pf_id,) = queue_of(world, factory, 1)
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    deposit(world, factory, pf_id, own="FA-2026-0777")  # the CFA replaces the file meanwhile
    button(at, "Valider").click().run()
    assert "modifiée entre-temps" in page_text(at)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.UNDER_REVIEW


def test_review_page_without_a_pro_forma_points_to_the_queue(world, page):
    at = page("instr_review.py", world.instructeur)
    assert not at.exception and "Choisissez une pro forma" in page_text(at)


def test_cfa_user_sees_nothing_of_the_review(world, factory, page):
    (pf_id,) = queue_of(world, factory, 1)
    at = page("instr_review.py", world.cfa1, review_pf=pf_id)
    assert not at.exception and "Accès refusé" in page_text(at)
    assert "CFA UN" not in page_text(at)


def test_payments_page_runs_a_payment_campaign(world, factory, page):
    (pf_id,) = queue_of(world, factory, 1)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))
    at = page("instr_payments.py", world.instructeur)
    assert not at.exception
    body = page_text(at)
    assert "Paiements" in body and "Total net de la campagne" in body
    assert "CFA UN" in page_tables(at)
    button(at, "Exécuter la campagne").click().run()
    assert not at.exception
    with factory() as s:  # nothing is paid before the confirmation
        assert not s.scalars(select(Payment.pro_forma_id).where(
            Payment.pro_forma_id != world.paid_pro_forma_id)).all()
        number = s.get_one(ProForma, pf_id).number
    assert f"Payer 1 facture : {number}" in page_text(at)
    next(b for b in at.button if b.label == "Payer").click().run()
    assert not at.exception
    assert "payée(s) — lot LOT-" in page_text(at)
    assert any("pain.001" in b.label for b in at.get("download_button"))
    with factory() as s:
        assert s.scalars(select(Payment.pro_forma_id).where(
            Payment.pro_forma_id != world.paid_pro_forma_id)).one() == pf_id


def test_review_page_says_why_a_cancelled_pro_forma_cannot_be_validated(world, factory, page):
    """The CFA cancels while the instructeur has the invoice open: "Valider" answers."""
    (pf_id,) = queue_of(world, factory, 1)
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    with factory.begin() as s:
        proformas.cancel(s, world.cfa1, pf_id)
    button(at, "Valider").click().run()
    assert not at.exception
    errors = "\n".join(e.value for e in at.error)
    assert "modifiée entre-temps" in errors and "Annulé" in errors
    assert "elle est maintenant « Annulé »" in "\n".join(w.value for w in at.warning)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.CANCELLED
    button(at, "Valider").click().run()  # clicked again: the same answer, never silence
    assert "modifiée entre-temps" in "\n".join(e.value for e in at.error)
    button(at, "J'ai pris connaissance").click().run()
    assert not at.exception and not at.warning  # the current state, acknowledged:
    assert not any(b.label == "Valider" for b in at.button)  # no decision on it


def test_review_page_never_validates_a_file_replaced_under_the_user(world, factory, page):
    """A rerun (typing the justification) must not quietly move the decision to the new
    file: the validation is refused until the user has acknowledged the new state."""
    (pf_id,) = queue_of(world, factory, 1)
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    deposit(world, factory, pf_id, own="FA-2026-0778")  # replaced meanwhile
    at.text_area(key="justification").input("Vu").run()  # a rerun on the user's side
    assert "a changé depuis que vous l'avez ouverte" in "\n".join(w.value for w in at.warning)
    button(at, "Valider").click().run()
    assert "modifiée entre-temps" in "\n".join(e.value for e in at.error)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.UNDER_REVIEW
    button(at, "J'ai pris connaissance").click().run()
    button(at, "Valider").click().run()
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.VALIDATED


MANUAL_DAY = r"^\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}"


def test_grid_dates_are_in_the_manuals_style(world, factory, page):
    """Issue 14: every date of a grid is a date (sorted as one when its header is clicked),
    drawn in the manual's style "18 sept. 2023" (moment.js format, console/french.py's
    French locale; tests/browser/test_grid_dates.py reads it drawn): the queue's deposits
    (Paris moments), the payments' validations (days)."""
    _queued, validated = queue_of(world, factory, 2)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, validated, version(factory, validated))
    at = page("instr_queue.py", world.instructeur)
    assert not at.exception
    dates = at.dataframe[0].value["Déposée le"]
    assert len(dates) and str(getattr(dates.dtype, "tz", "")) == "Europe/Paris", dates.dtype
    config = json.loads(at.dataframe[0].proto.columns)["Déposée le"]
    assert config["type_config"] == {"type": "datetime", "format": "D MMM YYYY HH:mm",
                                     "timezone": "Europe/Paris"}, config
    at = page("instr_payments.py", world.instructeur)
    assert not at.exception
    dates = at.dataframe[0].value["Validée le"]
    assert len(dates) and all(isinstance(d, date) for d in dates), list(dates)
    config = json.loads(at.dataframe[0].proto.columns)["Validée le"]
    assert config["type_config"] == {"type": "date", "format": "D MMM YYYY"}, config


def test_grid_amounts_are_numbers_drawn_in_euros(world, factory, page):
    """Issue 14: a grid's amount is the amount itself (sorted as one when its header is
    clicked, not as text "9 000" after "10 000"), drawn "96 540,00 €" by the "euro" format
    (console/french.py makes it French; tests/browser/test_grid_amounts.py reads it drawn):
    the queue's and the payments' "Montant", the pro formas' own totals."""
    queued, validated = queue_of(world, factory, 2)
    with factory.begin() as s:
        decisions.validate(s, world.instructeur, validated, version(factory, validated))
        shown = {i: (s.get_one(ProForma, i).number, s.get_one(ProForma, i).total)
                 for i in (queued, validated)}
    for script, pf_id in (("instr_queue.py", queued), ("instr_payments.py", validated)):
        at = page(script, world.instructeur)
        assert not at.exception
        grid = at.dataframe[0]
        number, total = shown[pf_id]
        row = grid.value[grid.value["Pro forma"] == number]
        assert list(row["Montant"]) == [total], (script, list(row["Montant"]))
        assert all(isinstance(v, Decimal) for v in grid.value["Montant"]), script
        config = json.loads(grid.proto.columns)["Montant"]
        assert config["type_config"] == {"type": "number", "format": "euro"}, (script, config)
