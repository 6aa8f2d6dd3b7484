"""Money on the page: amounts as printed (``money``), the arithmetic that closes them
(``reconcile``), the grand total it names (``total``) and the pro forma lines found on their
rows (``lines``)."""
