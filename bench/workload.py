"""The console's hot paths, timed through the workflow (ORM) and as hand-written SQL.

For each path three figures: the workflow call as a page makes it (``orm_ms``, judged against
the targets); the very statements that call executed, captured as SQLAlchemy built them and run
again through a session (``query_ms``); the same queries written directly in SQL (``raw_ms``).
``ratio`` = query_ms / raw_ms is the cost of the ORM per query; ``call_ratio`` = orm_ms / raw_ms
also counts the workflow's own Python (access checks, display rows).

Each figure is the median of ``RUNS`` runs after one warm-up; the workflow call and its raw SQL
twin run alternately, so that both see the same moments of the machine. Writes (generation,
"Prendre le suivant") run in a transaction that is rolled back, so every run sees the same
data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, bindparam, event, select, text
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from db.models import ProForma, User
from db.session import make_engine, make_sessionmaker
from db.types import UtcDateTime
from domain.clock import now, today
from domain.vocabulary import Status
from workflow.billing import documents, proformas
from workflow.billing.eligibility import EligibleFilters, eligible_ids, list_eligible, recap
from workflow.common.access import Actor, actor_of
from workflow.review import review, review_screen
from workflow.review.review import QueueFilters

RUNS = 15
GENERATED_LINES = 5000

_ELIGIBLE = "e.nature = 'pedagogie' AND e.pro_forma_id IS NULL AND e.due_on <= :today"
_FIRST_CONTRACTS = """
SELECT c.id FROM contract c
WHERE c.cfa_id = :cfa {extra}
  AND EXISTS (SELECT 1 FROM echeance e WHERE e.contract_id = c.id AND {eligible})
ORDER BY c.number LIMIT 20"""
_ELIGIBLE_PAGE = """
SELECT e.id, c.id, c.number, c.title, a.first_name || ' ' || a.last_name, m.name, m.siret,
       c.start, c."end", e.period_start, e.period_end, e.amount, e.detail, c.status,
       c.rupture_on
FROM ({first}) AS pc
JOIN echeance e ON e.contract_id = pc.id
JOIN contract c ON c.id = pc.id
JOIN apprentice a ON a.id = c.apprentice_id
JOIN employer m ON m.id = c.employer_id
WHERE c.cfa_id = :cfa AND {eligible}
ORDER BY c.number, e.due_on, e.id LIMIT 20 OFFSET 0"""
_DUE = """
FROM echeance e
WHERE e.cfa_id = :cfa AND {eligible} {extra}"""
_NAME = "AND {cond}"
_RECAP = """
SELECT count(DISTINCT e.contract_id), count(e.id), count(DISTINCT e.contract_id),
       count(e.id), coalesce(sum(CASE WHEN e.amount > 0 THEN e.amount END), 0),
       coalesce(sum(CASE WHEN e.amount < 0 THEN e.amount END), 0) {from_}"""
_QUEUE_COUNT = "SELECT count(*) FROM pro_forma p WHERE p.status = 'under_review' {extra}"
_QUEUE_FROM = """
FROM pro_forma p
JOIN cfa f ON f.id = p.cfa_id
LEFT JOIN app_user u ON u.id = p.assigned_to_id
WHERE p.status = 'under_review' {extra}"""
_QUEUE_PAGE = """
SELECT p.id, p.number, f.name, f.siret, p.nature, p.kind, p.total, p.dossiers,
       p.deposited_at, u.name, p.check_summary, p.latest_run_id {from_}
ORDER BY p.deposited_at, p.id LIMIT 25 OFFSET 0"""
_QUEUE_COUNTS = """
SELECT run_id, outcome, count(*) FROM check_result WHERE run_id IN (
  SELECT p.latest_run_id {from_} ORDER BY p.deposited_at, p.id LIMIT 25) GROUP BY run_id, outcome"""
_TAKE_NEXT = """
SELECT p.id, p.number FROM pro_forma p
WHERE p.status = 'under_review' AND p.assigned_to_id IS NULL
ORDER BY p.deposited_at, p.id LIMIT 1"""
_REVIEW_QUERIES = [  # the review screen's seven reads
    "SELECT p.*, f.name, f.siret, f.iban, f.bic, f.address FROM pro_forma p "
    "JOIN cfa f ON f.id = p.cfa_id WHERE p.id = :pf",
    "SELECT * FROM document WHERE pro_forma_id = :pf ORDER BY version DESC",
    "SELECT r.*, x.name, x.outcome, x.message, x.evidence FROM check_run r "
    "JOIN document d ON d.id = r.document_id LEFT JOIN check_result x ON x.run_id = r.id "
    "WHERE d.pro_forma_id = :pf ORDER BY r.id DESC, x.id",
    "SELECT id, name FROM app_user WHERE id IN (SELECT actor_id FROM event WHERE pro_forma_id "
    "= :pf UNION SELECT decided_by_id FROM decision WHERE pro_forma_id = :pf) "
    "OR id = (SELECT assigned_to_id FROM pro_forma WHERE id = :pf)",
    """SELECT c.number, a.last_name, a.first_name, c.title, e.period_start, e.period_end,
       e.detail, l.amount
FROM pro_forma_line l
JOIN echeance e ON e.id = l.echeance_id
JOIN contract c ON c.id = l.contract_id
JOIN apprentice a ON a.id = c.apprentice_id
WHERE l.pro_forma_id = :pf ORDER BY l.id""",
    "SELECT * FROM event WHERE pro_forma_id = :pf ORDER BY id",
    "SELECT d.*, r.label FROM decision d LEFT JOIN refusal_reason r ON r.id = d.reason_id "
    "WHERE d.pro_forma_id = :pf ORDER BY d.id",
]


def median_ms(call: Callable[[], Any], runs: int = RUNS, digits: int = 2) -> float:
    """Median wall time of ``call`` in milliseconds, after one warm-up run."""
    return alternate_ms(call, runs=runs, digits=digits)[0]


def alternate_ms(*calls: Callable[[], Any], runs: int = RUNS, digits: int = 2) -> list[float]:
    """Medians (ms) of calls run in turn, each after one warm-up run."""
    for call in calls:
        call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(runs):
        for call, bucket in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            bucket.append((time.perf_counter() - start) * 1000)
    return [round(statistics.median(bucket), digits) for bucket in times]


def _statements(call: Callable[[], Any]) -> list[tuple[Any, Any]]:
    """The statements (SQLAlchemy constructs and their parameters) that ``call`` executes
    through its session, captured as the workflow built them."""
    seen: list[tuple[Any, Any]] = []

    def grab(state: ORMExecuteState) -> None:
        seen.append((state.statement, state.parameters))

    event.listen(Session, "do_orm_execute", grab)
    try:
        call()
    finally:
        event.remove(Session, "do_orm_execute", grab)
    return seen


def _replay(factory: sessionmaker[Session], statements: list[tuple[Any, Any]]
            ) -> Callable[[], None]:
    """Execute the captured statements again through a session (rows fetched, typed as the
    ORM types them), in one transaction rolled back: the ORM side of the ratio."""
    def call() -> None:
        with factory() as s:
            for stmt, params in statements:
                result = s.execute(stmt, params)
                # an ORM result always has rows; a cursor's only when it returns some
                if not isinstance(result, CursorResult) or result.returns_rows:
                    result.all()
            s.rollback()
    return call


def _actor(s: Session, email: str) -> Actor:
    return actor_of(s.scalars(select(User).where(User.email == email)).one())


def _raw(engine: Engine, *queries: tuple[str, dict[str, Any]]) -> Callable[[], None]:
    def call() -> None:
        with engine.connect() as conn:
            for sql, params in queries:
                conn.execute(text(sql), params).all()
    return call


def _raw_take_next(engine: Engine, user_id: int) -> Callable[[], None]:
    """Select the oldest unassigned, claim it, log the event; rolled back like the ORM run."""
    lock = " FOR UPDATE SKIP LOCKED" if engine.dialect.name == "postgresql" else ""

    def call() -> None:
        with engine.connect() as conn:
            row = conn.execute(text(_TAKE_NEXT + lock)).first()
            if row is not None:
                conn.execute(text(
                    "UPDATE pro_forma SET assigned_to_id = :u WHERE id = :p "
                    "AND status = 'under_review' AND assigned_to_id IS NULL"),
                    {"u": user_id, "p": row[0]})
                conn.execute(text(
                    "INSERT INTO event (at, actor_id, entity, entity_id, pro_forma_id, action, "
                    "data) VALUES (:at, :u, 'pro_forma', :p, :p, 'assigned', '{}')"
                ).bindparams(bindparam("at", type_=UtcDateTime())),
                    {"at": now(), "u": user_id, "p": row[0]})
            conn.rollback()
    return call


def _read(factory: sessionmaker[Session], fn: Callable[..., Any], *args: Any,
          **kwargs: Any) -> Callable[[], Any]:
    def call() -> Any:
        with factory() as s:
            return fn(s, *args, **kwargs)
    return call


def _rolled_back(factory: sessionmaker[Session], body: Callable[[Session], Any]
                 ) -> Callable[[], Any]:
    def call() -> Any:
        with factory() as s:
            try:
                return body(s)
            finally:
                s.rollback()
    return call


def measure(url: str) -> dict[str, dict[str, float]]:
    """Every hot path on the database at ``url``: {name: {orm_ms, raw_ms?, ratio?}}."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as s:
        cfa, instr = _actor(s, "cfa@demo.fr"), _actor(s, "instructeur@demo.fr")
        oldest = s.scalars(select(ProForma.id).where(ProForma.status == Status.UNDER_REVIEW)
                           .order_by(ProForma.deposited_at).limit(1)).first()
    params = {"cfa": cfa.cfa_id, "today": today()}
    search = EligibleFilters(last_name="MARTIN")
    # the name search as workflow.textsearch writes it on each database
    like = "ILIKE" if engine.dialect.name == "postgresql" else "LIKE"
    named = _NAME.format(cond=f"c.apprentice_last_name {like} '%MARTIN%'")
    first = _FIRST_CONTRACTS.format(extra="", eligible=_ELIGIBLE)
    first_named = _FIRST_CONTRACTS.format(extra=named, eligible=_ELIGIBLE)
    page_sql = _ELIGIBLE_PAGE.format(first=first, eligible=_ELIGIBLE)
    search_sql = _ELIGIBLE_PAGE.format(first=first_named, eligible=_ELIGIBLE)
    due_from = _DUE.format(eligible=_ELIGIBLE, extra="")
    named_from = _DUE.format(eligible=_ELIGIBLE, extra=(
        f"AND e.contract_id IN (SELECT c.id FROM contract c WHERE c.cfa_id = :cfa {named})"))
    queue_from = _QUEUE_FROM.format(extra="")
    fail = "AND p.check_summary = 'fail'"
    fail_from = _QUEUE_FROM.format(extra=fail)
    out: dict[str, dict[str, float]] = {}

    def pair(name: str, orm: Callable[[], Any], raw: Callable[[], None]) -> None:
        """The workflow call (``orm_ms``, judged against the targets), then the ratio of its
        statements executed through SQLAlchemy (``query_ms``) to the same queries written
        in SQL (``raw_ms``); ``call_ratio`` also counts the workflow's own Python."""
        replay = _replay(factory, _statements(orm))
        orm_ms, query_ms, raw_ms = alternate_ms(orm, replay, raw)
        out[name] = {"orm_ms": orm_ms, "query_ms": query_ms, "raw_ms": raw_ms,
                     "ratio": round(query_ms / max(raw_ms, 0.01), 2),
                     "call_ratio": round(orm_ms / max(raw_ms, 0.01), 2)}

    pair("eligible_page", _read(factory, list_eligible, cfa, "pedagogie"),
         _raw(engine, (f"SELECT count(*) {due_from}", params), (page_sql, params)))
    pair("eligible_search", _read(factory, list_eligible, cfa, "pedagogie", search),
         _raw(engine, (f"SELECT count(*) {named_from}", params), (search_sql, params)))
    pair("recap", _read(factory, recap, cfa, "pedagogie"),
         _raw(engine, (_RECAP.format(from_=due_from), params)))
    pair("queue_page", _read(factory, review.queue, instr),
         _raw(engine, (_QUEUE_COUNT.format(extra=""), {}),
              (_QUEUE_PAGE.format(from_=queue_from), {}),
              (_QUEUE_COUNTS.format(from_=queue_from), {})))
    pair("queue_filtered", _read(factory, review.queue, instr, QueueFilters(checks="fail")),
         _raw(engine, (_QUEUE_COUNT.format(extra=fail), {}),
              (_QUEUE_PAGE.format(from_=fail_from), {}),
              (_QUEUE_COUNTS.format(from_=fail_from), {})))
    pair("take_next", _rolled_back(factory, lambda s: review.take_next(s, instr)),
         _raw_take_next(engine, instr.user_id))
    if oldest is not None:
        pair("review_data", _read(factory, review_screen.review_data, instr, oldest),
             _raw(engine, *((q, {"pf": oldest}) for q in _REVIEW_QUERIES)))
    out["generate_5000"] = _generation(factory, cfa)
    engine.dispose()
    return out


def _generation(factory: sessionmaker[Session], cfa: Actor) -> dict[str, float]:
    """Generate one pro forma of up to 5,000 échéances, PDF included (rolled back)."""
    with factory() as s:
        ids = eligible_ids(s, cfa, "pedagogie")
    chosen = [i for i in ids][:GENERATED_LINES]

    def body(s: Session) -> None:
        made = proformas.generate(s, cfa, "pedagogie", chosen)
        for pf in made:
            documents.pro_forma_pdf(s, cfa, pf.id)

    return {"orm_ms": median_ms(_rolled_back(factory, body), runs=3),
            "lines": float(len(chosen))}
