"""The Evals page renders every kind of report the suite writes: golden, BEIR and behaviour.

Each report comes from a small real run (`run_eval` with a limit) written into the runs folder
of the real service; the page reads it through the service and must draw it whole. A golden
run's answers cite document ids, which is what once crashed the page.
"""

from __future__ import annotations

import httpx
import pytest

from core.embedding import Embedder
from core.evalreport import EvalRun
from eval.request import RunRequest
from eval.runner import run_eval
from tests.ui.conftest import TINY_BEIR, Service, app, html, no_exception, open_page

KINDS = ("golden", "beir", "behaviour")


@pytest.fixture(scope="module")
def runs(service: Service, embedder: Embedder) -> dict[str, str]:
    """Run id of one real report of each kind, in the service's runs folder."""
    settings = service.server.components.settings
    beir = settings.eval.beir_dir
    assert beir is not None
    requests = {
        "golden": RunRequest("golden-smoke", ["hybrid"], ["extractive"], limit=4),
        "beir": RunRequest(str(beir / TINY_BEIR), ["bm25", "hybrid"], [], limit=2),
        "behaviour": RunRequest("fitz-gov-cases", generators=["extractive"], limit=5),
    }
    runs_dir = settings.eval.runs_dir
    return {
        kind: run_eval(request, settings, runs_dir=runs_dir, embedder=embedder).name
        for kind, request in requests.items()
    }


def _run(service: Service, run_id: str) -> EvalRun:
    """The run as the service serves it, parsed with the shared model."""
    headers = {"Authorization": f"Bearer {service.trainer_key}"}
    response = httpx.get(f"{service.url}/evals/runs/{run_id}", headers=headers, timeout=30)
    response.raise_for_status()
    return EvalRun.model_validate(response.json())


def test_the_service_serves_every_kind_with_the_shared_model(
    service: Service, runs: dict[str, str]
) -> None:
    for kind in KINDS:
        run = _run(service, runs[kind])
        assert run.status == "succeeded" and run.report is not None, kind
        assert run.report.dataset.kind == kind
    golden = _run(service, runs["golden"]).report
    assert golden is not None
    cited = [c for q in golden.questions for a in q.answers.values() for c in a.cited]
    assert cited and all(isinstance(c, str) for c in cited)  # document ids, not numbers
    behaviour = _run(service, runs["behaviour"]).report
    assert behaviour is not None
    contexts = [c for q in behaviour.questions for a in q.answers.values() for c in a.cited]
    assert all(isinstance(c, int) for c in contexts)


@pytest.mark.parametrize("kind", KINDS)
def test_the_evals_page_renders_each_kind_of_report(
    ui_env: Service, runs: dict[str, str], kind: str
) -> None:
    at = app(ui_env.trainer_key)
    at.session_state["eval_view"] = runs[kind]
    open_page(at, "views/evals.py")
    no_exception(at)
    assert at.selectbox(key="eval_view").value == runs[kind]
    page = html(at)
    tables = [d.value for d in at.dataframe]
    if kind == "behaviour":
        assert "Answer behaviour, per case type" in page and "Per case" in page
        table = next(t for t in tables if "case type" in t.columns)
        assert set(table["generator"]) == {"extractive"}
        assert len(at.selectbox(key="eval_case").options) == 5
        return
    assert ">Retrieval<" in page and "Per question" in page and ">Goals<" in page
    assert at.selectbox(key="eval_question").options
    if kind == "golden":
        assert ">Answers<" in page and ">People to contact<" in page
        assert any("extractive" in t.index for t in tables)
        assert "citation_precision" in next(t for t in tables if "extractive" in t.index)
    else:
        assert ">Answers<" not in page
        assert set(tables[0].index) == {"bm25", "hybrid"}
