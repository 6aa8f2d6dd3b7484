"""``ui.call``, ``ui.attempt`` and ``ui.deferred`` turn an unexpected error of a workflow call
into a French incident message (its traceback logged under the reference), after rolling the
call back; a download never raises into Streamlit's English "Failed to generate file"."""

from __future__ import annotations

import logging
from datetime import datetime

from streamlit.testing.v1 import AppTest

from db.models import Setting


def _script() -> None:
    import streamlit as st
    from sqlalchemy.exc import OperationalError

    from console import ui
    from db.models import Setting
    from domain.errors import AccessDenied

    def boom(s, actor):
        s.add(Setting(key="boom", value="1"))
        s.flush()
        raise OperationalError("UPDATE …", {}, Exception("database is locked"))

    def letter_pdf(s, actor):
        raise MemoryError

    def export_csv(s, actor):
        raise AccessDenied("cette pro forma")

    st.session_state["call"] = ui.call(boom)
    st.session_state["attempt"] = ui.attempt(boom)
    st.session_state["pdf"] = ui.deferred(letter_pdf)()
    st.session_state["csv"] = ui.deferred(export_csv)()
    st.write("fin")


def test_unexpected_errors_are_incidents_in_french_and_change_nothing(world, factory, db_url,
                                                                     monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_function(_script, default_timeout=30)
    at.session_state["user_id"] = world.instructeur.user_id
    at.session_state["last_seen"] = datetime.now()
    with caplog.at_level(logging.ERROR, logger="console.incidents"):
        at.run()
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    assert "Une erreur inattendue" in shown and "INC-" in shown
    assert "OperationalError" not in shown and "locked" not in shown
    assert at.session_state["call"] is None
    result, message = at.session_state["attempt"]
    assert result is None and "INC-" in message and "Traceback" not in message
    pdf = at.session_state["pdf"]
    assert pdf.startswith(b"%PDF")  # a PDF was expected: the French message as a PDF
    csv = at.session_state["csv"].decode("utf-8-sig")
    assert csv.startswith("Le document n'a pas pu être produit. Accès refusé")
    assert "fin" in [m.value for m in at.markdown]
    logged = [r for r in caplog.records if r.name == "console.incidents"]
    references = [r.getMessage().split()[1].rstrip(":") for r in logged]
    assert len(references) == 3 and references[0] in shown and references[1] in message
    assert all(r.exc_info for r in logged)  # the traceback is in the server's log
    with factory() as s:
        assert s.get(Setting, "boom") is None  # both calls were rolled back
