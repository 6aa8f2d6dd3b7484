"""The six panels of the manager's *Tableau de bord*, each drawn only when its tab is open
(each is a few SQL aggregates over the whole history)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from console import dashboard_widgets as w
from console import ui
from console.screens import grid_amounts, grid_dates
from workflow.reporting import dashboard, dashboard_money
from workflow.reporting.dashboard_sql import Filters


def figure(f: Filters, fn: Any) -> Any:
    """One panel's figures, or stop the page after the French error (e.g. a reversed period)."""
    result = ui.call(fn, f)
    if result is None:
        st.stop()
    return result


def queue(f: Filters) -> None:
    """"File d'attente": the current queue by status and age, the late ones."""
    q = figure(f, dashboard.queue)
    st.caption("Situation actuelle (la période ne s'applique pas).")
    w.chart(pd.DataFrame([{"Statut": r.label, "Pro formas": r.count} for r in q.by_status]),
            "bar", "Statut:N", "Pro formas:Q")
    w.table([{"Statut": r.label, "Pro formas": r.count, "Montant": r.amount}
             for r in q.by_status], "pro_formas_par_statut", "status")
    st.subheader(f"En cours de validation, par ancienneté du dépôt (délai cible : "
                 f"{q.sla_days} jours)")
    w.chart(pd.DataFrame([{"Ancienneté": b.label, "Pro formas": b.count,
                           "Au-delà du délai cible": "oui" if b.beyond_sla else "non"}
                          for b in q.buckets]), "bar", "Ancienneté:N", "Pro formas:Q",
            "Au-delà du délai cible:N")
    w.table([{"Ancienneté": b.label, "Pro formas": b.count, "Montant": b.amount}
             for b in q.buckets], "anciennete", "buckets")
    st.subheader(f"Au-delà du délai cible : {q.late_count} pro forma(s)")
    w.table([{"Pro forma": r.number, "CFA": r.cfa,
              "Déposée le": grid_dates.day(r.deposited_at), "Âge (jours)": r.age_days,
              "Montant": r.total, "Instructeur": r.assigned_to or "—"}
             for r in q.late], "hors_delai", "late", placeholder=grid_dates.EMPTY,
            column_config=grid_dates.columns(days=("Déposée le",))
            | grid_amounts.columns("Montant"))
    w.drill("queue", f, [(f"Statut : {r.label} ({r.count})", r.drill) for r in q.by_status]
            + [(f"Ancienneté : {b.label} ({b.count})", b.drill) for b in q.buckets]
            + [(f"Au-delà du délai cible ({q.late_count})", q.late_drill)])


def flow(f: Filters) -> None:
    """"Flux": deposits, decisions and payments per week; the delays."""
    fl = figure(f, dashboard.flow)
    weeks = [{"Semaine": r.label, "Dépôts": r.deposits, "Décisions": r.decisions,
              "Paiements": r.payments} for r in fl.weeks]
    long = pd.DataFrame(weeks).melt("Semaine", var_name="Flux", value_name="Nombre") \
        if weeks else pd.DataFrame()
    w.chart(long, "line", "Semaine:N", "Nombre:Q", "Flux:N")
    w.table(weeks, "flux_par_semaine", "weeks")
    st.subheader("Délais (jours)")
    w.table([{"Délai": label, "Nombre": d.count, "Médiane": d.median, "90e centile": d.p90}
             for label, d in (("Dépôt → décision", fl.to_decision),
                              ("Décision → paiement", fl.to_payment))], "delais", "delays")


def instructeurs(f: Filters) -> None:
    """"Instructeurs": decisions per week and per instructeur."""
    ins = figure(f, dashboard.instructeurs)
    w.chart(pd.DataFrame([{"Semaine": r.label, "Instructeur": r.name, "Décisions": r.decisions}
                          for r in ins.weekly]), "bar", "Semaine:N", "Décisions:Q",
            "Instructeur:N")
    w.table([{"Semaine": r.label, "Instructeur": r.name, "Décisions": r.decisions}
             for r in ins.weekly], "decisions_par_semaine", "instr_weeks")
    w.table([{"Instructeur": r.name, "Décisions": r.decisions, "Refus": r.refusals,
              "Part de refus": w.pct(r.refusal_share), "Contre les contrôles": r.against_checks,
              "Part contre les contrôles": w.pct(r.against_share)} for r in ins.totals],
            "instructeurs", "instr")
    w.drill("instr", f, [(f"Décisions de {r.name} ({r.decisions})", r.drill)
                         for r in ins.totals])


def refusals(f: Filters) -> None:
    """"Refus": refusals by reason (Pareto) and by CFA; first-time right, rework."""
    ref = figure(f, dashboard.refusals)
    w.pareto(pd.DataFrame([{"Motif": r.label, "Refus": r.count,
                            "Cumul (%)": round(r.cumulative * 100, 1)} for r in ref.by_reason]))
    w.table([{"Motif": r.label, "Refus": r.count, "Part": w.pct(r.share),
              "Cumul": w.pct(r.cumulative)} for r in ref.by_reason], "refus_par_motif",
            "reason")
    w.table([{"CFA": r.name, "Décisions": r.decisions, "Refus": r.refusals,
              "Part de refus": w.pct(r.refusal_share)} for r in ref.by_cfa],
            "refus_par_cfa", "refcfa")
    a, b = st.columns(2)
    a.metric("Factures bonnes du premier coup", w.pct(ref.first_time_share),
             help=f"{ref.first_time} sur {ref.validated} validées sans refus préalable")
    b.metric("Boucles de reprise (refusée puis redéposée)", ref.rework_loops,
             help=f"{ref.rework_pro_formas} pro forma(s) concernée(s)")
    w.drill("refusals", f, [(f"Motif : {r.label} ({r.count})", r.drill) for r in ref.by_reason]
            + [(f"CFA : {r.name} ({r.refusals} refus)", r.drill) for r in ref.by_cfa]
            + [("Validées du premier coup", ref.first_time_drill),
               ("Reprises après refus", ref.rework_drill)])


def money(f: Filters) -> None:
    """"Montants": amounts by nature and stage; credit notes still to settle."""
    mon = figure(f, dashboard_money.money)
    stages = dashboard_money.STAGE_LABELS
    w.chart(pd.DataFrame([{"Nature": r.label, "Étape": stages[s], "Montant (€)":
                           float(getattr(r, s))} for r in mon.by_nature for s in stages]),
            "bar", "Nature:N", "Montant (€):Q", "Étape:N", xOffset="Étape:N")
    w.table([{"Nature": r.label, **{stages[s]: getattr(r, s) for s in stages}}
             for r in [*mon.by_nature, mon.total]], "montants", "money")
    st.subheader("Factures d'avoir restant à régler")
    w.table([{"Mode de règlement": c.label, "Factures d'avoir": c.count,
              "Reste à régler": c.outstanding} for c in mon.credits], "avoirs", "credits")
    w.drill("money", f, [(f"{r.label} — {stages[s]}", r.drill(s)) for r in mon.by_nature
                         for s in stages]
            + [(f"Avoirs en {c.label.lower()} ({c.count})", c.drill) for c in mon.credits])


def checks(f: Filters) -> None:
    """"Contrôles automatiques": the checks against the decisions."""
    chk = figure(f, dashboard_money.checks)
    a, b = st.columns(2)
    a.metric("Dépôts conformes à tous les contrôles", w.pct(chk.all_pass_share),
             help=f"{chk.all_pass} sur {chk.deposits} dépôts (premier passage des contrôles)")
    b.metric("Décisions en accord avec les contrôles", w.pct(chk.agreement_share),
             help=f"{chk.against} décision(s) sur {chk.decisions} contre les contrôles")
    w.table([{"Contrôles": r.label, "Validées": r.validated, "Refusées": r.refused}
             for r in chk.matrix], "controles_decisions", "matrix")
    w.drill("checks", f, [(f"Décisions contre les contrôles ({chk.against})",
                           chk.against_drill)])
