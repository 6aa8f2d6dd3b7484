"""Isolation: every public workflow function taking an actor refuses what the actor may not do.

A CFA user passing another CFA's ids (pro formas, documents, letters, contracts, saved filters)
gets AccessDenied and changes nothing; a CFA user calling an OPCO function, an instructeur
calling a manager function, and OPCO staff calling a CFA function are refused. A last test
introspects ``workflow`` and fails when a public function taking ``actor`` is covered by none
of the tables below, so that a new function cannot ship without its access test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

import workflow
from db.models import (
    Cfa,
    Document,
    Echeance,
    Event,
    Notice,
    ProForma,
    SavedFilter,
    User,
)
from db.session import make_sessionmaker
from domain.errors import AccessDenied, WorkflowError
from tests.workflow.reviewkit import deposit, generate, version
from workflow.accounts import admin, cfa_profile
from workflow.billing import documents, eligibility, filters, portal, proformas
from workflow.billing.eligibility import EligibleFilters
from workflow.common import transitions
from workflow.common.confirm import Seen
from workflow.contracts import contracts, history, importing
from workflow.deposits import attestations, deposits
from workflow.payments import payments
from workflow.reporting import (
    cfa_home,
    cfa_news,
    dashboard,
    dashboard_drill,
    dashboard_money,
    exports,
    stats,
)
from workflow.reporting.dashboard_sql import Drill, Filters
from workflow.review import decisions, find, review, review_screen

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class Target:
    """Ids of the victim CFA's rows (cfa2), and of the attacker's own (cfa1)."""

    pf_refused: int
    pf_awaiting: int
    document: int
    contract: int
    saved_filter: int
    echeances: list[int]
    own_pf: int
    own_document: int


@pytest.fixture
def target(world, factory) -> Target:
    """cfa2: a refused invoice (document, letter), one awaiting, a saved filter; cfa1: one
    deposited invoice of its own."""
    refused = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    awaiting = generate(world, factory, [world.contracts2[1]], actor=world.cfa2)[0]
    deposit(world, factory, refused, actor=world.cfa2)
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, refused, version(factory, refused),
                         "MONTANTTOTAL_ERR")
        saved = filters.save_filter(s, world.cfa2, "Mes ruptures", EligibleFilters(rupture="past"))
    own = generate(world, factory, [world.contracts1[0]])[0]
    deposit(world, factory, own)
    with factory() as s:
        doc = s.scalars(select(Document.id).where(Document.pro_forma_id == refused)).one()
        own_doc = s.scalars(select(Document.id).where(Document.pro_forma_id == own)).one()
        echeances = list(s.scalars(select(Echeance.id).where(
            Echeance.cfa_id == world.cfa2_id, Echeance.pro_forma_id.is_(None))))
    return Target(refused, awaiting, doc, world.contracts2[0], saved.id, echeances, own,
                  own_doc)


Call = Callable[[Any, Any, Target], object]

# A CFA user (cfa1) passing cfa2's ids: each must raise AccessDenied (a WorkflowError for the
# generation functions, which never see another CFA's échéances as eligible).
OTHER_CFA_IDS: dict[str, Call] = {
    "portal.get_pro_forma": lambda s, a, t: portal.get_pro_forma(s, a, t.pf_refused),
    "portal.document_versions": lambda s, a, t: portal.document_versions(s, a, t.pf_refused),
    "portal.document_file": lambda s, a, t: portal.document_file(s, a, t.document),
    # a pre-check takes a session factory (no transaction open while the file is read)
    "portal.precheck":
        lambda s, a, t: portal.precheck(make_sessionmaker(s.get_bind()), a, t.pf_awaiting, PDF,
                                        "f.pdf"),
    "portal.refusal_letter": lambda s, a, t: portal.refusal_letter(s, a, t.pf_refused),
    "proformas.cancel": lambda s, a, t: proformas.cancel(s, a, t.pf_refused),
    "transitions.load_for_update":
        lambda s, a, t: transitions.load_for_update(s, a, t.pf_refused),
    "proformas.generate": lambda s, a, t: proformas.generate(s, a, "pedagogie", t.echeances),
    "proformas.generate_summary":
        lambda s, a, t: proformas.generate_summary(
            s, a, "pedagogie", Seen.of(((e, None) for e in t.echeances), Decimal(0))),
    "deposits.precheck":
        lambda s, a, t: deposits.precheck(make_sessionmaker(s.get_bind()), a, t.pf_refused, PDF,
                                          "f.pdf"),
    "deposits.deposit": lambda s, a, t: deposits.deposit(s, a, t.pf_refused, PDF, "f.pdf"),
    "documents.pro_forma_pdf": lambda s, a, t: documents.pro_forma_pdf(s, a, t.pf_awaiting),
    "documents.refusal_letter_pdf":
        lambda s, a, t: documents.refusal_letter_pdf(s, a, t.pf_refused),
    "exports.export_lines": lambda s, a, t: exports.export_lines(s, a, t.pf_refused),
    "exports.export_csv": lambda s, a, t: exports.export_csv(s, a, t.pf_awaiting),
    "exports.export_excel": lambda s, a, t: exports.export_excel(s, a, t.pf_awaiting),
    "contracts.contract_schedule": lambda s, a, t: contracts.contract_schedule(s, a, t.contract),
    "history.contract_history": lambda s, a, t: history.contract_history(s, a, t.contract),
    "filters.load_filter": lambda s, a, t: filters.load_filter(s, a, t.saved_filter),
    "filters.delete_filter": lambda s, a, t: filters.delete_filter(s, a, t.saved_filter),
    "attestations.deposit":
        lambda s, a, t: attestations.deposit(s, a, t.pf_awaiting, PDF, "f.pdf"),
    "attestations.needed": lambda s, a, t: attestations.needed(s, a, t.pf_awaiting),
    "attestations.for_review": lambda s, a, t: attestations.for_review(s, a, t.pf_refused),
}

# Listings and own-row functions of a CFA user: they take no foreign id; the tests check
# that they return nothing of cfa2 and change nothing of cfa2.
CFA_OWN: dict[str, Call] = {
    "portal.list_pro_formas": lambda s, a, t: portal.list_pro_formas(s, a, page_size=100),
    "portal.unread_letters": lambda s, a, t: portal.unread_letters(s, a),
    "contracts.list_contracts": lambda s, a, t: contracts.list_contracts(s, a, page_size=100),
    "eligibility.list_eligible":
        lambda s, a, t: eligibility.list_eligible(s, a, "pedagogie", page_size=100),
    "eligibility.recap": lambda s, a, t: eligibility.recap(s, a, "pedagogie"),
    "eligibility.eligible_ids": lambda s, a, t: eligibility.eligible_ids(s, a, "pedagogie"),
    "proformas.preview":
        lambda s, a, t: proformas.preview(s, a, "pedagogie", t.echeances, len(t.echeances)),
    "filters.list_filters": lambda s, a, t: filters.list_filters(s, a),
    "filters.save_filter":
        lambda s, a, t: filters.save_filter(s, a, "Mes ruptures", EligibleFilters(rupture="none")),
    "cfa_home.figures": lambda s, a, t: cfa_home.figures(s, a),
    "cfa_home.waiting": lambda s, a, t: cfa_home.waiting(s, a, 0, 100),
    "cfa_news.refused": lambda s, a, t: cfa_news.refused(s, a, 100),
    "cfa_news.paid": lambda s, a, t: cfa_news.paid(s, a, 100),
    "cfa_profile.get_profile": lambda s, a, t: cfa_profile.get_profile(s, a),
    "cfa_profile.set_default_settlement":
        lambda s, a, t: cfa_profile.set_default_settlement(s, a, "remboursement"),
}

# OPCO functions: a CFA user is refused even on its own pro forma (it never validates,
# pays or reviews its own invoice). Rows are cfa1's own, so the refusal is about the role.
F = Filters()
OPCO_ONLY: dict[str, Call] = {
    "decisions.refusal_reasons": lambda s, a, t: decisions.refusal_reasons(s, a),
    "find.find_pro_formas": lambda s, a, t: find.find_pro_formas(s, a, "PRO"),
    "decisions.letter_preview": lambda s, a, t: decisions.letter_preview(s, a, "MONTANTTOTAL_ERR"),
    "decisions.validate": lambda s, a, t: decisions.validate(s, a, t.own_pf, 2, "ok"),
    "decisions.refuse": lambda s, a, t: decisions.refuse(s, a, t.own_pf, 2, "MONTANTTOTAL_ERR"),
    "decisions.approve": lambda s, a, t: decisions.approve(s, a, Seen.one(t.own_pf, 2, 0)),
    "payments.pay": lambda s, a, t: payments.pay(s, a, Seen.one(t.own_pf, 1, 0), "VIR"),
    "payments.validated": lambda s, a, t: payments.validated(s, a),
    "payments.plan_payment_run": lambda s, a, t: payments.plan_payment_run(s, a),
    "payments.execute_payment_run":
        lambda s, a, t: payments.execute_payment_run(s, a, Seen.one(t.own_pf, 1, 0)),
    "payments.batches": lambda s, a, t: payments.batches(s, a),
    "payments.batch_file": lambda s, a, t: payments.batch_file(s, a, 1),
    "payments.reimbursements_due": lambda s, a, t: payments.reimbursements_due(s, a),
    "payments.record_reimbursement":
        lambda s, a, t: payments.record_reimbursement(s, a, Seen.one(t.own_pf, 1, 0), "REF"),
    "review.queue": lambda s, a, t: review.queue(s, a),
    "review.take_next": lambda s, a, t: review.take_next(s, a),
    "review.assign": lambda s, a, t: review.assign(s, a, t.own_pf),
    "review.unassign": lambda s, a, t: review.unassign(s, a, t.own_pf),
    "review.rerun_checks": lambda s, a, t: review.rerun_checks(s, a, t.own_pf),
    "review_screen.review_data": lambda s, a, t: review_screen.review_data(s, a, t.own_pf),
    "review_screen.document_file":
        lambda s, a, t: review_screen.document_file(s, a, t.own_document),
    "stats.overview": lambda s, a, t: stats.overview(s, a),
}

# Manager functions: an instructeur (and a CFA user) is refused.
MANAGER_ONLY: dict[str, Call] = {
    "admin.list_reasons": lambda s, a, t: admin.list_reasons(s, a),
    "admin.add_reason": lambda s, a, t: admin.add_reason(s, a, "X_ERR", "Motif", "Lettre"),
    "admin.edit_reason": lambda s, a, t: admin.edit_reason(s, a, 1, "Motif", "Lettre"),
    "admin.set_reason_active": lambda s, a, t: admin.set_reason_active(s, a, 1, False),
    "admin.delete_reason": lambda s, a, t: admin.delete_reason(s, a, 1),
    "admin.get_settings": lambda s, a, t: admin.get_settings(s, a),
    "admin.set_sla_days": lambda s, a, t: admin.set_sla_days(s, a, 1),
    "admin.set_four_eyes_threshold":
        lambda s, a, t: admin.set_four_eyes_threshold(s, a, Decimal("1")),
    "admin.set_thresholds": lambda s, a, t: admin.set_thresholds(s, a, 1, Decimal("1")),
    "admin.approve_threshold": lambda s, a, t: admin.approve_threshold(s, a, "1"),
    "admin.reject_threshold": lambda s, a, t: admin.reject_threshold(s, a, "1"),
    "admin.list_users": lambda s, a, t: admin.list_users(s, a),
    "admin.cfa_choices": lambda s, a, t: admin.cfa_choices(s, a),
    "admin.instructeur_choices": lambda s, a, t: admin.instructeur_choices(s, a),
    "admin.create_user": lambda s, a, t: admin.create_user(
        s, a, "pirate@test.fr", "Pirate", "manager", "motdepasse-long"),
    "admin.set_user_active": lambda s, a, t: admin.set_user_active(s, a, 1, False),
    "admin.reset_password": lambda s, a, t: admin.reset_password(s, a, 1),
    "stats.portfolio": lambda s, a, t: stats.portfolio(s, a),
    "dashboard.queue": lambda s, a, t: dashboard.queue(s, a, F),
    "dashboard.flow": lambda s, a, t: dashboard.flow(s, a, F),
    "dashboard.instructeurs": lambda s, a, t: dashboard.instructeurs(s, a, F),
    "dashboard.refusals": lambda s, a, t: dashboard.refusals(s, a, F),
    "dashboard_money.money": lambda s, a, t: dashboard_money.money(s, a, F),
    "dashboard_money.checks": lambda s, a, t: dashboard_money.checks(s, a, F),
    "dashboard_drill.pro_formas":
        lambda s, a, t: dashboard_drill.pro_formas(s, a, F, Drill("status", "under_review")),
    "importing.run": lambda s, a, t: importing.run(s, a, b"", "x.csv"),
    "importing.require_importer": lambda s, a, t: importing.require_importer(a),
}

# CFA functions that OPCO staff may not perform on a CFA's behalf (an instructeur never
# generates, deposits or cancels for a CFA, nor reads a user's saved filters).
CFA_ONLY = (
    "portal.precheck", "proformas.cancel",
    "proformas.generate", "proformas.generate_summary", "deposits.deposit", "deposits.precheck",
    "filters.load_filter", "filters.delete_filter", "attestations.deposit", *CFA_OWN,
)
CFA_ONLY_CALLS = {**OTHER_CFA_IDS, **CFA_OWN}

# Helpers that take an ORM row or no id and never decide access themselves: their callers
# (covered above) check access first.
EXEMPT = {
    "access.require_role", "access.require_cfa", "access.require_opco",
    "access.require_manager", "access.get_owned",  # the guards themselves
    "access.require_settled_password",  # the guard of provisional passwords
    # acts on the actor's own account only (tests/workflow/accounts/test_auth)
    "auth.change_password",
    "events.record",  # appends to the log inside a covered function's transaction
    "transitions.apply",  # takes a ProForma row already loaded through get_owned
}


def _snapshot(factory, cfa_id: int) -> tuple:
    """Everything of a CFA that an attack could change."""
    with factory() as s:
        pfs = s.execute(select(ProForma.id, ProForma.status, ProForma.version,
                               ProForma.assigned_to_id).where(ProForma.cfa_id == cfa_id)
                        .order_by(ProForma.id)).all()
        claimed = s.execute(select(Echeance.id, Echeance.pro_forma_id)
                            .where(Echeance.cfa_id == cfa_id).order_by(Echeance.id)).all()
        docs = s.scalar(select(func.count(Document.id)).join(ProForma).where(
            ProForma.cfa_id == cfa_id))
        notices = s.execute(select(Notice.id, Notice.read_at).where(Notice.cfa_id == cfa_id)).all()
        saved = s.execute(select(SavedFilter.id, SavedFilter.criteria).join(User).where(
            User.cfa_id == cfa_id)).all()
        cfa = s.get_one(Cfa, cfa_id).default_settlement
        events = s.scalar(select(func.count(Event.id)))
    return pfs, claimed, docs, notices, saved, cfa, events


def _refused(factory, actor, calls: dict[str, Call], names, t: Target,
             expected: type[Exception] = AccessDenied) -> list[str]:
    """Run each call in its own transaction; the names of those that were not refused."""
    holes = []
    for name in names:
        try:
            with factory.begin() as s:
                calls[name](s, actor, t)
        except expected as exc:
            assert str(exc).strip(), name
            continue
        except WorkflowError as exc:
            holes.append(f"{name}: {type(exc).__name__} au lieu de {expected.__name__} ({exc})")
            continue
        holes.append(f"{name}: accepté")
    return holes


def test_a_cfa_cannot_reach_another_cfas_rows_by_id(world, factory, target):
    before = _snapshot(factory, world.cfa2_id)
    by_id = [n for n in OTHER_CFA_IDS if not n.startswith("proformas.generate")]
    assert _refused(factory, world.cfa1, OTHER_CFA_IDS, by_id, target) == []
    generation = [n for n in OTHER_CFA_IDS if n.startswith("proformas.generate")]
    assert _refused(factory, world.cfa1, OTHER_CFA_IDS, generation, target,
                    WorkflowError) == []
    assert _snapshot(factory, world.cfa2_id) == before


def test_forbidden_and_missing_ids_get_the_same_answer(world, factory, target):
    answers = set()
    for bad in (target.pf_refused, str(target.pf_refused), 999_999, -1, "1 OR 1=1", None,
                "", [target.pf_refused], "1e3"):
        with factory() as s, pytest.raises(AccessDenied) as info:
            portal.get_pro_forma(s, world.cfa1, bad)
        answers.add(str(info.value))
    assert answers == {"Accès refusé : cette pro forma n'existe pas ou ne vous est pas "
                       "accessible."}


def test_a_cfas_own_listings_hold_nothing_of_another_cfa(world, factory, target):
    before = _snapshot(factory, world.cfa2_id)
    with factory() as s:
        numbers_2 = set(s.scalars(select(ProForma.number).where(
            ProForma.cfa_id == world.cfa2_id)))
        contract_numbers_2 = set(s.scalars(select(Echeance.contract_id).where(
            Echeance.cfa_id == world.cfa2_id)))
    seen: dict[str, object] = {}
    for name, call in CFA_OWN.items():
        with factory.begin() as s:
            seen[name] = call(s, world.cfa1, target)
    assert not numbers_2 & {r.number for r in seen["portal.list_pro_formas"].rows}
    assert seen["portal.unread_letters"] == 0  # cfa2's unread letter is not counted
    assert not contract_numbers_2 & {r.id for r in seen["contracts.list_contracts"].rows}
    assert not set(target.echeances) & {r.echeance_id
                                        for r in seen["eligibility.list_eligible"].rows}
    assert not set(target.echeances) & set(seen["eligibility.eligible_ids"])
    assert seen["proformas.preview"].included == 0
    assert target.saved_filter not in {f.id for f in seen["filters.list_filters"]}
    assert not numbers_2 & {r.number for r in seen["cfa_home.waiting"].rows}
    assert not numbers_2 & {r.number for r in seen["cfa_news.refused"]}
    assert not numbers_2 & {r.number for r in seen["cfa_news.paid"]}
    assert seen["cfa_profile.get_profile"].name == "CFA UN"
    after = _snapshot(factory, world.cfa2_id)
    assert after[:-1] == before[:-1]  # only cfa1's own events were added


def test_each_role_is_refused_the_functions_of_the_others(world, factory, target):
    before = (_snapshot(factory, world.cfa1_id), _snapshot(factory, world.cfa2_id))
    # a CFA user calls no OPCO function, not even on its own pro forma
    assert _refused(factory, world.cfa1, OPCO_ONLY, OPCO_ONLY, target) == []
    assert _refused(factory, world.cfa1, MANAGER_ONLY, MANAGER_ONLY, target) == []
    # an instructeur cannot act as a manager
    for actor in (world.instructeur, world.instructeur2):
        assert _refused(factory, actor, MANAGER_ONLY, MANAGER_ONLY, target) == []
    # OPCO staff do not act for a CFA
    for actor in (world.instructeur, world.manager):
        assert _refused(factory, actor, CFA_ONLY_CALLS, CFA_ONLY, target) == []
    assert (_snapshot(factory, world.cfa1_id), _snapshot(factory, world.cfa2_id)) == before


def test_a_provisional_password_reaches_nothing(world, factory, target):
    """Until a reset or initial password is changed, every function of every table refuses
    the actor, its own rows included, and changes nothing."""
    from dataclasses import replace

    from domain.errors import PasswordChangeRequired

    before = (_snapshot(factory, world.cfa1_id), _snapshot(factory, world.cfa2_id))
    cfa = replace(world.cfa1, must_change_password=True)
    staff = replace(world.manager, must_change_password=True)
    for actor, calls in ((cfa, {**CFA_OWN, **OTHER_CFA_IDS}), (staff, OPCO_ONLY),
                         (staff, MANAGER_ONLY)):
        assert _refused(factory, actor, calls, calls, target, PasswordChangeRequired) == []
    assert (_snapshot(factory, world.cfa1_id), _snapshot(factory, world.cfa2_id)) == before


def test_an_actor_with_an_unknown_role_reaches_nothing(world, factory):
    from workflow.common.access import Actor, get_owned

    own = generate(world, factory, [world.contracts1[0]])[0]
    stranger = Actor(world.cfa1.user_id, "auditeur", "X", "x@test.fr", None)  # type: ignore
    with factory() as s, pytest.raises(AccessDenied):
        get_owned(s, ProForma, own, stranger, "cette pro forma")


def _public_actor_functions() -> set[str]:
    found = set()
    for info in pkgutil.walk_packages(workflow.__path__, "workflow."):
        if info.ispkg:
            continue
        module = importlib.import_module(info.name)
        short = info.name.rsplit(".", 1)[-1]
        for name, fn in vars(module).items():
            if (name.startswith("_") or not inspect.isfunction(fn)
                    or fn.__module__ != module.__name__):
                continue
            if "actor" in inspect.signature(fn).parameters:
                found.add(f"{short}.{name}")
    return found


def test_every_public_function_taking_an_actor_has_an_access_test():
    covered = set(OTHER_CFA_IDS) | set(CFA_OWN) | set(OPCO_ONLY) | set(MANAGER_ONLY) | EXEMPT
    missing = sorted(_public_actor_functions() - covered)
    assert missing == [], f"fonctions sans test d'accès : {missing}"
    assert not covered - _public_actor_functions() - EXEMPT, "table out of date"

