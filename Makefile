# One target per chore; CI calls the same targets a developer runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= parcours.duckdb

.PHONY: demo test lint format setup bench clean

$(BIN)/parcours: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/parcours

setup: $(BIN)/parcours

## Simulate the demo retailer into ./parcours.duckdb and serve the dashboard.
demo: setup
	$(BIN)/parcours demo --workspace $(WORKSPACE)

## The whole test suite (PySpark tests included).
test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check parcours tests benchmarks
	$(BIN)/ruff format --check parcours tests benchmarks

format: setup
	$(BIN)/ruff format parcours tests benchmarks
	$(BIN)/ruff check --fix parcours tests benchmarks

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
