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

.PHONY: help run test serve bench lint messages install install-test frontend browser migrate demo clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[1m%-10s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
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

test: lint ## Install test tools, lint, and run the whole suite in parallel with the coverage gate
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --cov --cov-report=term $(PYTEST_ARGS)

serve: install ## Production-like server (DEBUG off, gunicorn, whitenoise); set DATABASE_URL for PostgreSQL
	$(PROD_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(PROD_ENV) $(MANAGE) migrate --no-input
	$(PROD_ENV) BARNEBY_SSL_REDIRECT=$${BARNEBY_SSL_REDIRECT:-0} $(VENV)/bin/gunicorn config.wsgi \
		--bind $${BIND:-127.0.0.1:8000} --workers $(SERVE_WORKERS) --threads $(SERVE_THREADS) --access-logfile -

bench: install-test ## Run every benchmark in bench/ and print a table
	$(PY) bench/run_all.py

messages: install ## Update the nb and en translation catalogues and compile them
	$(DEV_ENV) $(MANAGE) makemessages --locale nb --locale en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --no-location
	$(DEV_ENV) $(MANAGE) compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

clean: ## Remove the virtualenv, front-end packages and local data
	rm -rf $(VENV) node_modules var
