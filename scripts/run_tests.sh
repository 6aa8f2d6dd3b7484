#!/usr/bin/env bash
# Lint (scripts/lint.sh), then run the whole suite on SQLite, then the database tests again on
# PostgreSQL.
# PostgreSQL: TEST_DATABASE_URL (an admin URL; the tests create and drop their own database),
# default postgresql+psycopg://postgres@127.0.0.1:5432/postgres. When none answers but the
# PostgreSQL programs are installed, a throwaway server is started for the run.
set -uo pipefail
PY=.venv/bin/python
PYTEST=("$PY" -m pytest -n 2 -p no:cacheprovider --durations=15)
export PYTHONDONTWRITEBYTECODE=1

# `make lint` first (ruff, import-linter): a broken layer fails the run like a failed test.
if [ "${SKIP_LINT:-0}" != 1 ]; then
  echo "=== Lint ==="
  PY="$PY" bash scripts/lint.sh || { echo "ÉCHEC : lint"; exit 1; }
fi

echo "=== Tests sur SQLite ==="
env -u TEST_DATABASE_URL "${PYTEST[@]}" "$@"
sqlite_rc=$?

PG_URL=${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
pg_up() { "$PY" -c "import sys,sqlalchemy as sa; e=sa.create_engine(sys.argv[1]); e.connect().close()" "$1" >/dev/null 2>&1; }
tmp_pg=""
if ! pg_up "$PG_URL"; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -n "$bindir" ] && [ -x "$bindir/initdb" ]; then
    tmp_pg=$(mktemp -d)
    chown -R postgres "$tmp_pg" 2>/dev/null || true
    as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    as_pg "$bindir/initdb -D $tmp_pg/data -U postgres -A trust >/dev/null"
    as_pg "$bindir/pg_ctl -D $tmp_pg/data -o '-p 55432 -k $tmp_pg -c listen_addresses=127.0.0.1' -l $tmp_pg/log -w start >/dev/null"
    PG_URL="postgresql+psycopg://postgres@127.0.0.1:55432/postgres"
    echo "PostgreSQL temporaire démarré sur le port 55432."
  fi
fi
pg_rc=0
if pg_up "$PG_URL"; then
  echo "=== Tests sur PostgreSQL ($PG_URL) ==="
  TEST_DATABASE_URL="$PG_URL" "${PYTEST[@]}" -m db "$@"
  pg_rc=$?
else
  echo "##############################################################"
  echo "### ATTENTION : aucun PostgreSQL joignable ni installable :  ###"
  echo "### la passe PostgreSQL des tests a été SAUTÉE.              ###"
  echo "##############################################################"
fi
if [ -n "$tmp_pg" ]; then
  as_pg "$bindir/pg_ctl -D $tmp_pg/data -m fast stop >/dev/null" || true
  rm -rf "$tmp_pg"
fi
if [ $sqlite_rc -ne 0 ] || [ $pg_rc -ne 0 ]; then
  echo "ÉCHEC : SQLite=$sqlite_rc PostgreSQL=$pg_rc"
  exit 1
fi
