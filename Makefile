# Accord: the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test bench lint format lock messages clean

help:
	@echo "make run      install, migrate, load the demo district and serve http://$(HOST):$(PORT)"
	@echo "make test     install and run the whole test suite"
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
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

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

messages: install
	$(PY) manage.py makemessages -l es --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
