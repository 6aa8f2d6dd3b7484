"""The pages each role sees, as data: {role: {section: [(script, title, icon)]}}."""

from __future__ import annotations

from workflow.access import Role

CFA_PAGES = {
    "Accueil": [("views/cfa_home.py", "Accueil", ":material/home:")],
    "Mes contrats": [
        ("views/cfa_contracts.py", "Mes contrats", ":material/description:"),
        ("views/cfa_generate.py", "Générer une pro forma", ":material/note_add:"),
        ("views/cfa_proformas.py", "Mes factures/factures d'avoir pro formas",
         ":material/receipt_long:"),
    ],
    "Mon CFA": [
        ("views/cfa_profile.py", "Mon CFA", ":material/school:"),
    ],
}
INSTRUCTEUR_PAGES = {
    "Instruction": [
        ("views/instr_home.py", "Accueil instruction", ":material/home:"),
        ("views/instr_queue.py", "File d'instruction", ":material/inbox:"),
        ("views/instr_review.py", "Instruire une facture", ":material/fact_check:"),
        ("views/instr_payments.py", "Paiements", ":material/payments:"),
    ],
}
MANAGER_PAGES = {
    "Pilotage": [
        ("views/mgr_home.py", "Accueil pilotage", ":material/monitoring:"),
        ("views/mgr_dashboard.py", "Tableau de bord", ":material/insights:"),
        ("views/mgr_settings.py", "Paramètres", ":material/settings:"),
        ("views/mgr_import.py", "Importer des contrats", ":material/upload_file:"),
    ],
}

ACCOUNT_PAGE = ("views/account.py", "Mon mot de passe", ":material/password:")
ACCOUNT_PAGES = {"Mon compte": [ACCOUNT_PAGE]}

PAGES: dict[Role, dict[str, list[tuple[str, str, str]]]] = {
    Role.CFA: {**CFA_PAGES, **ACCOUNT_PAGES},
    Role.INSTRUCTEUR: {**INSTRUCTEUR_PAGES, **ACCOUNT_PAGES},
    Role.MANAGER: {**MANAGER_PAGES, **INSTRUCTEUR_PAGES, **ACCOUNT_PAGES},
    # the administrator holds accounts and settings and reads the dashboards; it neither
    # instructs nor pays (the workflow refuses it), so those screens are not in its menu
    Role.ADMIN: {**MANAGER_PAGES, **ACCOUNT_PAGES},
}


def url_path(script: str) -> str:
    """The address of a page: its script's name (``views/instr_review.py`` → ``instr_review``),
    as Streamlit would infer it, given explicitly so that every list below agrees."""
    return script.rsplit("/", 1)[-1].removesuffix(".py")


# every page's address, whatever the role: a copied link to any of them is a page of the app
# (logged out it shows the login form, then that page), anything else is "Page introuvable"
URL_PATHS: frozenset[str] = frozenset(
    url_path(script)
    for menu in PAGES.values() for pages in menu.values() for script, _, _ in pages
)
