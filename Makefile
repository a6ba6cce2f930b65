# Learning Loop. `make demo` and `make test` are the two commands a fresh machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/learning_loop

.PHONY: demo test test-postgres lint install serve css clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Create the virtualenv, install, migrate, load the demo year, then run the web server and the
# django-q2 worker together (Ctrl-C stops both).
demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py qcluster & \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT) & \
	  sleep 4; echo; $(PY) manage.py load_demo; \
	  echo "Learning Loop is running at http://$(HOST):$(PORT) with its worker (Ctrl-C stops both)."; \
	  echo "Emails, sign-in codes included, are printed in this terminal."; \
	  wait

serve: $(STAMP)
	@trap 'kill 0' EXIT INT TERM; $(PY) manage.py qcluster & $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Rebuild static/css/app.css from static/scss/app.scss (needs Node.js; the CSS is committed).
css:
	bash scripts/build_css.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* test-db.sqlite3*

# Backups (personal data: keep them encrypted and off the server). PostgreSQL: pg_dump -Fc;
# SQLite: the online backup API. `make restore FILE=...` replaces the whole database.
.PHONY: backup restore
backup: $(STAMP)
	$(PY) manage.py backup $(if $(FILE),--output $(FILE))

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/learning-loop-....dump"; exit 2; }
	$(PY) manage.py restore $(FILE)

# --- Production-like stack and load test (docs/deploy.md) -----------------------------------
LOADTEST_STAMP := $(VENV)/.loadtest-stamp

$(LOADTEST_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,loadtest]'
	touch $(LOADTEST_STAMP)

.PHONY: serve-prod loadtest

# PostgreSQL (database learning_loop_prod, created if missing) + Redis db 1, migrate,
# collectstatic, gunicorn (4 workers) on 127.0.0.1:8001, 2 qclusters, and an SMTP sink on
# 127.0.0.1:8025 unless EMAIL_URL is set. Ctrl-C stops every process it started.
serve-prod: $(LOADTEST_STAMP)
	$(PY) -m deploy.stack $(SERVE_PROD_ARGS)

# Not part of `make test`: a fresh database learning_loop_load, the same stack on 127.0.0.1:8011,
# 300 practitioners booking 20 events of 25 places, then 2,000 evaluation emails with one worker
# killed mid-run. Prints the figures; exits non-zero when a correctness figure fails.
loadtest: $(LOADTEST_STAMP)
	$(PY) -m loadtest.run $(LOADTEST_ARGS)

# --- Report benchmark (docs/performance.md) -------------------------------------------------
.PHONY: bench

# Not part of `make test`: 1x, 10x and 100x a partnership's year imported into fresh databases
# (SQLite file and PostgreSQL learning_loop_bench_<scale>; BENCH_DATABASE=sqlite|postgres|both),
# then time and query count of the uptake page, the JSON report and the XLSX export against one
# hand-written SQL query for the same figures. Exits non-zero if the figures differ.
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)
