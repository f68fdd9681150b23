# Everything a fresh machine with Python 3.11+ and make needs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run sandbox test lint screenshots bench clean

# Slack settings in the environment or in .env: `make run` serves Slack; without them, the local sandbox.
HAS_SLACK := $(or $(SLACK_BOT_TOKEN),$(shell grep -qsE '^[[:space:]]*SLACK_BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]#]' .env && echo yes))

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Baton needs Python 3.11 or newer: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
ifneq ($(HAS_SLACK),)
	$(BIN)/baton serve
else
	@echo "No SLACK_BOT_TOKEN in the environment or .env: starting the local Slack sandbox instead."
	$(BIN)/baton sandbox --demo
endif

sandbox: $(VENV)/.installed
	$(BIN)/baton sandbox --demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The README's screenshots of the sandbox (docs/sandbox-*.png), taken by its browser tests.
screenshots: $(VENV)/.installed-dev
	SANDBOX_SCREENSHOTS=docs $(BIN)/pytest -q tests/test_sandbox_browser.py

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/ack_latency.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
