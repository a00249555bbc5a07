# pivotwatch: every target creates .venv and installs what it needs from pyproject.toml.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench
PIVOTWATCH := $(BIN)/pivotwatch

.PHONY: install run demo test lint format bench schema docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

install: $(STAMP)

## run: crawl the configured sources once, then serve the database with Datasette
run: install
	-$(PIVOTWATCH) crawl
	$(PIVOTWATCH) serve

## demo: the same, offline, against the bundled sample web
demo: install
	$(PIVOTWATCH) demo

## test: the whole test suite (loopback only)
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check crawler pipelines tests
	$(BIN)/ruff format --check crawler pipelines tests
	$(BIN)/mypy crawler pipelines

format: install
	$(BIN)/ruff format crawler pipelines tests
	$(BIN)/ruff check --fix crawler pipelines tests

## bench: every benchmark under tests/benchmarks (reads ../shared), figures in bench-results/
bench: $(BENCH_STAMP)
	$(BIN)/python tests/benchmarks/run_all.py

## schema: regenerate db/schema.sql from the migrations
schema: install
	$(BIN)/python -c "from pipelines.store import open_database; from pipelines.schema import dump_schema; print(dump_schema(open_database(':memory:')), end='')" > db/schema.sql

## docs: regenerate the README sections made from the code (CLI help, settings)
docs: install
	$(BIN)/cog -r README.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
