# Accord: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-clock bench lint format lock messages clean

# Instants at which the suite is run again (UTC), each chosen to bite in the test district's
# zone (America/Chicago): an evening whose UTC date is already the next day, the night of the
# spring and of the autumn change, and the last and first hours of a school year (1 August).
CLOCKS ?= 2027-01-20T03:00Z 2027-03-14T07:30Z 2026-11-01T06:30Z 2027-08-01T04:30Z 2027-08-01T05:30Z

help:
	@echo "make run      install, migrate, load the demo district and serve http://$(HOST):$(PORT)"
	@echo "make test     install and run the whole test suite"
	@echo "make test-clock  run the suite again at each instant of CLOCKS (no browser or fault tests)"
	@echo "make bench    run the benchmarks in tests/perf"
	@echo "make install  create .venv and install the locked dependencies"
	@echo "make lint     ruff check and format check"
	@echo "make lock     re-resolve requirements/*.lock from pyproject.toml (needs uv)"
	@echo "make messages refresh and compile the translation catalogues"

$(STAMP): requirements/dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Accord needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	@touch $(STAMP)

install: $(STAMP)

# Links and calendar UIDs follow the address served, unless SITE_URL is set already.
run: export SITE_URL ?= http://$(HOST):$(PORT)
# DEBUG is off unless asked for: the development server asks for it.
run: export DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Each instant's run is spread over CLOCK_WORKERS processes (pytest-xdist), each with a test
# database, a cache and a broker of its own (tests/settings.py). The migration tests are left
# out here: they move old tables to new ones and read no clock, and make test runs them.
CLOCK_WORKERS ?= 2

test-clock: install
	@set -e; for instant in $(CLOCKS); do \
	  echo "== the suite at $$instant"; \
	  ACCORD_TEST_CLOCK=$$instant $(PY) -m pytest -q -n $(CLOCK_WORKERS) -m "not e2e and not faults and not fuzz" \
	    --ignore-glob='*/test_migrations.py' -p no:cacheprovider $(PYTEST_ARGS); \
	done

bench: install
	$(PY) -m pytest tests/perf -p no:cacheprovider -o addopts="" -s $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q -o requirements/prod.lock
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements/dev.lock

messages: export DEBUG ?= 1
# Every language of settings.LANGUAGES but English, the language the code is written in.
messages: install
	$(PY) manage.py makemessages $$($(PY) -c 'import os, django; os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings"); django.setup(); from django.conf import settings; from django.utils.translation import to_locale; print(" ".join("-l " + to_locale(code) for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE))') --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
