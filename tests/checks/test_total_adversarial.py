"""Attacks on the total's newest rules (net alone, hours in a totals row, bare integers,
eco-participation, "Total (sans …)", glued TOTALTTC, stacked label boxes, a lone amount under
its header, a receipt paid in full, the 40 € indemnity, VAT rows naming their base): plausible
layouts built to make the check pass an expected total that is not the invoice's grand total.

For every layout, no decoy (another printed amount, or the net when VAT is to be added) may
pass; where the layout is a legitimate invoice, its real total passes or stays unknown. The
attacks that gave a false pass, each fixed narrowly in ``checks/amounts/total.py``:

1. A net alone whose own row announces VAT to be added ("Summe netto zzgl. MwSt.", "Total HT,
   TVA en sus", "Total HT - TVA à ajouter"), or a VAT word dotted ("V.A.T.", "Mw.-St."): the
   net passed as the total. VAT announced as added is a trace of VAT even on the net's row.
2. Two sections whose nets are equal ("Total HT 1 000,00 €" twice): the net passed, the
   second section's lines between the two nets unseen. A net alone followed by a charge
   whose label is a long phrase ("Participation aux frais
   d'envoi et de traitement 15,00 €"), or by an "indemnité forfaitaire de déplacement": the
   net passed. Only the legal 40 € indemnity is no amount of the invoice.
3. A net alone, or a lone amount, or a receipt paid in full, on a page saying "Page 1/2"
   when only one page was read: the rest of the invoice is elsewhere.
4. "Total à payer (dont éco-participation 0,66 €) 63,89 €" below "Total articles TTC
   60,00 €": the eco-participation words turned the amount due into a line, and 60,00
   passed. Only a label that starts with the eco-participation is a line.
5. The one amount under an "Amount" header beside "Plus VAT at 20 % to be added": the net
   passed. A lone amount is the total only when no trace of VAT is printed.
6. "Payé 600,00 €" after two instalments of 300,00 €, a third instalment printed after it: the
   payment passed. A payment is the total only when nothing is billed after it.
7. "Total TTC hors éco-participation 63,23 €" (or "hors frais de port") above the amount
   that includes it: the total without something passed. Like "Total (sans …)", a total
   "TTC hors …" is a subtotal.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from checks import check_document
from checks.amounts.total import CAPITAL, GRAND, LINE, SUB, classify, collect
from checks.model import Expected
from checks.rules import Context, check_total
from checks.text import Page, Word, all_rows
from tests.checks.helpers import page_of
from tests.checks.thirdparty import page_pdf

D = Decimal
Lines = list[str | tuple[str, str]]


def _outcome(data: bytes, total: str) -> tuple[str, str | None]:
    report = check_document(data, "facture.pdf", Expected(total=D(total)))
    found = report.found.get("total")
    return str(report.outcome("total")), None if found is None else str(found)


def _page_outcome(page: Page, total: str) -> tuple[str, str | None]:
    result, found = check_total(Context(all_rows([page]), None, Expected(total=D(total))))
    return str(result.outcome), found


def _never_pass(data: bytes, decoys: tuple[str, ...], right: str | None = None) -> None:
    for decoy in decoys:
        assert _outcome(data, decoy)[0] != "pass", decoy
    if right is not None:
        assert _outcome(data, right)[0] in ("pass", "unknown")


_LINES_DE: Lines = [("Contrat 202421029717 - SIMON", "3584.95 €"),
                    ("Contrat 202439629745 - ROBERT", "7844.80 €"),
                    ("Contrat 202434076326 - DURAND", "8213.98 €")]
_NET_DECOYS = ("3584.95", "7844.80", "8213.98", "19643.73")  # the net is no total here


# -- 1. a net alone, VAT announced as added ---------------------------------------------------

@pytest.mark.parametrize(("lines", "title"), [
    ([("Summe netto zzgl. MwSt.", "19643.73 €")], "Rechnung"),
    ([("Total HT, TVA en sus", "19643.73 €")], "Facture"),
    ([("Total HT - TVA à ajouter", "19643.73 €")], "Facture"),
    ([("Total HT + TVA", "19643.73 €")], "Facture"),
    # the net's row goes on about VAT
    ([("Total HT   TVA et TTC : voir verso", "19643.73 €")], "Facture"),
    (["Total HT 19643.73 €                    TVA : voir page suivante"], "Facture"),
    # a gross named after the net on its row, with no VAT word
    (["Total HT 19643.73 €                    TTC : voir verso"], "Facture"),
    (["Summe netto 19643.73 €                 Gesamtbetrag siehe Seite 2"], "Rechnung"),
    ([("Net total", "19643.73 €"), "All prices are subject to V.A.T. at the standard rate"],
     "Invoice"),
    ([("Summe (netto)", "19643.73 €"), "Alle Preise zzgl. gesetzl. Mw.-St."], "Rechnung"),
    # VAT only in words or in a column header, never as an amount
    (["Désignation Quantité TVA Montant", ("Total HT", "19643.73 €")], "Facture"),
    ([("Total HT", "19643.73 €"), "Taxe sur la valeur ajoutée au taux normal en sus"],
     "Facture"),
    ([("Imponibile", "19643.73 €"), "IVA esclusa"], "Fattura"),
    ([("Total H.T.", "19643.73 €"), "Montant T.T.C. : voir échéancier"], "Facture"),
    ([("Summe (netto)", "19643.73 €"), "Rechnungsbetrag inkl. Umsatzsteuer siehe Seite 2"],
     "Rechnung"),
])
def test_a_net_with_vat_to_be_added_is_never_the_total(lines: Lines, title: str) -> None:
    _never_pass(page_pdf([*_LINES_DE, *lines], title=title), _NET_DECOYS)


# -- 2. a net alone, something billed after it -------------------------------------------------

@pytest.mark.parametrize("label", ["Total HT (hors TVA)", "Total excl. VAT", "Summe ohne MwSt.",
                                   "Total before tax", "Montant total HT", "Gesamtbetrag netto"])
def test_a_net_whose_label_leaves_vat_out_still_bills_its_net(label: str) -> None:
    data = page_pdf([*_LINES_DE, (label, "19643.73 €")], title="Facture")
    assert _outcome(data, "19643.73") == ("pass", "19643.73")
    _never_pass(data, _NET_DECOYS[:3])


@pytest.mark.parametrize("after", [
    ("Participation aux frais d'envoi et de traitement", "15,00 €"),
    ("Indemnité forfaitaire de déplacement", "150,00 €"),
    ("Geste commercial", "-100,00 €"),  # an allowance the vocabulary does not name
])
def test_a_net_followed_by_a_charge_is_never_the_total(after: tuple[str, str]) -> None:
    data = page_pdf([*_LINES_DE, ("Total HT", "19643.73 €"), after], title="Facture")
    _never_pass(data, (*_NET_DECOYS, "15.00", "150.00", "-100.00"))


def test_two_sections_with_equal_nets_are_never_one_total() -> None:
    data = page_pdf(["Section 1 - Apprentis 2024", ("Contrat A", "600,00 €"),
                     ("Contrat B", "400,00 €"), ("Total HT", "1 000,00 €"),
                     "Section 2 - Apprentis 2025", ("Contrat C", "700,00 €"),
                     ("Contrat D", "300,00 €"), ("Total HT", "1 000,00 €")], title="Facture")
    _never_pass(data, ("1000.00", "600.00", "400.00", "700.00", "300.00"))
    # the net printed twice, nothing between: still the net billed
    data = page_pdf([("Contrat A", "600,00 €"), ("Contrat B", "400,00 €"),
                     ("Total HT", "1 000,00 €"), ("Net HT", "1 000,00 €")], title="Facture")
    assert _outcome(data, "1000.00") == ("pass", "1000.00")


def test_the_legal_indemnity_alone_is_no_amount_and_a_billed_one_is() -> None:
    assert classify("Indemnité forfaitaire de déplacement") == CAPITAL  # by its label…
    rows = all_rows([page_of([[("Indemnité forfaitaire de déplacement", 50.0),
                               ("150,00 €", 450.0)],
                              [("Indemnité forfaitaire de recouvrement", 50.0),
                               ("40,00 €", 450.0)]])])
    # …but only the fixed 40 € is the legal indemnity: 150 € is billed
    assert [c.kind for c in collect(rows).amounts] == [LINE, CAPITAL]


def test_a_net_with_a_legal_sentence_of_40_euros_after_it_still_bills_its_net() -> None:
    data = page_pdf([*_LINES_DE, ("Summe (netto)", "19643.73 €"),
                     "Indemnité forfaitaire pour frais de recouvrement en cas de retard : "
                     "40,00 €"])
    assert _outcome(data, "19643.73") == ("pass", "19643.73")
    _never_pass(data, ("3584.95", "7844.80", "8213.98", "40.00"))


# -- 3. one page of several -----------------------------------------------------------------

@pytest.mark.parametrize(("lines", "title"), [
    ([("Summe (netto)", "19643.73 €"), "Seite 1 von 2"], "Rechnung"),
    ([("Total HT", "19643.73 €"), "Page 1/2"], "Facture"),
    ([("Total HT", "19643.73 €"), "page 1 sur 3"], "Facture"),
])
def test_a_net_on_page_one_of_two_is_never_the_total(lines: Lines, title: str) -> None:
    _never_pass(page_pdf([*_LINES_DE, *lines], title=title), _NET_DECOYS)


def test_a_net_on_page_one_of_one_still_bills_its_net() -> None:
    data = page_pdf([*_LINES_DE, ("Total HT", "19643.73 €"), "Page 1/1"], title="Facture")
    assert _outcome(data, "19643.73") == ("pass", "19643.73")


_HEADER = [[("Invoice", 40.0), ("Number", 80.0), ("Amount", 330.0)],
           [("34278587", 40.0), ("1000,00 €", 330.0)], []]


@pytest.mark.parametrize("note", ["Plus VAT at 20 % to be added", "VAT to be added",
                                  "Page 1 of 2", "Prices exclude V.A.T."])
def test_a_lone_amount_beside_vat_or_more_pages_is_never_the_total(note: str) -> None:
    page = page_of([*_HEADER, [(note, 40.0)]])
    assert _page_outcome(page, "1000.00")[0] != "pass"


def test_a_lone_amount_that_is_a_line_of_a_table_is_never_the_total() -> None:
    page = page_of([[("SKU", 40.0), ("Qty", 200.0), ("Amount", 330.0)],
                    [("4711", 40.0), ("2", 200.0), ("$500.00", 330.0)]])
    assert _page_outcome(page, "500.00")[0] != "pass"
    page = page_of([[("Description", 40.0), ("Amount", 330.0)],
                    [("4711-22", 40.0), ("$500.00", 330.0)],
                    [("Shipping and taxes: see attached", 40.0)]])
    assert _page_outcome(page, "500.00")[0] != "pass"


# -- 4. eco-participation words inside a total's label ----------------------------------------

@pytest.mark.parametrize("label", ["Total à payer (dont éco-participation 0,66 €)",
                                   "Montant TTC dont DEEE"])
def test_an_eco_participation_inside_the_amount_due_label_keeps_it_due(label: str) -> None:
    data = page_pdf(["Article Qté Prix", ("Lave-linge 1", "59,34 €"),
                     ("Total articles TTC", "60,00 €"), ("Livraison", "3,89 €"),
                     (label, "63,89 €")], title="Facture")
    _never_pass(data, ("60.00", "59.34", "3.89", "0.66"), right="63.89")


# -- 7. a total with tax but without something ------------------------------------------------

@pytest.mark.parametrize(("lines", "right", "decoys"), [
    ([("Lave-linge", "63,23 €"), ("Total TTC hors éco-participation", "63,23 €"),
      ("Éco-participation", "0,66 €"), ("Total éco-participation incluse", "63,89 €")], "63.89",
     ("63.23", "0.66")),
    ([("Article", "50,00 €"), ("Total TTC hors frais de port", "50,00 €"),
      ("Frais de port", "5,00 €")], None, ("50.00", "5.00")),
])
def test_a_total_with_tax_without_something_is_never_the_total(
        lines: Lines, right: str | None, decoys: tuple[str, ...]) -> None:
    _never_pass(page_pdf(lines, title="Facture"), decoys, right)
    assert classify("Total TTC hors frais de port") == SUB
    assert classify("Total TTC hors escompte") == GRAND


# -- 6. a receipt paid in full ------------------------------------------------------------------

def _receipt(*rows: tuple[str, str]) -> Page:
    return page_of([[(label, 40.0), (amount, 400.0)] for label, amount in rows])


def test_a_payment_with_an_instalment_after_it_is_never_the_total() -> None:
    page = _receipt(("Echéance 1 du 01/01", "300,00 €"), ("Echéance 2 du 01/02", "300,00 €"),
                    ("Payé", "600,00 €"), ("Echéance 3 du 01/03", "300,00 €"))
    for decoy in ("600.00", "300.00"):
        assert _page_outcome(page, decoy)[0] != "pass", decoy
    page = _receipt(("Article A", "8,00 €"), ("Article B", "2,00 €"), ("Payé", "10,00 €"),
                    ("Frais", "5,00 €"))
    for decoy in ("10.00", "8.00", "2.00", "5.00"):
        assert _page_outcome(page, decoy)[0] != "pass", decoy


@pytest.mark.parametrize(("rows", "right", "decoys"), [
    # a tip among the lines: what was paid is the receipt's total
    ((("Menu", "6,00 €"), ("Café", "3,50 €"), ("Pourboire", "0,50 €"), ("Payé", "10,00 €")),
     "10.00", ("6.00", "3.50", "0.50", "9.50")),
    # no change given
    ((("Menu", "6,00 €"), ("Café", "4,00 €"), ("Payé", "10,00 €"), ("Rendu", "0,00 €")),
     "10.00", ("6.00", "4.00", "0.00")),
    # change given: the lines do not add up to the payment
    ((("Menu", "6,00 €"), ("Café", "3,50 €"), ("Espèces", "20,00 €"), ("Rendu", "10,50 €")),
     "9.50", ("6.00", "3.50", "20.00", "10.50")),
    # deposits: what is left to pay is no payment
    ((("Acompte 1", "100,00 €"), ("Acompte 2", "100,00 €"), ("Payé", "200,00 €"),
      ("Solde restant", "150,00 €")), "350.00", ("200.00", "100.00", "150.00")),
])
def test_receipts_with_tips_change_and_deposits(rows: tuple[tuple[str, str], ...], right: str,
                                                decoys: tuple[str, ...]) -> None:
    page = _receipt(*rows)
    for decoy in decoys:
        assert _page_outcome(page, decoy)[0] != "pass", decoy
    assert _page_outcome(page, right)[0] in ("pass", "unknown")


# -- attacks that the rules already resist -------------------------------------------------------

def _bare(*rows: tuple[str, str]) -> bytes:
    return page_pdf(["Date: 03/10/2025", "Fournisseur", "Oroya", "Montants", *rows],
                    title="Facture 254")


@pytest.mark.parametrize(("rows", "right", "decoys"), [
    # a deposit between the total and the amount due: two values, no total
    ((("Montant HT", "1000"), ("TVA", "200"), ("Total TTC", "1200"), ("Acompte versé", "500"),
      ("Net à payer", "700")), "1200.00", ("1000.00", "200.00", "700.00", "500.00")),
    # quantities and a rate that happen to close the arithmetic, no net among them
    ((("Quantité", "10"), ("TVA (%)", "2"), ("Total TTC", "12")), None,
     ("10.00", "2.00", "12.00")),
    # a VAT rate that closes with a net of 100
    ((("Total HT", "100"), ("TVA (%)", "20"), ("Total TTC", "120")), "120.00",
     ("100.00", "20.00")),
    # shipping after the total (a labelled total decides, as with decimals), an allowance
    # before the VAT
    ((("Montant HT", "1000"), ("TVA", "200"), ("Total TTC", "1200"), ("Frais de port", "50")),
     "1200.00", ("1000.00", "200.00", "50.00", "1250.00")),
    ((("Montant HT", "1000"), ("Remise", "100"), ("TVA", "200"), ("Total TTC", "1200")), None,
     ("1000.00", "200.00", "100.00")),
])
def test_bare_integer_blocks(rows: tuple[tuple[str, str], ...], right: str | None,
                             decoys: tuple[str, ...]) -> None:
    _never_pass(_bare(*rows), decoys, right)


@pytest.mark.parametrize(("lines", "right", "decoys"), [
    # a total before a discount, then the total
    ([("Prestation A", "600,00 €"), ("Prestation B", "400,00 €"),
      ("Total (sans remise)", "1 000,00 €"), ("Remise 10 %", "-100,00 €"), ("Total", "900,00 €")],
     "900.00", ("1000.00", "600.00", "400.00", "-100.00", "100.00")),
    # a total before a discount, the total after it missing
    ([("Prestation A", "600,00 €"), ("Prestation B", "400,00 €"),
      ("Total (sans remise)", "1 000,00 €"), ("Remise", "-100,00 €")], None,
     ("1000.00", "600.00", "400.00", "900.00")),
    ([("Prestation A", "600,00 €"), ("Prestation B", "400,00 €"),
      ("Total sans TVA", "1 000,00 €"), ("TVA 20 %", "200,00 €")], None,
     ("1000.00", "200.00", "600.00")),
    # glued capitals, a deposit and what is left to pay
    ([("prestation1", "100.00 €"), ("TOTALHT", "100.00 €"), ("TVA20%", "20.00 €"),
      ("TOTALTTC", "120.00 €"), ("ACOMPTE", "50.00 €"), ("RESTEAPAYER", "70.00 €")], "120.00",
     ("100.00", "20.00", "50.00", "70.00")),
    # VAT rows naming their base
    ([("Article", "100,00 €"), ("TVA 20 % sur un montant de 100,00 €", "20,00 €"),
      ("Total", "120,00 €")], "120.00", ("100.00", "20.00")),
    ([("Article", "100,00 €"), ("Total HT", "100,00 €"),
      ("TVA 20 % sur le montant TTC de 120,00 €", "20,00 €")], "120.00", ("100.00", "20.00")),
    # a section's net equal to its lines, another section after it
    (["Section 1", ("Contrat A", "500,00 €"), ("Contrat B", "500,00 €"),
      ("Total HT", "1 000,00 €"), "Section 2", ("Contrat C", "300,00 €")], None,
     ("1000.00", "500.00", "300.00", "1300.00")),
    # a credit note billing its net
    ([("Contrat A", "-500,00 €"), ("Contrat B", "-500,00 €"), ("Total HT", "-1 000,00 €")],
     None, ("-1000.00", "1000.00", "500.00", "-500.00")),
    # a part of a line printed as its own row above the net
    ([("Contrat A", "600,00 €"), ("dont frais", "100,00 €"), ("Contrat B", "400,00 €"),
      ("Total HT", "1 000,00 €")], "1000.00", ("600.00", "100.00", "400.00")),
])
def test_layouts_the_rules_resist(lines: Lines, right: str | None,
                                  decoys: tuple[str, ...]) -> None:
    _never_pass(page_pdf(lines, title="Facture"), decoys, right)


def _words(*boxes: tuple[str, float, float]) -> Page:
    return Page(1, 1200.0, 900.0, tuple(Word(text, x0, top, x0 + 5.0 * len(text), top + 8.5)
                                        for text, x0, top in boxes))


@pytest.mark.parametrize(("boxes", "right", "decoys"), [
    # a dense scanned table, the totals right under the lines: a line's neighbours read as
    # its label box make rivals, never a pass
    ((("Forfait", 100, 100), ("49.00", 500, 100), ("Support", 100, 112), ("20.00", 500, 112),
      ("Total", 100, 124), ("69.00", 500, 124)), "69.00", ("49.00", "20.00")),
    ((("Forfait", 100, 100), ("58.80", 500, 100), ("Support", 100, 112), ("24.00", 500, 112),
      ("Total", 100, 124), ("TTC", 130, 124), ("82.80", 500, 124)), "82.80",
     ("58.80", "24.00")),
    # a two-line box "Total" over "HT" beside its net, VAT below, the gross missing
    ((("Article", 100, 60), ("1000.00", 800, 60), ("Total", 700, 100), ("HT", 700, 110),
      ("1000.00", 800, 105), ("TVA", 700, 140), ("20", 740, 140), ("%", 760, 140),
      ("200.00", 800, 140)), None, ("1000.00", "200.00")),
    # a totals row summing the hours, the money cell without its currency
    ((("Task", 100, 50), ("Hours", 400, 50), ("Amount", 600, 50), ("Dev", 100, 70),
      ("10.00", 400, 70), ("1000.00", 600, 70), ("Test", 100, 85), ("5.00", 400, 85),
      ("500.00", 600, 85), ("TOTAL", 100, 100), ("15.00", 400, 100), ("1500.00", 600, 100)),
     "1500.00", ("15.00", "1000.00", "500.00")),
])
def test_scanned_boxes_and_hours(boxes: tuple[tuple[str, float, float], ...],
                                 right: str | None, decoys: tuple[str, ...]) -> None:
    page = _words(*boxes)
    for decoy in decoys:
        assert _page_outcome(page, decoy)[0] != "pass", decoy
    if right is not None:
        assert _page_outcome(page, right)[0] in ("pass", "unknown")
