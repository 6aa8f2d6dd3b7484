"""Verdicts: compare what the document says with what the pro forma expects.

Every function returns a ``CheckResult`` and the value found (for ``Report.found``). The rule
throughout: ``pass`` only on positive, unambiguous evidence; a contradiction between two
sources (embedded XML and visible text, two different totals) is never a pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from checks.amounts.money import format_eur, format_number
from checks.amounts.reconcile import cents
from checks.amounts.total import (
    DUE,
    GRAND,
    PLAIN,
    Candidate,
    TotalFacts,
    TotalFinding,
    arithmetic,
    collect,
    find_total,
)
from checks.einvoice.facturx import XmlFacts
from checks.identifiers import (
    Found,
    compact_iban,
    find_ibans,
    find_invoice_numbers,
    find_pro_forma,
    find_sirets,
    normalize_pro_forma,
)
from checks.model import CheckResult, Evidence, Expected
from checks.text import Row
from domain.vocabulary import CheckName, Outcome

OCR_MISSING = ("Lecture optique (OCR) indisponible sur ce serveur : le document n'a pas de "
               "texte lisible, vérification manuelle nécessaire.")
NO_TEXT = "Aucun texte lisible dans le document : vérification manuelle nécessaire."


@dataclass(frozen=True)
class Context:
    """What every rule needs: rows of text, the XML facts, reliability flags, expectations."""

    rows: list[Row]
    xml: XmlFacts | None
    expected: Expected
    complete: bool = True  # every page was read
    ocr: bool = False  # text comes from OCR: absent or invalid may be a misreading

    @property
    def absent_outcome(self) -> Outcome:
        """Return the outcome for "not found": fail on a fully read text, else unknown."""
        return Outcome.FAIL if self.complete and not self.ocr else Outcome.UNKNOWN


def xml_evidence(field: str, value: str) -> Evidence:
    """Return evidence pointing at the embedded XML (no position on the page)."""
    return Evidence(1, (0.0, 0.0, 0.0, 0.0), f"XML Factur-X {field} : {value}")


def check_pro_forma(ctx: Context) -> tuple[CheckResult, list[str]]:
    """Return the ``pro_forma_number`` verdict and the numbers found."""
    found = find_pro_forma(ctx.rows) + _xml_pro_formas(ctx.xml)
    numbers = list(dict.fromkeys(f.value for f in found))
    raw_expected = ctx.expected.pro_forma_number
    if raw_expected is None:
        return _result(CheckName.PRO_FORMA_NUMBER, Outcome.UNKNOWN,
                       _found_list("Numéro de pro forma", numbers)
                       + " ; aucun numéro attendu fourni.", found[:1]), numbers
    expected = normalize_pro_forma(raw_expected) or raw_expected.strip().upper()
    if not numbers:  # the pattern tolerates OCR confusions, so absence counts even on a scan
        outcome = Outcome.FAIL if ctx.complete else Outcome.UNKNOWN
        return _result(CheckName.PRO_FORMA_NUMBER, outcome,
                       f"Numéro de pro forma absent (attendu : {expected})."), numbers
    if numbers == [expected]:
        return _result(CheckName.PRO_FORMA_NUMBER, Outcome.PASS,
                       f"Numéro de pro forma trouvé : {expected}.",
                       [f for f in found if f.value == expected]), numbers
    others = [n for n in numbers if n != expected]
    evidence = [f for f in found if f.value != expected]
    if expected in numbers:
        return _result(CheckName.PRO_FORMA_NUMBER, Outcome.UNKNOWN,
                       f"Plusieurs numéros de pro forma : "
                       f"{', '.join(numbers)} : vérification manuelle nécessaire.",
                       evidence), numbers
    return _result(CheckName.PRO_FORMA_NUMBER, Outcome.FAIL, f"Numéro de pro forma trouvé : "
                   f"{', '.join(others)} ; attendu : {expected}.", evidence), numbers


def _xml_pro_formas(xml: XmlFacts | None) -> list[Found]:
    if xml is None:
        return []
    out = []
    for ref in xml.references:
        value = normalize_pro_forma(ref)
        if value is not None:
            out.append(Found(value, ref, xml_evidence("référence acheteur", ref)))
    return out


def check_total(ctx: Context) -> tuple[CheckResult, str | None]:
    """Return the ``total`` verdict and the grand total found (decimal string or None).

    With an embedded XML: its GrandTotalAmount is the total and its DuePayableAmount the
    amount due, provided the page agrees (the page's totals are the XML's grand total or amount
    due); when the page states another grand total the verdict is ``unknown`` (or ``fail``
    when neither equals the expected total), both values shown with their evidence."""
    credit = ctx.expected.credit_note or bool(ctx.xml and ctx.xml.credit_note)
    facts = collect(ctx.rows)
    finding = find_total(facts, credit, complete=ctx.complete)
    xml_total = ctx.xml.grand_total if ctx.xml else None
    if ctx.xml is not None and xml_total is not None:
        return _check_xml_total(ctx, facts, finding, xml_total, credit)
    expected = ctx.expected.total
    evidence = [c.evidence for c in finding.main]
    if finding.rivals:
        return _ambiguous_total(list(finding.rivals), expected, credit, evidence, None, None)
    if finding.value is None:
        return CheckResult(CheckName.TOTAL, Outcome.UNKNOWN, f"Total de la facture introuvable : "
                           f"{finding.problem} ; vérification manuelle nécessaire."), None
    shown = finding.main[0].value if finding.main else finding.value
    result = _compare_total(ctx, finding.value, shown, finding.due, credit, evidence)
    if finding.note:  # the total found is a net without VAT: say so
        result = replace(result, message=f"{result.message.rstrip('.')} ({finding.note}).")
    return result, str(shown)


def _check_xml_total(ctx: Context, facts: TotalFacts, finding: TotalFinding,
                     xml_total: Decimal, credit: bool) -> tuple[CheckResult, str | None]:
    xml = ctx.xml
    assert xml is not None
    xml_due = xml.due_payable
    agreeing = {v for v in (xml_total, xml_due) if v is not None}
    page_values = list(finding.rivals) or ([finding.value] if finding.value is not None else [])
    disagreeing = [v for v in page_values if not any(_same(v, a, credit) for a in agreeing)]
    labelled = [c for c in facts.of(GRAND, DUE, PLAIN) if _same(c.value, xml_total, credit)]
    if labelled and all(_part_of(v, xml_total, facts, credit) for v in disagreeing):
        disagreeing = []  # the page prints the XML's total as a total; the rest are parts
    on_page = [c.evidence for c in labelled] or [
        c.evidence for c in facts.amounts if _same(c.value, xml_total, credit)]
    xml_ev = xml_evidence("GrandTotalAmount", str(xml_total))
    if disagreeing:
        text_total = disagreeing[0]
        evidence = [c.evidence for c in finding.main if _same(c.value, text_total, credit)]
        return _ambiguous_total([text_total, xml_total], ctx.expected.total, credit, evidence,
                                text_total, xml_total)
    evidence = [*on_page[-1:], xml_ev]
    due = [c for c in finding.due if not _same(c.value, xml_total, credit)]
    return _compare_total(ctx, xml_total, xml_total, tuple(due), credit, evidence), \
        str(xml_total)


def _part_of(value: Decimal, total: Decimal, facts: TotalFacts, credit: bool) -> bool:
    """A smaller amount the page labels as a total is a part of the XML's total when the
    arithmetic says so (its net, its VAT, what is due after a prepayment), or when it is no
    amount due: an amount due that the XML does not know is a disagreement."""
    if abs(value) >= abs(total):
        return False
    arith = arithmetic(facts)
    if arith.explained_below(cents(value), cents(total)) or arith.is_net(cents(value)) \
            or arith.is_vat(cents(value)):
        return True
    return not any(c.kind == DUE and _same(c.value, value, credit) for c in facts.amounts)


def _compare_total(ctx: Context, value: Decimal, shown: Decimal, due: tuple[Candidate, ...],
                   credit: bool, evidence: list[Evidence]) -> CheckResult:
    expected = ctx.expected.total
    if expected is None:
        return CheckResult(CheckName.TOTAL, Outcome.UNKNOWN,
                           f"Total trouvé : {format_eur(shown)} ; aucun "
                           "total attendu fourni.", tuple(evidence))
    if not _same(value, expected, credit):
        return CheckResult(CheckName.TOTAL, Outcome.FAIL,
                           f"Total trouvé : {format_eur(shown)} ; attendu : "
                           f"{format_eur(expected)}.", tuple(evidence))
    dues = [d for d in due if not _same(d.value, expected, credit)]
    xml_due = ctx.xml.due_payable if ctx.xml else None
    if xml_due is not None and not _same(xml_due, expected, credit):
        dues.append(Candidate("due", xml_due, "DuePayableAmount",
                              xml_evidence("DuePayableAmount", str(xml_due))))
    if dues:
        why = "après acompte" if abs(dues[0].value) < abs(shown) else "solde antérieur compris"
        return CheckResult(CheckName.TOTAL, Outcome.FAIL,
                           f"Total de la facture {format_eur(shown)}, mais net "
                           f"à payer {why} : {format_eur(dues[0].value)} ; attendu : "
                           f"{format_eur(expected)}.", tuple([dues[0].evidence, *evidence]))
    foreign = _foreign_currency(ctx)
    if foreign is not None:  # the same figure in another currency is not the same money
        outcome = Outcome.FAIL if ctx.xml is not None and ctx.xml.currency else Outcome.UNKNOWN
        return CheckResult(CheckName.TOTAL, outcome, f"Total trouvé : {format_number(shown)} "
                           f"{foreign} ; la pro forma est en euros : vérifiez la devise de la "
                           "facture.", tuple(evidence))
    return CheckResult(CheckName.TOTAL, Outcome.PASS, f"Total conforme : {format_eur(shown)}.",
                       tuple(evidence))


# The pro forma is in euros: a total passes only when the invoice is in euros too, or says
# nothing of its currency. A Factur-X XML names it (InvoiceCurrencyCode); on the page, a
# currency other than the euro printed while neither "€" nor "EUR" is printed anywhere.
_EURO = re.compile(r"€|\beur\b|\beuros?\b", re.IGNORECASE)
_FOREIGN = re.compile(r"[$£¥₹]|\b(usd|gbp|chf|cad|aud|jpy|inr|us ?dollars?|dollars?|pounds? "
                      r"sterling)\b", re.IGNORECASE)


def _foreign_currency(ctx: Context) -> str | None:
    """The currency of the invoice when it is known and is not the euro, else None."""
    code = (ctx.xml.currency or "").strip().upper() if ctx.xml is not None else ""
    if code:
        return None if code == "EUR" else code
    text = "\n".join(row.text for row in ctx.rows)
    if _EURO.search(text):
        return None
    marker = _FOREIGN.search(text)
    return marker.group(0).upper() if marker else None


def _ambiguous_total(rivals: list[Decimal], expected: Decimal | None, credit: bool,
                     evidence: list[Evidence], text_total: Decimal | None,
                     xml_total: Decimal | None) -> tuple[CheckResult, str | None]:
    shown = " ; ".join(format_eur(v) for v in rivals)
    # the XML and the page disagree: `unknown` whatever is expected (issue 15, item 1), as
    # either may be the one in error
    disagree = text_total is not None and xml_total is not None
    if text_total is not None and xml_total is not None:
        reason = (f"le total du XML Factur-X ({format_eur(xml_total)}) diffère du total "
                  f"affiché ({format_eur(text_total)})")
        evidence = [*evidence, xml_evidence("GrandTotalAmount", str(xml_total))]
    else:
        reason = f"plusieurs totaux différents ({shown})"
    if not disagree and expected is not None and not any(_same(v, expected, credit)
                                                         for v in rivals):
        return CheckResult(CheckName.TOTAL, Outcome.FAIL, f"Total trouvé : {shown} ; attendu : "
                           f"{format_eur(expected)} ({reason}).", tuple(evidence)), None
    return CheckResult(CheckName.TOTAL, Outcome.UNKNOWN,
                       f"Total incertain : {reason} ; vérification "
                       "manuelle nécessaire.", tuple(evidence)), None


def _same(a: Decimal, b: Decimal, credit: bool) -> bool:
    return abs(a) == abs(b) if credit else a == b


def check_invoice_number(ctx: Context) -> tuple[CheckResult, str | None]:
    """Return the ``invoice_number`` verdict and the CFA's own number found."""
    text_found = find_invoice_numbers(ctx.rows)
    xml_found = []
    if ctx.xml and ctx.xml.invoice_number:
        number = ctx.xml.invoice_number
        xml_found = [Found(number, number, xml_evidence("numéro de facture", number))]
    own = [f for f in text_found + xml_found if normalize_pro_forma(f.value) is None]
    text_own = [f for f in own if f in text_found]
    if xml_found and text_own and xml_found[0] in own \
            and _key(text_own[0].value) != _key(xml_found[0].value):
        return _result(CheckName.INVOICE_NUMBER, Outcome.UNKNOWN,
                       f"Le numéro de facture du XML Factur-X "
                       f"({xml_found[0].value}) diffère du numéro affiché ({text_own[0].value}).",
                       [text_own[0], xml_found[0]]), None
    if own:
        return _result(CheckName.INVOICE_NUMBER, Outcome.PASS,
                       f"Numéro de facture trouvé : {own[0].value}.",
                       own[:1]), own[0].value
    if text_found or xml_found:
        pro = (text_found + xml_found)[0]
        return _result(CheckName.INVOICE_NUMBER, Outcome.FAIL,
                       f"Le numéro de facture indiqué ({pro.value}) "
                       "est un numéro de pro forma : la facture doit porter son propre numéro.",
                       [pro]), None
    return _result(CheckName.INVOICE_NUMBER, ctx.absent_outcome, "Numéro de facture absent."), None


def _key(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def check_siret(ctx: Context) -> tuple[CheckResult, str | None]:
    """Return the ``siret`` verdict and the SIRET found (the matching or first labelled one)."""
    found = find_sirets(ctx.rows)
    if ctx.xml:
        found += [Found(s, s, xml_evidence("SIRET vendeur", s), True, True) for s in ctx.xml.sirets]
    expected = "".join((ctx.expected.siret or "").split()) or None
    valid = [f for f in found if f.valid]
    match = next((f for f in valid if f.value == expected), None)
    if match is not None:
        return _result(CheckName.SIRET, Outcome.PASS,
                       f"SIRET trouvé : {match.value}.", [match]), match.value
    labelled = [f for f in found if f.labelled]
    first = next(iter(labelled or valid), None)
    if expected is None:
        text = f"SIRET trouvé : {first.value}" if first else "SIRET absent"
        return _result(CheckName.SIRET, Outcome.UNKNOWN,
                       f"{text} ; aucun SIRET enregistré pour comparer.",
                       [first] if first else []), first.value if first else None
    if first is None or (not first.valid and ctx.ocr):
        outcome = ctx.absent_outcome if first is None else Outcome.UNKNOWN
        return _result(CheckName.SIRET, outcome,
                       "SIRET absent ou illisible.", [first] if first else []), \
            None
    if not first.valid:
        return _result(CheckName.SIRET, Outcome.FAIL,
                       f"SIRET invalide : {first.value}.", [first]), first.value
    return _result(CheckName.SIRET, Outcome.FAIL,
                   f"SIRET trouvé : {first.value} ; attendu : {expected}.",
                   [first]), first.value


def check_iban(ctx: Context) -> tuple[CheckResult, str | None]:
    """Return the ``iban`` verdict and the IBAN found; another valid IBAN is always a fail."""
    found = find_ibans(ctx.rows)
    if ctx.xml:
        found += [Found(compact_iban(i), i, xml_evidence("IBAN", i), True, True)
                  for i in ctx.xml.ibans]
    expected = compact_iban(ctx.expected.iban or "") or None
    valid = [f for f in found if f.valid]
    other = next((f for f in valid if f.value != expected), None)
    if expected is None:
        first = next(iter(valid or found), None)
        text = f"IBAN trouvé : {first.value}" if first else "IBAN absent"
        return _result(CheckName.IBAN, Outcome.UNKNOWN,
                       f"{text} ; aucun IBAN enregistré pour comparer.",
                       [first] if first else []), first.value if first else None
    if other is not None:
        return _result(CheckName.IBAN, Outcome.FAIL, "Coordonnées bancaires différentes de celles "
                       f"enregistrées : IBAN trouvé {other.value}.", [other]), other.value
    if valid:
        return _result(CheckName.IBAN, Outcome.PASS,
                       f"IBAN conforme : {valid[0].value}.", valid[:1]), \
            valid[0].value
    if found and not ctx.ocr:
        return _result(CheckName.IBAN, Outcome.FAIL,
                       f"IBAN invalide : {found[0].value}.", found[:1]), \
            found[0].value
    outcome = ctx.absent_outcome if not found else Outcome.UNKNOWN
    return _result(CheckName.IBAN, outcome, "IBAN absent ou illisible.", found[:1]), None


def _result(name: CheckName, outcome: Outcome, message: str,
            found: Sequence[Found | Evidence] = ()) -> CheckResult:
    evidence = tuple(f.evidence if isinstance(f, Found) else f for f in found)
    return CheckResult(name, outcome, message, evidence)


def _found_list(what: str, values: list[str]) -> str:
    return f"{what} trouvé : {', '.join(values)}" if values else f"{what} absent"
