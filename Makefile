# 再犯防止 連携調査ハブ — everything a fresh clone needs is reached from these targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV      := .venv
BIN       := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-stamp
DEV_STAMP := $(VENV)/.dev-stamp

.PHONY: install run test lint format bench clean

# `make run` installs what running needs; `make test` and the other targets add the test and lint
# tools. tools/install-packages uses uv when it can be had (seconds instead of a minute), pip when not.
INSTALL := tools/install-packages $(VENV) $(PYTHON)

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(INSTALL) -e .
	touch $@

$(DEV_STAMP): pyproject.toml $(RUN_STAMP)
	$(INSTALL) -e '.[dev]'
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	touch $@

install: $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/hub run --demo

test: $(DEV_STAMP)
	$(BIN)/pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
