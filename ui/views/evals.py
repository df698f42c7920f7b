"""Evals: run retrievers (and generators) on a dataset, read the report, compare runs."""

from __future__ import annotations

from pathlib import PurePath

import altair as alt
import pandas as pd
import streamlit as st

from core.client import ClientError, NotFound, WatercoolerClient
from core.evalreport import (
    RETRIEVERS,
    EvalDataset,
    EvalRun,
    EvalRunSummary,
    Metrics,
    QuestionDetail,
)
from ui import session
from ui.markup import esc
from ui.views.behaviour import behaviour_table, case_details

_RUN = "eval_run"
DEFAULT_RETRIEVERS = ["bm25", "dense", "hybrid"]
CHART_METRICS = ["ndcg@10", "recall@10", "mrr@10", "precision@5", "hit_rate@10", "map"]


def metrics_frame(metrics: Metrics, system: str = "retriever") -> pd.DataFrame:
    """One row per (system, metric): mean and confidence interval."""
    rows = [
        {
            system: name,
            "metric": metric,
            "mean": v.mean,
            "ci_low": v.ci_low,
            "ci_high": v.ci_high,
            "n": v.n,
        }
        for name, by_metric in metrics.items()
        for metric, v in by_metric.items()
    ]
    return pd.DataFrame(rows, columns=[system, "metric", "mean", "ci_low", "ci_high", "n"])


def metrics_table(metrics: Metrics, system: str, chosen: list[str] | None = None) -> None:
    """Systems as rows, metrics (all, or the chosen ones) as columns: the means."""
    frame = metrics_frame(metrics, system)
    if chosen is not None:
        frame = frame[frame["metric"].isin(chosen)]
    if frame.empty:
        return
    wide = frame.pivot(index=system, columns="metric", values="mean")
    if chosen is not None:
        wide = wide[[m for m in chosen if m in wide.columns]]
    st.dataframe(wide.style.format("{:.3f}", na_rep="—"), width="stretch")


def metrics_chart(metrics: Metrics, system: str, chosen: list[str]) -> None:
    """Means with their 95% intervals, per metric and system."""
    frame = metrics_frame(metrics, system)
    frame = frame[frame["metric"].isin(chosen)].dropna(subset=["mean"])
    if frame.empty:
        return
    base = alt.Chart(frame).encode(
        x=alt.X(f"{system}:N", title=None, axis=alt.Axis(labelAngle=0)),
        color=alt.Color(f"{system}:N", legend=None),
    )
    bars = base.mark_bar().encode(
        y=alt.Y("mean:Q", title=None, scale=alt.Scale(domain=[0, 1])),
        tooltip=[system, "metric", alt.Tooltip("mean:Q", format=".3f"), "ci_low", "ci_high", "n"],
    )
    errors = base.mark_errorbar(color="black").encode(y="ci_low:Q", y2="ci_high:Q")
    chart = (
        alt.layer(bars, errors, data=frame)
        .properties(width=130, height=200)
        .facet(column=alt.Column("metric:N", title=None, sort=chosen))
    )
    st.altair_chart(chart)


def dataset_name(name: str) -> str:
    """A dataset's short name (BEIR folders are listed by their path)."""
    return PurePath(name).name or name


def run_form(http: WatercoolerClient, datasets: list[EvalDataset]) -> None:
    """Choose a dataset, retrievers and generators; start a run."""
    names = {d.name: d for d in datasets}
    health = session.checked_health()
    available = health.generators if health else ["extractive"]
    with st.form("eval-run", border=True):
        left, middle, right, last = st.columns([1.3, 1.6, 1, 0.6])
        dataset = left.selectbox(
            "Dataset",
            list(names),
            format_func=lambda n: f"{dataset_name(n)} ({names[n].kind}, {names[n].items} items)",
            key="eval_dataset",
        )
        retrievers = middle.multiselect(
            "Retrievers",
            RETRIEVERS,
            default=DEFAULT_RETRIEVERS,
            accept_new_options=True,
            key="eval_retrievers",
        )
        generators = right.multiselect(
            "Generators (golden sets)",
            available,
            default=[g for g in available if g == "extractive"],
            key="eval_generators",
        )
        limit = last.number_input(
            "Items", min_value=0, value=0, step=10, key="eval_limit", help="0: all of them"
        )
        submitted = st.form_submit_button("Run evaluation", type="primary")
    if not submitted:
        return
    if not retrievers:
        st.warning("Choose at least one retriever.")
        return
    try:
        run = http.start_eval(
            str(dataset), [str(r) for r in retrievers], list(generators), limit=int(limit) or None
        )
    except ClientError as exc:
        session.show_error(exc)
        return
    st.session_state[_RUN] = run.id
    st.session_state.pop("eval_view", None)
    st.rerun()


@st.fragment(run_every=2.0)
def progress(run_id: str) -> None:
    """A running evaluation, polled until it finishes."""
    with session.guarded(), session.client() as http:
        run = http.eval_run(run_id)
    if run.status != "running":
        st.session_state.pop(_RUN, None)
        st.session_state.pop("eval_view", None)  # show the run just finished
        st.rerun(scope="app")
    st.info(
        f"Evaluation {run.id} on {run.dataset} is {run.status}…", icon=":material/hourglass_top:"
    )


def question_details(questions: list[QuestionDetail]) -> None:
    """Per question: expected documents against what each retriever returned."""
    if not questions:
        return
    retrievers = sorted({r for q in questions for r in q.retrieved})
    metric = next((m for q in questions for s in q.scores.values() for m in s), None)
    rows = []
    for q in questions:
        row: dict[str, object] = {"id": q.id, "question": q.question, "expected": len(q.expected)}
        for r in retrievers:
            if metric:
                row[f"{r} {metric}"] = q.scores.get(r, {}).get(metric)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=280)
    by_id = {q.id: q for q in questions}
    chosen = st.selectbox(
        "Question",
        list(by_id),
        format_func=lambda i: f"{i}: {by_id[i].question[:90]}",
        key="eval_question",
    )
    q = by_id[chosen]
    expected = set(q.expected)
    st.html(
        f"<div class='wc-meta'><span><b>Expected</b></span>"
        f"{''.join(f'<span class=wc-tag>{esc(d)}</span>' for d in q.expected) or '—'}</div>"
    )
    columns = st.columns(max(1, len(retrievers)))
    for column, r in zip(columns, retrievers, strict=False):
        with column:
            st.html(f"<div class='wc-label'>{esc(r)}</div>")
            lines = [
                f"{i}. {'✅' if d in expected else '▫️'} `{d}`"
                for i, d in enumerate(q.retrieved.get(r, []), start=1)
            ]
            missed = [d for d in q.expected if d not in q.retrieved.get(r, [])]
            st.markdown("\n".join(lines) or "nothing retrieved")
            if missed:
                st.caption("missed: " + ", ".join(missed))


def report_view(run: EvalRun) -> None:
    """A finished run: metric tables and charts, goals, per-question details."""
    if run.error:
        st.error(f"The run failed: {run.error}", icon=":material/error:")
    report = run.report
    if report is None:
        st.caption(f"No report yet (status: {run.status}).")
        return
    for problem in report.problems:
        st.warning(problem, icon=":material/warning:")
    if report.retrieval:
        st.html("<div class='wc-label'>Retrieval</div>")
        present = {m for by in report.retrieval.values() for m in by}
        default = [m for m in CHART_METRICS if m in present] or sorted(present)[:6]
        chosen = st.multiselect("Metrics", sorted(present), default=default, key="eval_metrics")
        metrics_table(report.retrieval, "retriever", chosen)
        metrics_chart(report.retrieval, "retriever", chosen[:6])
    if report.people:
        st.html("<div class='wc-label'>People to contact</div>")
        metrics_table(report.people, "retriever")
    if report.answers:
        st.html("<div class='wc-label'>Answers</div>")
        metrics_table(report.answers, "generator")
    if report.behaviour:
        st.html("<div class='wc-label'>Answer behaviour, per case type</div>")
        behaviour_table(report.behaviour)
    if report.goals:
        st.html("<div class='wc-label'>Goals</div>")
        st.dataframe(
            pd.DataFrame([g.model_dump() for g in report.goals]), hide_index=True, width="stretch"
        )
    if report.behaviour:
        st.html("<div class='wc-label'>Per case</div>")
        case_details(report.questions)
        return
    st.html("<div class='wc-label'>Per question</div>")
    question_details(report.questions)


def compare(http: WatercoolerClient, runs: list[EvalRunSummary], current: EvalRun) -> None:
    """A retrieval metric across earlier runs of the same dataset."""
    earlier = [r for r in runs if r.id != current.id and r.dataset == current.dataset]
    if not earlier or current.report is None or not current.report.retrieval:
        return
    st.html("<div class='wc-label'>Compare with earlier runs</div>")
    labels = {r.id: f"{r.created:%Y-%m-%d %H:%M} · {r.id}" if r.created else r.id for r in earlier}
    picked = st.multiselect(
        "Runs", list(labels), default=list(labels)[:1], format_func=labels.__getitem__
    )
    frames = [metrics_frame(current.report.retrieval).assign(run="this run")]
    for run_id in picked:
        try:
            other = http.eval_run(run_id)
        except NotFound:
            continue
        if other.report:
            frames.append(metrics_frame(other.report.retrieval).assign(run=labels[run_id]))
    table = pd.concat(frames).pivot_table(
        index=["retriever", "metric"], columns="run", values="mean"
    )
    st.dataframe(table.style.format("{:.3f}", na_rep="—"), width="stretch")


def main() -> None:
    """The page."""
    st.html(
        '<div class="wc-hero"><h1>Evals</h1><p>Measure retrieval, answers and people-to-contact '
        "against a dataset, side by side.</p></div>"
    )
    with session.guarded(), session.client() as http:
        try:
            datasets = http.eval_datasets()
        except NotFound:
            st.info(
                "This service has no eval endpoints (GET /evals/datasets answered 404). "
                "Run evaluations from the command line: `python -m eval run --dataset NAME`.",
                icon=":material/info:",
            )
            return
        running = st.session_state.get(_RUN)
        if running:
            progress(running)
        else:
            run_form(http, datasets)
        runs = http.eval_runs()
        if not runs:
            st.caption("No evaluation has run yet.")
            return
        st.html("<div class='wc-label'>Runs</div>")
        labels = {
            r.id: f"{r.created:%Y-%m-%d %H:%M} · {dataset_name(r.dataset or '')} · {r.status}"
            if r.created
            else f"{r.id} · {r.status}"
            for r in runs
        }
        chosen = st.selectbox("Run", list(labels), format_func=labels.__getitem__, key="eval_view")
        run = http.eval_run(str(chosen))
        report_view(run)
        compare(http, runs, run)


main()
