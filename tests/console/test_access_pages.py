"""Access to every page of ``console/navigation.py``, run directly by AppTest.

A logged-out session sees nothing but the warning; a user whose role does not own a page gets
"Accès refusé" and no data; a CFA user passing another CFA's pro forma id through
``st.query_params`` or ``st.session_state`` gets "Accès refusé" and none of that pro forma.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from console.navigation import CFA_PAGES, INSTRUCTEUR_PAGES, MANAGER_PAGES, PAGES
from db.models import ProForma
from tests.workflow.reviewkit import deposit, generate, version
from workflow.review import decisions

CONSOLE = Path(__file__).resolve().parents[2] / "console"
ALL_PAGES = sorted({path for role in PAGES.values() for section in role.values()
                    for path, _, _ in section})
DENIED = "Accès refusé"
DATA_ELEMENTS = ("dataframe", "table", "metric", "json", "code")


def _scripts(pages: dict) -> list[str]:
    return [path for section in pages.values() for path, _, _ in section]


def _elements(node) -> list:
    """Every element under a block, depth first."""
    out = []
    for child in getattr(node, "children", {}).values():
        out.append(child)
        out += _elements(child)
    return out


TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "success", "info",
              "error", "warning", "text", "text_area", "text_input", "code")


def _text(at: AppTest) -> str:
    """Every text the page shows, dialogs included, and its tables."""
    parts = [str(e.value) for kind in TEXT_KINDS for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [b.label for b in at.button]
    parts += [str(d.value) for d in at.dataframe]
    return "\n".join(parts)


@pytest.fixture
def run_page(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(path: str, actor=None, query: dict | None = None, **state) -> AppTest:
        at = AppTest.from_file(str(CONSOLE / path), default_timeout=30)
        if actor is not None:
            at.session_state["user_id"] = actor.user_id
            at.session_state["last_seen"] = datetime.now()
        for key, value in state.items():
            at.session_state[key] = value
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    return run


@pytest.mark.parametrize("role", ["cfa1", "instructeur", "manager", "admin"])
def test_every_page_of_a_roles_menu_opens_without_error_for_it(world, run_page, role):
    """What a menu offers works: no exception, no error message, no refusal."""
    actor = getattr(world, role)
    for path in _scripts(PAGES[actor.role]):
        at = run_page(path, actor)
        assert not at.exception, path
        assert [e.value for e in at.error] == [], f"{path} ({role})"


@pytest.mark.parametrize("path", ALL_PAGES)
def test_a_logged_out_session_sees_only_the_warning(run_page, path):
    at = run_page(path)
    assert not at.exception
    assert [w.value for w in at.warning] == ["Connectez-vous pour accéder à cette page."]
    shown = {type(el).__name__ for el in _elements(at.main) + _elements(at.sidebar)}
    assert shown <= {"Title", "Warning"}, f"{path} montre {shown} à une session déconnectée"


def _other_roles_pages(world):
    """(page, actor) pairs where the actor's role does not own the page."""
    cases = [(p, world.cfa1) for p in _scripts(INSTRUCTEUR_PAGES) + _scripts(MANAGER_PAGES)]
    cases += [(p, world.instructeur) for p in _scripts(MANAGER_PAGES) + _scripts(CFA_PAGES)]
    # a manager reaches CFA pages through the same require_cfa guards as an instructeur
    return cases


def test_a_page_of_another_role_says_access_denied_and_shows_no_data(world, run_page,
                                                                      factory):
    pf_id = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    with factory() as s:
        number = s.get_one(ProForma, pf_id).number
    holes = []
    for path, actor in _other_roles_pages(world):
        at = run_page(path, actor, review_pf=pf_id)
        text = _text(at)
        shown = [kind for kind in DATA_ELEMENTS if len(at.get(kind))]
        if at.exception or DENIED not in text or number in text or shown:
            holes.append(f"{path} ({actor.role}): exception={bool(at.exception)} "
                         f"refus={DENIED in text} données={shown or number in text}")
    assert holes == []


@pytest.fixture
def cfa2_refused(world, factory):
    """A refused invoice of cfa2 (with its letter) and its number."""
    pf_id = generate(world, factory, [world.contracts2[0]], actor=world.cfa2)[0]
    deposit(world, factory, pf_id, actor=world.cfa2)
    with factory.begin() as s:
        decisions.refuse(s, world.instructeur, pf_id, version(factory, pf_id),
                         "MONTANTTOTAL_ERR", "Montant faux, rectifiez")
    with factory() as s:
        return pf_id, s.get_one(ProForma, pf_id).number


# refusal, cancel and replace are also covered by test_cfa_pages; attach completes the menu
@pytest.mark.parametrize("mode", ["attach", "replace", "cancel", "refusal"])
def test_a_cfa_opening_another_cfas_pro_forma_dialog_is_refused(world, run_page, factory,
                                                                cfa2_refused, mode):
    pf_id, number = cfa2_refused
    at = run_page("pages/cfa_proformas.py", world.cfa1, p_dialog={"mode": mode, "id": pf_id})
    assert not at.exception
    text = _text(at)
    assert DENIED in text
    assert number not in text and "rectifiez" not in text
    with factory() as s:
        assert s.get_one(ProForma, pf_id).status == "refused"  # nothing cancelled


@pytest.mark.parametrize("how", ["query", "state"])
def test_a_cfa_passing_a_pro_forma_id_to_the_review_page_is_refused(world, run_page,
                                                                    cfa2_refused, how):
    pf_id, number = cfa2_refused
    kwargs = {"query": {"pf": str(pf_id)}} if how == "query" else {"review_pf": pf_id}
    at = run_page("pages/instr_review.py", world.cfa1, **kwargs)
    assert not at.exception
    text = _text(at)
    assert DENIED in text and number not in text and "rectifiez" not in text
    assert not at.get("image") and not at.dataframe
