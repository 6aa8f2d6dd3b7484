"""The review queue, the review screen's data and the decisions (validate, refuse, approve)."""
