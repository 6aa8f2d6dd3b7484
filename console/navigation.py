"""The pages each role sees, as data: {role: {section: [(script, title, icon)]}}."""

from __future__ import annotations

from workflow.access import Role

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
    ],
}

PAGES: dict[Role, dict[str, list[tuple[str, str, str]]]] = {
    Role.CFA: CFA_PAGES,
    Role.INSTRUCTEUR: INSTRUCTEUR_PAGES,
    Role.MANAGER: {**MANAGER_PAGES, **INSTRUCTEUR_PAGES},
    Role.ADMIN: {**MANAGER_PAGES, **INSTRUCTEUR_PAGES},
}
