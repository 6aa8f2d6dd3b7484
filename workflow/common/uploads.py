"""The name stored for an uploaded file (an invoice, a credit note, an attestation)."""

from __future__ import annotations

from checks.pdf.validate import base_name, name_message, name_problem
from domain.errors import InvalidInput


def clean_filename(filename: str) -> str:
    """The name stored for an upload: its last path component (no ``../``, no folders).

    Raises InvalidInput when the name holds a character outside the safe set of
    ``checks.pdf.validate.name_problem`` (controls, invisible or bidi formats, line separators,
    look-alike slashes): PostgreSQL refuses NUL in text, the others forge what the reviewer
    reads.
    """
    if (problem := name_problem(filename or "")) is not None:
        raise InvalidInput("file", name_message(problem))
    return base_name(filename or "")  # its length: checks.pdf.validate (MAX_NAME, the column's)
