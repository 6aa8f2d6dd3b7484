"""Eligible échéances, pro forma generation and cancellation, saved filters, the PDFs, and
the data of the CFA's "Mes pro formas" screen."""
