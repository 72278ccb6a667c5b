# Barneby — run `make help` for the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Production-like settings for `check --deploy` and `serve`: throwaway secrets made per call, never stored.
PROD_ENV = DJANGO_DEBUG=0 \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	FIELD_ENCRYPTION_KEYS=$${FIELD_ENCRYPTION_KEYS:-$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
DEV_ENV = DJANGO_DEBUG=1
SERVE_THREADS ?= 4
SERVE_WORKERS ?= 2

.PHONY: help run test serve bench lint audit lock messages install install-test frontend browser migrate demo clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}'

# Python packages come from the lock files (exact versions and hashes), never straight from pyproject.toml:
# requirements/base.lock for running, requirements/test.lock for tests and tools. `make lock` updates them.
LOCK_BASE := requirements/base.lock
LOCK_TEST := requirements/test.lock
PIP_LOCKED = $(PY) -m pip install --quiet --require-hashes --no-deps

$(VENV)/.installed: pyproject.toml $(LOCK_BASE)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PIP_LOCKED) -r $(LOCK_BASE)
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; \
		echo "error: the installed packages do not satisfy pyproject.toml; run 'make lock' and commit requirements/"; exit 1; }
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml $(LOCK_TEST)
	$(PIP_LOCKED) -r $(LOCK_TEST)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed ## Create the virtualenv and install Python and front-end packages

install-test: install $(VENV)/.installed-test browser

browser: ## Install Debian's Chromium for browser tests, if missing and installable
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| echo "warning: could not install chromium; browser tests will be skipped"; \
		else echo "warning: chromium missing and not installable here; browser tests will be skipped"; fi; }

migrate: install
	$(DEV_ENV) $(MANAGE) migrate --no-input

demo: migrate ## Load the national demo data (idempotent)
	$(DEV_ENV) $(MANAGE) seed_demo --scale national

run: demo ## Install, migrate, load demo data and start the site on http://127.0.0.1:8000
	@echo "Barneby: http://127.0.0.1:8000/konto/logg-inn/ (the logins are listed above)"
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

lint: install-test ## ruff, mypy --strict, migrations and deploy checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/mypy .
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING

# Parallel workers: one per core (2 on CI). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

test: lint audit ## Install test tools, lint, audit the locked packages, and run the whole suite in parallel with the coverage gate
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

serve: install ## Production-like server (DEBUG off, gunicorn, whitenoise); set DATABASE_URL for PostgreSQL
	$(PROD_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(PROD_ENV) $(MANAGE) migrate --no-input
	$(PROD_ENV) BARNEBY_SSL_REDIRECT=$${BARNEBY_SSL_REDIRECT:-0} $(VENV)/bin/gunicorn config.wsgi \
		--bind $${BIND:-127.0.0.1:8000} --workers $(SERVE_WORKERS) --threads $(SERVE_THREADS) --access-logfile -

audit: install-test ## Known vulnerabilities in the locked packages (says so when the advisory database is unreachable)
	$(PY) requirements/audit.py

# Resolve pyproject.toml into the lock files again. Current pins stay where they still fit; UPGRADE=1 takes the
# newest allowed versions, PACKAGE=name upgrades one package. Commit requirements/ afterwards.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal --python-version 3.11 \
	$(if $(UPGRADE),--upgrade) $(if $(PACKAGE),--upgrade-package $(PACKAGE))

lock: ## Update requirements/*.lock from pyproject.toml (UPGRADE=1 or PACKAGE=name to upgrade), then reinstall
	test -x $(VENV)/bin/uv || { test -x $(PY) || $(PYTHON) -m venv $(VENV); $(PY) -m pip install --quiet uv; }
	$(UV_COMPILE) --extra test -o $(LOCK_TEST)
	$(UV_COMPILE) -c $(LOCK_TEST) -o $(LOCK_BASE)
	$(MAKE) install-test

bench: install-test ## Run every benchmark in bench/ and print a table
	$(PY) bench/run_all.py

messages: install ## Update the nb and en translation catalogues and compile them
	$(DEV_ENV) $(MANAGE) makemessages --locale nb --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --no-location
	$(DEV_ENV) $(MANAGE) compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

clean: ## Remove the virtualenv, front-end packages and local data
	rm -rf $(VENV) node_modules var
