# One target per chore; CI calls the same targets a developer runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WORKSPACE ?= parcours.duckdb
PORT ?= 8765

.PHONY: demo test lint format setup setup-dev bench clean

$(BIN)/parcours: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(BIN)/parcours

# Test tools and the peer tools the tests compare with (pm4py, lifetimes).
$(VENV)/.dev: $(BIN)/parcours
	$(BIN)/pip install --quiet -e ".[dev,peers]"
	touch $(VENV)/.dev

setup: $(BIN)/parcours

setup-dev: $(VENV)/.dev

## Simulate the demo retailer into ./parcours.duckdb, then serve the dashboard on PORT (8765).
demo: setup
	$(BIN)/parcours demo --workspace $(WORKSPACE) --port $(PORT)

## The whole test suite (PySpark and browser tests included).
test: setup-dev
	$(BIN)/pytest

lint: setup-dev
	$(BIN)/ruff check parcours tests benchmarks
	$(BIN)/ruff format --check parcours tests benchmarks
	$(BIN)/mypy

format: setup-dev
	$(BIN)/ruff format parcours tests benchmarks
	$(BIN)/ruff check --fix parcours tests benchmarks

bench: setup-dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
