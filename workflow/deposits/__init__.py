"""Deposits of the CFA's invoices with their automatic checks."""
