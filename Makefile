# Two commands on a fresh machine: `make run` and `make test` (see README, Quick start).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test setup system-deps runtime-deps worker demo bench lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(DEV_STAMP): requirements-dev.txt $(RUN_STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(RUN_STAMP)

## Debian packages the checks need at run time: Tesseract and its French data (only when missing).
runtime-deps:
	@bash scripts/system_deps.sh runtime

## Debian packages the checks and the browser tests need (installed only when missing).
system-deps:
	@bash scripts/system_deps.sh test

## Serve the console on http://localhost:$(PORT), with demo data when the database is empty
## (console/entry/server.py: Streamlit's st.App around console/entry/app.py, with the session
## cookie's routes). With SQLite the server runs the check jobs in a local worker pool; with
## PostgreSQL start `make worker` (python -m workflow.deposits.worker) on one or more machines.
run: $(RUN_STAMP) runtime-deps
	$(PY) -m opco demo --if-empty
	$(PY) -m streamlit run console/entry/server.py --server.port $(PORT) --server.headless true

## The check worker (procrastinate on PostgreSQL, the local pool on SQLite): any number of them.
worker: $(RUN_STAMP) runtime-deps
	$(PY) -m workflow.deposits.worker

## Lint (scripts/lint.sh), then run every test, on SQLite and again on PostgreSQL.
test: $(DEV_STAMP) system-deps
	@bash scripts/run_tests.sh

demo: $(RUN_STAMP)
	$(PY) -m opco demo

SCALE ?= all
## Benchmarks at every scale (national data sets are built once, 2–3 min each, then reused).
bench: $(DEV_STAMP)
	$(PY) -m bench --scale $(SCALE)

## ruff and the import-linter contracts (scripts/lint.sh); `make test` runs them first.
lint: $(DEV_STAMP)
	@bash scripts/lint.sh

clean:
	rm -rf $(VENV) data .pytest_cache
