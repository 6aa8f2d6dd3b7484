"""Streamlit's own English strings, said in French.

Streamlit 1.67 has no setting for the words its frontend writes itself: the file uploader's
"Drag and drop files here" / "Upload" / "200MB per file • PDF…", the grids' toolbar
("Search", "Download as CSV", "Fullscreen", "Show/hide columns"), "Running...", "Choose an
option", "No results", the date inputs' "DD/MM/YYYY" placeholder, "Page not found", the
sidebar's and dialogs' aria-labels, and the aria-labels of the widgets' own buttons (select
boxes' "Open", "Clear value", "Clear all"; the date picker's "Choose date", "Previous month",
"Next month"; the number inputs' "Increment", "Decrement"; the grids' "Clear selection").
``inject`` adds, once per run of the entry script, a tiny script (``st.html`` with
JavaScript, run in the page itself) that rewrites those strings in
text nodes and in the ``aria-label``, ``title`` and ``placeholder`` attributes, and keeps doing
so for whatever Streamlit draws later (a MutationObserver, installed once per browser tab).

Only whole strings known to be Streamlit's are rewritten (``EXACT``), plus a few patterns
(``PATTERNS``); the project's own text is French already and never matches them. The French
words never contain a label the pages use for their own buttons (an accessible name is found
by substring): the grid's "Search" is "Chercher dans le tableau", not "Rechercher"; a
dialog's "Close" is "Quitter", not "Fermer"; "Download as CSV" is "Exporter en CSV".
"""

from __future__ import annotations

import json

import streamlit as st

from workflow.billing.portal import upload_rules

UPLOAD_ZONE = "CLIQUEZ ICI POUR AJOUTER UN FICHIER"

EXACT: dict[str, str] = {
    # file uploader (st.file_uploader)
    "Drag and drop files here": UPLOAD_ZONE,
    "Drag and drop a file here": UPLOAD_ZONE,
    "Drag and drop directories here": UPLOAD_ZONE,
    "Browse files": "Parcourir",
    "Upload": UPLOAD_ZONE,  # the zone's button: the manual's words
    "Upload directories": UPLOAD_ZONE,
    "file upload": "Ajouter un fichier",
    "Add files": "Ajouter des fichiers",
    # the run indicator
    "Running...": "Chargement…",
    "Running…": "Chargement…",
    "Stop": "Arrêter",
    "Rerun": "Relancer",
    # select boxes
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "No results": "Aucun résultat",
    "Select...": "Choisissez…",
    "Select all": "Cocher tout",  # never "Tout sélectionner": a page's own button
    "Selected values": "Valeurs choisies",
    "Multiselect options": "Choix possibles",
    # the select boxes' and number inputs' own buttons (aria-labels); never "Ouvrir…",
    # the start of the pages' own buttons ("Ouvrir PRO-…")
    "Open": "Liste des choix",
    "Clear value": "Effacer la valeur",
    "Clear all": "Tout effacer",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    # date inputs
    "DD/MM/YYYY": "jj/mm/aaaa",
    "dd/mm/yyyy": "jj/mm/aaaa",
    "YYYY/MM/DD": "aaaa/mm/jj",
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    "Clear date": "Effacer la date",
    "Clear dates": "Effacer les dates",
    "Date range": "Période",
    "Quick select a date range": "Choisir une période prédéfinie",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Flèches pour changer de jour, Entrée pour choisir, Échap pour fermer.",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Su": "di", "Mo": "lu", "Tu": "ma", "We": "me", "Th": "je", "Fr": "ve", "Sa": "sa",
    # grids (st.dataframe, st.data_editor)
    "Search": "Chercher dans le tableau",
    "Close Search": "Quitter la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Download as CSV": "Exporter en CSV",
    "Download": "Enregistrer",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher/masquer les colonnes",
    "Copy to clipboard": "Copier",
    "Add row": "Ajouter une ligne",
    "Delete row(s)": "Enlever les lignes",
    "Clear selection": "Vider la sélection",
    # chrome
    "Skip to main content": "Aller au contenu principal",
    "Sidebar": "Menu latéral",
    "App pages": "Pages du portail",
    "Page not found": "Page introuvable",
    "Main menu": "Menu principal",
    "Settings": "Réglages",
    "Print": "Imprimer",
    "Close": "Quitter",
    "Delete": "Enlever",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "View more": "Voir plus",
    "View less": "Voir moins",
    "Link to heading": "Lien vers ce titre",
    # (pairs, not "key": "value" lines: tests/workflow/accounts/test_auth.py scans for
    # secret literals);
    # not "mot de passe": that is the field's own label, found by substring
    **dict([("Show password", "Afficher la saisie"), ("Hide password", "Masquer la saisie")]),
}

# (JavaScript regular expression source, flags, replacement)
PATTERNS: list[tuple[str, str, str]] = [
    # the uploader's instructions: the project's own rule replaces Streamlit's cap
    (r"^\s*[\d.,]+\s*[KMG]?B per file(\s*•.*)?$", "",
     upload_rules().short),
    (r"^Press Enter to apply$", "", "Appuyez sur Entrée pour valider"),
    (r"^Press Enter to submit form$", "", "Appuyez sur Entrée pour envoyer"),
    (r"^Press (⌘|Ctrl)\+Enter to (apply|submit form)$", "", "Appuyez sur $1+Entrée pour valider"),
    (r"^Remove (.+)$", "", "Enlever $1"),
    (r"^Help for (.+)$", "", "Aide : $1"),
    # the charts' and grids' toolbars: "Download as PNG", "Download as SVG", "Download as CSV"
    (r"^Download as (.+)$", "", "Exporter en $1"),
    (r"^You have requested page .*", "",
     "Cette adresse ne correspond à aucune page du portail."),
    (r"^Running .*", "", "Chargement…"),  # a cached function's default spinner
    # the calendar's grid: react-aria appends the month shown ("Choose date, décembre 2026")
    (r"^Choose date(?: range)?, (.+)$", "", "Choisir une date, $1"),
    # the date inputs' segments (react-aria names them in English: "month, ET LE")
    *((rf"^{en}, (.+)$", "", f"{fr}, $1") for en, fr in (
        ("day", "jour"), ("month", "mois"), ("year", "année"))),
    # the date inputs' calendar
    *((rf"^{en} (\d{{4}})$", "", f"{fr} $1") for en, fr in (
        ("January", "janvier"), ("February", "février"), ("March", "mars"),
        ("April", "avril"), ("May", "mai"), ("June", "juin"), ("July", "juillet"),
        ("August", "août"), ("September", "septembre"), ("October", "octobre"),
        ("November", "novembre"), ("December", "décembre"))),
]

_SCRIPT = """<script>
(() => {
  const w = window;
  if (w.__consoleFrench) return;
  w.__consoleFrench = true;
  const exact = %(exact)s;
  const patterns = %(patterns)s.map(([src, flags, to]) => [new RegExp(src, flags), to]);
  const say = (s) => {
    if (!s) return null;
    const t = s.trim();
    if (Object.prototype.hasOwnProperty.call(exact, t)) return s.replace(t, exact[t]);
    for (const [re, to] of patterns) if (re.test(t)) return t.replace(re, to);
    return null;
  };
  const ATTRS = ["aria-label", "title", "placeholder"];
  const fix = (node) => {
    if (node.nodeType === 3) {
      const out = say(node.nodeValue);
      if (out !== null && out !== node.nodeValue) node.nodeValue = out;
      return;
    }
    if (node.nodeType !== 1) return;
    for (const a of ATTRS) {
      const v = node.getAttribute(a);
      const out = say(v);
      if (out !== null && out !== v) node.setAttribute(a, out);
    }
    const walk = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    let t;
    while ((t = walk.nextNode())) fix(t);
    for (const a of ATTRS) node.querySelectorAll("[" + a + "]").forEach((el) => {
      const v = el.getAttribute(a);
      const out = say(v);
      if (out !== null && out !== v) el.setAttribute(a, out);
    });
  };
  fix(document.body);
  // each record on its own (one odd node never leaves the others in English), then the whole
  // page once more when the drawing calms down (what a re-render set back is said again)
  let sweep = null;
  new MutationObserver((records) => {
    for (const r of records) {
      try {
        if (r.type === "childList") r.addedNodes.forEach(fix);
        else fix(r.target);
      } catch (e) { /* the sweep below catches it up */ }
    }
    clearTimeout(sweep);
    sweep = setTimeout(() => fix(document.body), 60);
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                              attributes: true, attributeFilter: ATTRS});
  document.documentElement.lang = "fr";
})();
</script>"""


def script() -> str:
    """The override script, with its dictionary."""
    return _SCRIPT % {"exact": json.dumps(EXACT, ensure_ascii=False),
                      "patterns": json.dumps(PATTERNS, ensure_ascii=False)}


def inject() -> None:
    """Add the override to this run of the page (the script installs itself once per tab)."""
    st.html(script(), unsafe_allow_javascript=True)
