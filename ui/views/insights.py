"""Insights (trainers, admins): what people ask, why topics fail, which training is needed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.api import InsightsReport, TopicSummary, TrainingNeeds
from ui import nav, session

PERIODS = {"Last 30 days": 30, "Last 90 days": 90, "Last 180 days": 180, "Last year": 365}
REASON_LABELS = {
    "no_content": "no content",
    "stale_content": "stale content",
    "conflicting_sources": "conflicting sources",
    "retrieval_miss": "retrieval miss",
    "restricted": "restricted",
}
ACTIONS = {"new_program": "New program needed", "change_program": "Program to change"}


def topics_frame(report: InsightsReport) -> pd.DataFrame:
    """One row per topic: demand, trend and outcomes."""
    rows = [
        {
            "topic": t.label,
            "questions": t.questions,
            "trend": t.trend,
            "weekly": t.weekly,
            "answered": t.answered,
            "not helpful": t.not_helpful,
            "escalated": t.escalated,
            "main reason": _main_reason(t),
        }
        for t in report.topics
    ]
    columns = [
        "topic",
        "questions",
        "trend",
        "weekly",
        "answered",
        "not helpful",
        "escalated",
        "main reason",
    ]
    return pd.DataFrame(rows, columns=columns)


def stale_section(report: InsightsReport) -> None:
    """Content to fix: stale documents answers still cite, by impact, with their owners."""
    st.subheader("Content to fix")
    st.caption(
        "Stale documents (outdated, superseded, needing review, expired or flagged) that "
        "answers still cite; impact = citations + 2 × negatively rated ones."
    )
    if not report.stale_documents:
        st.caption("No stale document is cited in this period.")
    for d in report.stale_documents:
        owners = ", ".join(o.name for o in d.owners) or "no owner"
        label = (
            f"{d.title} — {d.stale} · impact {d.impact:g} ({d.citations} citations, "
            f"{d.negative} rated negative) · {owners}"
        )
        nav.document_link(label, d.document_id, icon=":material/warning:")
    if report.stale_hidden:
        st.caption(f"{report.stale_hidden} more stale documents you may not see.")


def trend_frame(report: InsightsReport, top: int = 6) -> pd.DataFrame:
    """Questions per week of the `top` largest topics (weeks as rows)."""
    weeks = [w.date().isoformat() for w in report.weeks]
    data = {t.label: t.weekly for t in report.topics[:top]}
    return pd.DataFrame(data, index=pd.Index(weeks, name="week"))


def _main_reason(topic: TopicSummary) -> str:
    if not topic.reasons:
        return ""
    reason = max(topic.reasons, key=lambda r: topic.reasons[r])
    return f"{REASON_LABELS[reason]} ({topic.reasons[reason]})"


def topic_details(topic: TopicSummary, days: int) -> None:
    """A topic's reasons, documents, people, teams and questions."""
    left, right = st.columns(2)
    with left:
        st.markdown("**Why questions failed**")
        if topic.reasons:
            reasons = pd.DataFrame(
                {"questions": [topic.reasons[r] for r in topic.reasons]},
                index=[REASON_LABELS[r] for r in topic.reasons],
            )
            st.bar_chart(reasons, horizontal=True, height=180)
        else:
            st.caption("No failed questions.")
        st.markdown("**Teams asking**")
        for team in topic.teams:
            st.write(f"{team.team}: {team.questions} questions from {team.askers} people")
        if topic.teams_hidden:
            st.caption(f"{topic.teams_hidden} teams with too few askers to show.")
    with right:
        st.markdown("**Documents cited most**")
        for d in topic.documents:
            label = f"{d.title} ({d.citations})" + (f" — {d.stale}" if d.stale else "")
            nav.document_link(label, d.document_id, icon=":material/warning:" if d.stale else None)
        if topic.hidden_documents:
            st.caption(f"{topic.hidden_documents} more documents you may not see.")
        st.markdown("**People who answer it**")
        for person in topic.experts:
            nav.person_link(
                f"{person.name}" + (f" · {person.team}" if person.team else ""), person.id
            )
        if not topic.experts:
            st.caption("Nobody yet.")
    with session.guarded(), session.client() as http:
        detail = http.insights_topic(topic.id, days)
    frame = pd.DataFrame(
        [
            {
                "asked": q.asked.date().isoformat(),
                "question": q.question,
                "outcome": q.outcome.replace("_", " "),
                "reason": REASON_LABELS.get(q.reason or "", ""),
            }
            for q in detail.questions
        ],
        columns=["asked", "question", "outcome", "reason"],
    )
    st.markdown(f"**Questions** ({len(frame)})")
    st.dataframe(frame, hide_index=True, width="stretch", height=260)


def needs_section(needs: TrainingNeeds, days: int) -> None:
    """The training-needs report with its downloads."""
    st.subheader("Training needs")
    if needs.message and not needs.needs:
        st.info(needs.message, icon=":material/info:")
        return
    st.caption(
        f"{len(needs.needs)} needs, ranked by score (failed share × log₂(1 + failures), × 1.5 "
        f"for new or growing topics); {needs.programs} programs in the catalogue."
    )
    rows = [
        {
            "rank": n.rank,
            "action": ACTIONS[n.action],
            "topic": n.topic,
            "program": n.program or "",
            "score": n.score,
            "evidence": n.evidence,
            "experts to involve": ", ".join(n.experts),
        }
        for n in needs.needs
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    left, right, _ = st.columns([1, 1, 3])
    with session.guarded(), session.client() as http:
        as_csv = http.training_needs_file("csv", days)
        as_md = http.training_needs_file("md", days)
    left.download_button("Download CSV", as_csv, "training-needs.csv", "text/csv")
    right.download_button("Download Markdown", as_md, "training-needs.md", "text/markdown")


def main() -> None:
    """The Insights page."""
    st.title("Insights")
    st.caption(
        "What people ask, where the knowledge is missing, and which training to create or "
        "change. Askers are never named; teams appear only with enough askers."
    )
    period = st.segmented_control("Period", list(PERIODS), default="Last 90 days")
    days = PERIODS[period or "Last 90 days"]
    with st.spinner("Reading the question log…"), session.guarded(), session.client() as http:
        report = http.insights(days)
        needs = http.training_needs(days)
    if report.message:
        st.info(report.message, icon=":material/info:")
        return
    st.markdown(
        f"**{report.questions}** questions in **{len(report.topics)}** topics "
        f"({report.other_questions} in none)."
    )
    tab_topics, tab_needs, tab_fix = st.tabs(["Topics", "Training needs", "Content to fix"])
    with tab_topics:
        st.line_chart(trend_frame(report), height=240)
        st.dataframe(
            topics_frame(report),
            hide_index=True,
            width="stretch",
            column_config={
                "weekly": st.column_config.LineChartColumn("weekly", width="small"),
                "answered": st.column_config.ProgressColumn("answered", format="percent"),
                "not helpful": st.column_config.NumberColumn(format="percent"),
                "escalated": st.column_config.NumberColumn(format="percent"),
            },
        )
        labels = {t.id: f"{t.label} ({t.questions})" for t in report.topics}
        chosen = st.selectbox("Topic", list(labels), format_func=lambda i: labels[i])
        topic = next(t for t in report.topics if t.id == chosen)
        topic_details(topic, days)
        with st.expander("Which figures are approximations"):
            for note in report.approximations:
                st.write(f"- {note}")
    with tab_needs:
        needs_section(needs, days)
    with tab_fix:
        stale_section(report)


main()
