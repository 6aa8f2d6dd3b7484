"""Realistic CFA invoices for tests, benchmarks and demo data (not part of the product).

``make_invoice(spec)`` draws one invoice in one of several layouts (``LAYOUTS``, drawn by
``specimens.layouts``); ``make_scan`` turns a PDF into a noisy scan and ``make_facturx``
embeds a CII XML (``specimens.media``); ``corpus(seed)`` yields every layout in conforming and
near-miss variants with the verdict each check should give (``specimens.corpus``).
"""

from specimens.corpus import corpus
from specimens.invoices import LAYOUTS, InvoiceSpec, Specimen, make_invoice
from specimens.media import make_facturx, make_scan

__all__ = ["LAYOUTS", "InvoiceSpec", "Specimen", "corpus", "make_facturx", "make_invoice",
           "make_scan"]
