"""Widgets of the manager dashboard: filters, tables with their CSV, charts, drill-down.

Money stays ``Decimal`` in tables and CSV files (written as "1234.56" strings); it becomes a
float only to draw a chart.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from console import ui
from domain.formatting import format_day, format_moment, format_moment_medium
from domain.vocabulary import NATURE_LABELS
from workflow.accounts import admin
from workflow.common.bounds import MAX_DATE, MIN_DATE
from workflow.reporting import dashboard_drill
from workflow.reporting.dashboard_sql import Drill, Filters
from workflow.reporting.exports import neutral

REVIEW_PAGE = ui.REVIEW_PAGE
DRILL_PAGE_SIZE = 20


def filters_sidebar() -> Filters:
    """The dashboard filters, drawn in the sidebar."""
    cfas = ui.call(admin.cfa_choices) or []
    staff = ui.call(admin.instructeur_choices) or []
    with st.sidebar:
        st.subheader("Filtres")
        start = st.date_input("Période du", value=None, format="DD/MM/YYYY", key="f_from",
                              min_value=MIN_DATE, max_value=MAX_DATE)
        end = st.date_input("au", value=None, format="DD/MM/YYYY", key="f_to",
                            min_value=MIN_DATE, max_value=MAX_DATE)
        nature = st.selectbox("Nature", [None, *NATURE_LABELS], key="f_nature",
                              format_func=lambda n: "Toutes" if n is None else NATURE_LABELS[n])
        names = dict(cfas)
        cfa = st.selectbox("CFA", [None, *names], key="f_cfa",
                           format_func=lambda c: "Tous" if c is None else names[c])
        people = dict(staff)
        instr = st.selectbox("Instructeur", [None, *people], key="f_instr",
                             format_func=lambda u: "Tous" if u is None else people[u])
    return Filters(_day(start), _day(end), nature, cfa, instr)


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def csv_cell(value: Any) -> Any:
    """A value as written to CSV: amounts as "1234.56", never a float; text that a spreadsheet
    would read as a formula (a CFA's name "=HYPERLINK(…)") quoted (``exports.neutral``)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):  # a moment: Paris time, as on screen
        return format_moment(value)
    if isinstance(value, date):  # a day: "18/09/2023", read as a date by a French spreadsheet
        return format_day(value)
    return neutral(value)


def table(rows: list[dict[str, Any]], file_name: str, key: str, **grid: Any) -> None:
    """Show rows (amounts formatted in French) and offer them as a CSV file; ``grid`` goes to
    ``st.dataframe`` (the date columns' ``column_config``, console/screens/grid_dates.py; an
    amount column named there keeps its Decimal, drawn by console/screens/grid_amounts.py)."""
    if not rows:
        st.info("Aucune donnée pour ces filtres.")
        return
    numbers = set(grid.get("column_config") or ())  # amount columns (grid_amounts) stay numbers
    shown = pd.DataFrame([{k: ui.money(v) if isinstance(v, Decimal) and k not in numbers
                           else format_moment_medium(v) if isinstance(v, datetime) else v
                           for k, v in r.items()} for r in rows])
    st.dataframe(shown, hide_index=True, width="stretch", **grid)
    data = pd.DataFrame([{k: csv_cell(v) for k, v in r.items()} for r in rows])
    st.download_button("Télécharger (CSV)", data.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{file_name}.csv", mime="text/csv", key=f"csv_{key}",
                       icon=":material/download:")


# Vega's own number format in French: "1 400 000", "12,5" (narrow no-break spaces, as Babel)
FRENCH_NUMBER = ("replace(replace(format(datum.value, ',.2~f'), /,/g, '\u202f'), "
                 "/[.]/g, ',')")


# Vega-Lite's format locale in French (d3's fr-FR, with Babel's narrow no-break space): the
# tooltips' numbers ("1 400 000", "12,5") and dates ("18 sept. 2023") as the manual writes them
FRENCH_LOCALE = alt.Locale(
    number=alt.NumberLocale(decimal=",", thousands="\u202f", grouping=[3],
                            currency=["", "\u00a0€"]),
    time=alt.TimeLocale(
        dateTime="%A %e %B %Y à %X", date="%d/%m/%Y", time="%H:%M:%S",
        periods=["AM", "PM"],
        days=["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        shortDays=["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        months=["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"],
        shortMonths=["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                     "sept.", "oct.", "nov.", "déc."]))
NUMBER_FORMAT = ",.2~f"  # grouped, at most two decimals, in the locale above


def tooltip(frame: pd.DataFrame) -> list[Any]:
    """A tooltip line per column, titled with the column's own French name; numbers in the
    French locale, dates in the manual's style ("18 sept. 2023")."""
    out = []
    for name in frame.columns:
        kind = frame[name].dtype.kind
        if kind in "iuf":
            out.append(alt.Tooltip(f"{name}:Q", title=name, format=NUMBER_FORMAT))
        elif kind == "M":
            out.append(alt.Tooltip(f"{name}:T", title=name, format="%-d %b %Y"))
        else:
            out.append(alt.Tooltip(f"{name}:N", title=name))
    return out


def show(chart: Any) -> None:
    """Draw a chart with the French format locale."""
    st.altair_chart(chart.configure(locale=FRENCH_LOCALE), width="stretch")


def _axis(shorthand: str, channel: Any) -> Any:
    """A channel in the frame's own order (never alphabetical: "0–7, 8–15, 16–30, > 30"),
    its labels whole (never truncated) and its numbers in French."""
    quantitative = shorthand.endswith(":Q")
    return channel(shorthand, sort=None, axis=alt.Axis(
        labelLimit=0, labelExpr=FRENCH_NUMBER if quantitative else alt.Undefined,
        labelAngle=alt.Undefined if quantitative else -30))


def chart(frame: pd.DataFrame, mark: str, x: str, y: str, color: str | None = None,
          **encode: Any) -> None:
    """An Altair chart of a small aggregated frame (floats only for drawing)."""
    if frame.empty:
        return
    base = getattr(alt.Chart(frame), f"mark_{mark}")()
    enc: dict[str, Any] = {"x": _axis(x, alt.X), "y": _axis(y, alt.Y),
                           "tooltip": tooltip(frame), **encode}
    if color:
        enc["color"] = alt.Color(color, sort=None, legend=alt.Legend(labelLimit=0,
                                                                      titleLimit=0))
    show(base.encode(**enc))


def pareto(frame: pd.DataFrame) -> None:
    """Bars of refusals by reason with the cumulative share as a line (Pareto chart)."""
    if frame.empty:
        return
    base = alt.Chart(frame).encode(x=alt.X("Motif:N", sort=None, title=None,
                                           axis=alt.Axis(labelLimit=0, labelAngle=-30)))
    bars = base.mark_bar().encode(y=alt.Y("Refus:Q", axis=alt.Axis(labelExpr=FRENCH_NUMBER)),
                                  tooltip=tooltip(frame))
    line = base.mark_line(point=True, color="#d62728").encode(
        y=alt.Y("Cumul (%):Q", scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(labelExpr=FRENCH_NUMBER)))
    show(alt.layer(bars, line).resolve_scale(y="independent"))


def drill(key: str, f: Filters, choices: list[tuple[str, Drill | None]]) -> None:
    """"Voir les pro formas" of one figure row: a paged table, and a way into instruction."""
    options = {label: d for label, d in choices if d is not None}
    picked = st.selectbox("Voir les pro formas derrière ce chiffre", [None, *options],
                          key=f"drill_{key}", format_func=lambda o: "—" if o is None else o)
    if picked is None:
        return
    page_no = st.session_state.get(f"drill_{key}_page", 0)
    page = ui.call(dashboard_drill.pro_formas, f, options[picked], page_no, DRILL_PAGE_SIZE)
    if page is None:
        return
    if not page.rows:
        st.info("Aucune pro forma.")
        return
    st.dataframe(pd.DataFrame([{
        "Pro forma": r.number, "CFA": r.cfa, "Nature": r.nature, "Statut": r.status_label,
        "Montant": ui.money(r.total), "Instructeur": r.assigned_to or "—",
    } for r in page.rows]), hide_index=True, width="stretch")
    ui.pager(f"drill_{key}_page", page.total, DRILL_PAGE_SIZE)
    if (Path(__file__).parent / REVIEW_PAGE).exists():
        numbers = {r.number: r.pro_forma_id for r in page.rows}
        left, right = st.columns([3, 1])
        number = left.selectbox("Pro forma", list(numbers), key=f"drill_{key}_pf")
        if right.button("Ouvrir", key=f"drill_{key}_open", icon=":material/open_in_new:"):
            ui.open_review(numbers[number])


def pct(share: float) -> str:
    """A ratio as "66,7 %"."""
    return f"{share * 100:.1f} %".replace(".", ",")
