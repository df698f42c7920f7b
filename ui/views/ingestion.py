"""Ingestion (admins): sources and their last run, starting a job, its progress and report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
import streamlit as st
from pydantic import BaseModel

from core.api import IngestJob, IngestSummary
from core.client import ClientError, Conflict
from ui import session
from ui.markup import esc

_JOB = "ingest_job"
ALL = "All sources"
STATUS_ICONS = {"running": "…", "succeeded": "✓", "failed": "✗"}
STATUS_COLOURS = {"succeeded": "#15803d", "skipped": "#b45309", "failed": "#b91c1c"}
UNKNOWN_AUTHORS = "Authors not in the people directory (kept without contact details): "


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "—"


def _duration(job: IngestJob) -> str:
    if not job.finished:
        return "running"
    return f"{(job.finished - job.started).total_seconds():.1f} s"


def outcome(job: IngestJob) -> tuple[str, str]:
    """How a job ended in words, and its colour: a success that skipped files is a warning."""
    skipped = len(job.report.failures) if job.report else 0
    if job.status == "succeeded" and skipped:
        files = "file" if skipped == 1 else "files"
        return f"⚠ succeeded with {skipped} {files} skipped", STATUS_COLOURS["skipped"]
    text = f"{STATUS_ICONS.get(job.status, '')} {job.status}".strip()
    return text, STATUS_COLOURS.get(job.status, "inherit")


def sources_table(jobs: list[IngestJob], indexed: dict[str, int]) -> list[str]:
    """Each known source with the last job that read it; returns the source names."""
    last: dict[str, tuple[IngestJob | None, IngestSummary | None]] = {}
    for job in jobs:  # newest first
        report = job.report or IngestSummary()
        for name in report.sources:
            last.setdefault(name, (job, report))
    names = sorted(set(last) | set(indexed))
    rows = []
    for name in names:
        ran, read = last.get(name, (None, None))
        counts = read.sources[name] if read else None
        rows.append(
            {
                "source": name,
                "passages you can see": indexed.get(name),
                "last run": _when(ran.started) if ran else "not through the service",
                "status": ran.status if ran else "",
                "new": counts.new if counts else None,
                "changed": counts.changed if counts else None,
                "unchanged": counts.unchanged if counts else None,
                "deleted": counts.deleted if counts else None,
                "failed": counts.failed if counts else None,
            }
        )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.info("No source has been ingested yet. Start a job below.")
    return names


def _warned_table(message: str, icon: str, rows: Sequence[BaseModel]) -> None:
    """A warning above the table of what it is about."""
    st.warning(message, icon=icon)
    st.dataframe(pd.DataFrame([r.model_dump() for r in rows]), hide_index=True, width="stretch")


def report_view(job: IngestJob) -> None:
    """A job's outcome: totals, per source, the files that failed and why."""
    said, colour = outcome(job)
    st.html(
        f"<div class='wc-meta'><span style='color:{colour}'><b>{esc(said)}</b></span>"
        f"<span>{esc(job.source or ALL.lower())}</span><span>started {_when(job.started)}</span>"
        f"<span>{_duration(job)}</span><span style='color:#9ca3af'>{esc(job.id)}</span></div>"
    )
    if job.error:
        st.error(f"The job failed: {job.error}", icon=":material/error:")
    if job.report is None:
        return
    report = job.report
    t = report.totals
    with st.container(horizontal=True):
        for label, value in (
            ("New", t.new),
            ("Changed", t.changed),
            ("Unchanged", t.unchanged),
            ("Deleted", t.deleted),
            ("Failed", t.failed),
            ("Passages written", t.chunks),
        ):
            st.metric(label, value, border=True)
    per_source = [{"source": name, **c.model_dump()} for name, c in report.sources.items()]
    if per_source:
        st.dataframe(pd.DataFrame(per_source), hide_index=True, width="stretch")
    if report.failures:
        skipped = len(report.failures)
        _warned_table(
            f"{skipped} {'file was' if skipped == 1 else 'files were'} skipped (the documents an "
            "earlier run took from them are kept):",
            ":material/warning:",
            report.failures,
        )
    else:
        st.caption("No file failed.")
    if report.warnings:
        count = len(report.warnings)
        _warned_table(
            f"{count} metadata {'value was' if count == 1 else 'values were'} unreadable: the "
            "documents were ingested without them.",
            ":material/rule:",
            report.warnings,
        )
    if report.unknown_people:
        st.info(UNKNOWN_AUTHORS + ", ".join(report.unknown_people), icon=":material/person_off:")


@st.fragment(run_every=1.0)
def progress(job_id: str) -> None:
    """A running job's stages, refreshed every second until it finishes."""
    with session.guarded(), session.client() as http:
        job = http.ingest_job(job_id)
    if job.status != "running":
        st.session_state.pop(_JOB, None)
        st.session_state.pop("ingest_view", None)  # show the report of the job just finished
        session.health.clear()
        st.rerun(scope="app")
    st.html(f"<div class='wc-label'>Job {esc(job.id)} is running</div>")
    if not job.progress:
        st.progress(0.0, text="starting…")
    for stage, p in job.progress.items():
        share = min(1.0, p.done / p.total) if p.total else 0.0
        total = f" of {p.total}" if p.total else ""
        st.progress(share, text=f"{stage}: {p.done}{total}")


def start_form(sources: list[str]) -> None:
    """Pick a source (or all) and start a job."""
    with st.form("start-ingest", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        choice = left.selectbox("Ingest", [ALL, *sources], key="ingest_source")
        submitted = right.form_submit_button("Start ingestion", type="primary", width="stretch")
    if not submitted:
        return
    try:
        with session.client() as http:
            job = http.start_ingest(None if choice == ALL else choice)
    except Conflict as exc:
        st.warning(f"Not started: {exc.message}", icon=":material/hourglass_top:")
        return
    except ClientError as exc:
        session.show_error(exc)
        return
    st.session_state[_JOB] = job.id
    st.rerun()


def main() -> None:
    """The page."""
    st.html(
        '<div class="wc-hero"><h1>Ingestion</h1><p>Read the configured sources into the '
        "index. Unchanged documents are skipped; removed ones are deleted.</p></div>"
    )
    with session.guarded(), session.client() as http:
        jobs = http.ingest_jobs(limit=50)
        facets = http.search("overview", limit=1).facets  # facets ignore the query
    running = st.session_state.get(_JOB) or next(
        (j.id for j in jobs if j.status == "running"), None
    )
    st.html('<div class="wc-label">Sources</div>')
    names = sources_table(jobs, {f.value: f.count for f in facets.sources})
    st.html('<div class="wc-label">Run</div>')
    if running:
        progress(running)
    else:
        start_form(names)
    if not jobs:
        return
    st.html('<div class="wc-label">Job report</div>')
    labels = {
        j.id: f"{outcome(j)[0]} · {_when(j.started)} · {j.source or ALL.lower()}" for j in jobs
    }
    chosen = st.selectbox("Job", list(labels), format_func=labels.__getitem__, key="ingest_view")
    report_view(next(j for j in jobs if j.id == chosen))


main()
