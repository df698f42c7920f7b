"""People: the directory with search and a team filter, and a profile per person."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from core.client import Filters
from core.schema import Person
from ui import nav, session
from ui.cards import contact_card, outdated_link, person_html
from ui.markup import OUTDATED_BADGE, esc, fmt_date, kind_badge

COLUMNS = 3
WORK_START, WORK_END = 9, 17  # the service's default working day (experts settings)


def presence(timezone: str | None) -> tuple[str | None, bool | None]:
    """Local time now and whether it is a weekday working hour there."""
    if not timezone:
        return None, None
    try:
        local = datetime.now(UTC).astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return None, None
    working = local.weekday() < 5 and WORK_START <= local.hour < WORK_END
    return f"{local:%H:%M} ({timezone})", working


def profile(person_id: str) -> None:
    """A person: contact card, topics, and the documents they wrote or own."""
    with session.guarded(), session.client() as http:
        found = http.person(person_id)
    person = found.person
    st.page_link(nav.PEOPLE, label="All people", icon=":material/arrow_back:")
    card, docs = st.columns([1, 2], gap="large")
    with card:
        with st.container(border=True):
            st.html(person_html(person, *presence(person.timezone)))
            if person.aliases:
                st.caption("Also known as " + ", ".join(person.aliases))
        if found.topics:
            st.html('<div class="wc-label">Topics</div>')
            st.html(
                "".join(
                    f'<span class="wc-tag">{esc(t.tag)} · {t.documents}</span>'
                    for t in found.topics
                )
            )
    with docs:
        st.html(f'<div class="wc-label">Documents ({len(found.documents)})</div>')
        if not found.documents:
            st.caption("No document you can see names this person as author or owner.")
        for doc in found.documents:
            with st.container(border=True, horizontal=True, vertical_alignment="center"):
                outdated = OUTDATED_BADGE if doc.superseded_by else ""
                st.html(
                    f'<div class="wc-meta">{kind_badge(doc.kind)}{outdated}<span>{doc.role}</span>'
                    f"<span>{esc(fmt_date(doc.updated))}</span></div>",
                    width="content",
                )
                nav.document_link(doc.title, doc.document_id)
                outdated_link(doc.superseded_by)


def directory() -> None:
    """Everyone, filterable by team; a search finds who knows a topic, then names that match."""
    search, team_col = st.columns([3, 1])
    query = search.text_input(
        "Search people",
        key="people_query",
        placeholder="A topic (on-call, expenses…) or a name, email, title or team",
        icon=":material/search:",
    ).strip()
    with session.guarded(), session.client() as http:
        everyone = http.people(limit=200).items
        teams = sorted({p.team for p in everyone if p.team})
        team = team_col.selectbox("Team", ["All teams", *teams], key="people_team")
        chosen = None if team == "All teams" else team
        shown = http.people(query or None, team=chosen, limit=200)
        narrowed = Filters(teams=[chosen]) if chosen else None
        experts = http.experts(query, filters=narrowed) if query else []
    if not query:
        st.caption(f"{shown.total} of {len(everyone)} people")
        grid(shown.items)
        return
    if shown.items:
        st.html(f'<div class="wc-label">Names, titles and teams matching ({shown.total})</div>')
        grid(shown.items)
    named = {p.id for p in shown.items}
    knowers = [e for e in experts if chosen in (None, e.person.team) and e.person.id not in named]
    st.html(f'<div class="wc-label">Who knows about “{esc(query)}”</div>')
    if knowers:
        st.caption("Ranked by what they wrote and own on the topic, among what you may read.")
        for row in range(0, len(knowers), COLUMNS):
            columns = st.columns(COLUMNS)
            for column, expert in zip(columns, knowers[row : row + COLUMNS], strict=False):
                with column:
                    contact_card(expert)
    else:
        st.caption("Nobody else wrote or owns anything you can read on this topic.")


def grid(people: list[Person]) -> None:
    """People as contact cards, a few per row."""
    for row in range(0, len(people), COLUMNS):
        for column, person in zip(st.columns(COLUMNS), people[row : row + COLUMNS], strict=False):
            with column, st.container(border=True):
                st.html(person_html(person, *presence(person.timezone)))
                nav.person_link("Profile", person.id, icon=":material/badge:")


def main() -> None:
    """The page: a profile when the link names a person, else the directory."""
    st.html(
        '<div class="wc-hero"><h1>People</h1><p>Who knows what, and how to reach them.</p></div>'
    )
    person_id = st.query_params.get("person")
    if person_id:
        profile(person_id)
    else:
        directory()


main()
