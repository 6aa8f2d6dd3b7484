"""The pages each role sees, as data: {role: {section: [(script, title, icon)]}}."""

from __future__ import annotations

from pathlib import Path

from domain.permissions import screens_of
from domain.vocabulary import Role

CONSOLE_DIR = Path(__file__).resolve().parent

CFA_PAGES = {
    "Accueil": [("pages/cfa_home.py", "Accueil", ":material/home:")],
    "Mes contrats": [
        ("pages/cfa_contracts.py", "Mes contrats", ":material/description:"),
        ("pages/cfa_generate.py", "Générer une pro forma", ":material/note_add:"),
        ("pages/cfa_proformas.py", "Mes factures/factures d'avoir pro formas",
         ":material/receipt_long:"),
    ],
    "Mon CFA": [
        ("pages/cfa_profile.py", "Mon CFA", ":material/school:"),
    ],
}
INSTRUCTEUR_PAGES = {
    "Instruction": [
        ("pages/instr_home.py", "Accueil instruction", ":material/home:"),
        ("pages/instr_queue.py", "File d'instruction", ":material/inbox:"),
        ("pages/instr_review.py", "Instruire une facture", ":material/fact_check:"),
        ("pages/instr_payments.py", "Paiements", ":material/payments:"),
    ],
}
MANAGER_PAGES = {
    "Pilotage": [
        ("pages/mgr_home.py", "Accueil pilotage", ":material/monitoring:"),
        ("pages/mgr_dashboard.py", "Tableau de bord", ":material/insights:"),
        ("pages/mgr_settings.py", "Paramètres", ":material/settings:"),
        ("pages/mgr_import.py", "Importer des contrats", ":material/upload_file:"),
    ],
}

ACCOUNT_PAGE = ("pages/account.py", "Mon mot de passe", ":material/password:")
ACCOUNT_PAGES = {"Mon compte": [ACCOUNT_PAGE]}

# the menu of each role: the sections above, in this order, keeping the screens that the
# permissions matrix (domain.permissions.SCREENS) opens to the role
SECTIONS = {**CFA_PAGES, **MANAGER_PAGES, **INSTRUCTEUR_PAGES, **ACCOUNT_PAGES}


def _menu(role: Role) -> dict[str, list[tuple[str, str, str]]]:
    screens = screens_of(role)
    menu = {section: [p for p in pages if url_path(p[0]) in screens]
            for section, pages in SECTIONS.items()}
    return {section: pages for section, pages in menu.items() if pages}


def url_path(script: str) -> str:
    """The address of a page: its script's name (``pages/instr_review.py`` → ``instr_review``),
    as Streamlit would infer it, given explicitly so that every list below agrees."""
    return script.rsplit("/", 1)[-1].removesuffix(".py")


PAGES: dict[Role, dict[str, list[tuple[str, str, str]]]] = {role: _menu(role) for role in Role}

# every page's address, whatever the role: a copied link to any of them is a page of the app
# (logged out it shows the login form, then that page), anything else is "Page introuvable"
URL_PATHS: frozenset[str] = frozenset(
    url_path(script)
    for menu in PAGES.values() for pages in menu.values() for script, _, _ in pages
)


def script(path: str) -> Path:
    """The absolute path of a page script (``pages/cfa_home.py``): the entry point lives in
    console/entry/, so paths are never left to be resolved against its folder."""
    return CONSOLE_DIR / path
