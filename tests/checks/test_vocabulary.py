"""The checks speak domain's vocabulary: names are ``CheckName`` members, outcomes ``Outcome``
members, and their JSON form stays the plain codes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from checks import CHECK_NAMES, CheckResult, Expected, check_document
from checks.model import OUTCOMES, ExpectedLine
from domain.vocabulary import CheckName, Outcome
from specimens import InvoiceSpec, make_invoice


def test_outcomes_and_names_are_domains() -> None:
    assert OUTCOMES == (Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN)
    assert all(type(n) is CheckName for n in CHECK_NAMES)
    assert [str(n) for n in CHECK_NAMES] == ["file", "pro_forma_number", "total",
                                              "invoice_number", "siret", "iban", "lines"]


def test_report_holds_members_and_json_plain_codes() -> None:
    spec = InvoiceSpec(lines=(("Pédagogie – contrat 2024-001", Decimal("96540.00")),))
    expected = Expected("PRO-00603901", Decimal("96450.00"), siret=spec.siret,
                        iban="FR7630006000011234567890189",
                        lines=(ExpectedLine("2024-001", Decimal("96540.00")),))
    report = check_document(make_invoice(spec), "facture-FA-2024-0153.pdf", expected)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)
    for check in report.checks:
        assert type(check.name) is CheckName and type(check.outcome) is Outcome
        out = check.to_json()
        assert type(out["name"]) is str and type(out["outcome"]) is str
    assert report.outcome(CheckName.TOTAL) is Outcome.FAIL
    assert report.outcome(CheckName.PRO_FORMA_NUMBER) is Outcome.PASS
    text = json.dumps(report.to_json(), ensure_ascii=False)
    assert '"name": "total", "outcome": "fail"' in text


def test_an_outcome_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match=r"not in \('pass', 'fail', 'unknown'\)"):
        CheckResult(CheckName.TOTAL, "maybe", "?")  # type: ignore[arg-type]
