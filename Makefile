# The two commands: `make run` and `make test`. Both set themselves up from a fresh clone.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The first Python >= 3.12 found: python3.13, python3.12, python3, then pyenv's own builds.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$c; break; }; \
	done)

.PHONY: run test bench load faults lint format assets setup worker clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python >= 3.12 found. Install Python 3.12 or newer (or set PYTHON=/path/to/python3.12)."; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@bash scripts/system-packages.sh run
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_frameworks
	$(PY) manage.py setup_demo
	@# A task worker (bulk exports) runs beside the server and stops with it.
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# Just the background worker (bulk exports), for when the server runs elsewhere.
worker: $(STAMP)
	$(PY) manage.py db_worker

test: $(STAMP)
	@bash scripts/system-packages.sh test
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) -m tests.bench
	$(PY) -m tests.bench.dashboards
	$(PY) -m tests.bench.reports
	$(PY) -m tests.bench.bulk
	$(PY) -m tests.bench.editor

# A bounded load test on loopback: gunicorn on its own PostgreSQL with the demo data, Locust headless.
load: $(STAMP)
	bash scripts/load.sh

# Scripted faults on loopback (database stopped under traffic, workers killed), on its own cluster.
faults: $(STAMP)
	bash scripts/faults.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Rebuilds the vendored GOV.UK Frontend CSS/JS (needs Node and the npm registry; the result is committed).
assets:
	bash frontend/build.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
