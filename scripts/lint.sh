#!/usr/bin/env bash
# The static checks `make lint` runs and `make test` runs first: ruff, then the import-linter
# contracts of pyproject.toml (layers console → workflow → db | checks → domain, the product
# never importing seed/specimens/bench/tests, no circles), then mypy --strict on the packages
# [tool.mypy] lists (domain, db, workflow).
set -euo pipefail
PY=${PY:-.venv/bin/python}
echo "=== ruff ==="
"$PY" -m ruff check .
echo "=== import-linter ==="
"$(dirname "$PY")/lint-imports" --no-cache --no-logo
echo "=== mypy ==="
"$PY" -m mypy
