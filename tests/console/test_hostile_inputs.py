"""Every page of every role, with hostile values typed in its number, amount and date fields.

Each page of ``console/navigation.py`` is run by AppTest as each role whose menu offers it,
on a database holding what the page needs to show its fields (a queue, a validated invoice
and a credit note to reimburse, a pro forma of the CFA). Then, one value at a time, every
``st.number_input`` gets 1e300, -1e300, 1e30, 0, -1, 10**12 and its bounds ±1; every
``st.text_input`` that takes an amount or a number gets "1e30", "NaN", "９９", 10 000 digits…;
every ``st.date_input`` gets extreme dates (year 1, 9999, the day either side of the bounds, a
reversed period). The values are applied as a user would: the form's submit button is clicked,
and a confirmation that follows is confirmed. No run may end in an exception box, an incident
("Une erreur inattendue…": an error the pages caught but that should never happen) or a
message that looks like a Python error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from console.navigation import PAGES
from domain.vocabulary import Role
from tests.workflow.reviewkit import MIXED, deposit, generate, queue_of, version
from workflow.review import decisions

NUMBERS: list[float | int] = [1e300, -1e300, 1e30, 0, -1, 10**12]
TEXTS = ["1e30", "1e300", "NaN", "Infinity", "-0", "1 234,567", "９９", "12345678901234,00",
         "'; DROP TABLE pro_forma; --", "9" * 10_000]
# (first, second) date field of the page: before/after the bounds, the bounds, reversed
DATES = [(date(1, 1, 1), date(9999, 12, 31)), (date(1999, 12, 31), date(2101, 1, 1)),
         (date(2000, 1, 1), date(2100, 12, 31)), (date(2100, 12, 31), date(2000, 1, 1)),
         (date(2100, 12, 31), date(2100, 12, 31)), (date(2000, 1, 1), date(2000, 1, 1))]
# the text fields that take an amount or a number (SIRET, contract or pro forma numbers)
NUMERIC_LABEL = re.compile(r"€|montant|seuil|jour|délai|siret|numéro|n° ", re.IGNORECASE)
# a Python error's name (OverflowError, InvalidOperation…) or the incident message
# (anchored at a word's start: a 10 000-digit text shown back must not cost n² steps)
LEAK = re.compile(r"Traceback|\b\w*(?:Error|Exception)\b|InvalidOperation|Overflow\b|"
                  r"[Ee]rreur inattendue")
MESSAGE_KINDS = ("exception", "error", "warning", "info", "success", "markdown", "caption",
                 "text", "toast")

# the dashboard computes only its open panel: each hostile period goes to the next panel
DASHBOARD_TAB = "dashboard_tab"
DASHBOARD_PANELS = ("File d'attente", "Flux", "Instructeurs", "Refus", "Montants",
                    "Contrôles automatiques")

ROLES_OF_PAGE: dict[str, list[Role]] = {}
for _role, _menu in PAGES.items():
    for _section in _menu.values():
        for _path, _title, _icon in _section:
            ROLES_OF_PAGE.setdefault(_path, []).append(_role)
ACTOR_OF_ROLE = {Role.CFA: "cfa1", Role.INSTRUCTEUR: "instructeur", Role.MANAGER: "manager",
                 Role.ADMIN: "admin"}


def _payments_state(world, factory) -> None:
    """A validated invoice ready to pay and a validated credit note to reimburse."""
    for pf_id in generate(world, factory, MIXED, mode="remboursement"):
        deposit(world, factory, pf_id)
        with factory.begin() as s:
            decisions.validate(s, world.instructeur, pf_id, version(factory, pf_id))


STATES: dict[str, Callable] = {
    "pages/instr_queue.py": lambda world, factory: queue_of(world, factory, 2),
    "pages/instr_payments.py": _payments_state,
    "pages/cfa_proformas.py": lambda world, factory: generate(world, factory,
                                                              [world.contracts1[0]]),
}
# how many fields each page shows at least (a guard against a test that types into nothing)
FIELDS = {"instr_queue.py": 5, "instr_payments.py": 1, "mgr_settings.py": 2,
          "mgr_dashboard.py": 2, "cfa_generate.py": 5, "cfa_contracts.py": 1,
          "cfa_proformas.py": 2}


def _leaks(at: AppTest) -> list[str]:
    """What the run shows that an error escaped: an exception box, an incident, a Python
    error's name."""
    found = [f"exception: {e.value}" for e in at.exception]
    for kind in MESSAGE_KINDS[1:]:
        found += [f"{kind}: {str(e.value)[:300]}" for e in at.get(kind)
                  if LEAK.search(str(e.value))]
    return found


def _numeric_texts(at: AppTest) -> list:
    return [w for w in at.text_input if not w.disabled and NUMERIC_LABEL.search(w.label)
            and w.proto.type != TextInputProto.PASSWORD]


def _number_values(widget) -> list[float | int]:
    """The hostile values of one number input: the fixed ones, then its bounds and beyond."""
    values = list(NUMBERS)
    p = widget.proto
    if p.has_min:
        values += [p.min - 1, p.min]
    if p.has_max:
        values += [p.max, p.max + 1]
    return values


def _apply(at: AppTest, forms: set[str]) -> list[str]:
    """Run with the values set: submit their forms (each in turn, their other empty text
    fields filled with a plausible value so that only the hostile one can be refused), then
    accept the confirmation the submit opens (a new primary button); the leaks of every run."""
    leaks: list[str] = []
    if not forms - {""}:
        at.run()
        leaks += _leaks(at)
    for form in sorted(forms - {""}):
        before = {b.id for b in at.button}
        numeric = {w.id for w in _numeric_texts(at)}
        for w in at.text_input:
            if (w.form_id == form and w.id not in numeric and not w.disabled and not w.value
                    and w.proto.type != TextInputProto.PASSWORD):
                w.set_value("REF-1")
        submit = [b for b in at.button if b.form_id == form and b.proto.is_form_submitter]
        (submit[0].click() if submit else at).run()
        leaks += _leaks(at)
        confirm = [b for b in at.button if b.id not in before and b.proto.type == "primary"
                   and not b.disabled]
        if confirm:
            confirm[0].click().run()
            leaks += _leaks(at)
    return leaks


def _hostile_runs(at: AppTest) -> list[str]:
    """Type every hostile value in the page's fields; the leaks found."""
    leaks: list[str] = []
    # number inputs: the k-th hostile value of each at once (they are independent filters)
    rounds = max((len(_number_values(w)) for w in at.number_input), default=0)
    for k in range(rounds):
        forms = set()
        for w in at.number_input:
            if w.disabled:
                continue
            values = _number_values(w)
            w.set_value(values[k % len(values)])
            forms.add(w.form_id)
        leaks += [f"{k}: {leak}" for leak in _apply(at, forms)]
    for text in TEXTS if _numeric_texts(at) else []:
        forms = set()
        for w in _numeric_texts(at):
            w.set_value(text)
            forms.add(w.form_id)
        leaks += [f"{text[:20]!r}: {leak}" for leak in _apply(at, forms)]
    for k, pair in enumerate(DATES if len(at.date_input) else []):
        if DASHBOARD_TAB in at.session_state:  # the dashboard computes only its open panel
            at.session_state[DASHBOARD_TAB] = DASHBOARD_PANELS[k % len(DASHBOARD_PANELS)]
        forms = set()
        for i, w in enumerate(at.date_input):
            if w.disabled:
                continue
            w.set_value(pair[i % 2])
            forms.add(w.form_id)
        leaks += [f"{pair}: {leak}" for leak in _apply(at, forms)]
    return leaks


@pytest.mark.parametrize("path", sorted(ROLES_OF_PAGE))
def test_hostile_values_in_every_field_of_every_page_show_no_error(world, factory, page,
                                                                  path):
    if path in STATES:
        STATES[path](world, factory)
    name = path.removeprefix("pages/")
    holes = []
    for role in ROLES_OF_PAGE[path]:
        actor = getattr(world, ACTOR_OF_ROLE[role])
        state = {DASHBOARD_TAB: DASHBOARD_PANELS[0]} if name == "mgr_dashboard.py" else {}
        at = page(name, actor, **state)
        shown = len(at.number_input) + len(_numeric_texts(at)) + len(at.date_input)
        assert shown >= FIELDS.get(name, 0), f"{name} ({role.value}) montre {shown} champ(s)"
        leaks = _leaks(at) or _hostile_runs(at)
        holes += [f"{name} ({role.value}): {leak}" for leak in leaks]
    assert holes == []

