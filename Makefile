# Watercooler — `make run` starts the product on its embedded defaults, `make test` tests it.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export DO_NOT_TRACK := 1
export SCARF_NO_ANALYTICS := 1
export UNSTRUCTURED_DISABLE_NOTICE := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
export STREAMLIT_SERVER_HEADLESS := true
export TOKENIZERS_PARALLELISM := false

.PHONY: install run ingest test test-all lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml vendor/en_core_web_sm/pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	# CPU torch first (see README for machines without the local wheel).
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]' ./vendor/en_core_web_sm
	@touch $(STAMP)

run: install
	$(PY) -m ingest run

ingest: install
	$(PY) -m ingest run $(ARGS)

test: install
	$(PY) -m pytest $(ARGS)

test-all: install
	$(PY) -m pytest -m "" $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: install
	$(PY) -m bench.ingest_bench $(ARGS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
