"""The ``total`` check: find the document's grand total from labels and layout, not any amount.

Each amount on the page gets the nearest label to its left on its row (or, failing that, the
label just above it), and the label says what kind of amount it is: a grand total, an amount
due, a deduction (prepayment), a subtotal / pre-tax total, VAT, or a plain "Total". Line items
carry no such label and are ignored, so an item that happens to equal the expected total never
makes the check pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from checks.amounts.money import Amount, find_amounts
from checks.amounts.reconcile import Arithmetic, Printed, cents, reconcile
from checks.model import Evidence
from checks.text import Row, Segment, fold

SUB, DUE, DEDUCTION, GRAND, VAT, PLAIN = "sub", "due", "deduction", "grand", "vat", "plain"
LINE = "line"  # an amount without a label of its own: a line item, a rate, a quantity
ADJUST = "adjust"  # an allowance or a charge: a part of the net, never the total nor VAT
PRICE = "price"  # a unit price, gross or net: never a total
PREVIOUS = "previous"  # a balance carried over from earlier invoices, added to the amount due
CAPITAL = "capital"  # a company's share capital, printed in a footer: no amount of the invoice
# (nor the fixed 40 € recovery indemnity that French payment terms must mention)
# Checked in this order: the first kind whose pattern matches the folded label wins.
# Vocabulary: fr, en, de, nl, es, it. Labels support the arithmetic (``reconcile``) and never
# override it.
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (CAPITAL, re.compile(r"\b(au capital (social )?de|capital social|share capital|"
                         r"(stamm|grund)kapital|capitale sociale|capital social de|"
                         r"indemnite forfaitaire)\b")),
    # an eco-participation / eco-contribution (DEEE) is a part of a line's price, printed
    # under it ("Dont éco-participation (TTC) : 0,66 €"): a line, never a total
    # (anchored: "Total à payer (dont éco-participation 0,66 €)" still names the amount due)
    (LINE, re.compile(r"^\W*((dont|total|y compris|incl\w*) )?(eco[- ]?participations?|"
                      r"eco[- ]?part|eco[- ]?contributions?|eco[- ]?mobilier|deee|d3e)\b")),
    (PREVIOUS, re.compile(r"\b(previous (unpaid )?balance|prior balance|balance forward|"
                          r"balance brought forward|(ancien|precedent) solde|"
                          r"solde (precedent|anterieur|reporte)|(vorheriger|alter) saldo|"
                          r"saldovortrag|vorige saldo|saldo anterior|saldo precedente)\b")),
    (PRICE, re.compile(r"\b((brutto|netto|einzel|stuck|listen)preis\w*|unit price|"
                       r"prix (unitaire|u\.? ?ht|u\.? ?ttc)|preis (je|pro)|price per|"
                       r"prezzo unitario|precio unitario|stukprijs)\b")),
    # a VAT row that names its base: "TVA 20,00 % sur un montant total de 34,24 €   6,85 €"
    (VAT, re.compile(r"^\W*(t\.?v\.?a\.?|vat|mwst|ust|iva|btw)\b.*\b(sur|on|auf) (un |le |the )?"
                     r"(montant|base|amount|betrag)\b")),
    (SUB, re.compile(r"\b(h\.?t\.?|hors tax\w*|hors tva|sous[- ]?total|sub[- ]?total\w*|"
                     r"total page|report\w*|a reporter|"
                     # a total without something: "Total (sans commission) : 165 €", "Total
                     # TTC hors frais de port"
                     r"total (t\.?t\.?c\.? )?\(?(sans|without|hors)\b(?! escompte)|"
                     r"zwischensumme|nettobetrag|net amount|"
                     r"total (excl|before|exkl|netto|net$|net ht)\w*|excl\w* (vat|tax|btw)|"
                     r"netto(?! a pagare)\w*|exkl\w*|ohne (mwst|ust)|summe positionen|"
                     r"warenwert|base imponible|imponibile|totaal excl\w*|"
                     r"(taxable|tax) base|net total|line total\w*|positionssumme|total lines?|"
                     r"lines? extension|summe (der )?positionen)\b")),
    (DUE, re.compile(r"\b(net a (payer|regler)|(total|montant|reste|solde|somme) a (payer|regler)|"
                     r"(amount|total|balance) (due|payable|to pay)|"
                     r"zu zahlen\w*|zahlbetrag|restbetrag|solde du|te betalen|"
                     r"(total|importe) a pagar|(totale|netto|importo) (da|a) pagare|"
                     r"a payer)\b|\bmontant du\s*:?\s*$")),
    (DEDUCTION, re.compile(r"\b(acomptes?|deja (regle|paye|verse|percu)e?s?|avances?|"
                           r"prepaid|prepayments?|deposits?( paid)?|paid|anzahlung\w*|"
                           r"vorauszahlung\w*|abschlagszahlung\w*|bereits (bezahlt|gezahlt)|"
                           r"versements?|aanbetaling|vooruitbetaald|reeds betaald|anticipos?|"
                           r"a cuenta|acconto|acconti|gia pagato)\b|"
                           # a payment row of a receipt: "Payment $710.00", "Paiement reçu"
                           r"^\W*(payments?|paiements?|zahlung(en)?|payee?s?|regle)"
                           r"( (received|made|recus?|erhalten))?\W*$|"
                           # a row of a payments block ("Règlement / Date / Montant") whose
                           # label is the payment's means alone: "Virement 05/11/2017"
                           r"^\W*(virement|vir\.? sepa|cheque|prelevement|carte bancaire|"
                           r"especes)s?\b")),
    (ADJUST, re.compile(r"\b(allowances?|discounts?|remises?|rabais|ristournes?|rabatt\w*|"
                        r"nachlass\w*|skonto|surcharges?|(extra |additional )?charges?|"
                        r"zuschlag\w*|zuschlage|abschlage?|sconto|descuentos?|korting)\b")),
    (GRAND, re.compile(r"\b(total ?t\.?t\.?c\.?|montant ?t\.?t\.?c\.?|montant total|ttc|"
                       r"total (de la |general de la )?facture|total general|grand total|"
                       r"total (de l'|d')?avoir|montant (de l'|d')avoir|invoice total|"
                       r"total (invoice )?amount|total invoice|invoice amount|"
                       r"total (incl|inc|including|inkl)\w*|"
                       r"(summe|gesamt\w*|betrag|rechnungsbetrag|endbetrag|total) "
                       r"(inkl|incl)\w*|brutto\w*|gesamtbetrag|gesamtsumme|rechnungssumme|"
                       r"endsumme|rechnungsbetrag|endbetrag|gutschriftsbetrag|"
                       r"credit note total|totaal (incl|inclusief)\w*|totaalbedrag|"
                       r"factuurbedrag|importe total|total factura|total con iva|"
                       r"totale (fattura|documento|complessivo|generale)|importo totale)\b")),
    (VAT, re.compile(r"\b(t\.?v\.?a\.?|vat|mwst|ust|tax|btw|iva|umsatzsteuer|"
                     r"mehrwertsteuer)\b")),
    (PLAIN, re.compile(r"\b(total|summe|totaal|totale|gesamt|importe)\b")),
)
_EXEMPT = re.compile(r"exon|non applicable|261[- ]?4|293 ?b|franchise en base|steuerfrei|"
                     r"exempt")
_LABEL_CHARS = re.compile(r"[^\W\d_]{2,}")  # a label has at least one word of letters
_CURRENCY_WORDS = re.compile(r"\b(EUR|EUROS?|USD|GBP|CHF)\b|€|\$|£", re.IGNORECASE)
_COLUMN_ROWS = 8  # rows of amounts a column header may name below it


@dataclass(frozen=True)
class Candidate:
    """An amount with the kind its label gives it."""

    kind: str
    value: Decimal
    label: str
    evidence: Evidence
    row: int = -1  # the index of its row in the document, -1 when not printed on a row


@dataclass(frozen=True)
class TotalFacts:
    """What the document says about its total, before comparing with the pro forma."""

    candidates: tuple[Candidate, ...]
    exempt: bool
    amounts: tuple[Candidate, ...] = ()  # every amount printed, kind LINE when unlabelled
    taxed: bool = True  # a trace of VAT or of a gross total is printed (see ``_tax_trace``)
    missing_pages: bool = False  # a page number says more pages than were read ("Page 1/2")

    def of(self, *kinds: str) -> list[Candidate]:
        """Return the candidates of the given kinds."""
        return [c for c in self.candidates if c.kind in kinds]


def collect(rows: list[Row]) -> TotalFacts:
    """Return every labelled amount of the document and whether a VAT exemption is mentioned."""
    amounts: list[Candidate] = []
    suffixed: list[bool] = []
    exempt = taxed = missing = False
    pages = max((row.page for row in rows), default=0)
    for index, row in enumerate(rows):
        exempt = exempt or bool(_EXEMPT.search(row.folded))
        missing = missing or any(int(m.group(1)) > pages
                                 for m in _PAGE_OF.finditer(row.folded))
        aboves = rows[max(0, index - _COLUMN_ROWS):index][::-1]
        kinds: set[str] = set()
        for segment, amount, label, after in _labelled_amounts(row, aboves):
            kind = classify(label)
            if kind in (GRAND, DUE, PLAIN, SUB) and _quantity_cell(segment, amount, aboves):
                kind = None  # the hours or quantities of a totals row ("TOTAL 55.00 $4555.00")
            evidence = segment.evidence(amount.start, amount.end)
            if kind is None and not after:
                stacked = _stacked_label(rows[max(0, index - 1):index + 2], evidence)
                if classify(stacked) is not None:
                    label, kind = stacked, classify(stacked)
            if kind == CAPITAL and _INDEMNITY.search(fold(label)) and amount.value != 40:
                kind = None  # an indemnity billed ("de déplacement"), not the legal 40 €
            amounts.append(Candidate(kind or LINE, amount.value, label.strip(), evidence, index))
            suffixed.append(after)
            kinds.add(kind or LINE)
        taxed = taxed or _tax_trace(row, kinds)
    amounts = _weigh_suffixed_totals(amounts, suffixed)
    if len(amounts) == 1 and amounts[0].kind == LINE and not amounts[0].label:
        amounts = [_under_column_header(amounts[0], rows)]
    if not any(c.kind != LINE for c in amounts):
        amounts += _bare_integer_totals(rows)
    candidates = tuple(c for c in amounts if c.kind != LINE)
    return TotalFacts(candidates, exempt, tuple(amounts), taxed, missing)


# "Page 1/2", "Seite 1 von 3", "page 1 sur 2": the number of pages the document has
_PAGE_OF = re.compile(r"\b(?:page|seite|pagina|blatt|pag)\.?\s*\d{1,3}\s*(?:/|sur|of|von|de|di)"
                      r"\s*(\d{1,3})\b")
_INDEMNITY = re.compile(r"\bindemnite forfaitaire\b")


_BARE_INTEGER = re.compile(r"[1-9]\d{0,8}|0")
_BARE_SPAN = 6  # rows a totals block of bare integers may span


def _bare_integer_totals(rows: list[Row]) -> list[Candidate]:
    """A totals block printed in bare integers, no currency nor decimals ("Montant HT 1000",
    "TVA 200", "Total TTC 1200", "Net à payer 1200"): a bare integer is no amount (a
    quantity, a year, a postcode), unless it is the whole last cell of a row whose label
    names a net, VAT, a total or an amount due, and those rows close the arithmetic: one net
    plus the VAT rows makes exactly the one value of the totals and amounts due, all within a
    few consecutive rows. Anything else: no amount."""
    found: list[Candidate] = []
    for index, row in enumerate(rows):
        if len(row.segments) < 2 or find_amounts(row.text):
            continue
        cell = row.segments[-1]
        if not _BARE_INTEGER.fullmatch(cell.text):
            continue
        label = " ".join(s.text for s in row.segments[:-1])
        kind = classify(label)
        if kind in (SUB, VAT, GRAND, DUE):
            found.append(Candidate(kind, Decimal(cell.text).quantize(Decimal("0.01")),
                                   label, cell.evidence(), index))
    nets = {c.value for c in found if c.kind == SUB}
    vat = sum((c.value for c in found if c.kind == VAT), Decimal(0))
    totals = {c.value for c in found if c.kind in (GRAND, DUE)}
    if (len(nets) != 1 or len(totals) != 1 or not any(c.kind == VAT for c in found)
            or nets.pop() + vat != next(iter(totals))
            or found[-1].row - found[0].row >= _BARE_SPAN):
        return []
    return found


# A trace of VAT or of a gross total on a row: a rate ("19 %"), a VAT, gross or amount-due
# word. A VAT identification number ("N° TVA intracom. FR…", "USt-IdNr.") and an exemption
# mention ("TVA non applicable, art. 293 B du CGI") are no VAT charged.
_RATE = re.compile(r"\d\s?%")
_VAT_ID = re.compile(r"\b(tva intra\w*|intra-?com\w*|n[°o]?\.? ?(de )?tva|numero (de )?tva|"
                     r"(vat|tax|btw|iva) ?(no|nr|number|id|reg\w*)\b\.?|u\.? ?st\.?-? ?id\w*|"
                     r"steuer-? ?(nr|nummer|id)\w*|steuernummer|nif|cif|partita iva|"
                     r"[a-z]{2} ?\d{8,12})")
# taxes the vocabulary of kinds does not name: GST/HST…, moms, alv, "Vorsteuer", "taxe"
_OTHER_TAXES = re.compile(r"\b([cis]?gst|hst|qst|pst|moms|alv|dph|dds|kdv|ppn|igic|taxes?|"
                          r"impuestos?|impost[ae]|\w*steuer\w*)\b|\bv\.a\.t\b|\bmw\.?-? ?st\b")
_TRACES = (*(pattern for kind, pattern in _KINDS if kind in (GRAND, DUE, VAT)), _OTHER_TAXES)
_VAT_TRACES = (*(pattern for kind, pattern in _KINDS if kind == VAT), _OTHER_TAXES)
_GROSS_TRACES = tuple(pattern for kind, pattern in _KINDS if kind in (GRAND, DUE))
# what a net's label says it leaves out ("excl. VAT", "hors TVA", "ohne MwSt."): no VAT
# charged; any other VAT word on the net's row is ("Summe netto zzgl. MwSt.", "Total HT, TVA
# en sus", "Total HT   TVA : voir page suivante")
_NET_QUALIFIER = re.compile(r"\b(excl\w*|exkl\w*|hors|ohne|before|sans|without|zonder|sin|senza|"
                            r"net of)\.?\s*(de |la |the |of |d')?(t\.?v\.?a\b\.?|vat\b|\w*tax\w*|"
                            r"mw\.?-? ?st\b\.?|ust\b\.?|btw\b|iva\b|\w*steuer\w*)")


def _tax_trace(row: Row, kinds: set[str]) -> bool:
    """Return True when ``row`` shows VAT, a VAT rate, a gross total or an amount due. The
    label of a net alone on its row ("Total excl. VAT 100,00", "Gesamtbetrag netto") is no
    trace; a VAT word it does not leave out is ("Summe netto zzgl. MwSt.")."""
    folded = row.folded
    if _EXEMPT.search(folded):
        return False
    if _RATE.search(folded):
        return True
    text = _VAT_ID.sub(" ", folded)
    if kinds and kinds <= {SUB}:  # a net's row: VAT words other than its label's "excl. VAT"
        rest = _NET_QUALIFIER.sub(" ", text)
        if any(pattern.search(rest) for pattern in _VAT_TRACES):
            return True
        # a gross or an amount due named after the net ("Total HT 1 000,00 €   TTC : voir
        # verso"); before it, such words are the net's own label ("Montant total HT")
        printed = find_amounts(row.text)
        after = _VAT_ID.sub(" ", folded[printed[-1].end:]) if printed else ""
        return any(pattern.search(after) for pattern in _GROSS_TRACES)
    return any(pattern.search(text) for pattern in _TRACES)


# The header of a column of quantities: its totals-row cell sums hours or units, not money.
_QUANTITY_HEADER = re.compile(r"(hours?|hrs|heures?|h|qty|quantity|quantities|quantite|qte|"
                              r"stunden|std|menge|anzahl|days?|jours?|units?|uren|aantal|"
                              r"cantidad|ore|quantita)\.?")


def _quantity_cell(segment: Segment, amount: Amount, aboves: list[Row]) -> bool:
    """Return True when ``amount`` fills a cell of its own, without a currency, under a
    column headed as hours or quantities: a totals row that also sums the hours."""
    if amount.has_currency or segment.text.strip() != amount.text:
        return False
    header = fold(_label_above(segment, aboves)).strip()
    return bool(header) and _QUANTITY_HEADER.fullmatch(header) is not None


def _under_column_header(lone: Candidate, rows: list[Row]) -> Candidate:
    """The one amount of a document, without a label on its row: labelled by its column's
    header however far above (a one-row table "Invoice Number | Invoice Date | Charges" over
    "34278587 | 6/18/2017 | $56,651.49", its header cells tall)."""
    x0, top, x1, _ = lone.evidence.bbox
    for row in reversed(rows):
        if row.page != lone.evidence.page or row.bottom > top:
            continue
        # a header cell runs from its text to the next cell's: left-aligned over a
        # right-aligned amount
        ends = [s.x0 for s in row.segments[1:]] + [max(x1, row.segments[-1].x1)]
        over = [s for s, end in zip(row.segments, ends, strict=True) if s.x0 < x1 and x0 < end]
        if over:
            header = over[-1].text
            if find_amounts(header) or not _is_label(header):
                return lone
            return Candidate(LINE, lone.value, header.strip(), lone.evidence, lone.row)
    return lone


def _weigh_suffixed_totals(amounts: list[Candidate], suffixed: list[bool]) -> list[Candidate]:
    """An amount qualified only by the word after it ("10,98 € TTC") may be a line's price
    with tax as well as the grand total: it is a grand total only when it is the largest
    amount printed (VAT aside) and no label names another total; otherwise a line."""
    others = {c.value for c, after in zip(amounts, suffixed, strict=True)
              if not after and c.kind in (GRAND, DUE, PLAIN)}
    largest = max((abs(c.value) for c in amounts if c.kind not in (VAT, CAPITAL)),
                  default=Decimal(0))
    out: list[Candidate] = []
    for cand, after in zip(amounts, suffixed, strict=True):
        if after and cand.kind == GRAND and (abs(cand.value) != largest
                                             or others - {cand.value}):
            cand = Candidate(LINE, cand.value, cand.label, cand.evidence, cand.row)
        out.append(cand)
    return out


def classify(label: str) -> str | None:
    """Return the kind of amount a label announces, or None for a line item. A label the
    vocabulary does not know is tried again with its glued words split ("TotalNetTTC",
    "Sous-totalArticles(HT)": text layers that drop the spaces) and the spacing accents of
    such layers dropped ("Nume´ro")."""
    kind = _classify_folded(fold(label))
    if kind is None:
        unglued = _unglue(label)
        if unglued != label:
            kind = _classify_folded(fold(unglued))
    return kind


def _classify_folded(folded: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.search(folded):
            return kind
    return None


_SPACING_ACCENTS = re.compile("[\u00b4`\u02c6\u00a8\u02dc\u02c7\u02d8\u00b8]")
_GLUED = re.compile(r"(?<=[^\W\d_])(?=\()|(?<=\))(?=\w)|(?<=[a-zà-ÿ])(?=[A-Z])|"
                    r"(?<=[A-Z])(?=[A-Z][a-zà-ÿ]{2})")


def _unglue(label: str) -> str:
    """Return ``label`` with its glued words split at case changes and parentheses."""
    return _GLUED.sub(" ", _SPACING_ACCENTS.sub("", label))


# "HT" / "TTC" written right after an amount qualifies it: "Montant facturé (9,15 € HT)
# 10,98 € TTC"
_TAX_SUFFIX = re.compile(r"\s*(H\.? ?T\.?|T\.? ?T\.? ?C\.?)(?![\w.])", re.IGNORECASE)


def _labelled_amounts(row: Row, aboves: list[Row]
                      ) -> list[tuple[Segment, Amount, str, bool]]:
    """Return each amount of ``row`` with its label, and whether that label is only the
    "HT" / "TTC" written after it."""
    out: list[tuple[Segment, Amount, str, bool]] = []
    label = ""
    for segment in row.segments:
        pos = 0
        for amount in find_amounts(segment.text):
            fragment = segment.text[pos:amount.start]
            own = fragment if _is_label(fragment) else ""
            if own:
                label = fragment
            suffix = _TAX_SUFFIX.match(segment.text, amount.end)
            pos = amount.end
            if suffix is not None and (not own or classify(own) is None):
                out.append((segment, amount, f"{own} {suffix.group(1)}".strip(), True))
                pos = suffix.end()
                continue
            out.append((segment, amount, label or _label_above(segment, aboves), False))
        tail = segment.text[pos:]
        if _is_label(tail):
            label = tail
    return out


def _stacked_label(near: list[Row], evidence: Evidence) -> str:
    """The label of a box whose words are stacked on two lines beside an amount centred
    between them ("Total" over "GBP", then "180.00"; "VAT" half a line above "30.00"), for an
    amount its own row gives no known label: the words nearest to its left whose lines touch
    its height, when none is a number (a quantity, a rate) and the amount is alone on its
    row."""
    x0, top, _, bottom = evidence.bbox
    reach = 0.5 * (bottom - top)
    alone = [r for r in near if r.top <= bottom and top <= r.bottom
             and sum(len(find_amounts(s.text)) for s in r.segments) == 1]
    if len(alone) != 1:
        return ""
    beside = [w for r in near if r.page == evidence.page for s in r.segments for w in s.words
              if w.x1 <= x0 and w.bottom > top - reach and w.top < bottom + reach
              and _ALNUM.search(w.text)]  # a table's rule read as "|" is no word
    if not beside:
        return ""
    nearest = max(beside, key=lambda w: w.x1)
    cell = sorted((w for w in beside if w.x0 < nearest.x1 and nearest.x0 < w.x1),
                  key=lambda w: w.top)
    text = " ".join(w.text for w in cell)
    return "" if any(not _LETTER.search(w.text) for w in cell) else text  # a number


def _dangling_label(above: Row) -> str:
    """A label ending with a colon, or naming a total, on the line above, its amount pushed
    to the next line ("Montant total :" then "147 028,91 €")."""
    last = above.segments[-1]
    if find_amounts(last.text):
        return ""
    if last.text.rstrip().endswith(":") or classify(last.text) in (GRAND, DUE):
        return last.text
    return ""


def _is_label(fragment: str) -> bool:
    """A label has a word of letters that is not a currency code."""
    return bool(_LABEL_CHARS.search(_CURRENCY_WORDS.sub(" ", fragment)))


def _label_above(segment: Segment, aboves: list[Row]) -> str:
    """Return the text of the amount-free segment above ``segment`` in its column: the row
    right above (stacked boxes), or the header of a column of amounts (a totals table whose
    header names every row below it)."""
    top = segment.words[0].top
    height = segment.words[0].height
    for above in aboves:
        if above.page != segment.page or top - above.bottom > 1.5 * height:
            return ""
        overlapping = [o for o in above.segments if o.x0 < segment.x1 and segment.x0 < o.x1]
        header = next((o for o in overlapping if not find_amounts(o.text)), None)
        if header is not None:
            return header.text
        if not overlapping:
            return _dangling_label(above) if above is aboves[0] else ""
        top = above.top  # an amount of the same column: keep going up to its header
    return ""


@dataclass(frozen=True)
class TotalFinding:
    """The grand total the document states, or why none can be named."""

    value: Decimal | None
    main: tuple[Candidate, ...]  # the candidates that make up the grand total
    rivals: tuple[Decimal, ...]  # distinct competing values when ambiguous
    due: tuple[Candidate, ...]  # amounts due after a deduction (prepayment)
    problem: str | None  # French reason when value is None
    note: str | None = None  # French remark on the total found (a net without VAT)


def arithmetic(facts: TotalFacts) -> Arithmetic:
    """Return the net + VAT = gross and gross − prepaid = due structures of the document."""
    # a share capital is no amount of the invoice: never a part of a sum, nor the largest
    printed = [Printed(cents(c.value), c.kind) for c in facts.amounts or facts.candidates
               if c.kind != CAPITAL]
    return reconcile(printed, {"vat": (VAT,), "sub": (SUB,), "total": (GRAND, DUE, PLAIN),
                               "deduction": (DEDUCTION,), "previous": (PREVIOUS,)})


def find_total(facts: TotalFacts, credit_note: bool = False, complete: bool = True
               ) -> TotalFinding:
    """Return the document's grand total: the amount that closes its arithmetic, the labels
    supporting it. An amount the arithmetic shows to be a net, VAT or an amount due after a
    prepayment is never the total; competing totals the arithmetic cannot order are unknown."""
    arith = arithmetic(facts)
    deductions = [c for c in facts.of(DEDUCTION) if c.value != 0]
    if deductions or _carried_over(facts):
        main, due = facts.of(GRAND) or facts.of(PLAIN), facts.of(DUE)
    else:
        main, due = facts.of(GRAND, DUE) or facts.of(PLAIN), []
        if not facts.of(GRAND):
            main = main + _totals_beside_due(facts, arith)
    # "Balance due $0.00": a settled invoice says nothing of its total
    main = [c for c in main if not (c.kind == DUE and c.value == 0)]
    if deductions and not main:
        main = _gross_before_payment(facts, deductions) or _paid_in_full(facts, deductions)
    refuted = [c for c in main if _refuted(cents(c.value), arith)
               or (c.kind == PLAIN and _plain_net(cents(c.value), arith, facts))]
    main = [c for c in main if c not in refuted]
    note = None
    if not main and not refuted:
        main = _pre_tax_fallback(facts)
        if not main and complete:
            main = _net_only_total(facts)
            note = NET_ONLY if main else None
    if not main:
        main = _arithmetic_total(facts, arith) or (_lone_amount(facts) if complete else [])
    if not main:
        reason = (f"le montant indiqué comme total ({_fmt(refuted[0].value)}) est, par le "
                  "calcul, un montant hors taxes ou de TVA") if refuted else _missing_reason(facts)
        return TotalFinding(None, (), (), tuple(due), reason)
    values = _distinct(main, credit_note)
    if len(values) > 1:
        values, main, due = _order_by_arithmetic(values, main, due, arith, credit_note)
    if len(values) > 1:
        return TotalFinding(None, tuple(main), tuple(values), tuple(due),
                            "plusieurs totaux différents")
    return TotalFinding(values[0], tuple(main), (), tuple(due), None, note)


def _carried_over(facts: TotalFacts) -> bool:
    """Return True when an amount due is a labelled total plus a printed previous balance
    ("TOTAL $110.00", "PREVIOUS BALANCE $500.00", "TOTAL DUE $610.00"): the amount due is then
    no rival of the total. Only an exact sum counts."""
    totals = {cents(c.value) for c in facts.of(GRAND) or facts.of(PLAIN)}
    previous = {cents(c.value) for c in facts.of(PREVIOUS) if c.value != 0}
    dues = {cents(c.value) for c in facts.of(DUE)}
    return any(t + p in dues for t in totals for p in previous)


def _totals_beside_due(facts: TotalFacts, arith: Arithmetic) -> list[Candidate]:
    """A plain "Total" printed beside a different amount due, the arithmetic showing it no
    net nor VAT: a rival of the amount due ("TOTAL $110.00", "PREVIOUS BALANCE $500.00",
    "AMOUNT DUE $610.00"). Unless a prepayment or the net + VAT sum orders them, the two make
    the total unknown: an amount due is never the total against a labelled total."""
    dues = {c.value for c in facts.of(DUE)}
    if not dues:
        return []
    return [c for c in facts.of(PLAIN) if c.value not in dues and c.value != 0
            and not _refuted(cents(c.value), arith)]


def _gross_before_payment(facts: TotalFacts, deductions: list[Candidate]) -> list[Candidate]:
    """No amount labelled as the total beside a payment: the gross is the printed amount
    that the payment and a labelled amount due add up to ("Total Charges $710.00",
    "Payment $710.00", "Balance Due $0.00"; "Acompte : 20,00", "NET A PAYER 100,00" and the
    totals row "100,00 20,00 120,00" labelled by the legal text beside it), provided it is the
    largest amount printed (a share capital aside), of the payment's sign (a negative invoice:
    −100 − (−10) = −90), and no VAT, net, payment or due itself. Several such amounts or none:
    no total."""
    dues = {cents(c.value) for c in facts.of(DUE)}
    largest = max((abs(c.value) for c in facts.amounts if c.kind != CAPITAL),
                  default=Decimal(0))
    paid = {cents(c.value) for c in deductions}
    shut = (VAT, SUB, DEDUCTION, DUE, PREVIOUS, PRICE, CAPITAL)
    found = [c for c in facts.amounts if c.kind not in shut and abs(c.value) == largest
             and c.value != 0 and any(cents(c.value) - p in dues for p in paid
                                      if (p > 0) == (c.value > 0))]
    return found if len({c.value for c in found}) == 1 else []


def _paid_in_full(facts: TotalFacts, deductions: list[Candidate]) -> list[Candidate]:
    """A receipt whose only total is what was paid ("Entrée plein tarif 6,00 €", "Entrée tarif
    réduit 3,50 €", "Payé 9,50 €"): the payment is the total when no label names a total, a
    net, VAT or an amount due, it is the largest amount printed (a share capital aside), and
    the two or more unlabelled amounts printed right before it add up to it exactly."""
    if facts.of(GRAND, PLAIN, DUE, SUB, VAT) or len(deductions) != 1:
        return []
    paid = deductions[0]
    printed = [c for c in facts.amounts if c.kind != CAPITAL]
    index = printed.index(paid)
    lines: list[Candidate] = []
    for cand in reversed(printed[:index]):
        if cand.kind != LINE:
            break
        lines.append(cand)
    largest = max(abs(c.value) for c in printed)
    if any(c.value != 0 for c in printed[index + 1:]) or facts.missing_pages:
        return []  # an amount after the payment: a later instalment, a charge, change given
    if paid.value <= 0 or paid.value != largest or len(lines) < 2 \
            or sum(c.value for c in lines) != paid.value:
        return []
    return [paid]


def _plain_net(value: int, arith: Arithmetic, facts: TotalFacts) -> bool:
    """A plain "Total" is a net when a standard VAT rate of it, printed, adds up to a larger
    printed amount ("Total 150.00", "30.00", "180.00"): an OCR that lost the "Sub" of
    "Sub Total", or the "VAT" of a row, leaves only the rate to tell. That VAT must be printed
    as VAT or with no label at all: an amount whose row says something else ("Déjà facturé
    2 000,00 €" beside "Cumul facturé 12 000,00 €") is no VAT, and a rate alone then never
    makes the labelled total a net."""
    def vat_like(amount: int) -> bool:
        return any(cents(c.value) == amount and (c.kind == VAT or not _LETTER.search(c.label))
                   for c in facts.amounts or facts.candidates)
    return any(t.net == value and vat_like(t.vat) for t in arith.supported(strict=False))


_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")


def _refuted(value: int, arith: Arithmetic) -> bool:
    """An amount that a printed VAT turns into a larger printed amount is a net; an amount
    that is the VAT of a printed net and gross is VAT: neither is the grand total."""
    return arith.is_net(value) or arith.is_vat(value)


def _order_by_arithmetic(values: list[Decimal], main: list[Candidate], due: list[Candidate],
                         arith: Arithmetic, credit_note: bool
                         ) -> tuple[list[Decimal], list[Candidate], list[Candidate]]:
    """Competing totals: keep the one the others are parts of (gross − prepaid = due, net,
    VAT); the amounts due after a prepayment join ``due``. Unchanged when none is."""
    as_cents = {v: cents(v) for v in values}
    for top in values:
        others = [v for v in values if v != top]
        if len(others) > 1 and sum(others) == top:  # a column of parts and their sum
            explained = True
        else:
            explained = all(arith.explained_below(as_cents[v], as_cents[top])
                            or _prepaid_between(as_cents[top], as_cents[v], arith)
                            for v in others)
        if explained:
            kept = [c for c in main if _value(c, credit_note) == top]
            due = due + [c for c in main if _value(c, credit_note) != top]
            return [top], kept, due
    return values, main, due


def _prepaid_between(gross: int, due: int, arith: Arithmetic) -> bool:
    """Return True when ``gross − due`` is printed as a prepayment (labelled as one)."""
    return any(g == gross and d == due for g, _, d in arith.prepayments)


def _arithmetic_total(facts: TotalFacts, arith: Arithmetic) -> list[Candidate]:
    """Without a usable label: the one gross that closes net + VAT and is the largest amount
    printed; anything less clear-cut names no total."""
    strict = bool(facts.candidates)  # a rate alone speaks only where no label does
    grosses = arith.grosses(strict)
    if len(grosses) != 1 or abs(grosses[0]) != arith.largest:
        return []
    gross = grosses[0]
    order = [cents(c.value) for c in facts.amounts]
    last = max(i for i, v in enumerate(order) if v == gross)
    before = set(order[:last])
    if not any(t.gross == gross and t.net in before and t.vat in before
               for t in arith.supported(strict)):
        return []  # the gross must close the sum below its net and its VAT
    return [facts.amounts[last]]


_LONE_HEADER = re.compile(r"^\W*(total )?(charges?|amounts?|montants?|betrag|importe|total)"
                          r"( (ttc|due|du|a payer))?\W*$")


def _lone_amount(facts: TotalFacts) -> list[Candidate]:
    """The document prints one amount, with its currency, in a column whose header names
    charges or an amount ("Charges" over "$56,651.49"): nothing else can be its total."""
    printed = [c for c in facts.amounts if c.kind != CAPITAL]
    if len(printed) != 1 or printed[0].value <= 0 or facts.taxed or facts.missing_pages:
        return []  # "Plus VAT at 20 %", "Page 1 of 2": the amount may be a net, or a line
    lone = printed[0]
    if not (_LONE_HEADER.search(fold(lone.label)) and _CURRENCY_WORDS.search(lone.evidence.text)):
        return []
    return [lone]


def _value(cand: Candidate, credit_note: bool) -> Decimal:
    return abs(cand.value) if credit_note else cand.value


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _pre_tax_fallback(facts: TotalFacts) -> list[Candidate]:
    """A VAT-exempt invoice may only print "Total HT": accept it when no VAT is charged. A
    subtotal ("Sous-total (HT)", a section's sum) is never the total, and the pre-tax total
    must be the largest amount printed (VAT-labelled ones aside: a share capital), else it
    may be a section's sum: no consistent structure, no total."""
    vat = facts.of(VAT)
    if any(c.value != 0 for c in vat):
        return []
    if not facts.exempt and not vat:
        return []
    subs = facts.of(SUB)
    chosen = [c for c in subs if re.search(r"\bh\.?t\b|hors tax", _label_key(c.label))
              and not _SUBTOTAL.search(_label_key(c.label))]
    if not chosen or len({abs(c.value) for c in chosen}) > 1:
        return []
    value = abs(chosen[0].value)
    if any(abs(c.value) > value for c in facts.amounts if c.kind not in (VAT, CAPITAL)):
        return []
    return chosen


NET_ONLY = "montant net : aucune TVA ni aucun total TTC n'apparaît sur la facture"


def _net_only_total(facts: TotalFacts) -> list[Candidate]:
    """An invoice that bills its net: its lines, then a net ("Summe (netto) 19643.73 €",
    "Total HT") and nothing else, the CFA's invoices being VAT-exempt. The net is the total
    only when no page shows any trace of VAT or of a gross total (no VAT amount, rate or
    word, no TTC, gross, total, amount due, payment or allowance), it is the largest amount
    printed, one value, no section's subtotal, and the line amounts above it add up to it
    exactly (the last amount of each line's row, the lines right above the net)."""
    if facts.taxed or facts.missing_pages or facts.of(VAT, GRAND, DUE, PLAIN, DEDUCTION,
                                                      PREVIOUS, ADJUST):
        return []
    nets = [c for c in facts.of(SUB) if not _SUBTOTAL.search(_label_key(c.label))]
    if not nets or len({c.value for c in nets}) > 1 or nets[0].value <= 0:
        return []
    value = nets[0].value
    if any(abs(c.value) > value for c in facts.amounts if c.kind != CAPITAL):
        return []
    first = min(c.row for c in nets)
    # an amount billed after the net ("Frais de port 10,00 €"), or between two nets (a second
    # section's lines, its net equal to the first's), makes it no total; a legal sentence
    # citing a sum ("indemnité forfaitaire … de 40 €") bills nothing
    if any(c.row > first and c not in nets and c.kind != CAPITAL
           and (c.value != 40 or len(_WORDS.findall(c.label)) < _SENTENCE)
           for c in facts.amounts):
        return []
    last_of_row: dict[int, Decimal] = {}  # each line's row → its rightmost amount
    for cand in facts.amounts:
        if cand.kind == LINE and 0 <= cand.row < first:
            last_of_row[cand.row] = cand.value
    total = Decimal(0)
    for row in sorted(last_of_row, reverse=True):
        total += last_of_row[row]
        if total == value:
            return nets
    return []


_WORDS = re.compile(r"[^\W\d_]{2,}")
_SENTENCE = 6  # words of letters in a label that is a sentence, not a row's label


_SUBTOTAL = re.compile(r"\b(sous[- ]?total\w*|sub[- ]?total\w*|zwischensumme|subtotaal|"
                       r"subtotale|total page|report\w*)")


def _label_key(label: str) -> str:
    """Return the folded label, its glued words split."""
    return fold(_unglue(label))


def _missing_reason(facts: TotalFacts) -> str:
    if facts.of(SUB):
        return "seul un total hors taxes ou un sous-total figure, sans total TTC"
    return "aucun montant total identifiable"


def _distinct(cands: list[Candidate], credit_note: bool) -> list[Decimal]:
    values: list[Decimal] = []
    for cand in cands:
        value = abs(cand.value) if credit_note else cand.value
        if value not in values:
            values.append(value)
    return values
