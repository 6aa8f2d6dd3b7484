"""Settings read once at the edge (environment) and passed down as a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE = Path("data") / "console.db"


@dataclass(frozen=True)
class Settings:
    """What the application needs to know about its surroundings."""

    database_url: str
    session_timeout_minutes: int = 30
    max_failed_logins: int = 5
    lockout_minutes: int = 15
    # signs the session cookie; None: a random secret generated once and kept in the database
    session_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build the settings from the environment (``DATABASE_URL`` and friends)."""
        env = os.environ if environ is None else environ
        url = env.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}"
        return cls(
            database_url=url,
            session_timeout_minutes=int(env.get("SESSION_TIMEOUT_MINUTES", "30")),
            max_failed_logins=int(env.get("MAX_FAILED_LOGINS", "5")),
            lockout_minutes=int(env.get("LOCKOUT_MINUTES", "15")),
            session_secret=env.get("SESSION_SECRET") or None,
        )
