"""Each dashboard figure against values computed by hand on the story of dashboard_story.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import AccessDenied, InvalidInput
from tests.workflow.dashboard_story import Story
from workflow.accounts import admin
from workflow.reporting import dashboard, dashboard_drill, dashboard_money
from workflow.reporting.dashboard_sql import Drill, Filters, percentile_cont

ALL = Filters()


@pytest.fixture
def story(world, factory) -> Story:
    return Story(world, factory).play()


def numbers(story: Story, factory, drill: Drill, f: Filters = ALL) -> list[str]:
    """Letters of the pro formas behind a drill (ids mapped back to the story's letters)."""
    by_id = {v: k for k, v in story.ids.items()} | {story.w.paid_pro_forma_id: "W"}
    with factory() as s:
        page = dashboard_drill.pro_formas(s, story.w.manager, f, drill)
    return [by_id[r.pro_forma_id] for r in page.rows]


def test_queue_now_by_status_age_and_sla_setting(story, factory):
    with factory() as s:
        q = dashboard.queue(s, story.w.manager, ALL)
    assert [(r.status, r.count, r.amount) for r in q.by_status] == [
        ("awaiting_invoice", 1, Decimal("3200.00")),   # G
        ("under_review", 3, Decimal("5100.00")),       # D + E + F
        ("refused", 1, Decimal("2800.00")),            # C
        ("validated", 2, Decimal("2104.11")),          # B 2400 + K -295.89
        ("paid", 2, Decimal("11200.00")),              # A + the world's PRO-00600001 (W)
        ("cancelled", 1, Decimal("300.00")),           # H
    ]
    # D deposited 7 days ago, E 22, F 38 (today 2026-11-27)
    assert [(b.label, b.count, b.amount, b.beyond_sla) for b in q.buckets] == [
        ("0–7 jours", 1, Decimal("2200.00"), False), ("8–15 jours", 0, Decimal("0.00"), False),
        ("16–30 jours", 1, Decimal("2400.00"), True), ("> 30 jours", 1, Decimal("500.00"), True),
    ]
    assert q.sla_days == 15 and q.late_count == 2
    assert [(r.pro_forma_id, r.age_days) for r in q.late] == [
        (story.ids["F"], 38), (story.ids["E"], 22)]
    assert numbers(story, factory, q.by_status[1].drill) == ["D", "E", "F"]
    assert numbers(story, factory, q.buckets[2].drill) == ["E"]
    assert numbers(story, factory, q.late_drill) == ["E", "F"]
    # the past-SLA list follows the manager setting
    for days, late in ((30, ["F"]), (5, ["F", "E", "D"]), (40, [])):
        with factory.begin() as s:
            admin.set_sla_days(s, story.w.manager, days)
        with factory() as s:
            q = dashboard.queue(s, story.w.manager, ALL)
        by_id = {v: k for k, v in story.ids.items()}
        assert [by_id[r.pro_forma_id] for r in q.late] == late
        assert q.late_count == len(late) and q.sla_days == days


def test_flow_per_week_delays_and_filters(story, factory):
    with factory() as s:
        fl = dashboard.flow(s, story.w.manager, ALL)
    assert [(w.label, w.week, w.deposits, w.decisions, w.payments) for w in fl.weeks] == [
        ("2026-S12", date(2026, 3, 16), 0, 0, 1),   # W paid (the world's PRO-00600001)
        ("2026-S41", date(2026, 10, 5), 3, 2, 0),   # A, B, B again; A validated, B refused
        ("2026-S42", date(2026, 10, 12), 1, 2, 1),  # K; K and B validated; A paid
        ("2026-S43", date(2026, 10, 19), 1, 0, 0),  # F
        ("2026-S45", date(2026, 11, 2), 2, 1, 0),   # C, E; C refused
        ("2026-S47", date(2026, 11, 16), 1, 0, 0),  # D
    ]
    # deposit → decision: A 2, B 2, K 1, B again 6, C 1 → [1, 1, 2, 2, 6]
    assert (fl.to_decision.count, fl.to_decision.median, fl.to_decision.p90) == (5, 2.0, 4.4)
    # decision → payment: A validated 10-07, paid 10-12; W decided 03-10, paid 03-20
    assert (fl.to_payment.count, fl.to_payment.median, fl.to_payment.p90) == (2, 7.5, 9.5)
    october = Filters(period_from=date(2026, 10, 1), period_to=date(2026, 10, 11))
    second = Filters(instructeur_id=story.w.instructeur2.user_id)
    with factory() as s:
        fl = dashboard.flow(s, story.w.manager, october)
        f2 = dashboard.flow(s, story.w.manager, second)
    assert [(w.label, w.deposits, w.decisions, w.payments) for w in fl.weeks] == [
        ("2026-S41", 3, 2, 0)]
    assert (fl.to_payment.count, fl.to_payment.median) == (0, None)
    assert sum(w.decisions for w in f2.weeks) == 2  # B refused, K validated
    assert (f2.to_decision.median, f2.to_decision.p90) == (1.5, 1.9)  # [1, 2]


def test_instructeurs(story, factory):
    with factory() as s:
        ins = dashboard.instructeurs(s, story.w.manager, ALL)
    assert [(r.label, r.name, r.decisions) for r in ins.weekly] == [
        ("2026-S41", "Instructeur Deux", 1), ("2026-S41", "Instructeur Un", 1),
        ("2026-S42", "Instructeur Deux", 1), ("2026-S42", "Instructeur Un", 1),
        ("2026-S45", "Instructeur Un", 1),
    ]
    # Deux: refused B, validated K against a failed check. Un: validated A and B, refused C
    # although every check passed.
    assert [(r.name, r.decisions, r.refusals, r.against_checks) for r in ins.totals] == [
        ("Instructeur Deux", 2, 1, 1), ("Instructeur Un", 3, 1, 1)]
    assert ins.totals[0].refusal_share == 0.5
    assert ins.totals[1].against_share == pytest.approx(1 / 3)
    assert numbers(story, factory, ins.totals[0].drill) == ["K", "B"]


def test_refusals(story, factory):
    with factory() as s:
        r = dashboard.refusals(s, story.w.manager, ALL)
    assert [(x.code, x.count, x.share, x.cumulative) for x in r.by_reason] == [
        ("MONTANTTOTAL_ERR", 1, 0.5, 0.5), ("CMD_ERR", 1, 0.5, 1.0)]
    assert [(x.name, x.decisions, x.refusals, x.refusal_share) for x in r.by_cfa] == [
        ("CFA DEUX", 1, 1, 1.0), ("CFA UN", 4, 1, 0.25)]
    # validated: A, K first time; B after a refusal
    assert (r.validated, r.first_time) == (3, 2)
    assert r.first_time_share == pytest.approx(2 / 3)
    assert (r.rework_loops, r.rework_pro_formas) == (1, 1)  # B refused then deposited again
    assert numbers(story, factory, r.by_reason[0].drill) == ["B"]
    assert numbers(story, factory, r.by_cfa[0].drill) == ["C"]
    assert numbers(story, factory, r.first_time_drill) == ["A", "K"]
    assert numbers(story, factory, Drill("not_first_time")) == ["B"]
    assert numbers(story, factory, r.rework_drill) == ["B"]


def test_money_by_nature_stage_and_filters(story, factory):
    with factory() as s:
        m = dashboard_money.money(s, story.w.manager, ALL)
    rows = {r.nature: (r.engaged, r.invoiced, r.validated, r.paid) for r in m.by_nature}
    # engaged: échéances of the Engagé contracts (cfa1's contract 2 is ruptured)
    assert rows["pedagogie"] == (Decimal("64750.00"), Decimal("23904.11"),
                                 Decimal("13304.11"), Decimal("11200.00"))  # W: 5 600 more
    assert rows["equipement"] == (Decimal("500.00"), Decimal("500.00"), Decimal("0.00"),
                                  Decimal("0.00"))
    assert rows["frais_annexes"] == (Decimal("600.00"),) + (Decimal("0.00"),) * 3  # H cancelled
    assert (m.total.engaged, m.total.invoiced) == (Decimal("65850.00"), Decimal("24404.11"))
    assert [(c.mode, c.count, c.outstanding) for c in m.credits] == [
        ("deduction", 1, Decimal("295.89")), ("remboursement", 0, Decimal("0.00"))]
    assert numbers(story, factory, m.by_nature[0].drill("validated")) == ["W", "A", "K", "B"]
    assert numbers(story, factory, m.credits[0].drill) == ["K"]
    assert m.by_nature[0].drill("engaged") is None
    with factory() as s:
        cfa2 = dashboard_money.money(s, story.w.manager, Filters(cfa_id=story.w.cfa2_id))
        equip = dashboard_money.money(s, story.w.manager, Filters(nature="equipement"))
        october = dashboard_money.money(s, story.w.manager, Filters(
            period_from=date(2026, 10, 1), period_to=date(2026, 10, 31)))
    assert cfa2.total.invoiced == Decimal("5000.00") and cfa2.credits[0].count == 0
    assert [r.nature for r in equip.by_nature] == ["equipement"]
    # October: nothing created; A, K, B validated; A paid; échéances of Engagé contracts due
    # 10-01..10-31: 15 (600), 16 (2400), 17 (300, frais annexes), 23 (1800)
    assert (october.total.engaged, october.total.invoiced, october.total.validated,
            october.total.paid) == (Decimal("5100.00"), Decimal("0.00"), Decimal("7704.11"),
                                    Decimal("5600.00"))


def test_automatic_checks_filters_and_access(story, factory):
    with factory() as s:
        c = dashboard_money.checks(s, story.w.manager, ALL)
    # 8 documents; B's first and K's show a wrong total
    assert (c.deposits, c.all_pass, c.all_pass_share) == (8, 6, 0.75)
    assert (c.decisions, c.against, c.agreement_share) == (5, 2, 0.6)
    assert [(r.summary, r.validated, r.refused) for r in c.matrix] == [
        ("pass", 2, 1), ("fail", 1, 1), ("unknown", 0, 0)]
    assert numbers(story, factory, c.against_drill) == ["K", "C"]
    w = story.w
    with factory() as s:
        with pytest.raises(InvalidInput):
            dashboard.queue(s, w.manager, Filters(date(2026, 10, 2), date(2026, 10, 1)))
        with pytest.raises(InvalidInput):
            dashboard_drill.pro_formas(s, w.manager, ALL, Drill("nothing"))
        for who in (w.instructeur, w.cfa1):
            with pytest.raises(AccessDenied):
                dashboard.queue(s, who, ALL)
            with pytest.raises(AccessDenied):
                dashboard_drill.pro_formas(s, who, ALL, Drill("status", "paid"))
        assert dashboard.queue(s, w.admin, Filters(cfa_id=w.cfa2_id)).by_status[1].count == 1


def test_percentile_cont_matches_postgres_definition():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([3.0], 0.9) == 3.0
    assert percentile_cont([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile_cont([1.0, 1.0, 2.0, 2.0, 6.0], 0.9) == pytest.approx(4.4)
