"""The eval suite as the service runs it: the `EvalLauncher` that `python -m service` hands in.

The service never imports `eval`; its composition root (`service/__main__.py`) builds an
`InProcessLauncher` and passes it to `create_app`, which runs evals through it on a worker
thread, sharing the service's embedding model.
"""

from __future__ import annotations

from pathlib import Path

from core.config import Settings
from core.embedding import Embedder
from core.errors import ConfigError
from core.evalreport import EvalDataset, EvalRunRequest
from core.generation.factory import GENERATORS
from eval.request import RunRequest
from eval.runner import run_eval
from eval.suites import dataset_spec, list_datasets


class InProcessLauncher:
    """Runs evals in this process (`core.evalruns.EvalLauncher`)."""

    def datasets(self, settings: Settings) -> list[EvalDataset]:
        """Golden sets, fitz-gov and the BEIR folders under `eval.beir_dir`."""
        extra = [settings.eval.beir_dir] if settings.eval.beir_dir else []
        return [EvalDataset.model_validate(d) for d in list_datasets(extra)]

    def check(self, request: EvalRunRequest) -> None:
        """ConfigError for an unknown dataset, retriever or generator, or a bad limit."""
        unknown = [g for g in request.generators if g not in GENERATORS]
        if unknown:
            raise ConfigError(f"unknown generators {unknown}; choose from {', '.join(GENERATORS)}")
        _run_request(request).check()
        try:
            dataset_spec(request.dataset)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    def run(
        self, request: EvalRunRequest, settings: Settings, embedder: Embedder, run_dir: Path
    ) -> None:
        """Run into `run_dir`; its status.json records success or the failure."""
        run_eval(
            _run_request(request),
            settings,
            runs_dir=run_dir.parent,
            embedder=embedder,
            run_dir=run_dir,
        )


def _run_request(request: EvalRunRequest) -> RunRequest:
    return RunRequest(request.dataset, request.retrievers, request.generators, request.limit)
