"""``python -m bench`` runs end to end at the small scale (figures are not asserted: speed is
measured by the benchmark, not by tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy.engine import make_url

from db.session import make_engine
from tests.conftest import ADMIN_URL, ON_POSTGRES

FIGURES = {"eligible_page", "eligible_search", "recap", "queue_page", "queue_filtered",
           "take_next", "review_data", "generate_5000"}


def _bench(kind: str, url: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "small", "--database", kind,
         "--database-url", url, "--json", "--no-checks"],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "BENCH_POSTGRES_URL": ADMIN_URL or "postgresql+psycopg://"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)["databases"][f"{kind}/small"]
    assert figures["build_seconds"] > 0
    assert set(figures["workload"]) == FIGURES
    for name, entry in figures["workload"].items():
        assert entry["orm_ms"] > 0, name
        if name != "generate_5000":
            assert entry["raw_ms"] > 0 and entry["ratio"] > 0, name
    assert figures["workload"]["generate_5000"]["lines"] > 100
    assert figures["dashboard"] and all(v > 0 for v in figures["dashboard"].values())
    return figures


@pytest.mark.slow
def test_bench_small_on_sqlite(tmp_path):
    _bench("sqlite", f"sqlite:///{tmp_path / 'bench.db'}")


@pytest.mark.slow
@pytest.mark.db
@pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass runs it")
def test_bench_small_on_postgresql():
    name = f"bench_test_{uuid.uuid4().hex[:8]}"
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        _bench("postgresql", url)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
