"""*Instruire une facture*'s comparison: the deposited file (its page, the highlights of the
chosen verdict) beside the pro forma (the CFA's records, the total, the verdicts, the lines)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from console import ui
from domain.clock import paris, paris_day
from domain.errors import WorkflowError
from domain.formatting import format_day_medium
from domain.vocabulary import NATURE_LABELS
from workflow.deposits import attestations
from workflow.review import review_screen


@st.cache_data(max_entries=64, show_spinner="Affichage du document…")
def page(doc_id: int, number: int, _content: bytes,
         media_type: str) -> review_screen.PageImage | str:
    """One page rendered in the sandbox, bounded in pixels, cached by document and page (the
    highlights are drawn on top); the French message when it cannot be shown (cached too, so
    that a costly file is not tried again at every rerun)."""
    try:
        return review_screen.render_page(_content, media_type, number)
    except WorkflowError as exc:
        return str(exc)


def marks_of(verdict: review_screen.Verdict | review_screen.LineView | None) -> tuple:
    hl = verdict.highlights() if verdict else {}
    return tuple(sorted((p, tuple(tuple(b) for b in boxes)) for p, boxes in hl.items()))


@dataclass(frozen=True)
class Pick:
    """What the instructeur picked to see on the page: a verdict or one dossier's line."""

    key: str
    shown: review_screen.Verdict | review_screen.LineView | None


def line_checks_table(lines: list[review_screen.LineView]) -> pd.DataFrame:
    """Each dossier of the pro forma beside what the invoice bills for it, differing first."""
    # the amounts right after the dossier: at 1366 px the column holds about four columns
    columns = ["Verdict", "Dossier", "Pro forma", "Facture", "Constat", "Apprenti", "Page"]
    return pd.DataFrame([{
        "Verdict": review_screen.LINE_ICONS.get(v.status or "", "—"),
        "Dossier": v.contract,
        "Pro forma": ui.money(v.expected) if v.expected is not None else "—",
        "Facture": ui.money(v.found) if v.found is not None else "—",
        "Constat": v.status_label,
        "Apprenti": v.apprentice,
        "Page": int(v.evidence["page"]) if v.evidence else None,
    } for v in lines], columns=columns)


def lines_table(lines: list[dict]) -> pd.DataFrame | None:
    """The pro forma's lines, amounts in French."""
    return pd.DataFrame(lines).assign(Montant=lambda t: t["Montant"].map(ui.money)) \
        if lines else None


def when(at: datetime | None) -> str:
    """An aware moment in Paris time, as "18 sept. 2023 à 10:05"."""
    return f"{format_day_medium(paris_day(at))} à {paris(at):%H:%M}" if at else ""


def pro_forma_side(data: review_screen.ReviewData, verdicts: list) -> Pick:
    """The right-hand column: what the file must match and the verdicts (the one picked has
    its evidence highlighted), then each dossier of the pro forma beside the invoice's line
    (one picked: where the invoice bills it is highlighted instead)."""
    cfa = data.cfa
    st.markdown(f"**{ui.text(cfa['name'])}**  \nSIRET enregistré : {ui.text(cfa['siret'])}  \n"
                f"IBAN enregistré : {ui.text(cfa['iban'])} (BIC {ui.text(cfa['bic'])})")
    # plain lines, never truncated at 1366 px (metrics cut "3 600,…" in a narrow column)
    st.markdown(f"**Montant total** : {ui.money(data.total)}  \n"
                f"**Dossiers** : {data.dossiers}  \n"
                f"**Nature** : {NATURE_LABELS.get(data.nature, data.nature)}")
    st.caption(f"N° de facture du CFA : {ui.text(data.own_invoice_number or '—')}")
    st.markdown("**Contrôles automatiques** (cliquez pour voir où la valeur a été lue)")
    if data.pending:
        st.info(ui.text(data.pending[:1].upper() + data.pending[1:]) + " : les verdicts "
                "s'afficheront ici dès qu'ils seront prêts (rechargez la page).",
                icon=":material/hourglass_top:")
    run = data.current_run
    pick = st.radio("Contrôle", range(len(verdicts)), key=f"verdict_{run.id if run else 0}",
                    label_visibility="collapsed", index=None,
                    format_func=lambda i: f"{review_screen.OUTCOME_ICONS[verdicts[i].outcome]} "
                    f"{ui.text(verdicts[i].label)} — {ui.text(verdicts[i].message)}")
    line = lines_side(data, run.id if run else 0)
    if line is not None:
        return Pick(f"line_{line}", data.line_checks[line])
    return Pick(f"verdict_{pick}", verdicts[pick] if pick is not None else None)


def lines_side(data: review_screen.ReviewData, run_id: int) -> int | None:
    """The pro forma's dossiers beside the invoice's lines, the differing ones first; the index
    of the dossier picked to be seen on the invoice."""
    lines = data.line_checks
    st.markdown("**Lignes : pro forma et facture**")
    wrong = sum(v.differs for v in lines)
    if wrong:
        st.caption(f"{wrong} ligne(s) en écart, en tête du tableau.")
    # as tall as its rows (a header and 35 px a row), up to ten rows before it scrolls
    st.dataframe(line_checks_table(lines), hide_index=True, width="stretch",
                 height=38 + 35 * min(max(len(lines), 1), 10),
                 column_config={"Verdict": st.column_config.TextColumn(width=60)})
    seen = [i for i, v in enumerate(lines) if v.evidence]
    if not seen:
        return None
    return st.selectbox("Voir sur la facture la ligne du dossier", [None, *seen],
                        key=f"line_{run_id}", format_func=lambda i: "—" if i is None else
                        f"{lines[i].contract} — {lines[i].status_label}")


def document_side(data: review_screen.ReviewData, pick: Pick) -> None:
    """The left-hand column: the displayed version's page, the picked verdict's (or dossier's)
    evidence highlighted; its download, and a final balance's attestation."""
    if not data.documents:
        st.info("Aucun document déposé.")
    else:
        doc = data.documents[0]
        content = doc.content or b""  # the displayed version's bytes (the others': none)
        st.caption(f"{ui.text(doc.filename)} — version {doc.version} du "
                   f"{when(doc.uploaded_at)}")
        marks = dict(marks_of(pick.shown))
        first = page(doc.id, 1, content, doc.media_type)
        number = 1
        if isinstance(first, review_screen.PageImage) and first.page_count > 1:
            number = st.selectbox("Page", range(1, first.page_count + 1),
                                  index=min(max(min(marks, default=1), 1), first.page_count) - 1,
                                  key=f"page_{doc.id}_{pick.key}",
                                  format_func=lambda n: f"Page {n} / {first.page_count}")
        shown = first if number == 1 else page(doc.id, number, content, doc.media_type)
        if isinstance(shown, str):
            st.warning(ui.text(shown))
        else:
            st.image(review_screen.highlight(shown, [list(b) for b in marks.get(number, ())]),
                     caption=f"Page {number}", width="stretch")
        st.download_button("Télécharger le fichier déposé", content, doc.filename,
                           mime=doc.media_type)
    proof = ui.call(attestations.for_review, data.pro_forma_id)  # a final balance's (issue 18)
    if proof is not None:
        st.download_button(f"Attestation de réalisation — version {proof.version} — "
                           f"{ui.text(proof.filename)}", proof.content, proof.filename,
                           mime=proof.media_type)
