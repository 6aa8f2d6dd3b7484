"""Benchmark databases: built once per scale and database kind, then reused.

SQLite files live in ``data/bench-<scale>.db``; PostgreSQL databases are ``bench_<scale>`` on
the server of ``BENCH_POSTGRES_URL`` (default: the local trust-auth server). A database is
reused when its ``bench_scale`` setting says it was built for that scale by this version of
the builder; the build time measured then is kept beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from db.migrate import upgrade
from db.models import Setting
from db.session import make_engine, make_sessionmaker
from domain.clock import today
from seed.national import SCALES, build_national

BUILD_VERSION = "5"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Dataset:
    """A benchmark database ready to measure."""

    kind: str  # sqlite | postgresql
    scale: str
    url: str
    build_seconds: float
    reused: bool


def sqlite_url(scale: str, folder: Path = Path("data")) -> str:
    """The SQLite benchmark file of ``scale``."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'bench-{scale}.db'}"


def postgres_url(admin_url: str, scale: str) -> str:
    """The PostgreSQL benchmark database of ``scale`` (created when missing)."""
    name = f"bench_{scale}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).first()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _marker(engine: Engine) -> tuple[str | None, float]:
    with make_sessionmaker(engine)() as s:
        rows = dict(s.execute(select(Setting.key, Setting.value).where(
            Setting.key.in_(["bench_scale", "bench_build_seconds"]))).all())
    return rows.get("bench_scale"), float(rows.get("bench_build_seconds", "0") or 0)


def _reset(url: str, admin_url: str | None) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = make_engine(admin_url or DEFAULT_PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def ensure(kind: str, url: str, scale: str, admin_url: str | None = None,
           quiet: bool = False) -> Dataset:
    """Build the data set of ``scale`` at ``url`` unless it is already there."""
    tag = f"{scale}:{BUILD_VERSION}"
    engine = make_engine(url)
    upgrade(engine)
    found, seconds = _marker(engine)
    if found == tag:
        engine.dispose()
        return Dataset(kind, scale, url, seconds, True)
    engine.dispose()
    _reset(url, admin_url)
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build_national(engine, today(), SCALES[scale],
                   progress=(lambda _m: None) if quiet else print)
    seconds = round(time.perf_counter() - started, 1)
    with make_sessionmaker(engine).begin() as s:
        s.add_all([Setting(key="bench_scale", value=tag),
                   Setting(key="bench_build_seconds", value=str(seconds))])
    engine.dispose()
    return Dataset(kind, scale, url, seconds, False)
