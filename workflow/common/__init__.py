"""Shared by every feature: the acting user and its guards (access), bounds on typed values,
confirmations of money actions, the event log, paging, settings and status transitions."""
