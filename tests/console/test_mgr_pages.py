"""AppTest of the manager pages (dashboard, settings) and of the CFA's home page (the
``page`` fixture is tests/console/conftest.py's)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from db.models import ProForma
from tests.workflow.dashboard_story import Story


def text_of(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info",
                                  "error", "warning", "success") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def late_table(at: AppTest) -> str:
    """The table of the pro formas past the service-level target (the third of the queue)."""
    return at.tabs[0].dataframe[2].value.to_csv()


PANELS = ("File d'attente", "Flux", "Instructeurs", "Refus", "Montants",
          "Contrôles automatiques")


def test_dashboard_renders_every_panel_and_follows_the_sla(world, factory, page):
    story = Story(world, factory).play()
    runs = [page("mgr_dashboard.py", world.manager, dashboard_tab=tab) for tab in PANELS]
    assert not any(r.exception for r in runs)
    text = "\n".join(text_of(r) for r in runs)
    for words in ("Tableau de bord", "En cours de validation", "délai cible : 15 jours",
                  "Au-delà du délai cible : 2 pro forma(s)", "2026-S41", "Dépôt → décision",
                  "Instructeur Deux", "Montant non conforme à la facture pro forma",
                  "Factures bonnes du premier coup", "Pédagogie", "Déduction",
                  "Dépôts conformes à tous les contrôles", "75,0 %"):
        assert words in text, words
    assert sum(len(r.get("vega_lite_chart")) for r in runs) >= 6
    assert sum(len(r.get("download_button")) for r in runs) >= 10
    at = runs[0]  # the queue, the panel that opens first
    late = late_table(at)
    with factory() as s:
        e, f = (s.get_one(ProForma, story.ids[k]).number for k in "EF")
    assert e in late and f in late

    settings = page("mgr_settings.py", world.manager)
    assert not settings.exception
    settings.number_input[0].set_value(30)
    settings.button[0].click().run()  # the form's "Enregistrer"
    assert not settings.exception
    assert "Paramètres enregistrés." in text_of(settings)

    at = page("mgr_dashboard.py", world.manager)
    late = late_table(at)
    assert f in late and e not in late
    assert "Au-delà du délai cible : 1 pro forma(s)" in text_of(at)


def test_dashboard_drill_down_lists_the_pro_formas(world, factory, page):
    story = Story(world, factory).play()
    at = page("mgr_dashboard.py", world.manager)
    at.selectbox(key="drill_queue").select("Au-delà du délai cible (2)").run()
    assert not at.exception
    table = at.tabs[0].dataframe[-1].value
    # ids follow the world's PRO-00600001 (id 1): the story's numbers start at 610001
    assert list(table["Pro forma"]) == [f"PRO-{610000 + story.ids[k] - 1:08d}" for k in "EF"]


def test_settings_reasons_and_accounts(world, factory, page):
    at = page("mgr_settings.py", world.manager)
    assert not at.exception
    text = text_of(at)
    assert "MONTANTTOTAL_ERR" in text and "cfa1@test.fr" in text
    at.selectbox(key="user_pick").select(world.cfa2.user_id).run()
    reset = [b for b in at.button if b.label == "Réinitialiser le mot de passe"][0]
    reset.click().run()
    assert "Mot de passe provisoire de cfa2@test.fr" in text_of(at)


def test_pages_refuse_the_wrong_role(world, page):
    assert "Accès refusé" in text_of(page("mgr_dashboard.py", world.instructeur))
    assert "Accès refusé" in text_of(page("mgr_settings.py", world.cfa1))
    assert "Accès refusé" in text_of(page("cfa_home.py", world.manager))


def test_cfa_home_shows_its_own_figures(world, factory, page):
    Story(world, factory).play()
    at = page("cfa_home.py", world.cfa1)
    assert not at.exception
    text = text_of(at)
    assert "Accueil" in text and "Pro formas en attente de facture" in text
    assert "16\u202f500,00\xa0€" in text and "295,89\xa0€" in text
    two = text_of(page("cfa_home.py", world.cfa2))
    assert "5\u202f000,00\xa0€" in two and "Aucune pro forma n'attend votre facture." in two
