# The portal's commands. `make run` and `make test` work on a fresh clone: they create the
# virtual environment and install what they need first.

# Django 6 needs Python 3.12+: take the first interpreter on PATH that is new enough
# (with pyenv, .python-version makes `python3` a 3.12).
PYTHON ?= $(shell for p in python3.12 python3.13 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DJANGO_DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-postgres lint check-deploy format messages check-messages api-fuzz e2e ci clean bench bench-quick

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (see README)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@

install: $(BIN)/.installed

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py load_demo_conferences
	@echo "Cổng khuyến công: http://$(HOST):$(PORT)/"
	@# The background worker (imports, large exports: jobs/) beside the server, in one command:
	@# Ctrl-C reaches both (one process group), and the trap stops the worker whenever the
	@# server ends, however it ends.
	@$(DEV_ENV) $(BIN)/python manage.py jobs_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# On every core (pytest-xdist), one test database per worker. `--dist loadscope` keeps each test
# class (and each module of plain test functions) on one worker, so a class's setUpTestData, and
# a module's fixtures, run once. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
PARALLEL := -n $(PYTEST_WORKERS) --dist loadscope

test: install
	$(BIN)/pytest $(PARALLEL)

# The same suite on PostgreSQL, on both cores. Its real-race tests are TransactionTestCases:
# they put the seeded provinces, groups and indicators back after their flush, so the classes
# xdist runs after them in the same worker still find them.
test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest $(PARALLEL)

# Browser journeys (tests/e2e) in Debian's Chromium, headless, against a live server. Installs
# Chromium with apt-get when it is missing. Screenshots go to screenshots/e2e/ (not committed).
e2e: install
	@command -v chromium >/dev/null 2>&1 || { echo "Installing Chromium (apt-get)"; \
		apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium >/dev/null; }
	$(BIN)/pytest -m e2e tests/e2e --deselect tests/e2e/test_ministry_journey.py
	# In a process of its own: after the other journeys in the same process its 6-month southern
	# output figure of 2016 reads 0 (alone, and after any one of the admin files, it passes).
	# An isolation leak between journeys, not yet found: see the closing note of 3 December 2026.
	$(BIN)/pytest -m e2e tests/e2e/test_ministry_journey.py

# Schemathesis against a live portal with the demo data, on a throwaway PostgreSQL:
# no 5xx, every response as the OpenAPI schema says.
api-fuzz: install
	scripts/with-postgres.sh scripts/api_fuzz.sh 15

# Benchmarks at national scale, load and fault tests (bench/run.py) on a throwaway PostgreSQL;
# writes bench/RESULTS.md. `make bench QUICK=1` (or `make bench-quick`, which writes
# bench/out/RESULTS-quick.md instead) is the short version for
# CI. Installs the bench dependency group, and wrk and PostgreSQL with apt-get when missing.
$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet --group bench -e .
	touch $@

bench: $(BIN)/.bench-installed
	@if ! command -v wrk >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 wrk postgresql >/dev/null; fi
	scripts/with-postgres.sh $(BIN)/python bench/run.py $(if $(QUICK),--quick)

bench-quick:
	$(MAKE) bench QUICK=1

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/mypy

# Django's deployment checks with the production environment of .env.example, in an otherwise
# empty environment: a throwaway secret key (the example leaves it blank) and SQLite instead of
# its PostgreSQL address (the checks do not connect). Fails on any warning.
check-deploy: install
	@env -i PATH="$$PATH" HOME="$$HOME" sh -c 'set -a && . ./.env.example && set +a && \
		DJANGO_SECRET_KEY="$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))")" \
		DATABASE_URL="sqlite://:memory:" exec $(BIN)/python manage.py check --deploy --fail-level WARNING'

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the catalogues from the code, then compile them. Translations live in
# locale/vi/LC_MESSAGES/django.po (Vietnamese, the default) and locale/en (English msgids).
# Without source locations, so that moving code does not rewrite the catalogues; new Vietnamese
# translations of a branch go in locale/parts/<branch>.po and are filled in from there.
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l vi -l en --no-obsolete --no-location --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python scripts/merge_translation_parts.py
	$(BIN)/python scripts/english_catalog.py
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

# The compiled .mo files are committed (the portal must start without gettext tools);
# this fails when they are out of date with the .po files.
check-messages: install
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null
	git diff --exit-code --stat -- locale/

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
