# Two commands that work on a fresh machine and set themselves up:
#   make report   the annual run on the embedded demo data → reports/<year>/index.html
#   make test     lint + type check + the whole test suite (installs Chromium for the browser tests)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup report test lint typecheck browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/forecast kernel
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/forecast run

browser:
	bash scripts/install-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) browser lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/stockflow.py
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache .ruff_cache
