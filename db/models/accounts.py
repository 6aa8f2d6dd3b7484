"""Who logs in: users, their browser sessions, failed logins by source, saved searches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.models.contracts import Cfa
from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import Role


class User(Base):
    """A person who logs in: a CFA user (tied to one CFA), an instructeur, a manager, an admin."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(Code(Role))
    cfa_id: Mapped[int | None] = mapped_column(ForeignKey("cfa.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # set by a manager's reset or account creation: the password is provisional
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=text("false"))

    cfa: Mapped[Cfa | None] = relationship()

    __table_args__ = (one_of("role", Role),)


class SavedFilter(Base):
    """A CFA user's saved search of eligible contracts ("Ajouter à mes filtres")."""

    __tablename__ = "saved_filter"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WebSession(Base):
    """A browser session: what the HttpOnly cookie stands for (``workflow.accounts.sessions``).

    Only hashes are stored: ``token_hash`` is the sha256 of the cookie's token (set when the
    browser redeems its ticket), ``ticket_hash`` that of the one-time ticket the login page
    hands the browser (cleared once redeemed). Revocation (logout, password change,
    deactivation) sets ``revoked_at``; inactivity is judged on ``last_seen_at``.
    """

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginSource(Base):
    """Failed logins from one source (``accounts.auth``): the sha256 of the address the login
    page saw, its failures, the last one, and until when its attempts are held back."""

    __tablename__ = "login_source"
    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
