"""Who may reach what: the roles of each screen and use case, declared once.

The console builds each role's menu from ``SCREENS``; the workflow's guards use the role sets
below (``require_role(actor, *DECIDERS)``); ``domain.lifecycle`` names them for each action.
"""

from __future__ import annotations

from domain.vocabulary import Role

ALL_ROLES = frozenset(Role)
CFA_ONLY = frozenset({Role.CFA})
OPCO_ROLES = frozenset({Role.INSTRUCTEUR, Role.MANAGER, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# the administrator holds accounts and settings and reads the dashboards; it neither reviews,
# decides nor pays (separation of duties, workflow/accounts/duties.py)
REVIEWERS = (Role.INSTRUCTEUR, Role.MANAGER)
DECIDERS = (Role.INSTRUCTEUR, Role.MANAGER)
PAYERS = (Role.INSTRUCTEUR, Role.MANAGER)
# the contract import (workflow.contracts.importing, the mgr_import screen)
IMPORTERS = (Role.MANAGER, Role.ADMIN)

# screen (its page script's name) -> the roles whose menu shows it
SCREENS: dict[str, frozenset[Role]] = {
    "cfa_home": CFA_ONLY,
    "cfa_contracts": CFA_ONLY,
    "cfa_generate": CFA_ONLY,
    "cfa_proformas": CFA_ONLY,
    "cfa_profile": CFA_ONLY,
    "mgr_home": MANAGER_ROLES,
    "mgr_dashboard": MANAGER_ROLES,
    "mgr_settings": MANAGER_ROLES,
    "mgr_import": frozenset(IMPORTERS),
    "instr_home": frozenset(REVIEWERS),
    "instr_queue": frozenset(REVIEWERS),
    "instr_review": frozenset(REVIEWERS),
    "instr_payments": frozenset(PAYERS),
    "account": ALL_ROLES,
}


def screens_of(role: Role) -> frozenset[str]:
    """The screens in ``role``'s menu."""
    return frozenset(name for name, roles in SCREENS.items() if role in roles)
