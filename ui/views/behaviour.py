"""A behaviour run (fitz-gov-cases): per case type, how each generator behaved, and each case."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.evalreport import HEADLINE, BehaviourMetrics, QuestionDetail
from ui.markup import esc


def behaviour_frame(behaviour: BehaviourMetrics) -> pd.DataFrame:
    """One row per (generator, case type): cases and every metric's mean."""
    rows = []
    for generator, by_type in behaviour.items():
        for case_type, metrics in by_type.items():
            row: dict[str, object] = {"generator": generator, "case type": case_type}
            for name, value in metrics.items():
                row[name] = value if isinstance(value, int) else value.mean
            rows.append(row)
    return pd.DataFrame(rows)


def behaviour_table(behaviour: BehaviourMetrics) -> None:
    """Case types as rows, metrics as columns, with the headline metric of each type first."""
    frame = behaviour_frame(behaviour)
    if frame.empty:
        return
    first = ["generator", "case type", "n"]
    headline = [m for m in dict.fromkeys(HEADLINE.values()) if m in frame.columns]
    rest = [c for c in frame.columns if c not in first + headline]
    st.dataframe(
        frame[[c for c in first if c in frame.columns] + headline + rest].style.format(
            {c: "{:.3f}" for c in headline + rest}, na_rep="—"
        ),
        hide_index=True,
        width="stretch",
    )


def headline(case: QuestionDetail, generator: str) -> float | None:
    """The case's headline score for one generator (1 = behaved as expected)."""
    answer = case.answers.get(generator)
    metric = HEADLINE.get(case.case_type or "")
    return answer.scores.get(metric) if answer and metric else None


def case_details(cases: list[QuestionDetail]) -> None:
    """Every case with each generator's outcome; one case's answers in full."""
    if not cases:
        return
    generators = sorted({g for c in cases for g in c.answers})
    types = sorted({c.case_type or "" for c in cases})
    shown = st.multiselect("Case types", types, default=types, key="eval_case_types")
    chosen_cases = [c for c in cases if (c.case_type or "") in shown]
    rows = []
    for c in chosen_cases:
        row: dict[str, object] = {
            "id": c.id,
            "type": c.case_type,
            "expected": ", ".join(c.expected),
            "question": c.question,
        }
        for g in generators:
            row[g] = headline(c, g)
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=280)
    if not chosen_cases:
        return
    by_id = {c.id: c for c in chosen_cases}
    picked = st.selectbox(
        "Case",
        list(by_id),
        format_func=lambda i: f"{i}: {by_id[i].question[:90]}",
        key="eval_case",
    )
    case = by_id[picked]
    st.html(
        f"<div class='wc-meta'><span><b>{esc(case.case_type or '')}</b></span>"
        f"<span>expected: {esc(', '.join(case.expected))}</span></div>"
    )
    for column, g in zip(st.columns(max(1, len(generators))), generators, strict=False):
        answer = case.answers[g]
        with column:
            st.html(f"<div class='wc-label'>{esc(g)}</div>")
            st.markdown(answer.text or "—")
            scores = {k: v for k, v in answer.scores.items() if v is not None}
            st.caption(" · ".join(f"{k} {v:g}" for k, v in scores.items()))
