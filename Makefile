# The two commands: `make run` (set up everything and serve the app) and `make test` (the whole suite).
# Django 6 needs Python 3.12+. The interpreter is found by running candidates, not by `command -v`:
# pyenv installs shims for versions that are not active, and those fail when run.
SHELL := /bin/bash
PORT ?= 8000
# The demo district (accounts with a published password) is seeded into the default SQLite file only, or
# into a DATABASE_URL database when asked for with DEMO=1.
SEED_DEMO := $(if $(filter 1,$(DEMO)),yes,$(if $(DATABASE_URL),no,yes))
VENV := .venv
PY := $(VENV)/bin/python
CANDIDATES := python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) /usr/bin/python3.13 /usr/bin/python3.12
FIND_PYTHON := for candidate in $(CANDIDATES); do \
	if "$$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then \
	echo "$$candidate"; break; fi; done

.PHONY: run test lint setup assets db clean-venv worker beat lock

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

# Python packages come from the hashed lock file (requirements/dev.txt), never straight from pyproject.toml.
# If pyproject.toml's dependencies changed since the lock was made, the lock is regenerated first (`make lock`;
# commit the result). UV is the one tool that writes the lock; it is installed into .venv on demand.
UV := uv==0.13.8
LOCK := requirements/dev.txt

$(PY):
	@python="$$($(FIND_PYTHON))"; \
	if [ -z "$$python" ]; then \
		echo "No Python 3.12 or newer was found (tried: $(CANDIDATES))." >&2; \
		echo "Install one, e.g. 'apt-get install python3.13 python3.13-venv' or 'pyenv install 3.13', then rerun make." >&2; \
		exit 1; fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" --version))"; "$$python" -m venv $(VENV)

$(VENV)/.installed: $(PY) pyproject.toml $(LOCK)
	@$(PY) scripts/lock.py --check 2>/dev/null || { \
		echo "pyproject.toml's dependencies changed since the lock file was made: regenerating it (commit requirements/)"; \
		$(MAKE) --no-print-directory lock; }
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	@touch $@

lock: $(PY)
	@test -x $(VENV)/bin/uv || $(PY) -m pip install --quiet $(UV)
	$(PY) scripts/lock.py

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to install the front-end assets (apt-get install npm)." >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

db: setup
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v0
ifeq ($(SEED_DEMO),yes)
	$(PY) manage.py seed_demo --if-empty
else
	@echo "DATABASE_URL names a database: not seeding the demo district (its accounts share a published password)."
	@echo "DEMO=1 make run seeds it anyway; python manage.py create_district creates a real district."
endif

worker: setup
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: setup
	@mkdir -p var/state
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=var/state/celerybeat-schedule

clean-venv:
	rm -rf $(VENV) node_modules
