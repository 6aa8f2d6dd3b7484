"""The review of a deposited invoice: check jobs, check runs and their verdicts, the
refusal reasons, the instructeurs' decisions and the letters sent to CFAs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base
from db.types import Code, UtcDateTime, one_of
from domain.vocabulary import CheckName, DecisionOutcome, JobKind, JobState, Outcome, TextSource


class CheckRun(Base):
    """One run of the automatic checks over one document; ``summary`` is the worst outcome."""

    __tablename__ = "check_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    ran_at: Mapped[datetime] = mapped_column(UtcDateTime)
    text_source: Mapped[TextSource] = mapped_column(Code(TextSource))
    summary: Mapped[Outcome] = mapped_column(Code(Outcome, 10))
    found: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    elapsed_ms: Mapped[Decimal] = mapped_column(Numeric(10, 1))

    __table_args__ = (
        one_of("text_source", TextSource),
        one_of("summary", Outcome),
        Index("ix_check_run_document_first", "document_id", "id", "ran_at", "summary"),
    )

    results: Mapped[list[CheckResultRow]] = relationship(order_by="CheckResultRow.id")


class CheckResultRow(Base):
    """One verdict of a check run, with its evidence (page, box, text) as JSON."""

    __tablename__ = "check_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("check_run.id"), index=True)
    name: Mapped[CheckName] = mapped_column(Code(CheckName, 30))
    outcome: Mapped[Outcome] = mapped_column(Code(Outcome, 10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (one_of("outcome", Outcome),)


class CheckJob(Base):
    """One run of the automatic checks to do, off the request path (``workflow.deposits.jobs``).

    Written with the deposit (or the re-check request) in the same transaction; a worker
    claims it, reads the file with no transaction open, and lands the results only when the
    document is still the pro forma's current version. ``state``: pending, running, done,
    stale (a newer version was deposited meanwhile), failed (every attempt failed: the run
    holds every check ``unknown`` with the reason in ``error``).
    """

    __tablename__ = "check_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"))
    kind: Mapped[JobKind] = mapped_column(Code(JobKind, 10))
    state: Mapped[JobState] = mapped_column(Code(JobState, 10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        one_of("kind", JobKind),
        one_of("state", JobState),
        Index("ix_check_job_state", "state", "run_after", "id"),
        Index("ix_check_job_pro_forma", "pro_forma_id", "state"),
    )


class RefusalReason(Base):
    """A refusal reason of the catalogue, with the letter the CFA reads."""

    __tablename__ = "refusal_reason"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    letter: Mapped[str] = mapped_column(Text)
    requires_comment: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Decision(Base):
    """An instructeur's decision on a pro forma, with what was seen when it was made."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[DecisionOutcome] = mapped_column(Code(DecisionOutcome))
    version: Mapped[int] = mapped_column(Integer)
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("refusal_reason.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    checks_seen: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    against_checks: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        one_of("outcome", DecisionOutcome),
        Index("ix_decision_outcome_at", "outcome", "at"),
        Index("ix_decision_pro_forma_outcome", "pro_forma_id", "outcome", "id"),
    )


class Notice(Base):
    """A letter sent to a CFA (a refusal letter), read in the portal and downloadable as PDF."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    cfa_id: Mapped[int] = mapped_column(ForeignKey("cfa.id"), index=True)
    pro_forma_id: Mapped[int] = mapped_column(ForeignKey("pro_forma.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    reason_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
