# The portal's commands. `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-fast lint format bench install install-dev collectstatic clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: set up, load the demo content and serve the portal on http://127.0.0.1:8000
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) ensure_admin
	@echo "Serving the portal on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

collectstatic: install
	DEBUG=$${DEBUG:-0} $(MANAGE) collectstatic --noinput -v0

## serve: the production-like server (gunicorn + whitenoise); needs SECRET_KEY and ALLOWED_HOSTS
serve: collectstatic
	DEBUG=$${DEBUG:-0} $(MANAGE) migrate --noinput
	DEBUG=$${DEBUG:-0} $(BIN)/gunicorn portal.wsgi:application \
		--bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -

## test: install the dev requirements and run the whole test suite
test: install-dev
	$(BIN)/pytest

## test-fast: skip the real-browser tests
test-fast: install-dev
	$(BIN)/pytest -m "not browser"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: measure requests/s against the static-file ceiling (needs wrk)
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
