"""Pro formas of the national data set, with their lines, documents, checks, decisions,
payments and events, all consistent with the status table.

Each CFA's due échéances are grouped into pro formas of a few contracts, each generated soon
after its last échéance fell due. Its fate is then played forward in time to today: the CFA
deposits its invoice some days later (a few CFAs take months), an instructeur decides within
weeks, the payment follows. What has not happened by today is where the pro forma stands, so
the flow is continuous: old pro formas are paid, recent ones wait, decisions and payments
happen every week up to today.

Each pro forma's story is a list of the lifecycle's actions (``domain.lifecycle``), replayed
through its declaration: the statuses, the events and their order come from there, and an
action its status does not allow raises, as it would in the console.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from db.models import Base, Cfa, ProForma
from domain.clock import PARIS
from domain.lifecycle import LIVE, Act, require
from domain.vocabulary import (
    CheckName,
    DecisionOutcome,
    Kind,
    Nature,
    Outcome,
    SettlementMode,
    Status,
    TextSource,
)
from seed.bulk import bulk
from seed.demo_invoices import invoice_pdf
from seed.reference import PRO_FORMA_FIRST

INSTRUCTEURS = [3, 4, *range(7, 35)]  # user ids of the instructeur rows made by _users
CHECKS = (CheckName.FILE, CheckName.PRO_FORMA_NUMBER, CheckName.TOTAL, CheckName.INVOICE_NUMBER,
          CheckName.SIRET, CheckName.IBAN, CheckName.DUPLICATE)
GENERATED = "generated"  # the event of a generation (workflow.billing.proformas)
# when each action of a story happens (the key of its moment), and who takes it
WHEN = {Act.CANCEL: "cancelled", Act.ATTACH: "deposited", Act.VALIDATE: "decided",
        Act.REFUSE: "decided", Act.PAY: "paid"}
BY_INSTRUCTEUR = frozenset({Act.VALIDATE, Act.REFUSE, Act.PAY})
DECISIONS = {Act.VALIDATE: DecisionOutcome.VALIDATED, Act.REFUSE: DecisionOutcome.REFUSED}
Step = tuple[Act, Status, Status, str]  # an action, the status before and after, its event
CANCELLED, SLOW_DEPOSIT, REFUSED = 0.05, 0.15, 0.06  # shares of pro formas


@dataclass
class ProFormaBuilder:
    """Accumulates the rows of every table touched by the national pro formas."""

    rng: random.Random
    ids: Any
    today: date
    cfas: list[dict[str, Any]]
    last_number: int = PRO_FORMA_FIRST
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pro_formas: int = 0

    def _add(self, table: str, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def invoice(self, cfa_id: int, echeances: list[dict[str, Any]]) -> None:
        """Group the CFA's échéances due 20+ days ago into pro formas (claiming them).

        CFA 1, the largest, is behind with its invoicing (nothing for 8 months), so that it
        has thousands of eligible lines: the worst case of the eligible-contracts page.
        """
        cutoff = self.today - timedelta(days=240 if cfa_id == 1 else 20)
        due = sorted((e for e in echeances if e["due_on"] <= cutoff),
                     key=lambda e: (e["due_on"], e["id"]))
        groups: list[list[dict[str, Any]]] = []
        for sign in (1, -1):
            for nature in Nature:
                pool = [e for e in due if e["nature"] == nature and e["amount"] * sign > 0]
                while pool:
                    size = self.rng.randrange(3, 10)
                    groups.append(pool[:size])
                    pool = pool[size:]
        groups.sort(key=lambda g: max(e["due_on"] for e in g))
        for group in groups:
            self._pro_forma(cfa_id, group)

    def _pro_forma(self, cfa_id: int, lines: list[dict[str, Any]]) -> None:
        pf_id = self.ids.take("pro_forma")
        self.last_number += 1
        number = f"PRO-{self.last_number:08d}"
        kind = Kind.CREDIT_NOTE if lines[0]["amount"] < 0 else Kind.INVOICE
        created = datetime.combine(max(e["due_on"] for e in lines), datetime.min.time(),
                                   tzinfo=PARIS)
        created += timedelta(days=self.rng.randrange(1, 15), hours=9)
        story, times = self._fate(created, kind)
        steps = _replay(story, number, kind)
        status = steps[-1][2] if steps else Status.AWAITING
        total = sum((e["amount"] for e in lines), Decimal("0"))
        decider = self.rng.choice(INSTRUCTEURS)
        row = {
            "id": pf_id, "number": number, "cfa_id": cfa_id,
            "nature": lines[0]["nature"], "kind": kind, "status": status, "total": total,
            "dossiers": len({e["contract_id"] for e in lines}),
            "settlement_mode": SettlementMode.DEDUCTION if kind == Kind.CREDIT_NOTE else None,
            "version": 1 + len(times) - 1, "created_at": times["generated"],
            "created_by_id": None, "deposited_at": times.get("deposited"),
            "first_deposited_at": times.get("deposited"),
            "own_invoice_number": f"F{pf_id:07d}" if "deposited" in times else None,
            "assigned_to_id": None,
            "decided_at": times.get("decided"),
            "decided_by_id": decider if "decided" in times else None,
            "refusal_reason_id": 1 if status == Status.REFUSED else None,
            "refusal_comment": None,
            "needs_second_approval": False, "approved_by_id": None,
            "paid_at": times.get("paid"), "cancelled_at": times.get("cancelled"),
            "latest_run_id": None, "check_summary": None,
        }
        self._add("pro_forma", row)
        live = status in LIVE
        for e in lines:
            if live:
                e["pro_forma_id"] = pf_id  # the claim, inserted with the échéance
            self._add("pro_forma_line", {
                "id": self.ids.take("pro_forma_line"), "pro_forma_id": pf_id,
                "echeance_id": e["id"], "contract_id": e["contract_id"], "amount": e["amount"],
                "released": not live})
        self._history(row, steps, times, decider)

    def _fate(self, created: datetime, kind: Kind) -> tuple[list[Act], dict[str, datetime]]:
        """Play the pro forma's life forward from its generation; stop at today. Returns the
        actions taken, in order, and the moment of each (``WHEN``)."""
        rng = self.rng
        now = datetime.combine(self.today, datetime.min.time(), tzinfo=PARIS) + timedelta(hours=8)
        t = {"generated": min(created, now - timedelta(days=1))}
        if rng.random() < CANCELLED:
            t["cancelled"] = min(now, t["generated"] + timedelta(days=rng.randrange(1, 9)))
            return [Act.CANCEL], t
        lag = rng.randrange(10, 150) if rng.random() < SLOW_DEPOSIT else rng.randrange(1, 8)
        deposited = t["generated"] + timedelta(days=lag, hours=rng.randrange(0, 9))
        if deposited >= now:
            return [], t
        t["deposited"] = deposited
        decided = deposited + timedelta(days=rng.randrange(1, 40), hours=rng.randrange(0, 9))
        if decided >= now:
            return [Act.ATTACH], t
        t["decided"] = decided
        if rng.random() < REFUSED:
            return [Act.ATTACH, Act.REFUSE], t
        paid = decided + timedelta(days=rng.randrange(2, 20))
        if kind == Kind.CREDIT_NOTE or paid >= now:  # a credit note is settled, never paid
            return [Act.ATTACH, Act.VALIDATE], t
        t["paid"] = paid
        return [Act.ATTACH, Act.VALIDATE, Act.PAY], t

    def _history(self, pf: dict[str, Any], steps: list[Step], times: dict[str, datetime],
                 decider: int) -> None:
        """The rows each step leaves (document and checks, decision, payment) and the event
        log: the generation, then one event per step, as the lifecycle names it."""
        events: list[tuple[str, Status | None, Status, datetime, int | None]] = [
            (GENERATED, None, Status.AWAITING, times["generated"], None)]
        for act, before, after, event in steps:
            at = times[WHEN[act]]
            events.append((event, before, after, at, decider if act in BY_INSTRUCTEUR else None))
            if act is Act.ATTACH:
                self._document(pf, at)
            elif act in DECISIONS:
                outcome = DECISIONS[act]
                self._add("decision", {
                    "id": self.ids.take("decision"), "pro_forma_id": pf["id"],
                    "document_id": None, "decided_by_id": decider, "at": at,
                    "outcome": outcome, "version": 3,
                    "reason_id": 1 if outcome == DecisionOutcome.REFUSED else None,
                    "comment": None, "checks_seen": {}, "against_checks": False})
            elif act is Act.PAY:
                self._add("payment", {
                    "id": self.ids.take("payment"), "pro_forma_id": pf["id"],
                    "cfa_id": pf["cfa_id"], "batch_id": None, "gross": pf["total"],
                    "deducted": Decimal("0.00"), "net": pf["total"], "paid_on": at.date(),
                    "reference": f"VIR-{pf['number']}", "paid_by_id": decider})
        for version, (action, was, became, moment, actor) in enumerate(events, start=1):
            self._add("event", {
                "id": self.ids.take("event"), "at": moment, "actor_id": actor,
                "entity": "pro_forma", "entity_id": pf["id"], "pro_forma_id": pf["id"],
                "action": action, "from_status": was, "to_status": became, "reason": None,
                "comment": None,
                "version": version, "data": {}})

    def _document(self, pf: dict[str, Any], at: datetime) -> None:
        doc_id = self.ids.take("document")
        content = b""
        if pf["status"] == Status.UNDER_REVIEW:
            cfa = self.cfas[pf["cfa_id"] - 1]
            content = invoice_pdf(
                Cfa(**{k: cfa[k] for k in ("name", "siret", "uai", "nda", "address", "iban",
                                           "bic")}),
                ProForma(number=pf["number"], kind=pf["kind"], total=pf["total"],
                         nature=pf["nature"], created_at=pf["created_at"], lines=[]),
                pf["own_invoice_number"])
        self._add("document", {
            "id": doc_id, "pro_forma_id": pf["id"], "version": 1,
            "filename": f"Facture_{pf['own_invoice_number']}.pdf",
            "media_type": "application/pdf", "size": len(content),
            "sha256": hashlib.sha256(content or pf["number"].encode()).hexdigest(),
            "content": content, "own_invoice_number": pf["own_invoice_number"],
            "uploaded_at": at, "uploaded_by_id": None})
        run_id = self.ids.take("check_run")
        summary = self.rng.choices(list(Outcome), [0.7, 0.15, 0.15])[0]
        pf["latest_run_id"], pf["check_summary"] = run_id, summary
        self._add("check_run", {"id": run_id, "document_id": doc_id, "ran_at": at,
                                "text_source": TextSource.TEXT, "summary": summary, "found": {},
                                "elapsed_ms": Decimal("80.0")})
        for name in CHECKS:
            outcome = summary if name == CheckName.TOTAL else Outcome.PASS
            self._add("check_result", {"id": self.ids.take("check_result"), "run_id": run_id,
                                       "name": name, "outcome": outcome, "message": "",
                                       "evidence": []})

    def flush_pro_formas(self, engine: Engine) -> None:
        """Insert the pro formas made so far (before the échéances that point to them)."""
        rows = self.rows.pop("pro_forma", [])
        for start in range(0, len(rows), 20_000):
            bulk(engine, Base.metadata.tables["pro_forma"], rows[start:start + 20_000])
        self.pro_formas += len(rows)

    def flush(self, engine: Engine, say: Callable[[str], None]) -> None:
        """Insert every other accumulated row, parents first."""
        self.flush_pro_formas(engine)
        say(f"{self.pro_formas} pro formas")
        tables = Base.metadata.tables
        for name in ("pro_forma_line", "document", "check_run", "check_result",
                     "decision", "payment", "event"):
            rows = self.rows.pop(name, [])
            for start in range(0, len(rows), 20_000):
                bulk(engine, tables[name], rows[start:start + 20_000])
            say(f"{len(rows)} lignes dans {name}")


def _replay(story: list[Act], number: str, kind: Kind) -> list[Step]:
    """The steps of ``story`` from a new pro forma (En attente), each action checked against
    the lifecycle declaration (``require`` raises for one its status does not allow)."""
    status, steps = Status.AWAITING, []
    for act in story:
        action = require(act, status, number=number, kind=kind)
        after = action.target or status
        assert action.event is not None, act  # every action of a story changes something
        steps.append((act, status, after, action.event))
        status = after
    return steps
