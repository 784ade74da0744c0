# patchdesk: the two commands are `make run` and `make test` (see README.md).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(CURDIR)/var
CONSTRAINTS := constraints.txt

# Debian packages the tests need (real oracles, real browser, testbed tools, services, gettext).
TEST_DEBS := dpkg rpm python3-rpm python3-apt libdpkg-dev gcc gettext chromium \
	mmdebstrap iproute2 openssh-client zstd apt-utils createrepo-c \
	postgresql redis-server
REDIS_URL ?= redis://127.0.0.1:6379/15

# PostgreSQL for the tests: PG_URL (or PDTEST_POSTGRES_URL) when given; otherwise
# scripts/services-up finds a login (trusted loopback, or its own patchdesk_test role with a
# password saved in .run/postgres-test-url) and tests/patchdesk_testing/paths.py reads it.
ifdef PG_URL
export PDTEST_POSTGRES_URL ?= $(PG_URL)
endif
export PDTEST_REDIS_URL ?= $(REDIS_URL)

.PHONY: run test check lint typecheck importlint pytest pytest-postgres debs services \
	lock messages bench clean help

help:
	@echo "make run    - install, prepare the embedded database and serve the desk"
	@echo "make test   - install everything the tests need and run every check"
	@echo "make lock   - re-resolve $(CONSTRAINTS) from pyproject.toml"
	@echo "make bench  - run the benchmarks (figures for docs/performance.md)"

# --- environments ---------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "patchdesk needs Python >= 3.11 (found: $$($(PYTHON) --version 2>&1))"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=24'

$(VENV)/.run-installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

# --- the two commands -------------------------------------------------------------------

run: $(VENV)/.run-installed
	PATCHDESK_DATA_DIR=$${PATCHDESK_DATA_DIR:-$(DATA_DIR)} $(BIN)/patchdesk run

test: debs services $(VENV)/.dev-installed check

check: lint typecheck importlint pytest pytest-postgres

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# The django-stubs plugin imports the settings: give it a throw-away data directory and key.
typecheck:
	env $$(env | grep -o '^PATCHDESK_[A-Z_]*' | sed 's/^/-u /') \
		PATCHDESK_DATA_DIR=$(CURDIR)/.mypy_cache/data \
		PATCHDESK_SECRET_KEY=typecheck-only-not-a-secret-0123456789abcdef \
		PATCHDESK_ENCRYPTION_KEYS=dHlwZWNoZWNrLW9ubHktbm90LWEtc2VjcmV0LTEyMzQ= $(BIN)/mypy

importlint:
	$(BIN)/lint-imports

# The whole suite on the embedded default (SQLite), then the desk suite on real PostgreSQL.
pytest:
	$(BIN)/pytest

pytest-postgres:
	PDTEST_DATABASE=postgres $(BIN)/pytest tests/desk -m "not browser and not testbed"

# --- machine preparation (idempotent; needs root or sudo) ------------------------------

debs:
	@missing=$$(for p in $(TEST_DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

services:
	@scripts/services-up

# --- maintenance ----------------------------------------------------------------------------

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile --quiet --strip-extras --extra dev --no-emit-index-url \
		--no-emit-trusted-host --no-emit-find-links --output-file $(CONSTRAINTS) pyproject.toml

messages: $(VENV)/.dev-installed
	cd src/patchdesk/desk && PATCHDESK_DATA_DIR=$(DATA_DIR) ../../../$(BIN)/patchdesk manage \
		makemessages -l ja --no-obsolete --no-location
	cd src/patchdesk/desk && PATCHDESK_DATA_DIR=$(DATA_DIR) ../../../$(BIN)/patchdesk manage \
		compilemessages -l ja

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .import_linter_cache
