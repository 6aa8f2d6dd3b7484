"""The small demo: built through the workflow, every status present, accounts that log in."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from db.models import Apprentice, Contract, Document, Echeance, Notice, ProForma, User
from domain.vocabulary import Status
from seed.demo import is_empty
from seed.small import build_small
from workflow.accounts.auth import authenticate


def test_small_demo(factory):
    assert is_empty(factory)
    build_small(factory, date(2026, 11, 27), progress=lambda _m: None)
    assert not is_empty(factory)
    with factory.begin() as s:
        demo = s.scalars(select(User).where(User.email == "cfa@demo.fr")).one()
        statuses = set(s.scalars(select(ProForma.status).where(ProForma.cfa_id == demo.cfa_id)))
        assert statuses == {st.value for st in Status}
        assert s.scalar(select(func.count()).select_from(Contract)
                        .where(Contract.cfa_id == demo.cfa_id)) == 60
        assert s.scalar(select(func.count()).select_from(Contract).join(Apprentice).where(
            Contract.apprentice_last_name != Apprentice.last_name)) == 0
        # negative échéances are left eligible for the generation journey
        assert s.scalar(select(func.count()).select_from(Echeance).where(
            Echeance.cfa_id == demo.cfa_id, Echeance.amount < 0,
            Echeance.pro_forma_id.is_(None), Echeance.nature == "pedagogie",
            Echeance.due_on <= date(2026, 11, 27))) >= 1
        assert s.scalar(select(func.count()).select_from(Notice)) >= 1
        docs = s.scalars(select(Document.content).limit(5)).all()
        assert docs and all(d.startswith(b"%PDF") for d in docs)
        for email in ("cfa@demo.fr", "cfa2@demo.fr", "instructeur@demo.fr",
                      "manager@demo.fr", "admin@demo.fr"):
            assert authenticate(s, email, "demo").actor is not None, email
