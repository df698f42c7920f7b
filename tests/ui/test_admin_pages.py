"""Ingestion and Evals: pages for admins (and trainers), driven through the real service."""

from __future__ import annotations

import time

import httpx
import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import TINY_BEIR, Service, app, html, no_exception, open_page

POLL_S = 90


def _until(at: AppTest, done: str) -> str:
    """Rerun the page (as its fragment would) until `done` appears in its HTML."""
    deadline = time.monotonic() + POLL_S
    while done not in html(at):
        assert time.monotonic() < deadline, f"{done!r} did not appear in {POLL_S} s"
        time.sleep(0.5)
        at.run()
        no_exception(at)
    return html(at)


def test_readers_do_not_see_the_admin_pages(ui_env: Service) -> None:
    at = app(ui_env.reader_key).run()
    no_exception(at)
    for page in ("views/ingestion.py", "views/evals.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_an_admin_starts_an_ingestion_job_and_reads_its_report(ui_env: Service) -> None:
    at = open_page(app(ui_env.admin_key), "views/ingestion.py")
    no_exception(at)
    sources = at.dataframe[0].value
    assert {"team-wiki", "shared-drive", "recordings"} <= set(sources["source"])
    at.selectbox(key="ingest_source").select("team-wiki")
    at.button(key="FormSubmitter:start-ingest-Start ingestion").click().run()
    no_exception(at)
    page = _until(at, "✓ succeeded")
    assert "team-wiki" in page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Unchanged"] == "11" and metrics["Failed"] == "0"
    assert any("No file failed" in c.value for c in at.caption)


def test_a_trainer_runs_an_eval_and_sees_the_report(ui_env: Service) -> None:
    trainer = {"Authorization": f"Bearer {ui_env.trainer_key}"}
    if httpx.get(f"{ui_env.url}/evals/datasets", headers=trainer).status_code == 404:
        pytest.skip("this service has no /evals endpoints (service/routes/evals.py)")
    at = open_page(app(ui_env.trainer_key), "views/evals.py")
    no_exception(at)
    datasets = at.selectbox(key="eval_dataset")
    tiny = next(o for o in datasets.options if o.startswith(TINY_BEIR))
    datasets.select(tiny)  # options are labels; AppTest maps them back to the dataset
    at.multiselect(key="eval_retrievers").set_value(["bm25", "hybrid"])
    at.button(key="FormSubmitter:eval-run-Run evaluation").click().run()
    no_exception(at)
    page = _until(at, ">Retrieval<")
    assert "Per question" in page
    table = at.dataframe[0].value
    assert set(table.index) == {"bm25", "hybrid"} and "ndcg@10" in table.columns
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert at.selectbox(key="eval_question").options


def test_a_trainer_runs_the_behaviour_cases_and_reads_each_answer(ui_env: Service) -> None:
    at = open_page(app(ui_env.trainer_key), "views/evals.py")
    no_exception(at)
    datasets = at.selectbox(key="eval_dataset")
    datasets.select(next(o for o in datasets.options if o.startswith("fitz-gov-cases")))
    at.number_input(key="eval_limit").set_value(8)
    at.button(key="FormSubmitter:eval-run-Run evaluation").click().run()
    no_exception(at)
    page = _until(at, "Answer behaviour, per case type")
    assert "Per case" in page and "Per question" not in page
    table = next(d.value for d in at.dataframe if "case type" in d.value.columns)
    assert set(table["generator"]) == {"extractive"}
    assert {"abstention", "dispute"} <= set(table["case type"])
    assert "abstention_accuracy" in table.columns
    case = at.selectbox(key="eval_case")
    assert len(case.options) == 8
    assert "expected:" in html(at)
