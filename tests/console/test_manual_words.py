"""Issue 14: the manual's labels, buttons, messages, statuses and column names, taken from the
seed file (a curated list, each with the line it comes from), are found on the rendered pages.

The manual is ``../shared/seed/000_9cdbadc4fe8b6c1d.txt`` (``MANUAL``); each entry is first
checked to be on its line there, then found in what the pages render (AppTest: every element's
text, labels, dialog titles and table column names). The upload zone's "CLIQUEZ ICI POUR
AJOUTER UN FICHIER" is drawn by the browser override (``console/french.py``) and checked in
``tests/browser/test_french.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from console import french
from tests.console.conftest import page_tables, page_text
from tests.console.test_cfa_pages import refused  # noqa: F401 - the fixture

MANUAL = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_9cdbadc4fe8b6c1d.txt"

# (line in the manual, words) per rendered state
GENERATE = [
    (54, "Mes contrats éligibles pour facturation"), (56, "Recherche par numéro de contrat"),
    (58, "N° DE CONTRAT"), (60, "Réinitialiser les filtres"), (62, "Recherche avancée"),
    (64, "Rechercher"), (66, "Trier par :"), (66, "lignes par page"),
    (142, "Numéro enregistrement"), (68, "Apprenti"), (68, "Employeur"), (68, "Durée contrat"),
    (68, "Période acompte"), (68, "Montant acompte"), (68, "Statut"),
    (69, "Voir les détails"), (75, "Acompte pédagogie"),
    (76, "Récapitulatif des contrats éligibles pour facturation"), (78, "Inclus"),
    (78, "Exclus"), (78, "Montant"), (81, "Générer pro forma pédagogie"),
    (86, "Filtres appliqués ("), (88, "AUCUN FILTRE APPLIQUÉ"), (120, "Ajouter à mes filtres"),
    (122, "LE CONTRAT DÉBUTE ENTRE"), (126, "STATUT"), (128, "NOM DU STAGIAIRE"),
    (130, "PRÉNOM DU STAGIAIRE"), (132, "SIRET ADHÉRENT"), (134, "SIRET CFA PÉDAGOGIQUE"),
    (136, "STATUT DE LA RUPTURE"),
]
RECAP = [
    (183, "Récapitulatif de votre sélection de contrats éligibles pour facturation de la "
          "pédagogie"),
    (185, "CONTRATS INCLUS"), (185, "CONTRATS EXCLUS"), (188, "MONTANT FACTURE"),
    (188, "MONTANT FACTURE D'AVOIR"), (188, "MONTANT TOTAL"), (289, "suivant"), (289, "Fermer"),
    (191, "La facture pro forma est un modèle que vous pouvez utiliser pour l'établissement "
          "d'une facture sur votre propre papier en-tête."),
]
MODE = [
    (291, "Vous devez confirmer ou modifier le mode de règlement de vos avoirs pour cette "
          "facture."),
    (302, "MODE DE RÈGLEMENT DES FACTURES D'AVOIR POUR CETTE FACTURE"),
    (306, "Le montant sera donc imputé automatiquement sur vos prochaines factures."),
    (308, "La modification du mode de règlement ne s'applique qu'à cette pro forma."),
    (312, "précédent"), (312, "Générer"),
]
DONE_MANY = [
    (314, "Vos pro formas sont générées, vous pouvez les télécharger."),
    (318, "Génération terminée ! Vous pouvez télécharger les pro formas générées."),
    (320, "Télécharger"),
    (325, "Vous pourrez ensuite joindre une facture/facture d'avoir à chacune de ces pro "
          "formas."),
    (327, "Afin d'éviter tout rejet de votre facture/facture d'avoir, vous devez respecter le "
          "mode opératoire suivant :"),
    (335, "détails"), (335, "Fermer"),
]
DONE_ONE = [
    (226, "Votre pro forma est générée, vous pouvez la télécharger."),
    (238, "Génération terminée ! Vous pouvez télécharger la pro forma générée."),
    (243, "Vous pourrez ensuite joindre une facture/facture d'avoir à cette pro forma."),
]
PROFORMAS = [
    (374, "Mes factures/factures d'avoir pro formas - contrat d'apprentissage"),
    (376, "Recherche par numéro de pro forma et/ou statut"), (378, "NUMÉRO DE PRO FORMA"),
    (378, "NUMÉRO DE FACTURE/FACTURE D'AVOIR"), (378, "STATUT"), (378, "TYPE"),
    (382, "Réinitialiser les filtres"), (382, "Rechercher"),
    (384, "Numéro de pro forma"), (384, "Type"), (384, "Création"),
    (384, "Dépôt de facture/facture d'avoir"), (384, "Montant total"), (384, "Statut"),
    (384, "Menu"), (385, "En attente d'avoir"), (385, "Pédagogie"), (534, "Refusé"),
    (534, "(1 dossier)"), (406, "Actions complémentaires"), (88, "AUCUN FILTRE APPLIQUÉ"),
]
REFUSED_LIST = [
    (543, "Filtres appliqués ("), (544, "STATUT : Refusé"),
    (412, "Exporter les contrats concernés"),
    (425, "Voir le motif de refus"),
]
LETTER = [
    (551, "Motif de refus"), (553, "N° de la pro forma"),
    (555, "Montant non conforme à la facture pro forma"), (557, "Madame, monsieur,"),
    (563, "Le montant indiqué n'est pas égal au montant de la facture pro forma générée par le "
          "portail."),
    (567, "La direction des opérations."), (569, "Actions possibles"),
    (571, "Pour que votre facturation pro forma soit de nouveau traitée, vous avez la "
          "possibilité de déposer une nouvelle facture."),
    (572, "Vous pouvez également annuler cette pro forma. Cette action rendra les contrats de "
          "nouveau éligibles à la création d'une nouvelle facturation pro forma."),
    (574, "Modifier ma facture"), (576, "Annuler la pro forma"), (578, "Fermer"),
]
REPLACE = [
    (595, "Modifier la facture de la pro forma"), (599, "TYPE DE PRO FORMA"),
    (601, "Afin d'éviter tout rejet de votre facture, vous devez respecter le mode opératoire "
          "suivant."),
    (612, "Vous devez joindre un fichier."),
    # the rules are rendered from checks' declaration (its extensions in their own order)
    (613, "Vous pouvez choisir un fichier pdf, jpg, jpeg,"),
    (613, "La taille maximum de fichier autorisée est de 5Mo."),
    (613, "Assurez-vous que le nom de votre fichier ne dépasse pas les 50 caractères "
          "(Extension comprise)."),
    (615, "Nom du fichier"), (615, "Action"), (616, "Aucun fichier"), (608, "FACTURE"),
]
ATTACH = [(443, "Joindre une facture"), (445, "NUMÉRO DE PRO FORMA"), (460, "VOTRE FACTURE"),
          (466, "Nom du fichier"), (467, "Aucun fichier")]
BROWSER_ONLY = [(462, french.UPLOAD_ZONE)]
# the statuses as the manual names them (§1.2.1), shared by every role's pages
STATUSES = [(395, "En attente de facture/d'avoir"), (386, "En attente de facture"),
            (385, "En attente d'avoir"), (396, "En cours de validation"), (397, "Validé"),
            (398, "Payé"), (399, "Refusé"), (426, "Annulé")]
# where the CFA's other pages follow the manual: its menu words and the Accueil's letter
CFA_HOME = [(384, "Montant"), (399, "Refusé"), (425, "Voir le motif de refus"),
            (555, "Montant non conforme à la facture pro forma")]

ALL = [*GENERATE, *RECAP, *MODE, *DONE_MANY, *DONE_ONE, *PROFORMAS, *REFUSED_LIST, *LETTER,
       *REPLACE, *ATTACH, *BROWSER_ONLY, *STATUSES, *CFA_HOME]


def _flat(text: str) -> str:
    return re.sub(r"[\s\u202f\xa0*\\]+", " ", text).strip().lower()


def rendered(at: AppTest) -> str:
    """Everything a run rendered: texts, labels, options, dialog titles, table columns."""
    parts = [page_text(at), page_tables(at)]

    def walk(node) -> None:  # noqa: ANN001 - AppTest's tree nodes
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto.decode("unicode_escape")) if isinstance(proto, bytes)
                         else str(proto).encode("latin-1", "backslashreplace")
                         .decode("unicode_escape", "ignore"))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in (d.value for d in at.dataframe):
        parts.append(" ".join(map(str, frame.columns)))
    return _flat("\n".join(parts))


def _absent(at: AppTest, words: list[tuple[int, str]]) -> list[tuple[int, str]]:
    assert not at.exception, at.exception
    seen = rendered(at)
    return [(n, w) for n, w in words if _flat(w) not in seen]


def test_every_entry_is_on_its_line_of_the_manual():
    if not MANUAL.exists():
        pytest.skip("the manual is not beside the project")
    lines = MANUAL.read_text(encoding="utf-8").splitlines()
    wrong = [(n, w) for n, w in ALL if _flat(w) not in _flat(lines[n - 1])]
    assert wrong == []


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_the_generation_screens_say_the_manuals_words(world, page):
    at = page("cfa_generate.py", world.cfa1)
    assert _absent(at, GENERATE) == []
    at = _click(at, "Générer pro forma pédagogie")
    assert _absent(at, RECAP) == []
    at = _click(at, "suivant")
    assert _absent(at, MODE) == []
    at = _click(at, "Générer")
    assert _absent(at, DONE_MANY) == []


def test_one_pro_forma_is_said_in_the_singular(world, page):
    ids = world.eligible(world.cfa1_id)  # the first échéance alone: no credit note
    dialog = {"nature": "pedagogie", "label": "pédagogie", "step": "recap", "made": [],
              "ids": ids[:1], "eligible": 4, "mode": "deduction"}
    at = page("cfa_generate.py", world.cfa1, g_dialog=dialog)
    at = _click(at, "Générer")
    assert _absent(at, DONE_ONE) == []


def test_the_pro_forma_screens_say_the_manuals_words(world, page, refused):  # noqa: F811
    at = page("cfa_proformas.py", world.cfa1)
    assert _absent(at, PROFORMAS) == []
    at = page("cfa_proformas.py", world.cfa1, p_search={"status": "refused"})
    assert _absent(at, REFUSED_LIST) == []
    at = _click(at, "Voir le motif de refus")
    assert _absent(at, LETTER) == []
    at = _click(at, "Modifier ma facture")
    assert _absent(at, REPLACE) == []
    at = page("cfa_proformas.py", world.cfa1, p_dialog={"mode": "attach", "id": refused[1].id})
    assert _absent(at, ATTACH) == []


def test_the_accueil_tells_of_a_refusal_with_its_letter_one_click_away(world, page,
                                                                       refused):  # noqa: F811
    at = page("cfa_home.py", world.cfa1)
    assert not at.exception, at.exception
    text = page_text(at)
    assert "Vous avez 1 courrier de refus non lu." in text
    assert f"Pro forma **{refused[0].number}**" in text
    assert "Montant non conforme à la facture pro forma" in text
    assert "Voir le motif de refus" in [b.label for b in at.button]
    at = _click(at, "Voir le motif de refus")
    assert at.session_state["p_dialog"] == {"mode": "refusal", "id": refused[0].id}
    at = page("cfa_home.py", world.cfa2)
    assert "courrier de refus" not in page_text(at) and refused[0].number not in page_text(at)


def test_dashboard_charts_keep_the_buckets_order_and_say_numbers_in_french(world, factory,
                                                                           page):
    import json

    from tests.workflow.dashboard_story import Story

    Story(world, factory).play()
    at = page("mgr_dashboard.py", world.manager, dashboard_tab="File d'attente")
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    buckets = next(s for s in specs if "Ancienneté" in json.dumps(s, ensure_ascii=False))
    text = json.dumps(buckets, ensure_ascii=False)
    assert '"sort": null' in text  # the frame's order: 0–7, 8–15, 16–30, > 30
    assert "labelExpr" in text and "\\u202f" in text.replace("\u202f", "\\u202f")
    assert '"labelLimit": 0' in text  # whole labels
    # the tooltips: each line titled in French, numbers in Vega-Lite's French format locale
    for spec in specs:
        locale = spec["config"]["locale"]
        assert locale["number"]["decimal"] == "," and locale["number"]["thousands"] == "\u202f"
        assert "sept." in locale["time"]["shortMonths"]
        tips = [t for layer in [spec, *spec.get("layer", [])]
                for t in layer.get("encoding", {}).get("tooltip", [])]
        assert tips and all(t.get("title") for t in tips), tips
        assert all(t.get("format") for t in tips if t["type"] == "quantitative"), tips


# English words a page of this console must never show (Streamlit's, or a Python value leaking
# through: None, nan, NaT); checked on every page of the instructeur and the manager
ENGLISH = re.compile(r"\b(Upload|Download|Search|Submit|Cancel|Save|Delete|Amount|Status|"
                     r"Open|Close|Next|Previous|Loading|Error|Invoice|Payment|Refused|Paid|"
                     r"Pending|Settings|Dashboard|Queue|Review|Approve|Reject|Choose|Select|"
                     r"None|nan|NaT)\b")


def visible(at: AppTest) -> str:
    """What a user reads: texts, messages, buttons, widget labels and options, tab and expander
    labels, table column names (not table cells: a bool column is drawn as a checkbox)."""
    parts = [page_text(at)]
    for kind in ("text_input", "text_area", "selectbox", "radio", "checkbox", "number_input",
                 "date_input", "expander", "tabs", "toggle", "multiselect"):
        for e in at.get(kind):
            parts.append(str(getattr(e, "label", "")))
            parts += [str(o) for o in getattr(e, "options", [])]
    parts += [" ".join(map(str, d.value.columns)) for d in at.dataframe]
    return "\n".join(parts)


def statuses_shown(at: AppTest) -> set[str]:
    """The values of every "Statut" column of the page's tables."""
    return {str(v) for d in at.dataframe if "Statut" in d.value.columns
            for v in d.value["Statut"]}


def test_the_cfa_accueil_says_the_manuals_words(world, page, refused):  # noqa: F811
    at = page("cfa_home.py", world.cfa1)
    assert _absent(at, CFA_HOME) == []
    assert not ENGLISH.findall(visible(at))


def test_every_instructeur_and_manager_page_is_french_with_the_manuals_statuses(
        world, factory, page, refused):  # noqa: F811
    """The manual is the CFA portal's: the OPCO's pages speak its words where they share them
    (the statuses) and show no English word."""
    from tests.workflow.reviewkit import deposit, generate

    under_review = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    deposit(world, factory, under_review, actor=world.cfa2)
    manual = {w for _, w in STATUSES}
    runs = {
        "instr_home.py": [{}], "instr_queue.py": [{}], "instr_payments.py": [{}],
        "instr_review.py": [{"review_pf": under_review}, {"review_pf": refused[0].id}],
        "mgr_home.py": [{}], "mgr_settings.py": [{}],
        "mgr_dashboard.py": [{"dashboard_tab": tab} for tab in (
            "File d'attente", "Flux", "Instructeurs", "Refus", "Montants",
            "Contrôles automatiques")],
    }
    english, foreign, seen = {}, {}, set()
    for script, states in runs.items():
        actor = world.manager if script.startswith("mgr_") else world.instructeur
        for state in states:
            at = page(script, actor, **state)
            assert not at.exception, (script, at.exception)
            if words := ENGLISH.findall(visible(at)):
                english[(script, str(state))] = sorted(set(words))
            shown = statuses_shown(at)
            seen |= shown
            if shown - manual:
                foreign[(script, str(state))] = sorted(shown - manual)
    assert english == {}
    assert foreign == {}
    assert {"En cours de validation", "Refusé"} <= seen  # the statuses were on screen
