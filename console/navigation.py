"""The pages each role sees, as data: {role: {section: [(script, title, icon)]}}."""

from __future__ import annotations

from workflow.access import Role

CFA_PAGES = {
    "Mes contrats": [
        ("pages/cfa_contracts.py", "Mes contrats", ":material/description:"),
    ],
}
INSTRUCTEUR_PAGES = {
    "Instruction": [
        ("pages/instr_home.py", "Accueil instruction", ":material/home:"),
    ],
}
MANAGER_PAGES = {
    "Pilotage": [
        ("pages/mgr_home.py", "Accueil pilotage", ":material/monitoring:"),
    ],
}

PAGES: dict[Role, dict[str, list[tuple[str, str, str]]]] = {
    Role.CFA: CFA_PAGES,
    Role.INSTRUCTEUR: INSTRUCTEUR_PAGES,
    Role.MANAGER: {**MANAGER_PAGES, **INSTRUCTEUR_PAGES},
    Role.ADMIN: {**MANAGER_PAGES, **INSTRUCTEUR_PAGES},
}
