"""Pro forma number, invoice number, SIRET and IBAN on hand-made rows."""

from __future__ import annotations

import pytest

from checks.model import Expected
from checks.rules import Context, check_iban, check_invoice_number, check_pro_forma, check_siret
from tests.checks.helpers import rows_of

SIRET = "73282932000074"
IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR7610107001011234567890129"


def ctx(*lines: str, ocr: bool = False, **expected: str) -> Context:
    return Context(rows_of(*lines), None, Expected(**expected), ocr=ocr)


@pytest.mark.parametrize(("printed", "outcome"), [
    ("Réf. pro forma : PRO-00603901", "pass"),
    ("Réf. pro forma : PRO 00603901", "pass"),  # spaced
    ("Réf. pro forma : PRO00603901", "pass"),  # no dash
    ("Réf. pro forma : pro-00603901", "pass"),  # lower case
    ("Réf. pro forma : PRO-0060390l", "fail"),  # a letter in the digits: not the number
    ("Réf. pro forma : PRO-00603902", "fail"),  # a digit off
    ("Réf. pro forma : PRO-0060391", "fail"),  # a digit dropped
    ("Réf. pro forma : PRO-006039011", "fail"),  # a digit added
    ("Réf. pro forma : néant", "fail"),  # missing
    ("PROFORMA 2024 : PRO-00603901", "pass"),  # the word "proforma" is not a number
])
def test_pro_forma_variants(printed: str, outcome: str) -> None:
    result, _ = check_pro_forma(ctx(printed, pro_forma_number="PRO-00603901"))
    assert result.outcome == outcome


def test_pro_forma_fail_names_what_was_found() -> None:
    result, found = check_pro_forma(ctx("Pro forma PRO-0006055", pro_forma_number="PRO-00066055"))
    assert result.outcome == "fail"
    assert result.message == "Numéro de pro forma trouvé : PRO-0006055 ; attendu : PRO-00066055."
    assert found == ["PRO-0006055"]
    assert result.evidence[0].text == "PRO-0006055"


def test_pro_forma_expected_plus_another_is_unknown() -> None:
    result, _ = check_pro_forma(ctx("PRO-00603901", "PRO-00603902",
                                    pro_forma_number="PRO-00603901"))
    assert result.outcome == "unknown"


@pytest.mark.parametrize(("line", "number"), [
    ("Facture n° FA-2024-0153", "FA-2024-0153"),
    ("N° de facture : 2024/153", "2024/153"),
    ("Numéro de facture : F2024-153", "F2024-153"),
    ("Invoice number: INV-0042", "INV-0042"),
    ("Avoir n° AV-2024-007", "AV-2024-007"),
    ("Rechnungsnummer: R-2024-9", "R-2024-9"),
])
def test_invoice_number_labels(line: str, number: str) -> None:
    result, found = check_invoice_number(ctx(line, pro_forma_number="PRO-00603901"))
    assert (result.outcome, found) == ("pass", number)


def test_invoice_number_label_then_value_below() -> None:
    result, found = check_invoice_number(ctx("Facture n°", "FA-2024-0153"))
    assert (result.outcome, found) == ("pass", "FA-2024-0153")


def test_invoice_number_equal_to_pro_forma_fails() -> None:
    result, _ = check_invoice_number(ctx("Facture n° PRO-00603901",
                                         pro_forma_number="PRO-00603901"))
    assert result.outcome == "fail"


def test_invoice_number_missing_fails_and_pro_forma_label_is_not_one() -> None:
    result, _ = check_invoice_number(ctx("N° de facture pro forma : PRO-00603901",
                                         "Montant de l'avoir : 4 135,00 €"))
    assert result.outcome == "fail"
    assert result.message == "Numéro de facture absent."


def test_invoice_number_missing_on_ocr_is_unknown() -> None:
    result, _ = check_invoice_number(ctx("FACTURE", ocr=True))
    assert result.outcome == "unknown"


@pytest.mark.parametrize(("line", "outcome"), [
    (f"SIRET : {SIRET}", "pass"),
    ("SIRET : 732 829 320 00074", "pass"),  # spaced 3-3-3-5
    ("SIRET : 73282932000075", "fail"),  # Luhn broken
    ("SIRET : 44306184100047", "fail"),  # valid, another company's
    ("Pas de numéro d'établissement", "fail"),  # missing
])
def test_siret(line: str, outcome: str) -> None:
    result, _ = check_siret(ctx(line, siret=SIRET))
    assert result.outcome == outcome


def test_siret_message_names_both() -> None:
    result, _ = check_siret(ctx("SIRET : 44306184100047", siret=SIRET))
    assert result.message == f"SIRET trouvé : 44306184100047 ; attendu : {SIRET}."


def test_siret_invalid_on_ocr_is_unknown() -> None:
    result, _ = check_siret(ctx("SIRET : 73282932000075", ocr=True, siret=SIRET))
    assert result.outcome == "unknown"


@pytest.mark.parametrize(("line", "outcome"), [
    ("IBAN : FR76 3000 6000 0112 3456 7890 189 BIC : AGRIFRPP882", "pass"),
    (f"IBAN {IBAN}", "pass"),
    ("IBAN : FR76 3000 6000 0112 3456 7890 188", "fail"),  # check digits broken
    ("IBAN : FR76 1010 7001 0112 3456 7890 129", "fail"),  # another account
    ("Règlement par virement", "fail"),  # missing
])
def test_iban(line: str, outcome: str) -> None:
    result, _ = check_iban(ctx(line, iban=IBAN))
    assert result.outcome == outcome


def test_other_iban_is_a_fail_even_next_to_the_right_one() -> None:
    result, _ = check_iban(ctx(f"IBAN {IBAN}", f"IBAN {OTHER_IBAN}", iban=IBAN))
    assert result.outcome == "fail"
    assert "différentes de celles enregistrées" in result.message
