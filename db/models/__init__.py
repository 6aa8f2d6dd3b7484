"""SQLAlchemy 2 typed models of the billing console, one module per feature.

Every amount of money is ``Numeric(12, 2)`` in SQL and ``Decimal`` in Python. Statuses,
natures, kinds, roles and outcomes are the domain's enums (``domain.vocabulary``), stored as
their code strings and kept within the vocabulary by CHECK constraints (migrations 0012 and
0016; on SQLite, triggers, since adding a CHECK would rebuild referenced tables); the database
also enforces what must never be broken whatever the code does: an échéance in at most one live
pro forma, one version number per document, an append-only event log (triggers added by the
migration). Every moment is a ``UtcDateTime`` (``db/types.py``): aware, in UTC, on both
engines.

The modules: ``base`` (``Base``, its naming convention, ``Money``), ``contracts`` (CFAs,
employers, apprentices, contracts, contract imports and changes, échéances), ``accounts``
(users, web sessions, login sources, saved filters), ``billing`` (pro formas, their lines,
deposited documents and attestations), ``review`` (check jobs, runs and results, refusal
reasons, decisions, notices), ``payments`` (batches, payments, credit applications),
``events`` (the event log, settings, counters).

This package re-exports every model, ``Base`` and ``Money`` (the one re-export of the code
base): ``from db.models import ProForma`` is how the rest of the code names a model, and
importing the package registers every mapper on ``Base.metadata``, which Alembic compares with
the migrated database.
"""

from db.models.accounts import LoginSource, SavedFilter, User, WebSession
from db.models.base import NAMING, Base, Money
from db.models.billing import Attestation, Document, ProForma, ProFormaLine
from db.models.contracts import (
    CLAIMED,
    Apprentice,
    Cfa,
    Contract,
    ContractChange,
    ContractImport,
    Echeance,
    Employer,
)
from db.models.events import Counter, Event, Setting
from db.models.payments import CreditApplication, Payment, PaymentBatch
from db.models.review import CheckJob, CheckResultRow, CheckRun, Decision, Notice, RefusalReason

__all__ = [
    "CLAIMED",
    "NAMING",
    "Apprentice",
    "Attestation",
    "Base",
    "Cfa",
    "CheckJob",
    "CheckResultRow",
    "CheckRun",
    "Contract",
    "ContractChange",
    "ContractImport",
    "Counter",
    "CreditApplication",
    "Decision",
    "Document",
    "Echeance",
    "Employer",
    "Event",
    "LoginSource",
    "Money",
    "Notice",
    "Payment",
    "PaymentBatch",
    "ProForma",
    "ProFormaLine",
    "RefusalReason",
    "SavedFilter",
    "Setting",
    "User",
    "WebSession",
]
