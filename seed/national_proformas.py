"""Pro formas of the national data set, with their lines, documents, checks, decisions,
payments and events, all consistent with the status table.

Each CFA's due échéances are grouped into pro formas of a few contracts, each generated soon
after its last échéance fell due. Its fate is then played forward in time to today: the CFA
deposits its invoice some days later (a few CFAs take months), an instructeur decides within
weeks, the payment follows. What has not happened by today is where the pro forma stands, so
the flow is continuous: old pro formas are paid, recent ones wait, decisions and payments
happen every week up to today.
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
from seed.bulk import bulk
from seed.demo_invoices import invoice_pdf
from seed.reference import PRO_FORMA_FIRST

INSTRUCTEURS = [3, 4, *range(7, 35)]  # user ids of the instructeur rows made by _users
CHECKS = ("file", "pro_forma_number", "total", "invoice_number", "siret", "iban", "duplicate")
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
            for nature in ("pedagogie", "frais_annexes", "equipement", "mobilite"):
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
        kind = "credit_note" if lines[0]["amount"] < 0 else "invoice"
        created = datetime.combine(max(e["due_on"] for e in lines), datetime.min.time(),
                                   tzinfo=PARIS)
        created += timedelta(days=self.rng.randrange(1, 15), hours=9)
        status, times = self._fate(created, kind)
        total = sum((e["amount"] for e in lines), Decimal("0"))
        decider = self.rng.choice(INSTRUCTEURS)
        row = {
            "id": pf_id, "number": f"PRO-{self.last_number:08d}", "cfa_id": cfa_id,
            "nature": lines[0]["nature"], "kind": kind, "status": status, "total": total,
            "dossiers": len({e["contract_id"] for e in lines}),
            "settlement_mode": "deduction" if kind == "credit_note" else None,
            "version": 1 + len(times) - 1, "created_at": times["generated"],
            "created_by_id": None, "deposited_at": times.get("deposited"),
            "first_deposited_at": times.get("deposited"),
            "own_invoice_number": f"F{pf_id:07d}" if "deposited" in times else None,
            "assigned_to_id": None,
            "decided_at": times.get("decided"),
            "decided_by_id": decider if "decided" in times else None,
            "refusal_reason_id": 1 if status == "refused" else None, "refusal_comment": None,
            "needs_second_approval": False, "approved_by_id": None,
            "paid_at": times.get("paid"), "cancelled_at": times.get("cancelled"),
            "latest_run_id": None, "check_summary": None,
        }
        self._add("pro_forma", row)
        live = status != "cancelled"
        for e in lines:
            if live:
                e["pro_forma_id"] = pf_id  # the claim, inserted with the échéance
            self._add("pro_forma_line", {
                "id": self.ids.take("pro_forma_line"), "pro_forma_id": pf_id,
                "echeance_id": e["id"], "contract_id": e["contract_id"], "amount": e["amount"],
                "released": not live})
        self._history(row, times, decider)

    def _fate(self, created: datetime, kind: str) -> tuple[str, dict[str, datetime]]:
        """Play the pro forma's life forward from its generation; stop at today."""
        rng = self.rng
        now = datetime.combine(self.today, datetime.min.time(), tzinfo=PARIS) + timedelta(hours=8)
        t = {"generated": min(created, now - timedelta(days=1))}
        if rng.random() < CANCELLED:
            t["cancelled"] = min(now, t["generated"] + timedelta(days=rng.randrange(1, 9)))
            return "cancelled", t
        lag = rng.randrange(10, 150) if rng.random() < SLOW_DEPOSIT else rng.randrange(1, 8)
        deposited = t["generated"] + timedelta(days=lag, hours=rng.randrange(0, 9))
        if deposited >= now:
            return "awaiting_invoice", t
        t["deposited"] = deposited
        decided = deposited + timedelta(days=rng.randrange(1, 40), hours=rng.randrange(0, 9))
        if decided >= now:
            return "under_review", t
        t["decided"] = decided
        if rng.random() < REFUSED:
            return "refused", t
        paid = decided + timedelta(days=rng.randrange(2, 20))
        if kind == "credit_note" or paid >= now:  # a credit note is settled, never paid
            return "validated", t
        t["paid"] = paid
        return "paid", t

    def _history(self, pf: dict[str, Any], times: dict[str, datetime], decider: int) -> None:
        steps = [("generated", None, "awaiting_invoice", times["generated"], None)]
        if "cancelled" in times:
            steps.append(("cancelled", "awaiting_invoice", "cancelled", times["cancelled"], None))
        if "deposited" in times:
            steps.append(("deposited", "awaiting_invoice", "under_review", times["deposited"],
                          None))
            self._document(pf, times["deposited"])
        if "decided" in times:
            outcome = "refused" if pf["status"] == "refused" else "validated"
            steps.append((outcome, "under_review", outcome, times["decided"], decider))
            self._add("decision", {
                "id": self.ids.take("decision"), "pro_forma_id": pf["id"], "document_id": None,
                "decided_by_id": decider, "at": times["decided"], "outcome": outcome,
                "version": 3, "reason_id": 1 if outcome == "refused" else None,
                "comment": None, "checks_seen": {}, "against_checks": False})
        if "paid" in times:
            steps.append(("paid", "validated", "paid", times["paid"], decider))
            self._add("payment", {
                "id": self.ids.take("payment"), "pro_forma_id": pf["id"], "cfa_id": pf["cfa_id"],
                "batch_id": None, "gross": pf["total"], "deducted": Decimal("0.00"),
                "net": pf["total"], "paid_on": times["paid"].date(),
                "reference": f"VIR-{pf['number']}", "paid_by_id": decider})
        for version, (action, before, after, at, actor) in enumerate(steps, start=1):
            self._add("event", {
                "id": self.ids.take("event"), "at": at, "actor_id": actor, "entity": "pro_forma",
                "entity_id": pf["id"], "pro_forma_id": pf["id"], "action": action,
                "from_status": before, "to_status": after, "reason": None, "comment": None,
                "version": version, "data": {}})

    def _document(self, pf: dict[str, Any], at: datetime) -> None:
        doc_id = self.ids.take("document")
        content = b""
        if pf["status"] == "under_review":
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
        summary = self.rng.choices(["pass", "fail", "unknown"], [0.7, 0.15, 0.15])[0]
        pf["latest_run_id"], pf["check_summary"] = run_id, summary
        self._add("check_run", {"id": run_id, "document_id": doc_id, "ran_at": at,
                                "text_source": "text", "summary": summary, "found": {},
                                "elapsed_ms": Decimal("80.0")})
        for name in CHECKS:
            outcome = summary if name == "total" else "pass"
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
