"""The grand total, found from labels and layout, on hand-made rows (no PDF needed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from checks.amounts.total import DEDUCTION, DUE, GRAND, PLAIN, SUB, VAT, classify
from checks.model import Expected
from checks.rules import Context, check_total
from tests.checks.helpers import rows_of

D = Decimal


def verdict(*lines, total="96540.00", credit=False):
    ctx = Context(rows_of(*lines), None, Expected(total=D(total), credit_note=credit))
    return check_total(ctx)


@pytest.mark.parametrize(("label", "kind"), [
    ("Total TTC", GRAND), ("Montant total", GRAND), ("Total facture", GRAND),
    ("Grand total", GRAND), ("Gesamtbetrag", GRAND), ("Total de l'avoir", GRAND),
    ("Net à payer", DUE), ("Total à payer", DUE), ("Amount due", DUE), ("Total due", DUE),
    ("Total HT", SUB), ("Sous-total page 1", SUB), ("Subtotal", SUB), ("Report", SUB),
    ("Zwischensumme", SUB), ("TVA 20 %", VAT), ("VAT 0%", VAT), ("MwSt. 19 %", VAT),
    ("Acompte versé le 12/01/2024", DEDUCTION), ("Déjà réglé", DEDUCTION),
    ("TOTAL", PLAIN), ("Contrat 2024-123456 – Martin Léa – Pédagogie 40 %", None),
])
def test_classify_labels(label: str, kind: str | None) -> None:
    assert classify(label) == kind


def test_grand_total_passes() -> None:
    result, found = verdict(("Pédagogie Martin Léa", "50 000,00 €"),
                            ("Pédagogie Dubois Chloé", "46 540,00 €"),
                            ("Total TTC", "96 540,00 €"))
    assert (result.outcome, found) == ("pass", "96540.00")
    assert result.evidence[0].text == "96 540,00 €"


def test_total_off_by_a_cent_fails_with_french_message() -> None:
    result, _ = verdict(("Total TTC", "96 540,01 €"))
    assert result.outcome == "fail"
    assert result.message == ("Total trouvé : 96\u202f540,01\u00a0€ ; attendu : "
                              "96\u202f540,00\u00a0€.")


def test_line_item_equal_to_expected_does_not_pass() -> None:
    result, _ = verdict(("Pédagogie Martin Léa", "96 540,00 €"),
                        ("Frais annexes", "450,00 €"), ("Montant total", "96 990,00 €"))
    assert result.outcome == "fail"


def test_only_line_items_is_unknown_not_pass() -> None:
    result, _ = verdict(("Pédagogie Martin Léa", "96 540,00 €"))
    assert result.outcome == "unknown"


def test_total_ht_followed_by_vat_does_not_pass() -> None:
    result, _ = verdict(("Total HT", "96 540,00 €"), ("TVA 20 %", "19 308,00 €"))
    assert result.outcome == "unknown"
    result, _ = verdict(("Total HT", "96 540,00 €"), ("TVA 20 %", "19 308,00 €"),
                        ("Total TTC", "115 848,00 €"))
    assert result.outcome == "fail"


def test_total_ht_alone_with_exemption_mention_is_the_total() -> None:
    result, _ = verdict(("Total HT", "96 540,00 €"), "TVA non applicable, article 261-4-4° du CGI")
    assert result.outcome == "pass"


def test_subtotal_equal_to_expected_does_not_pass() -> None:
    result, _ = verdict(("Sous-total page 1", "96 540,00 €"), ("Total général", "120 000,00 €"))
    assert result.outcome == "fail"


def test_prepayment_equal_to_expected_does_not_pass() -> None:
    result, _ = verdict(("Total TTC", "100 000,00 €"), ("Acompte versé", "-96 540,00 €"),
                        ("Net à payer", "3 460,00 €"))
    assert result.outcome == "fail"


def test_prepayment_amount_due_differs_fails() -> None:
    result, _ = verdict(("Total TTC", "96 540,00 €"), ("Déjà réglé", "-10 000,00 €"),
                        ("Net à payer", "86 540,00 €"))
    assert result.outcome == "fail"
    assert "acompte" in result.message


def test_competing_grand_totals_are_unknown() -> None:
    result, found = verdict(("Total TTC", "96 540,00 €"), ("Net à payer", "96 450,00 €"))
    assert (result.outcome, found) == ("unknown", None)


def test_competing_totals_neither_expected_fail() -> None:
    result, _ = verdict(("Total TTC", "96 541,00 €"), ("Net à payer", "96 450,00 €"))
    assert result.outcome == "fail"


def test_agreeing_total_and_amount_due_pass() -> None:
    result, _ = verdict(("Total TTC", "96 540,00 €"), ("Net à payer", "96 540,00 €"))
    assert result.outcome == "pass"


def test_label_and_amount_in_one_phrase() -> None:
    result, _ = verdict("Montant total : 96 540,00 €")
    assert result.outcome == "pass"


def test_label_above_amount_in_stacked_boxes() -> None:
    result, _ = verdict(("TOTAL HT", "MONTANT TOTAL"), ("80 000,00 €", "96 540,00 €"))
    assert result.outcome == "unknown" or result.outcome == "pass"
    result, _ = verdict(("TVA", "MONTANT TOTAL"), ("0,00 €", "96 540,00 €"))
    assert result.outcome == "pass"


@pytest.mark.parametrize("amount", ["-4 135,00 €", "4 135,00 €"])
def test_credit_note_negative_or_positive(amount: str) -> None:
    result, _ = verdict(("Total de l'avoir", amount), total="-4135.00", credit=True)
    assert result.outcome == "pass"


def test_invoice_with_negative_total_fails() -> None:
    result, _ = verdict(("Total TTC", "-96 540,00 €"))
    assert result.outcome == "fail"


def test_english_and_german_labels() -> None:
    assert verdict(("Grand total", "€96,540.00"))[0].outcome == "pass"
    assert verdict(("Amount due", "€96,540.00"))[0].outcome == "pass"
    assert verdict(("Gesamtbetrag", "96.540,00 EUR"))[0].outcome == "pass"


def test_no_expected_total_reports_found_total() -> None:
    ctx = Context(rows_of(("Total TTC", "96 540,00 €")), None, Expected())
    result, found = check_total(ctx)
    assert (result.outcome, found) == ("unknown", "96540.00")


def test_previous_balance_added_to_the_amount_due_leaves_the_total() -> None:
    rows = (("SUBTOTAL", "$100.00"), ("SALES TAX", "$10.00"), ("TOTAL", "$110.00"),
            ("PREVIOUS BALANCE", "$500.00"), ("TOTAL DUE", "$610.00"))
    result, found = verdict(*rows, total="110.00")
    # the total is found; the invoice asks for more than it (its amount due): not conforming
    assert (result.outcome, found) == ("fail", "110.00")
    assert result.message == ("Total de la facture 110,00\u00a0€, mais net à payer "
                              "solde antérieur compris : 610,00\u00a0€ ; attendu : 110,00\u00a0€.")
    for decoy in ("100.00", "10.00", "500.00", "610.00"):
        assert verdict(*rows, total=decoy)[0].outcome != "pass", decoy


def test_previous_balance_that_does_not_close_the_sum_stays_unknown() -> None:
    rows = (("TOTAL", "$110.00"), ("PREVIOUS BALANCE", "$400.00"), ("TOTAL DUE", "$610.00"))
    for expected in ("110.00", "610.00", "400.00"):
        assert verdict(*rows, total=expected)[0].outcome != "pass", expected


def test_a_balance_carried_over_is_no_vat_of_the_total() -> None:
    # 20.00 is 20 % of 100.00: as a previous balance it must not make 100.00 a net
    rows = (("Total", "100,00 €"), ("Ancien solde", "20,00 €"), ("Montant dû", "120,00 €"))
    result, found = verdict(*rows, total="100.00")
    assert (result.outcome, found) == ("fail", "100.00")
    assert verdict(*rows, total="120.00")[0].outcome != "pass"


def test_ht_and_ttc_written_after_the_amount_qualify_it() -> None:
    rows = ("Montant facturé (9,15 € HT ) 10,98 € TTC", ("Dont TVA 20,00 %", "1,83 €"))
    result, found = verdict(*rows, total="10.98")
    assert (result.outcome, found) == ("pass", "10.98")
    for decoy in ("9.15", "1.83"):
        assert verdict(*rows, total=decoy)[0].outcome != "pass", decoy


def test_a_line_priced_ttc_is_never_the_total() -> None:
    # a line "… € TTC" smaller than the labelled total, or beside another total, is a line
    rows = (("Formation Martin Léa", "1 200,00 € TTC"), ("Formation Dubois Chloé", "800,00 € TTC"),
            ("Total", "2 000,00 €"))
    result, found = verdict(*rows, total="2000.00")
    assert (result.outcome, found) == ("pass", "2000.00")
    assert verdict(*rows, total="1200.00")[0].outcome != "pass"
    discounted = (("Formation Martin Léa", "1 200,00 € TTC"), ("Remise", "-200,00 €"),
                  ("Total", "1 000,00 €"))
    assert verdict(*discounted, total="1200.00")[0].outcome != "pass"
    assert verdict(*discounted, total="1000.00")[0].outcome == "pass"
