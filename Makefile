# Versorgungslotse — `make run` and `make test` are all a fresh machine needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# Find a Python >= 3.12: $PYTHON, python3.13/3.12 on PATH, pyenv's versions, then python3.
PYTHON_CANDIDATES := $(PYTHON) python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.13*/bin/python3) \
	$(wildcard $(shell pyenv root 2>/dev/null)/versions/3.12*/bin/python3) \
	/usr/bin/python3.13 /usr/bin/python3.12 python3
FIND_PYTHON := for c in $(PYTHON_CANDIDATES); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then echo $$c; break; fi; \
	done

.PHONY: help venv install migrate demo run test test-fast lint lock messages ci clean

help:
	@echo "make run   – install, migrate, load demo data, serve on http://127.0.0.1:$(PORT)"
	@echo "make test  – run the whole test suite (DATABASE_URL selects the database)"

$(VENV)/.installed: requirements.lock
	@py="$$($(FIND_PYTHON))"; \
	if [ -z "$$py" ]; then \
	  echo "ERROR: Versorgungslotse needs Python 3.12 or newer, and none was found." >&2; \
	  echo "Install one, e.g. 'apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12'," >&2; \
	  echo "or point PYTHON at it: 'make run PYTHON=/path/to/python3.12'." >&2; exit 1; \
	fi; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
	  echo "Creating $(VENV) with $$py ($$($$py --version))"; rm -rf $(VENV); $$py -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

.env:
	cp .env.example .env

venv install: $(VENV)/.installed .env

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null
	$(PY) manage.py import_regions -v 0
	$(PY) manage.py seed_demo

run: demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (stop with Ctrl+C); background tasks: manage.py db_worker"
	@export DEBUG=$${DEBUG:-true} SITE_URL=http://127.0.0.1:$(PORT); \
	$(PY) manage.py db_worker --no-reload -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

# Re-pin dependencies after editing requirements.in.
lock: install
	$(PY) -m pip install --quiet -r requirements.in
	$(PY) -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
