# The two commands: `make run` (set up everything and serve the app) and `make test` (the whole suite).
# Django 6 needs Python 3.12+. The interpreter is found by running candidates, not by `command -v`:
# pyenv installs shims for versions that are not active, and those fail when run.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
CANDIDATES := python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) /usr/bin/python3.13 /usr/bin/python3.12
FIND_PYTHON := for candidate in $(CANDIDATES); do \
	if "$$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	echo "$$candidate"; break; fi; done

.PHONY: run test lint setup assets db clean-venv worker beat

run: setup db
	@echo ""
	@echo "  Serving the app at http://127.0.0.1:$(PORT)/  (Ctrl-C stops it)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	@python="$$($(FIND_PYTHON))"; \
	if [ -z "$$python" ]; then \
		echo "No Python 3.12 or newer was found (tried: $(CANDIDATES))." >&2; \
		echo "Install one, e.g. 'apt-get install python3.13 python3.13-venv' or 'pyenv install 3.13', then rerun make." >&2; \
		exit 1; fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python ($$("$$python" --version))"; "$$python" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end assets (apt-get install npm)." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

db: setup
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py seed_demo --if-empty

worker: setup
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: setup
	$(VENV)/bin/celery -A config beat --loglevel=INFO

clean-venv:
	rm -rf $(VENV) node_modules
