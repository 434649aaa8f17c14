# Samverkansportalen: `make run` serves the portal with demo data, `make test` runs the suite.
# Nothing needs to be installed beforehand but Python 3.11+ and git.

PYTHON ?= python3
UV_VERSION := 0.13.9
BOOTSTRAP := var/bootstrap
UV := $(BOOTSTRAP)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails point at the address `make run` serves (set SITE_URL to override).
SITE_URL ?= http://$(HOST):$(PORT)
# `make run` is development without Django's technical pages: the portal's own 404 and 500.
DEV = DEVELOPMENT=true SITE_URL=$(SITE_URL) $(if $(EID_DEMO),EID_DEMO=$(EID_DEMO))
# uv uses the Python that runs this Makefile and never downloads one of its own.
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint bench install prereqs migrate seed worker beat messages clean

# EID_DEMO=true make run: e-legitimation in the demo, through the test identity provider
# (python -m devidp on 127.0.0.1:8091, which stops when make does), whose persons carry
# Skatteverket's test personnummer.
EID_DEMO ?=
run: install prereqs
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo
	@if [ "$(EID_DEMO)" = "true" ]; then $(PY) -m devidp --host 127.0.0.1 --port 8091 --stop-with $$PPID & fi
	$(DEV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install prereqs
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=true $(VENV)/bin/mypy .

# The benchmark: a large data set in its own PostgreSQL database, then p50/p95 and query counts
# of the busiest pages, and req/s over HTTP (gunicorn with production settings on 127.0.0.1,
# Redis db 9) beside /healthz. BENCH_DATABASE_URL points elsewhere if wanted.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/samverkansportalen_bench
BENCH_SCALE ?= --organisations 5000 --calls 50 --applications 100000 --granted 100000
# The pages are measured without DEBUG (as served), and the open-data files are built in a
# directory of the benchmark's own, not over the ones `make run` serves. The in-process
# benchmark is one process, so its local cache keeps the person's roles as Redis does in
# production (PERSON_CACHE_LOCAL; bench_http runs with Redis).
BENCH_ENV = DEVELOPMENT=true DATABASE_URL=$(BENCH_DATABASE_URL) OPEN_DATA_ROOT=var/bench-open-data \
	PERSON_CACHE_LOCAL=true
BENCH_HTTP_ARGS ?= --clients 8 --seconds 10
bench: install
	@psql "$(BENCH_DATABASE_URL:/samverkansportalen_bench=/postgres)" -tc "SELECT 1 FROM pg_database WHERE datname = 'samverkansportalen_bench'" | grep -q 1 \
		|| psql "$(BENCH_DATABASE_URL:/samverkansportalen_bench=/postgres)" -c "CREATE DATABASE samverkansportalen_bench"
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_demo
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_scale $(BENCH_SCALE)
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py seed_scale_agreements
	$(BENCH_ENV) $(PY) manage.py build_insights
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)
	$(BENCH_ENV) $(PY) manage.py bench_http $(BENCH_HTTP_ARGS)
	$(BENCH_ENV) $(PY) manage.py bench_pdf

install: $(UV)
	$(UV) sync --frozen --quiet

$(UV):
	$(PYTHON) -m venv $(BOOTSTRAP)
	$(BOOTSTRAP)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# WeasyPrint (agreement and decision PDFs) needs Pango from the system; the test identity
# provider of e-legitimation (devidp, pysaml2) signs with the xmlsec1 program.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1
prereqs:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so' && command -v xmlsec1 >/dev/null; then \
		true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing WeasyPrint's system libraries and xmlsec1: $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else \
		echo "WeasyPrint needs Pango, and the test identity provider xmlsec1. Install them with:"; \
		echo "  sudo apt-get install -y $(SYSTEM_PACKAGES)"; \
		echo "(on macOS: brew install pango libxmlsec1)"; \
		exit 1; \
	fi

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV) $(PY) manage.py seed_demo

# A worker and beat against the Redis in REDIS_URL (for development with a real broker). The one
# worker consumes every queue (portal/queues.py); production may run a worker per queue.
worker: install
	$(VENV)/bin/celery -A portal worker --loglevel=INFO -Q celery,pdf,notifications,open_data,archive

beat: install
	$(VENV)/bin/celery -A portal beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Regenerate the Swedish catalogue after changing user-facing strings (needs gettext), then
# translate the new entries and compile; the .mo files are committed.
messages: install
	DEBUG=true $(PY) manage.py makemessages --locale sv --extension html,txt,py,jinja --ignore '.venv/*' --ignore 'var/*' --no-obsolete
	DEBUG=true $(PY) manage.py compilemessages --locale sv --ignore '.venv/*' --ignore 'var/*'

clean:
	rm -rf $(VENV) $(BOOTSTRAP) staticfiles .pytest_cache .mypy_cache .ruff_cache
