"""AppTest of *Instruire une facture*'s lines (issue 15, item 3): the pro forma's dossiers
beside the invoice's, the differing ones first; one dossier's line highlighted on the page; the
refusal comment pre-filled with the dossiers in error, sent in the letter."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import Notice, ProForma
from domain.formatting import format_eur
from domain.vocabulary import Status
from tests.console.conftest import page_text
from tests.workflow.reviewkit import generate, invoice_bytes, invoice_lines
from workflow.billing import portal
from workflow.deposits import deposits

INTRUDER = "202499999999"


def _lines_frame(at):
    return next(d.value for d in at.dataframe if list(d.value.columns)[:2] == [
        "Verdict", "Dossier"])


def test_review_page_shows_the_lines_differing_first_and_names_them_in_the_letter(
        world, factory, page):
    (pf_id,) = generate(world, factory, [c for i, c in enumerate(world.contracts1) if i != 1])
    with factory.begin() as s:
        pf = s.get_one(ProForma, pf_id)
        changed, missing, kept = invoice_lines(s, pf)
        billed = [kept, (changed[0], changed[1], changed[2] + Decimal("80.00")),
                  (INTRUDER, "INTRUS Jean", Decimal("500.00"))]
        deposits.deposit(s, world.cfa1, pf_id, invoice_bytes(s, pf, lines=billed,
                                                             total=pf.total), "facture.pdf")
    at = page("instr_review.py", world.instructeur, review_pf=pf_id)
    assert not at.exception, at.exception
    frame = _lines_frame(at)
    # the two amounts right after the dossier: at 1366 px the right-hand column shows about
    # four columns, and the amounts are what the instructeur compares
    assert list(frame.columns)[:4] == ["Verdict", "Dossier", "Pro forma", "Facture"]
    assert list(frame["Dossier"]) == [changed[0], missing[0], INTRUDER, kept[0]]
    assert list(frame["Verdict"]) == ["❌", "❌", "❌", "✅"]
    assert list(frame["Constat"]) == ["Montant différent", "Absent de la facture",
                                      "Absent de la pro forma", "Conforme"]
    first = frame.iloc[0]
    assert (first["Pro forma"], first["Facture"]) == (
        format_eur(changed[2]), format_eur(changed[2] + Decimal("80.00")))
    assert frame.iloc[1]["Facture"] == "—" and frame.iloc[2]["Pro forma"] == "—"
    body = page_text(at)
    assert "3 ligne(s) en écart, en tête du tableau." in body
    assert "Lignes de la pro forma" in body  # the verdict, among the checks
    plain = at.get("image")[0].proto.imgs[0].url
    # one dossier picked: where the invoice bills it is drawn on the page
    pick = next(b for b in at.selectbox if b.label == "Voir sur la facture la ligne du dossier")
    assert pick.options[1].startswith(changed[0])
    pick.set_value(0).run()  # the first dossier of the table, whose amount differs
    assert not at.exception, at.exception
    assert at.get("image")[0].proto.imgs[0].url != plain
    comment = next(t for t in at.text_area if t.label.startswith("Commentaire"))
    assert comment.value.startswith("Dossiers en erreur :\n- dossier " + changed[0])
    assert f"dossier {missing[0]} absent de la facture" in comment.value
    letter = "\n".join(t.value for t in at.text)
    assert "Précision de nos services : Dossiers en erreur :" in letter
    next(b for b in at.button if b.label.startswith("Refuser et envoyer")).click().run()
    assert not at.exception, at.exception
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == Status.REFUSED
        body = s.scalars(select(Notice.body)).one()
    assert (f"dossier {changed[0]} : {format_eur(changed[2] + Decimal('80.00'))} facturés, "
            f"{format_eur(changed[2])} attendus") in body
    assert f"dossier {INTRUDER} facturé" in body and "mais absent de la pro forma" in body


def _precheck_view(verdicts) -> None:  # noqa: ANN001 - run by AppTest as a script
    from console.screens import deposit_dialog

    deposit_dialog.verdicts_view(verdicts)


def test_precheck_says_which_dossiers_differ_before_sending(world, factory):
    """The deposit dialog's verdicts of a real pre-check: the lines' warning names the dossier
    billed another amount and the one missing, in the project's French amounts."""
    (pf_id,) = generate(world, factory, [c for i, c in enumerate(world.contracts1) if i != 1])
    with factory() as s:
        pf = s.get_one(ProForma, pf_id)
        changed, missing, kept = invoice_lines(s, pf)
        data = invoice_bytes(s, pf, lines=[(changed[0], changed[1], Decimal("1200.00")), kept],
                             total=pf.total)
    verdicts = portal.precheck(factory, world.cfa1, pf_id, data, "facture.pdf")
    at = AppTest.from_function(_precheck_view, args=(verdicts,), default_timeout=30).run()
    assert not at.exception, at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("Lignes non conformes : dossier " + changed[0])
    assert (f"dossier {changed[0]} : {format_eur(Decimal('1200.00'))} facturés, "
            f"{format_eur(changed[2])} attendus") in warning
    assert f"dossier {missing[0]} absent de la facture" in warning
    (table,) = [d.value for d in at.dataframe]
    row = table[table["Contrôle"] == "Lignes de la pro forma"].iloc[0]
    assert row["Résultat"] == "Non conforme"


def _factory_calls() -> None:  # run by AppTest as a script
    import streamlit as st
    from sqlalchemy.orm import sessionmaker

    from console import ui
    from domain.errors import WorkflowError

    def ok(factory, actor, n):  # noqa: ANN001, ANN202 - a workflow function taking a factory
        assert isinstance(factory, sessionmaker)
        with factory() as s:
            return actor.user_id, n, s.in_transaction()

    def refused(factory, actor):  # noqa: ANN001, ANN202
        raise WorkflowError("Refusé : votre fichier est illisible.")

    def broken(factory, actor):  # noqa: ANN001, ANN202
        raise RuntimeError("a bug")

    st.session_state["ok"] = ui.attempt_with_factory(ok, 7)
    st.session_state["refused"] = ui.attempt_with_factory(refused)
    st.session_state["broken"] = ui.attempt_with_factory(broken)


def test_attempt_with_factory_hands_the_factory_and_says_errors_in_french(
        world, db_url, monkeypatch):
    """The pre-check's helper: the workflow function gets the session factory (no session
    opened for it), its result or its French refusal; a bug gets an incident reference."""
    from datetime import datetime

    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_function(_factory_calls, default_timeout=30)
    at.session_state["user_id"] = world.cfa1.user_id
    at.session_state["last_seen"] = datetime.now()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["ok"] == ((world.cfa1.user_id, 7, False), None)
    assert at.session_state["refused"] == (None, "Refusé : votre fichier est illisible.")
    result, message = at.session_state["broken"]
    assert result is None and "a bug" not in message and "référence" in message.lower()
