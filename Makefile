# The few commands a person types. See README.md.
#
#   make demo   a fresh clone to a running demo: .venv, migrate, demo data, dev server
#   make test   the test suite (browser tests skip without /usr/bin/chromium)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint bench run serve worker beat

help:
	@echo "make demo    create .venv, migrate, seed the demo data and start http://$(HOST):$(PORT)/"
	@echo "make test    run the test suite (PYTEST_ARGS=... to pass options)"
	@echo "make lint    ruff, import-linter and the missing-migrations check"
	@echo "make bench   the scale benchmark (bench/run.sh)"
	@echo "make run     migrate, then the development server and a worker with embedded beat"
	@echo "make worker  a Celery worker (REDIS_URL, or the embedded queue in var/celery)"
	@echo "make beat    the Celery beat scheduler"

# Reinstalled whenever pyproject.toml changes.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found: install python3.11 or set PYTHON=..."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

demo: venv
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the logins above (Ctrl-C stops)."
	@echo "A worker with embedded beat runs beside the web server: daily runs, promise checks,"
	@echo "automatic levels and the outbox go as in production (worker log: var/worker.log)."
	@echo
	@$(MAKE) --no-print-directory serve

# The web server and, beside it, a Celery worker with embedded beat (on REDIS_URL, or on
# the embedded default's queue in files under var/celery); Ctrl-C stops both.
serve:
	@mkdir -p var
	@$(VENV)/bin/celery -A creditcontrol worker -B --pool=solo --loglevel=INFO \
		--schedule var/celerybeat-schedule >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(MANAGE) makemigrations --check --dry-run

bench: venv
	@if [ -f bench/run.sh ]; then bash bench/run.sh; \
	else echo "bench/run.sh is not there yet: nothing to run."; fi

run: venv
	$(MANAGE) migrate --no-input
	@$(MAKE) --no-print-directory serve

worker: venv
	$(VENV)/bin/celery -A creditcontrol worker --loglevel=INFO

# The schedule file lives in .venv so it never lands in the repository.
beat: venv
	$(VENV)/bin/celery -A creditcontrol beat --loglevel=INFO --schedule $(VENV)/celerybeat-schedule
