# Corrigo: `make run` starts the whole service locally; `make test` runs every check.
# Both install what they need first (a venv for Python packages; Debian's chromium for e2e).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test unit integration e2e lint format typecheck template-check bench fuzz package redrive clean

$(STAMP): requirements-dev.txt functions/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's chromium for the browser tests; never Playwright's own download (no network for it here).
$(CHROMIUM):
	@if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null

run: $(STAMP)
	$(BIN)/python -m infra.local

test: $(STAMP) $(CHROMIUM) lint typecheck template-check
	$(BIN)/python -m pytest -q -p no:cacheprovider

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest -q tests/integration

e2e: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy functions/corrigo

template-check: $(STAMP)
	$(BIN)/cfn-lint template.yaml

bench: $(STAMP)
	$(BIN)/python -m bench

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q tests/fuzz

# The deployable code: handlers, core, adapters, web assets and the schemas, as `sam build` expects.
package: $(STAMP)
	$(BIN)/python -m infra.package build/lambda

clean:
	rm -rf build .aws-sam .pytest_cache .mypy_cache .ruff_cache
