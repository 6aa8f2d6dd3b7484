"""The lifecycle declaration (domain/lifecycle.py): every (status, action) pair it does not
declare is refused with a typed error, and its views are the design card's tables."""

from __future__ import annotations

import pytest

from domain.errors import AccessDenied, TransitionRefused
from domain.lifecycle import ACTIONS, ALLOWED, CFA_ACTIONS, Act, deposit_act, require
from domain.permissions import SCREENS, screens_of
from domain.vocabulary import CfaAction, Role, Status

REFUSED_PAIRS = [(act, status) for act in Act for status in Status
                 if status not in ACTIONS[act].sources]
ALLOWED_PAIRS = [(act, status) for act in Act for status in Status
                 if status in ACTIONS[act].sources]


@pytest.mark.parametrize(("act", "status"), REFUSED_PAIRS)
def test_every_pair_absent_from_the_lifecycle_is_refused(act, status):
    with pytest.raises(TransitionRefused) as refused:
        require(act, status, number="PRO-00610001")
    assert "PRO-00610001" in str(refused.value)
    assert ACTIONS[act].words in str(refused.value)


@pytest.mark.parametrize(("act", "status"), ALLOWED_PAIRS)
def test_every_declared_pair_is_allowed(act, status):
    action = require(act, status, number="PRO-00610001")
    assert action.act is act


def test_a_role_the_action_does_not_admit_is_refused():
    with pytest.raises(AccessDenied):
        require(Act.VALIDATE, Status.UNDER_REVIEW, number="PRO-1", role=Role.CFA)
    with pytest.raises(AccessDenied):
        require(Act.PAY, Status.VALIDATED, number="PRO-1", role=Role.ADMIN)
    assert require(Act.CANCEL, Status.AWAITING, number="PRO-1", role=Role.CFA).target \
        is Status.CANCELLED


def test_the_status_table_is_the_design_cards():
    assert ALLOWED == {
        Status.AWAITING: {Status.UNDER_REVIEW, Status.CANCELLED},
        Status.UNDER_REVIEW: {Status.UNDER_REVIEW, Status.VALIDATED, Status.REFUSED,
                              Status.CANCELLED},
        Status.REFUSED: {Status.UNDER_REVIEW, Status.CANCELLED},
        Status.VALIDATED: {Status.PAID},
        Status.PAID: set(),
        Status.CANCELLED: set(),
    }


def test_the_cfa_menu_is_the_manuals():
    assert CFA_ACTIONS == {
        Status.AWAITING: (CfaAction.EXPORT, CfaAction.ATTACH, CfaAction.CANCEL),
        Status.UNDER_REVIEW: (CfaAction.EXPORT, CfaAction.REPLACE, CfaAction.CANCEL),
        Status.VALIDATED: (CfaAction.EXPORT,),
        Status.PAID: (CfaAction.EXPORT,),
        Status.REFUSED: (CfaAction.EXPORT, CfaAction.SEE_REFUSAL, CfaAction.REPLACE,
                         CfaAction.CANCEL),
        Status.CANCELLED: (),
    }


def test_a_first_invoice_is_attached_and_later_ones_replace_it():
    assert deposit_act(Status.AWAITING) is Act.ATTACH
    assert deposit_act(Status.REFUSED) is Act.REPLACE
    assert ACTIONS[Act.ATTACH].event == "deposited" and ACTIONS[Act.REPLACE].event == "replaced"


def test_the_administrator_neither_reviews_nor_pays():
    assert {"instr_queue", "instr_review", "instr_payments"} & screens_of(Role.ADMIN) == set()
    assert screens_of(Role.CFA) == {name for name in SCREENS if name.startswith("cfa_")} | {
        "account"}
