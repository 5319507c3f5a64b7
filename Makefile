# Corrigo: `make run` starts the whole service locally; `make test` runs every check.
# Both install what they need first (a venv for Python packages; Debian's chromium for e2e).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test unit integration e2e lint format typecheck template-check bench cost fuzz package deploy-check redrive clean

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

test: $(STAMP) $(CHROMIUM) lint typecheck template-check deploy-check
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

# checkov lives in its own venv: it pins boto3/botocore older than moto and the functions use.
SCAN := .venv-scan
$(SCAN)/.installed: requirements-scan.txt
	$(PYTHON) -m venv $(SCAN)
	$(SCAN)/bin/pip install --quiet -r requirements-scan.txt
	touch $@

template-check: $(STAMP) $(SCAN)/.installed
	$(BIN)/cfn-lint template.yaml
	# Offline: no guideline mappings, no policy downloads (this network reaches package registries only).
	BC_SKIP_MAPPING=TRUE $(SCAN)/bin/checkov -f template.yaml --config-file .checkov.yaml --skip-download

bench: $(STAMP)
	PYTHONPATH=functions:. $(BIN)/python -m bench

# What the stack costs in AWS (per 1,000 requests, per month at 100 / 1,000 / 10,000 a day), from the
# AWS calls the real handlers make on moto and list prices (bench/prices.py).
cost: $(STAMP)
	BENCH_ONLY=cost PYTHONPATH=functions:. $(BIN)/python -m bench

fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q tests/fuzz

# Dead letters back to their source queues (docs/operations.md). ARGS=--dry-run to count only;
# against the local stack: ARGS=--endpoint-url=http://127.0.0.1:4566.
redrive: $(STAMP)
	$(BIN)/python -m infra.redrive $(ARGS)

# The deployable code: handlers, core, adapters, web assets and the schemas, as `sam build` expects.
package: $(STAMP)
	$(BIN)/python -m infra.package build/lambda

# The real AWS SAM CLI in its own venv: it pins boto3/botocore older than moto and the functions use.
SAM_VENV := .venv-sam
$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet -r requirements-sam.txt
	touch $@

# Offline: a region, no telemetry. `sam build` looks for the template's python3.11 on PATH: the SAM
# venv's own interpreter (made from $(PYTHON)), so no pyenv setting is needed.
SAM := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 PATH="$(CURDIR)/$(SAM_VENV)/bin:$$PATH" $(SAM_VENV)/bin/sam

# What `sam deploy` would upload: the template linted, every function built for its runtime and
# architecture with its bytecode (infra/deploy/Makefile: one package, cached in build/sam-package),
# each package's wheels, .pyc files and size checked against Lambda's limits.
deploy-check: package $(SAM_VENV)/.installed
	$(SAM) validate --lint
	$(SAM) build
	$(BIN)/python -m infra.deploy check .aws-sam/build

clean:
	rm -rf build .aws-sam .pytest_cache .mypy_cache .ruff_cache
