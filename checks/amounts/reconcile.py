"""The arithmetic every invoice obeys, whatever its words: net + VAT = gross, gross − prepaid =
due. It tells which printed amounts are a net (pre-tax) total, VAT, the gross total or an
amount due after a prepayment, so that a label never makes an amount the total against it.

Amounts are compared in cents, with their signs: a credit note printed negative obeys the same
sums among its negative amounts.
A sum qualifies as "net + VAT" only when the VAT is plausible: at most 27 % of the net, and
either labelled as VAT or within a cent of a standard rate of the net, or the net labelled
pre-tax, or the gross labelled as a total; two or three VAT amounts (several rates) may add up.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

MAX_RATE = Decimal("0.27")
# Standard, reduced and special VAT rates of the EU and its neighbours, in per mille.
_RATES = (21, 25, 26, 30, 38, 40, 50, 55, 60, 70, 77, 80, 81, 85, 90, 95, 100, 120, 130, 140,
          150, 160, 170, 180, 190, 200, 210, 220, 230, 240, 250, 255, 270)
MAX_AMOUNTS = 400  # distinct values considered; beyond, only labelled ones


@dataclass(frozen=True)
class Printed:
    """One printed amount for the arithmetic: its absolute value in cents and its kind."""

    cents: int
    kind: str


@dataclass(frozen=True)
class Triple:
    """net + vat = gross, in cents; ``labelled`` when a label supports it (a VAT label on the
    VAT, a pre-tax label on the net or a total label on the gross), not a rate alone."""

    net: int
    vat: int
    gross: int
    labelled: bool = True


@dataclass
class Arithmetic:
    """The consistent structures found among a document's printed amounts."""

    triples: list[Triple] = field(default_factory=list)
    prepayments: list[tuple[int, int, int]] = field(default_factory=list)  # gross, paid, due
    largest: int = 0
    printed_values: frozenset[int] = frozenset()

    def supported(self, strict: bool = True) -> list[Triple]:
        """Return the sums a label supports; every sum when ``strict`` is False (a document
        without any label, where a standard rate is the only clue)."""
        return [t for t in self.triples if t.labelled or not strict]

    def is_net(self, cents: int, strict: bool = True) -> bool:
        """Return True when ``cents`` plus a plausible VAT is printed as a larger amount."""
        return any(t.net == cents for t in self.supported(strict))

    def is_vat(self, cents: int, strict: bool = True) -> bool:
        """Return True when ``cents`` is the VAT of a net printed with its gross."""
        return any(t.vat == cents for t in self.supported(strict))

    def is_due_after_prepayment(self, cents: int) -> bool:
        """Return True when ``cents`` is a gross minus a printed prepayment."""
        return any(due == cents for _, _, due in self.prepayments)

    def explained_below(self, cents: int, gross: int) -> bool:
        """Return True when ``cents`` is, by the arithmetic, a part of ``gross``: its net, its
        VAT, or what remains due after a prepayment."""
        return any(t.gross == gross and cents in (t.net, t.vat) for t in self.supported()) \
            or any(g == gross and cents in (p, d) for g, p, d in self.prepayments)

    def grosses(self, strict: bool = True) -> list[int]:
        """Return the gross amounts that close a net + VAT sum and are no net themselves."""
        out = {t.gross for t in self.supported(strict) if not self.is_net(t.gross, strict)}
        return sorted(out, key=abs)


def cents(value: Decimal) -> int:
    """Return ``value`` in cents (signed)."""
    return int((value * 100).to_integral_value())


def reconcile(printed: Iterable[Printed], labelled_kinds: dict[str, tuple[str, ...]]
              ) -> Arithmetic:
    """Return the structures among ``printed`` amounts. ``labelled_kinds`` names the kinds
    (keys "vat", "sub", "total", "deduction"; "previous" names a carried-over balance, never a
    part of a sum) that support a sum. Sums are sought among the
    positive amounts and, for credit notes printed negative, among the negative ones; a
    negative amount (an allowance, a refund) is never the VAT of a positive net."""
    items = list(printed)
    result = Arithmetic()
    everything = {p.cents for p in items}
    result.printed_values = frozenset(everything)
    result.largest = max((abs(v) for v in everything), default=0)
    for sign in (1, -1):
        by_value: dict[int, set[str]] = {}
        for p in items:
            if p.cents * sign > 0:
                by_value.setdefault(p.cents * sign, set()).add(p.kind)
        for triple in _triples(by_value, labelled_kinds):
            result.triples.append(Triple(triple.net * sign, triple.vat * sign,
                                         triple.gross * sign, triple.labelled))
        if sign == 1:
            deductions = set(labelled_kinds.get("deduction", ()))
            paid_values = {abs(p.cents) for p in items if p.kind in deductions and p.cents}
            for paid in paid_values:
                for gross in by_value:
                    if gross > paid and gross - paid in by_value:
                        result.prepayments.append((gross, paid, gross - paid))
    return result


def _triples(by_value: dict[int, set[str]], labelled_kinds: dict[str, tuple[str, ...]]
             ) -> list[Triple]:
    if len(by_value) > MAX_AMOUNTS:
        by_value = {v: k for v, k in by_value.items() if k - {"line"}}
    vat_kinds = set(labelled_kinds.get("vat", ()))
    sub_kinds = set(labelled_kinds.get("sub", ()))
    total_kinds = set(labelled_kinds.get("total", ()))
    values = sorted(by_value)
    vat_values = [v for v in values if by_value[v] & vat_kinds][:8]
    out = _sums(by_value, values, vat_values, sub_kinds, vat_kinds, total_kinds)
    # an amount that closes a labelled net + VAT sum is a gross, not the VAT of another sum
    # unless labelled as VAT ("TOTAL 110" = 100 + 10 is no VAT of "500 + 110 = 610")
    grosses = {t.gross for t in out if t.labelled}
    out = [t for t in out if t.vat not in grosses or by_value[t.vat] & vat_kinds]
    # a balance carried over from earlier invoices is neither a net nor a VAT
    carried = set(labelled_kinds.get("previous", ()))
    if not carried:
        return out
    return [t for t in out if not (_only(by_value, t.vat, carried)
                                   or _only(by_value, t.net, carried))]


def _only(by_value: dict[int, set[str]], value: int, kinds: set[str]) -> bool:
    """Return True when ``value`` is printed, and only as amounts of ``kinds``."""
    printed = by_value.get(value)
    return printed is not None and printed <= kinds


def _sums(by_value: dict[int, set[str]], values: list[int], vat_values: list[int],
          sub_kinds: set[str], vat_kinds: set[str], total_kinds: set[str]) -> list[Triple]:
    out: list[Triple] = []
    for net in values:
        limit = net * 27 // 100
        for vat in values:
            if vat > limit:
                break
            gross = net + vat
            if gross not in by_value:
                continue
            labelled = bool(by_value[vat] & vat_kinds or by_value[net] & sub_kinds
                            or by_value[gross] & total_kinds)
            if labelled or _standard_rate(net, vat):
                out.append(Triple(net, vat, gross, labelled))
        for size in (2, 3):
            for combo in itertools.combinations(vat_values, size):
                vat = sum(combo)
                if vat <= limit and net + vat in by_value and net not in combo:
                    out.append(Triple(net, vat, net + vat))
    return out


def _standard_rate(net: int, vat: int) -> bool:
    return any(abs(net * rate - vat * 1000) <= 1000 for rate in _RATES)
