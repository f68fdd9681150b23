# Everything a fresh machine with Python 3.11+ and make needs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The browser tests drive Debian's Chromium (no browser download): `make test` installs it when missing.
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run sandbox test lint screenshots bench clean chromium

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

# Slack credentials in the environment or .env: `baton serve`. Without them (or with .env.example's
# placeholders), the local sandbox. A malformed setting stops here, named (exit 2).
run: $(VENV)/.installed
	@$(BIN)/python -m bot.config; case $$? in \
	  0) exec $(BIN)/baton serve ;; \
	  1) exec $(BIN)/baton sandbox --demo ;; \
	  *) exit 2 ;; \
	esac

sandbox: $(VENV)/.installed
	$(BIN)/baton sandbox --demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (apt-get)"; \
	  $(SUDO) apt-get install -y -qq chromium >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "make test needs Chromium at $(CHROMIUM): install Debian's chromium package"; exit 1; }; }

test: lint chromium
	$(BIN)/pytest

# The README's screenshots of the sandbox (docs/sandbox-*.png), taken by its browser tests.
screenshots: $(VENV)/.installed-dev chromium
	SANDBOX_SCREENSHOTS=docs $(BIN)/pytest -q tests/test_sandbox_browser.py

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/ack_latency.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
