"""Log-in, server-side sessions, accounts administration, separation of duties, the CFA's
profile."""
