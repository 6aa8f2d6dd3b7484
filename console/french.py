"""Streamlit's own English strings, said in French.

Streamlit 1.67 has no setting for the words its frontend writes itself: the file uploader's
"Drag and drop files here" / "Upload" / "200MB per file • PDF…", the grids' toolbar
("Search", "Download as CSV", "Fullscreen", "Show/hide columns"), "Running...", "Choose an
option", "No results", the date inputs' "DD/MM/YYYY" placeholder, "Page not found", the
sidebar's and dialogs' aria-labels, and the aria-labels of the widgets' own buttons (select
boxes' "Open", "Clear value", "Clear all"; the date picker's "Choose date", "Previous month",
"Next month"; the number inputs' "Increment", "Decrement"; the grids' "Clear selection"),
and a grid column's menu ("Sort ascending", "Pin column", "Format", "Statistics"…).
``inject`` adds, once per run of the entry script, a tiny script (``st.html`` with
JavaScript, run in the page itself) that rewrites those strings in
text nodes and in the ``aria-label``, ``title`` and ``placeholder`` attributes, and keeps doing
so for whatever Streamlit draws later (a MutationObserver, installed once per browser tab).

The same script gives Streamlit's moment.js a French locale (the grids' dates, see
``MOMENT_LOCALE``) and makes the dates Streamlit writes with the browser's default language
(``Date.toLocaleString()`` without a locale: a column's statistics) French, and the numbers
it formats with the browser's languages (``Intl.NumberFormat(navigator.languages)``: the grids'
amounts, ``console/screens/grid_amounts.py``) French too.

Only whole strings known to be Streamlit's are rewritten (``EXACT``), plus a few patterns
(``PATTERNS``); the project's own text is French already and never matches them. The French
words never contain a label the pages use for their own buttons (an accessible name is found
by substring): the grid's "Search" is "Chercher dans le tableau", not "Rechercher"; a
dialog's "Close" is "Quitter", not "Fermer"; "Download as CSV" is "Exporter en CSV".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import streamlit as st
from babel.dates import get_day_names, get_month_names

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
    # a grid column's menu (its header's menu button), its "Format" and "Statistics" panels
    "Dataframe column menu": "Menu de la colonne",
    "Sort ascending": "Trier par ordre croissant",
    "Sort descending": "Trier par ordre décroissant",
    "Format": "Format d'affichage",
    "Automatic": "Automatique",
    "Localized": "Selon la langue du navigateur",
    "Distance": "Temps écoulé",
    "Calendar": "Calendrier",
    "Plain": "Brut",
    "Compact": "Abrégé",
    "Percent": "Pourcentage",
    "Scientific": "Scientifique",
    "Accounting": "Comptable",
    "Duration": "Durée",
    "Autosize": "Ajuster la largeur",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Détacher la colonne",
    "Hide column": "Masquer la colonne",
    "Copy column name": "Copier le nom de la colonne",
    "Statistics": "Statistiques",
    "Count": "Nombre",
    "Distinct": "Valeurs distinctes",
    "Empty": "Vides",
    "Values": "Valeurs",
    "Sum": "Somme",
    "Average": "Moyenne",
    "Median": "Médiane",
    "Standard deviation": "Écart type",
    "Range": "Étendue",
    "25th percentile": "1er quartile",
    "75th percentile": "3e quartile",
    "Average length": "Longueur moyenne",
    "Minimum length": "Longueur minimale",
    "Maximum length": "Longueur maximale",
    "Based on sample": "D'après un échantillon",
    "No data": "Aucune donnée",
    "True": "Vrai",
    "False": "Faux",
    "Distribution histogram": "Histogramme de répartition",
    "Top values frequency chart": "Valeurs les plus fréquentes",
    "True/false distribution chart": "Répartition vrai/faux",
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
    # a grid column's statistics: its chart's aria-label ("Distribution histogram: …") and
    # the "Range" of a date column ("2 months": whole numbers only)
    *((rf"^{en}: (.*)$", "s", f"{fr} : $1") for en, fr in (
        ("Distribution histogram", "Histogramme de répartition"),
        ("Top values frequency chart", "Valeurs les plus fréquentes"),
        ("True/false distribution chart", "Répartition vrai/faux"))),
    # the histogram's bars (Vega's aria-labels: "binStart: …; count: 6; binEnd: …;
    # Range: 8 juil. 2026 – 13 août 2026; Count: 6")
    (r"^binStart: .*; Range: (.+); Count: ([\d.,\s]+)$", "s", "$1 : $2"),
    *((rf"^(\d+) {en}(s?)$", "", f"$1 {fr}") for en, fr in (
        ("second", "seconde$2"), ("minute", "minute$2"), ("hour", "heure$2"),
        ("day", "jour$2"), ("week", "semaine$2"), ("month", "mois"), ("year", "an$2"))),
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

# --- the grids' dates: Streamlit's moment.js, in French ----------------------------------------

# Streamlit draws a DateColumn / DatetimeColumn with moment.js, which it ships without any
# locale but English ("18 Sep 2023"). The script loads Streamlit's own moment.js module (the
# same module the grids use: a module is evaluated once per page) and gives it this French
# locale, built from Babel's fr_FR names: "D MMM YYYY" then reads "18 sept. 2023", as
# ``format_day_medium`` does, and the column menu's "Temps écoulé" (moment's "distance")
# "il y a 3 mois".
_MONTHS_WIDE = get_month_names("wide", context="format", locale="fr_FR")
_MONTHS_SHORT = get_month_names("abbreviated", context="format", locale="fr_FR")
_DAYS: dict[str, Any] = {width: get_day_names(width, context="format", locale="fr_FR")
                         for width in ("wide", "abbreviated", "short")}
_SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # Babel counts from Monday, moment.js from Sunday

MOMENT_LOCALE: dict[str, Any] = {
    "months": [_MONTHS_WIDE[m] for m in range(1, 13)],
    "monthsShort": [_MONTHS_SHORT[m] for m in range(1, 13)],
    "monthsParseExact": True,
    "weekdays": [_DAYS["wide"][d] for d in _SUNDAY_FIRST],
    "weekdaysShort": [_DAYS["abbreviated"][d] for d in _SUNDAY_FIRST],
    "weekdaysMin": [_DAYS["short"][d] for d in _SUNDAY_FIRST],
    "weekdaysParseExact": True,
    "longDateFormat": {"LT": "HH:mm", "LTS": "HH:mm:ss", "L": "DD/MM/YYYY",
                       "LL": "D MMMM YYYY", "LLL": "D MMMM YYYY HH:mm",
                       "LLLL": "dddd D MMMM YYYY HH:mm"},
    "calendar": {"sameDay": "[Aujourd’hui à] LT", "nextDay": "[Demain à] LT",
                 "nextWeek": "dddd [à] LT", "lastDay": "[Hier à] LT",
                 "lastWeek": "dddd [dernier à] LT", "sameElse": "L"},
    "relativeTime": {"future": "dans %s", "past": "il y a %s", "s": "quelques secondes",
                     "ss": "%d secondes", "m": "une minute", "mm": "%d minutes",
                     "h": "une heure", "hh": "%d heures", "d": "un jour", "dd": "%d jours",
                     "w": "une semaine", "ww": "%d semaines", "M": "un mois", "MM": "%d mois",
                     "y": "un an", "yy": "%d ans"},
    "week": {"dow": 1, "doy": 4},
}


def moment_chunk(static: Path | None = None) -> str | None:
    """The file name of Streamlit's moment.js module ("moment.<hash>.js", beside its
    ``index.<hash>.js``); None if this Streamlit has none (the grids' dates then stay
    English: tests/console/test_french_grid_dates.py fails)."""
    folder = static or Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(p.name for p in folder.glob("moment.*.js"))
    return found[0] if len(found) == 1 else None


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
  // dates that Streamlit writes with the browser's default language (a grid column's
  // statistics: "Oct 8, 2026, 09:49 AM"): in French, whatever the browser's language
  for (const name of ["toLocaleString", "toLocaleDateString", "toLocaleTimeString"]) {
    const own = Date.prototype[name];
    Date.prototype[name] = function (locales, options) {
      return own.call(this, locales === undefined ? "fr-FR" : locales, options);
    };
  }
  // the grids' amounts: Streamlit formats a NumberColumn ("euro", "localized", a column's
  // statistics) with new Intl.NumberFormat(navigator.languages, …); the browser's own
  // languages, or none, mean French ("96 540,00 €" in an English browser too)
  const ownNumberFormat = Intl.NumberFormat;
  const browsers = (l) => l === undefined || l === navigator.language
    || (Array.isArray(l) && l.length === navigator.languages.length
        && l.every((x, i) => x === navigator.languages[i]));
  const french = (args) => [browsers(args[0]) ? "fr-FR" : args[0], ...args.slice(1)];
  Intl.NumberFormat = new Proxy(ownNumberFormat, {
    construct: (target, args) => new target(...french(args)),
    apply: (target, self, args) => target(...french(args)),
  });
  const ownNumberLocale = Number.prototype.toLocaleString;
  Number.prototype.toLocaleString = function (...args) {
    return ownNumberLocale.apply(this, french(args));
  };
  // the grids' dates: Streamlit's moment.js module (loaded from beside Streamlit's entry
  // module, so the very instance the grids use) gets the French locale. Its exports are
  // minified: moment is the function with a defineLocale; until moment's lazy initialiser
  // (another exported function, without arguments) has run, none has.
  const chunk = %(moment_chunk)s;
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (chunk && entry) {
    import(new URL(chunk, entry.src).href).then((mod) => {
      const fns = Object.values(mod).filter((v) => typeof v === "function");
      let m = fns.find((f) => f.defineLocale);
      if (!m) {
        for (const f of fns) if (f.length === 0) { try { f(); } catch (e) { /* moment() */ } }
        m = fns.find((f) => f.defineLocale);
      }
      if (!m) return;
      const fr = %(moment_locale)s;
      if (m.locales().includes("fr")) m.updateLocale("fr", fr); else m.defineLocale("fr", fr);
      m.locale("fr");
      w.__consoleMomentLocale = m.locale();
    }).catch(() => { /* the grids' dates stay English: the browser tests say so */ });
  }
})();
</script>"""


def script() -> str:
    """The override script, with its dictionary."""
    return _SCRIPT % {"exact": json.dumps(EXACT, ensure_ascii=False),
                      "patterns": json.dumps(PATTERNS, ensure_ascii=False),
                      "moment_chunk": json.dumps(moment_chunk()),
                      "moment_locale": json.dumps(MOMENT_LOCALE, ensure_ascii=False)}


def inject() -> None:
    """Add the override to this run of the page (the script installs itself once per tab)."""
    st.html(script(), unsafe_allow_javascript=True)
