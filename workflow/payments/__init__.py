"""Payments, payment runs with credit-note deductions, SEPA files, reimbursements."""
