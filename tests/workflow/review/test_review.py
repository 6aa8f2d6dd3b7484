"""The review queue: order, filters, paging, take_next under concurrency, the review data."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import CheckRun, Event, ProForma
from domain.errors import AccessDenied, InvalidInput, TransitionRefused, WorkflowError
from tests.conftest import ON_POSTGRES
from tests.workflow.reviewkit import deposit, generate, queue_of
from workflow.review import review, review_screen
from workflow.review.review import QueueFilters


def numbers(page):
    return [r.pro_forma_id for r in page.rows]


def test_queue_lists_oldest_deposit_first_with_row_details(world, factory):
    ids = queue_of(world, factory, 3)
    with factory() as s:
        page = review.queue(s, world.instructeur)
    assert numbers(page) == ids and page.total == 3
    first = page.rows[0]
    assert first.cfa == "CFA UN" and first.nature == "pedagogie" and first.kind == "invoice"
    assert first.age_days == 30 and first.dossiers == 1 and first.assigned_to is None
    assert first.summary == "pass" and first.checks == "✅ 8"
    assert first.total == Decimal("16000.00")


def test_queue_pages_in_sql(world, factory):
    ids = queue_of(world, factory, 3)
    with factory() as s:
        p0 = review.queue(s, world.instructeur, page=0, page_size=2)
        p1 = review.queue(s, world.instructeur, page=1, page_size=2)
    assert numbers(p0) == ids[:2] and numbers(p1) == ids[2:]
    assert p0.total == p1.total == 3 and p0.pages == 2


def test_queue_filters(world, factory):
    ids = queue_of(world, factory, 3)
    bad = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    deposit(world, factory, bad, days_ago=1, total=Decimal("1.00"), actor=world.cfa2)
    with factory() as s:
        siret2 = s.get_one(ProForma, bad).cfa.siret

    def q(**kw):
        with factory() as s:
            return numbers(review.queue(s, world.instructeur, QueueFilters(**kw)))

    assert q(cfa="deux") == [bad] and q(cfa=siret2[:9]) == [bad]
    assert q(checks="fail") == [bad] and q(checks="pass") == ids
    assert q(checks="unknown") == []
    assert q(min_total=Decimal("15000"), max_total=Decimal("17000")) == [ids[0]]
    assert q(min_age_days=15) == ids[:2] and q(max_age_days=5) == [bad]
    assert q(kind="credit_note") == [] and q(nature="equipement") == []
    with factory.begin() as s:
        review.take_next(s, world.instructeur)
    assert q(assigned="me") == [ids[0]] and q(assigned="unassigned") == ids[1:] + [bad]
    with pytest.raises(InvalidInput), factory() as s:
        review.queue(s, world.instructeur, QueueFilters(checks="bogus"))


def test_take_next_gives_two_instructeurs_different_pro_formas(world, factory):
    ids = queue_of(world, factory, 2)
    with factory.begin() as s:
        a = review.take_next(s, world.instructeur)
    with factory.begin() as s:
        b = review.take_next(s, world.instructeur2)
    with factory.begin() as s:
        none = review.take_next(s, world.manager)
    assert (a.pro_forma_id, b.pro_forma_id, none) == (ids[0], ids[1], None)
    with factory() as s:
        owners = [s.get_one(ProForma, i).assigned_to_id for i in ids]
        assigned = s.scalars(select(Event.pro_forma_id).where(Event.action == "assigned"))
        assert owners == [world.instructeur.user_id, world.instructeur2.user_id]
        assert sorted(assigned) == ids


def test_concurrent_take_next_on_one_pro_forma_has_exactly_one_winner(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    barrier, results, errors = threading.Barrier(2), [], []

    def racer(actor):
        try:
            with factory.begin() as s:
                barrier.wait(timeout=10)
                results.append(review.take_next(s, actor))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(a,))
               for a in (world.instructeur, world.instructeur2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    won = [r for r in results if r is not None]
    assert len(won) == 1 and won[0].pro_forma_id == pf_id
    with factory() as s:
        assert s.get_one(ProForma, pf_id).assigned_to_id is not None
        assert len(s.scalars(select(Event).where(Event.action == "assigned")).all()) == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="SKIP LOCKED is PostgreSQL's")
def test_take_next_skips_a_row_locked_by_another_session(world, factory):
    ids = queue_of(world, factory, 2)
    with factory.begin() as holder:
        first = review.take_next(holder, world.instructeur)  # row 1 stays locked
        with factory.begin() as s:
            second = review.take_next(s, world.instructeur2)
    assert (first.pro_forma_id, second.pro_forma_id) == (ids[0], ids[1])


def test_assign_and_unassign(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    with factory.begin() as s:
        review.assign(s, world.instructeur, pf_id)
    with pytest.raises(WorkflowError, match="déjà attribuée à Instructeur Un"), \
            factory.begin() as s:
        review.assign(s, world.instructeur2, pf_id)
    with pytest.raises(WorkflowError), factory.begin() as s:
        review.unassign(s, world.instructeur2, pf_id)
    with factory.begin() as s:
        review.assign(s, world.manager, pf_id)  # a manager may take it over
    with factory.begin() as s:
        review.unassign(s, world.manager, pf_id)
    with factory() as s:
        assert s.get_one(ProForma, pf_id).assigned_to_id is None
        actions = s.scalars(select(Event.action).where(Event.pro_forma_id == pf_id)
                            .order_by(Event.id)).all()
    assert actions[-3:] == ["assigned", "assigned", "unassigned"]


def test_review_data_has_everything_the_screen_shows(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, days_ago=3, total=Decimal("15910.00"))
    deposit(world, factory, pf_id, days_ago=1)
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
    assert data.cfa["siret"] and data.cfa["iban"] and data.cfa["name"] == "CFA UN"
    assert [d.version for d in data.documents] == [2, 1]
    assert data.documents[0].content.startswith(b"%PDF")
    assert [r.document_version for r in data.runs] == [2, 1]
    assert data.latest_run.summary == "pass" and data.runs[1].summary == "fail"
    total = next(v for v in data.runs[1].verdicts if v.name == "total")
    assert total.outcome == "fail" and total.label == "Montant total"
    assert 1 in total.highlights() and len(total.highlights()[1][0]) == 4
    assert len(data.lines) == 6 and data.lines[0]["Période"].startswith("Du ")
    assert [e["Action"] for e in data.events] == [
        "Pro forma générée", "Facture déposée", "Facture remplacée"]
    assert data.decidable and data.version == 3


def test_rerun_checks_stores_a_new_run_and_an_event(world, factory):
    (pf_id,) = queue_of(world, factory, 1)
    with factory.begin() as s:  # a job, run at the commit (tests/conftest.py)
        job_id = review.rerun_checks(s, world.instructeur, pf_id)
    with factory() as s:
        view = review_screen.review_data(s, world.instructeur, pf_id).latest_run
    assert view.summary == "pass" and len(view.verdicts) == 8
    with factory() as s:
        assert len(s.scalars(select(CheckRun)).all()) == 2
        ev = s.scalars(select(Event).where(Event.action == "checks_rerun")).one()
        assert ev.data["run_id"] == view.id and ev.data["job_id"] == job_id
        assert ev.actor_id == world.instructeur.user_id


def test_rerun_checks_refused_once_decided(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    with pytest.raises((TransitionRefused, WorkflowError)), factory.begin() as s:
        review.rerun_checks(s, world.instructeur, pf_id)


@pytest.mark.parametrize("who", ["cfa1", "cfa2"])
def test_cfa_users_reach_nothing_of_the_console(world, factory, who):
    (pf_id,) = queue_of(world, factory, 1)
    actor = getattr(world, who)
    calls = [lambda s: review.queue(s, actor), lambda s: review.take_next(s, actor),
             lambda s: review_screen.review_data(s, actor, pf_id),
             lambda s: review.assign(s, actor, pf_id),
             lambda s: review.rerun_checks(s, actor, pf_id)]
    for call in calls:
        with pytest.raises(AccessDenied), factory.begin() as s:
            call(s)


def test_admin_reads_but_does_not_take_work(world, factory):
    queue_of(world, factory, 1)
    with factory() as s:
        assert review.queue(s, world.admin).total == 1
    with pytest.raises(AccessDenied), factory.begin() as s:
        review.take_next(s, world.admin)


def test_render_pages_draws_the_evidence_of_the_chosen_verdict(world, factory):
    pf_id = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, pf_id, total=Decimal("15910.00"))
    with factory() as s:
        data = review_screen.review_data(s, world.instructeur, pf_id)
    doc = data.documents[0]
    total = next(v for v in data.latest_run.verdicts if v.name == "total")
    plain = review_screen.render_pages(doc.content, doc.media_type)
    marked = review_screen.render_pages(doc.content, doc.media_type, total.highlights())
    assert len(plain) == len(marked) == 1 and plain[0].startswith(b"\x89PNG")
    assert plain != marked
    with pytest.raises(InvalidInput, match="ne peut pas être affiché"):
        review_screen.render_pages(b"%PDF-1.4 broken", "application/pdf")
