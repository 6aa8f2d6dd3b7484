"""The bulk data set builder, at a tiny scale, on the real database (COPY on PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from db.models import Apprentice, Contract, Echeance, ProForma, ProFormaLine
from domain.vocabulary import Status
from seed.national import Scale, build_national

TINY = Scale("tiny", 3, 400, 50)


def test_tiny_national_build_is_consistent(engine, factory):
    build_national(engine, date(2026, 11, 27), TINY, progress=lambda _m: None)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Contract)) == 400
        assert s.scalar(select(func.count()).select_from(Contract).join(Apprentice).where(
            (Contract.apprentice_last_name != Apprentice.last_name)
            | (Contract.apprentice_first_name != Apprentice.first_name))) == 0
        assert set(s.scalars(select(ProForma.status).distinct())) == {st.value for st in Status}
        # every live line's échéance is claimed by its pro forma, and only those
        live = dict(s.execute(select(ProFormaLine.echeance_id, ProFormaLine.pro_forma_id)
                              .where(ProFormaLine.released.is_(False))).all())
        claimed = dict(s.execute(select(Echeance.id, Echeance.pro_forma_id)
                                 .where(Echeance.pro_forma_id.is_not(None))).all())
        assert live == claimed and live
        # a pro forma's total equals the sum of its lines
        sums = dict(s.execute(select(ProFormaLine.pro_forma_id, func.sum(ProFormaLine.amount))
                              .group_by(ProFormaLine.pro_forma_id)).all())
        for pf_id, total in s.execute(select(ProForma.id, ProForma.total)):
            assert sums[pf_id] == total
        # CFA 1 is behind with its invoicing: it has eligible lines left
        assert s.scalar(select(func.count()).select_from(Echeance).where(
            Echeance.cfa_id == 1, Echeance.pro_forma_id.is_(None),
            Echeance.due_on <= date(2026, 11, 27))) > 50
