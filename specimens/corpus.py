"""The specimen corpus: random but reproducible invoices in every layout and near-miss variant,
scans of some of them, and Factur-X PDFs, each with the verdicts the checks should give.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal

from checks.model import Expected
from specimens import layouts as draw
from specimens.invoices import (
    CHECKS,
    LAYOUTS,
    InvoiceSpec,
    Specimen,
    amounts,
    make_invoice,
    random_iban,
    random_siret,
)
from specimens.media import make_facturx, make_scan

_CFAS = ["CFA des Métiers du Sud", "CFA BTP Île-de-France", "Institut Formation Alternance",
         "CFA Commerce et Services", "École Supérieure d'Apprentissage", "CFA de l'Industrie"]
_NAMES = ["Martin Léa", "Bernard Hugo", "Dubois Chloé", "Thomas Lucas", "Robert Emma",
          "Petit Nathan", "Durand Inès", "Leroy Théo", "Moreau Jade", "Simon Louis"]
_NATURES = ["Pédagogie 40 %", "Pédagogie 30 %", "Frais annexes", "1ers équipements"]
_STYLES = {"english": ("en", "en"), "german": ("de", "de")}
TEXT_VARIANTS = ("ok", "total_off", "total_off_down", "vat_added", "line_equals_total",
                 "pf_missing", "pf_digit_off", "pf_digit_dropped", "pf_spaced", "pf_nodash",
                 "pf_lower", "inv_missing", "inv_is_pf", "siret_other", "siret_invalid",
                 "iban_other")


def random_spec(rng: random.Random, layout: str) -> InvoiceSpec:
    """Return a random conforming specimen in ``layout``."""
    count = rng.randint(45, 70) if layout in ("multipage", "subtotals") else rng.randint(2, 9)
    lines = tuple((f"Contrat {rng.randint(2023, 2025)}-{rng.randint(100000, 999999)} – "
                   f"{rng.choice(_NAMES)} – {rng.choice(_NATURES)}",
                   Decimal(rng.randint(150_00, 9_500_00)) / 100) for _ in range(count))
    language, style = _STYLES.get(layout, ("fr", rng.choice(["fr", "fr", "fr_int", "words"])))
    if style == "fr_int":
        lines = tuple((label, amount.quantize(Decimal("1"))) for label, amount in lines)
    return InvoiceSpec(
        layout=layout, cfa_name=rng.choice(_CFAS), siret=random_siret(rng),
        iban=random_iban(rng), invoice_number=f"{rng.choice(['FA', 'F', 'FAC'])}-"
        f"{rng.randint(2023, 2025)}-{rng.randint(1, 9999):04d}",
        pro_forma_text=f"PRO-{rng.randint(0, 99_999_999):08d}", lines=lines,
        credit_note=layout == "credit_note", language=language, amount_style=style,
        sep=rng.choice([" ", "\u00a0", "\u202f"]), siret_spaced=rng.random() < 0.5,
        prepayment=Decimal(rng.randint(500, 3000)) if layout == "prepayment" else Decimal(0))


def expected_of(spec: InvoiceSpec, pro_forma: str) -> Expected:
    """Return what the pro forma of a conforming ``spec`` expects."""
    base = amounts(replace(spec, add_vat=False, total=None))[0]
    total = -base if spec.credit_note and spec.negative_credit else base
    return Expected(pro_forma, total, spec.credit_note, spec.siret, spec.iban)


def _truth(**fails: str) -> dict[str, str]:
    truth = {name: "pass" for name in CHECKS}
    truth.update(fails)
    return truth


def _digit_off(pf: str, rng: random.Random) -> str:
    digits = list(pf[4:])
    i = rng.randrange(len(digits))
    digits[i] = str((int(digits[i]) + rng.randint(1, 9)) % 10)
    return "PRO-" + "".join(digits)


def _digit_dropped(pf: str, rng: random.Random) -> str:
    i = rng.randrange(4, len(pf))
    return pf[:i] + pf[i + 1:]


def apply_variant(spec: InvoiceSpec, variant: str, rng: random.Random
                  ) -> tuple[InvoiceSpec, Expected, dict[str, str]]:
    """Return the specimen, the expectations and the true verdicts of ``variant``."""
    pf = spec.pro_forma_text or "PRO-00000000"
    expected = expected_of(spec, pf)
    base = amounts(spec)[0]
    truth = _truth(total="fail") if spec.layout == "prepayment" else _truth()
    changes: dict[str, Callable[[], tuple[InvoiceSpec, Expected, dict[str, str]]]] = {
        "ok": lambda: (spec, expected, truth),
        "total_off": lambda: (replace(spec, total=base + Decimal("0.01")), expected,
                              {**truth, "total": "fail"}),
        "total_off_down": lambda: (replace(spec, total=base - Decimal("0.01")), expected,
                                   {**truth, "total": "fail"}),
        "vat_added": lambda: (replace(spec, add_vat=True), expected, {**truth, "total": "fail"}),
        "line_equals_total": lambda: (spec, replace(expected, total=_signed(
            spec, spec.lines[0][1])), {**truth, "total": "fail"}),
        "pf_missing": lambda: (replace(spec, pro_forma_text=None), expected,
                               {**truth, "pro_forma_number": "fail"}),
        "pf_digit_off": lambda: (replace(spec, pro_forma_text=_digit_off(pf, rng)), expected,
                                 {**truth, "pro_forma_number": "fail"}),
        "pf_digit_dropped": lambda: (replace(spec, pro_forma_text=_digit_dropped(pf, rng)),
                                     expected, {**truth, "pro_forma_number": "fail"}),
        "pf_spaced": lambda: (replace(spec, pro_forma_text="PRO " + pf[4:]), expected, truth),
        "pf_nodash": lambda: (replace(spec, pro_forma_text="PRO" + pf[4:]), expected, truth),
        "pf_lower": lambda: (replace(spec, pro_forma_text=pf.lower()), expected, truth),
        "inv_missing": lambda: (replace(spec, invoice_number=None), expected,
                                {**truth, "invoice_number": "fail"}),
        "inv_is_pf": lambda: (replace(spec, invoice_number=pf), expected,
                              {**truth, "invoice_number": "fail"}),
        "siret_other": lambda: (replace(spec, siret=random_siret(rng)), expected,
                                {**truth, "siret": "fail"}),
        "siret_invalid": lambda: (replace(spec, siret=_broken(spec.siret)), expected,
                                  {**truth, "siret": "fail"}),
        "iban_other": lambda: (replace(spec, iban=random_iban(rng)), expected,
                               {**truth, "iban": "fail"}),
    }
    return changes[variant]()


def _signed(spec: InvoiceSpec, value: Decimal) -> Decimal:
    return -value if spec.credit_note and spec.negative_credit else value


def _broken(siret: str) -> str:
    return siret[:-1] + str((int(siret[-1]) + 1) % 10)


def _special_variants(spec: InvoiceSpec, rng: random.Random
                      ) -> Iterator[tuple[str, InvoiceSpec, Expected, dict[str, str]]]:
    """Layout-specific near misses: an amount that merely equals the expected total."""
    expected = expected_of(spec, spec.pro_forma_text or "")
    base = amounts(spec)[0]
    if spec.layout == "prepayment":
        due = base - spec.prepayment
        yield "due_equals", spec, replace(expected, total=due), _truth(total="fail")
        yield "acompte_equals", spec, replace(expected, total=spec.prepayment), \
            _truth(total="fail")
    if spec.layout == "subtotals":
        yield "subtotal_equals", spec, replace(expected, total=_first_page_sum(spec)), \
            _truth(total="fail")
    if spec.layout == "credit_note":
        yield "credit_positive", replace(spec, negative_credit=False), expected, _truth()
    if spec.layout in ("vat_block", "english", "german", "stacked"):
        yield "vat_equals", replace(spec, add_vat=True), replace(
            expected, total=(base * Decimal("0.20")).quantize(Decimal("0.01"))), \
            _truth(total="fail")


def _first_page_sum(spec: InvoiceSpec) -> Decimal:
    sheet = draw.Sheet(spec)
    LAYOUTS[spec.layout](sheet)
    return sheet.notes[0]


def text_group(layout: str, draw_no: int, seed: int = 0) -> list[Specimen]:
    """Return one random draw of ``layout`` in every variant (reproducible per arguments)."""
    rng = random.Random(f"{seed}-{layout}-{draw_no}")
    spec = random_spec(rng, layout)
    out = []
    for variant in TEXT_VARIANTS:
        s, expected, truth = apply_variant(spec, variant, rng)
        out.append(_specimen(f"{layout}-{variant}-{draw_no}", s, expected, truth))
    for variant, s, expected, truth in _special_variants(spec, rng):
        out.append(_specimen(f"{layout}-{variant}-{draw_no}", s, expected, truth))
    return out


def text_specimens(seed: int = 0, per_variant: int = 2) -> Iterator[Specimen]:
    """Yield every layout × variant as a text PDF, ``per_variant`` random draws each."""
    for layout in LAYOUTS:
        for draw_no in range(per_variant):
            yield from text_group(layout, draw_no, seed)


def _specimen(name: str, spec: InvoiceSpec, expected: Expected, truth: dict[str, str],
              data: bytes | None = None, kind: str = "text", ext: str = "pdf") -> Specimen:
    number = (spec.invoice_number or "sans-numero").replace("/", "-")
    return Specimen(name, f"facture-{number}.{ext}", data or make_invoice(spec), expected,
                    truth, kind)


# (layout, variant) pairs scanned; each is scanned to PNG, JPEG and an image-only PDF.
SCANNED = (("simple", "ok"), ("table", "ok"), ("two_column", "total_off"),
           ("vat_block", "vat_added"), ("english", "ok"), ("credit_note", "ok"),
           ("german", "pf_digit_off"), ("stacked", "ok"), ("simple", "line_equals_total"),
           ("table", "pf_missing"))
FACTURX = (("simple", "ok", None), ("table", "ok", None), ("two_column", "ok", None),
           ("credit_note", "ok", None), ("simple", "total_off", None),
           ("table", "ok", Decimal("0.01")), ("two_column", "ok", Decimal("-100.00")))


SCAN_FORMATS = (("png", "png"), ("jpeg", "jpg"), ("pdf", "pdf"))


def scan_group(index: int, seed: int = 0, formats: tuple[str, ...] = ("png", "jpeg", "pdf")
               ) -> list[Specimen]:
    """Return the ``SCANNED[index]`` specimen scanned to each of ``formats``."""
    layout, variant = SCANNED[index]
    rng = random.Random(f"{seed}-scan-{index}")
    spec, expected, truth = apply_variant(random_spec(rng, layout), variant, rng)
    pdf = make_invoice(spec)
    return [_specimen(f"scan-{fmt}-{layout}-{variant}", spec, expected, truth,
                      make_scan(pdf, fmt, seed=seed * 1000 + index), "ocr", ext)
            for fmt, ext in SCAN_FORMATS if fmt in formats]


def scan_specimens(seed: int = 0) -> Iterator[Specimen]:
    """Yield the scanned specimens (OCR): ``SCANNED`` pairs × PNG, JPEG, image-only PDF."""
    for index in range(len(SCANNED)):
        yield from scan_group(index, seed)


def facturx_specimen(index: int, seed: int = 0) -> Specimen:
    """Return the ``FACTURX[index]`` Factur-X PDF; a shifted XML total makes it inconsistent."""
    layout, variant, xml_shift = FACTURX[index]
    rng = random.Random(f"{seed}-facturx-{index}")
    spec, expected, truth = apply_variant(random_spec(rng, layout), variant, rng)
    grand = None
    if xml_shift is not None:
        grand = amounts(spec)[2] + xml_shift
        truth = {**truth, "total": "fail"}
    shift = "" if xml_shift is None else f"-xml{xml_shift}"
    specimen = _specimen(f"facturx-{layout}-{variant}{shift}", spec, expected, truth,
                         make_facturx(spec, grand), "factur-x")
    return replace(specimen, accept_unknown=frozenset({"total"} if xml_shift else ()))


def facturx_specimens(seed: int = 0) -> Iterator[Specimen]:
    """Yield the Factur-X specimens."""
    for index in range(len(FACTURX)):
        yield facturx_specimen(index, seed)


def corpus(seed: int = 0, *, scans: bool = True, per_variant: int = 2) -> Iterator[Specimen]:
    """Yield the whole corpus: text PDFs, Factur-X PDFs and (when ``scans``) OCR scans."""
    yield from text_specimens(seed, per_variant)
    yield from facturx_specimens(seed)
    if scans:
        yield from scan_specimens(seed)
