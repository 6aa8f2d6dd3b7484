#!/usr/bin/env bash
# The static checks `make lint` runs and `make test` runs first: ruff, then the import-linter
# contracts of pyproject.toml (layers opco → console → workflow → db | checks → domain with no
# ignored import, the product never importing seed/specimens/bench/tests, no circles), then
# mypy --strict on the packages [tool.mypy] lists (domain, db, workflow, checks, opco, seed).
set -euo pipefail
PY=${PY:-.venv/bin/python}
echo "=== ruff ==="
"$PY" -m ruff check .
echo "=== import-linter ==="
if grep -n "^ignore_imports" pyproject.toml; then
  echo "import-linter: an ignored import is an import from a lower layer to a higher one" >&2
  exit 1
fi
"$(dirname "$PY")/lint-imports" --no-cache --no-logo
echo "=== mypy ==="
"$PY" -m mypy
