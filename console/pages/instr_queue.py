"""File d'instruction: the queue of deposited invoices, its filters, "Prendre le suivant"."""

from decimal import Decimal

import streamlit as st

from console import selection, ui
from console.screens import grid_amounts, grid_dates
from domain.vocabulary import KIND_LABELS, NATURE_LABELS
from workflow.review import find, review

PAGE_SIZE = 25


def open_review(pf_id: int) -> None:
    selection.clear("queue")  # the selection is used: back in the queue, nothing is ticked
    ui.open_review(pf_id)


st.title("File d'instruction")
ui.require_actor()  # a logged-out session sees nothing but the warning
st.caption("Pro formas « En cours de validation », du dépôt le plus ancien au plus récent.")
if st.button("Prendre le suivant", type="primary", icon=":material/skip_next:",
             shortcut="Alt+N", help="Raccourci : Alt+N"):
    taken = ui.call(review.take_next)
    if taken is not None:
        open_review(taken.pro_forma_id)
    st.info("Aucune pro forma non attribuée dans la file.")

with st.form("queue_find", border=False):
    a, b = st.columns([4, 1], vertical_alignment="bottom")
    wanted = a.text_input("Rechercher une pro forma (N° de pro forma ou N° de facture du CFA)",
                          placeholder="PRO-00610001 ou FA-2024-0153", key="queue_find_text")
    b.form_submit_button("Rechercher", icon=":material/search:")
if wanted.strip():
    found = ui.call(find.find_pro_formas, wanted) or []
    if not found:
        st.info("Aucune pro forma ne porte ce numéro de pro forma ou de facture.")
    for f in found:
        x, y = st.columns([4, 1], vertical_alignment="center")
        x.markdown(f"**{f.number}** — facture du CFA {ui.text(f.own_invoice_number or '—')} — "
                   f"{ui.text(f.cfa)} — {ui.money(f.total)} — {f.status_label}")
        if y.button("Ouvrir", key=f"queue_find_{f.pro_forma_id}"):
            open_review(f.pro_forma_id)

with st.expander("Filtres", expanded=False):
    a, b, c = st.columns(3)
    cfa = a.text_input("CFA (nom ou SIRET)")
    nature = b.selectbox("Nature", [None, *NATURE_LABELS],
                         format_func=lambda n: "Toutes" if n is None else NATURE_LABELS[n])
    kind = c.selectbox("Type", [None, *KIND_LABELS],
                       format_func=lambda k: "Tous" if k is None else KIND_LABELS[k])
    d, e, f, g = st.columns(4)
    min_total = d.number_input("Montant min. (€)", value=None, step=100.0,
                               min_value=-99_999_999.99, max_value=99_999_999.99)
    max_total = e.number_input("Montant max. (€)", value=None, step=100.0,
                               min_value=-99_999_999.99, max_value=99_999_999.99)
    min_age = f.number_input("Déposée depuis au moins (jours)", value=None, min_value=0,
                             max_value=3650, step=1)
    max_age = g.number_input("Déposée depuis au plus (jours)", value=None, min_value=0,
                             max_value=3650, step=1)
    h, i = st.columns(2)
    outcome = h.selectbox("Contrôles", [None, *review.CHECK_FILTERS],
                          format_func=lambda o: "Tous" if o is None else review.CHECK_FILTERS[o])
    assigned = i.selectbox("Attribution", [None, *review.ASSIGNED_FILTERS],
                           format_func=lambda o: "Toutes" if o is None
                           else review.ASSIGNED_FILTERS[o])


def dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


filters = review.QueueFilters(
    cfa=cfa, nature=nature, kind=kind, min_total=dec(min_total), max_total=dec(max_total),
    min_age_days=None if min_age is None else int(min_age),
    max_age_days=None if max_age is None else int(max_age), checks=outcome, assigned=assigned)
page_no = st.session_state.get("queue_page", 0)
page = ui.call(review.queue, filters, page_no, PAGE_SIZE)
if page is None:
    st.stop()
if not page.rows:
    selection.empty("queue")
    st.info("Aucune pro forma ne correspond à ces critères.")
    st.stop()
rows = {r.pro_forma_id: r for r in page.rows}
chosen = selection.pick("queue", [{
    "Pro forma": r.number, "CFA": r.cfa, "Nature": NATURE_LABELS.get(r.nature, r.nature),
    "Type": KIND_LABELS[r.kind], "Montant": grid_amounts.amount(r.total), "Dossiers": r.dossiers,
    "Déposée le": grid_dates.moment(r.deposited_at), "Âge (jours)": r.age_days,
    "Instructeur": r.assigned_to or "—", "Contrôles": r.pending or r.checks,
} for r in page.rows], list(rows), labels=[r.number for r in page.rows], multi=False,
    placeholder=grid_dates.EMPTY, column_config=grid_dates.columns(moments=("Déposée le",))
    | grid_amounts.columns("Montant"))
ui.pager("queue_page", page.total, PAGE_SIZE)
if chosen:
    row = rows[chosen[0]]
    left, right = st.columns(2)
    if left.button(f"Ouvrir {row.number}", type="primary", shortcut="Alt+O",
                   help="Raccourci : Alt+O"):
        open_review(row.pro_forma_id)
    if right.button(f"M'attribuer {row.number}") and ui.call(review.assign, row.pro_forma_id):
        open_review(row.pro_forma_id)
else:
    st.caption("Sélectionnez une ligne pour l'ouvrir.")
