# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format serve superuser requirements clean audit loadtest security bench bench-scale messages cluster

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files: reinstall only when the pins change.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# The job queue's worker runs beside the web server and stops with it.
WITH_WORKER = $(PY) manage.py run_huey --quiet & worker=$$!; trap 'kill $$worker' EXIT INT TERM;

run: $(VENV)/.runtime  ## the development site on SQLite with the clinic's content, and its job worker
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py load_clinic_content
	export DJANGO_DEBUG=1; $(WITH_WORKER) $(PY) manage.py runserver $(HOST):$(PORT)

# Browser-side tools (axe-core, Lighthouse). Without npm the accessibility tests skip
# (and fail under CI=true).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: accessibility tests will be skipped"; fi

test: $(VENV)/.dev node_modules/.installed  ## the whole suite, with branch coverage
	$(PY) -m pytest --cov --cov-branch --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

# The Thai catalogue: every string of the source extracted into locale/th, then compiled
# (tests/genoma/test_catalogue.py fails on any string left untranslated).
messages: $(VENV)/.dev  ## extract the strings to translate, and compile the catalogue
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l th --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l th --ignore=.venv --ignore=node_modules

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production-like: DEBUG off, collected static files, gunicorn. Plain HTTP unless
# DJANGO_SECURE_SSL_REDIRECT is set, so it can be opened on http://$(HOST):$(PORT).
serve: export DJANGO_SECURE_SSL_REDIRECT ?= 0
serve: export DJANGO_SERVE_MEDIA ?= 1
serve: export DJANGO_SECRET_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))")
serve: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_clinic_content
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(WITH_WORKER) $(VENV)/bin/gunicorn genoma.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

audit: $(VENV)/.runtime node_modules/.installed  ## Lighthouse scores of the production-like site
	$(PY) scripts/audit.py $(AUDIT_ARGS)

# Requests per second of four public pages (page cache on and off) beside a constant
# Django response of the same size: the limit of this stack on this machine.
bench: $(VENV)/.runtime
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk
	$(PY) scripts/bench.py $(BENCH_ARGS)

# How each page's cost grows with content: the clinic's three posts beside a large
# synthetic site (2,000 articles in English and Thai, 100 conditions, 100 treatments,
# 50,000 consultation requests) and beside one just large enough to fill each page, each
# in a PostgreSQL database of its own, made and dropped here; PASS or FAIL per target,
# reports/bench-scale.json, non-zero on a FAIL.
# BENCH_SCALE_ARGS="--seconds 5 --rounds 2 --keep"
bench-scale: $(VENV)/.runtime
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk
	$(PY) scripts/bench_scale.py $(BENCH_SCALE_ARGS)

# 2,000 submissions over 16 connections on SQLite, PostgreSQL and two app servers
# sharing PostgreSQL and Redis, each with its job worker; every one must be stored once,
# and its two emails reach the SMTP server once each; then the same on two app servers
# with the mail server down for the first three minutes (the retries deliver each email
# once, without staff); then on `make cluster` (media on S3): an image uploaded through
# app server A shown by B, and the worker killed mid-run and restarted.
# LOADTEST_ARGS="--submissions 300 --outage-seconds 90 --scenario cluster"
loadtest: $(VENV)/.runtime
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

# The production shape on 127.0.0.1: PostgreSQL, Redis, a real S3 server (Ceph RGW,
# installed from Debian's packages if missing), two gunicorn app servers (8701, 8702)
# and a job worker; Ctrl-C stops what it started.
cluster: $(VENV)/.runtime
	$(PY) scripts/cluster.py

# Static analysis (bandit) and known vulnerabilities in the pinned packages (pip-audit,
# with a timeout; one plain sentence when its service cannot be reached).
security: $(VENV)/.dev
	$(VENV)/bin/bandit -q -r genoma articles consultations team twofactor scripts -x '*/migrations/*' --severity-level high
	$(PY) scripts/audit_dependencies.py

superuser: $(VENV)/.runtime  ## create an admin account interactively
	DJANGO_DEBUG=1 $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PY) manage.py createsuperuser

requirements: | $(PY)  ## re-pin requirements*.txt from requirements*.in
	$(PIP) install --quiet pip-tools
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	{ echo "-r requirements.txt"; $(PIP_COMPILE) --output-file - requirements-dev.in; } > requirements-dev.txt.new
	mv requirements-dev.txt.new requirements-dev.txt

clean:
	rm -rf $(VENV) staticfiles .coverage htmlcov .pytest_cache .ruff_cache
