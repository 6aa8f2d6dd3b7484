"""The managers' settings as stored (``setting`` rows), read by every feature."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Setting


def setting(session: Session, key: str, default: str) -> str:
    """A manager setting's raw value."""
    row = session.get(Setting, key)
    return row.value if row else default
