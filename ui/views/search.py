"""Search: passages ranked for a query, narrowed by kind, moderation state, team, author, date
and tags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

import streamlit as st

from core.api import Facets, FacetValue, SearchHit, SearchResponse
from core.client import Filters
from core.schema import Person
from ui import nav, session
from ui.cards import outdated_link, source_header_html
from ui.markup import KIND_LABELS, fmt_date, original_link, paragraphs
from ui.moderation import STATE_LABELS, state_of

RESULTS = 20


# Option labels must not change while a value is chosen (the browser sends back the label),
# so the counts are shown beside the widgets, not in the options. The options are every value
# the filters allow (from the service's facets); the counts are of the results shown, so they
# follow the query and the chosen filters.
_LABELS = "search_labels"
SHOWN_COUNTS = 4
FACETS = ("kinds", "sources", "people", "teams")


def result_counts(hits: list[SearchHit], people: dict[str, Person]) -> dict[str, Counter[str]]:
    """How many of the results have each kind, source, author and team."""
    counts: dict[str, Counter[str]] = {
        f: Counter() for f in ("kinds", "sources", "people", "teams", "states")
    }
    for hit in hits:
        counts["kinds"][hit.kind] += 1
        counts["states"][state_of(hit.moderation)] += 1
        counts["sources"][hit.source] += 1
        authors = [people[pid] for pid in hit.author_ids if pid in people]
        counts["people"].update(p.id for p in authors)
        counts["teams"].update({p.team for p in authors if p.team})
    return counts


def _counts(counts: Counter[str], name: Callable[[str], str]) -> None:
    """The most frequent values among the results, with how many results have each."""
    if counts:
        top = counts.most_common(SHOWN_COUNTS)
        more = " · …" if len(counts) > SHOWN_COUNTS else ""
        st.caption("In these results: " + " · ".join(f"{name(v)} **{n}**" for v, n in top) + more)


def _multiselect(label: str, facets: list[FacetValue], key: str, counts: Counter[str]) -> None:
    labels: dict[str, str] = st.session_state.setdefault(_LABELS, {})
    labels.update({f.value: f.label for f in facets})

    def name(value: str) -> str:
        return labels.get(value) or value

    options = sorted(
        {f.value for f in facets} | set(_chosen(key)), key=lambda v: name(v).casefold()
    )
    st.multiselect(label, options, format_func=name, key=key)
    _counts(counts, name)


def _kinds(counts: Counter[str]) -> None:
    """The source kinds as chips (there are only four), with their counts in the results."""
    st.pills(
        "Source kind",
        list(KIND_LABELS),
        selection_mode="multi",
        format_func=str.title,  # short: four chips fit beside the results
        key="search_kinds",
    )
    _counts(counts, str.title)


def _states(facets: list[FacetValue], counts: Counter[str]) -> None:
    """The moderation states as chips; the service's counts are of every passage the filters
    allow, the results' of those shown."""
    st.pills(
        "Moderation",
        list(STATE_LABELS),
        selection_mode="multi",
        format_func=STATE_LABELS.__getitem__,
        key="search_states",
    )
    if facets:
        st.caption(
            "In all: " + " · ".join(f"{STATE_LABELS[f.value]} **{f.count}**" for f in facets)
        )
    _counts(counts, STATE_LABELS.__getitem__)


def _chosen(key: str) -> list[str]:
    return [str(v) for v in st.session_state.get(key) or []]


def current_filters() -> Filters:
    """The filters as the widgets hold them (read before drawing: the search comes first)."""
    dates = st.session_state.get("search_dates") or ()
    chosen = list(dates) if isinstance(dates, tuple | list) else [dates]
    start = chosen[0] if chosen else None
    end = chosen[1] if len(chosen) > 1 else None
    tags = str(st.session_state.get("search_tags") or "")
    return Filters(
        kinds=_chosen("search_kinds"),
        teams=_chosen("search_teams"),
        people=_chosen("search_people"),
        sources=_chosen("search_sources"),
        tags=[t.strip() for t in tags.split(",") if t.strip()],
        states=_chosen("search_states"),
        updated_from=start if isinstance(start, date) else None,
        updated_to=end if isinstance(end, date) else None,
    )


def filters_panel(facets: Facets, counts: dict[str, Counter[str]]) -> None:
    """The filters, with how many of the results have each value."""
    _kinds(counts["kinds"])
    _states(facets.states, counts["states"])
    _multiselect("Team", facets.teams, "search_teams", counts["teams"])
    _multiselect("Author", facets.authors, "search_people", counts["people"])
    _multiselect("Source", facets.sources, "search_sources", counts["sources"])
    st.text_input("Tags", key="search_tags", placeholder="e.g. policy, expenses")
    st.date_input(
        "Updated between",
        value=[],
        min_value=date(2000, 1, 1),
        max_value=date(2100, 1, 1),
        key="search_dates",
        format="YYYY-MM-DD",
    )


def hit_card(rank: int, hit: SearchHit, names: dict[str, str]) -> None:
    """A ranked passage with the query's words highlighted."""
    with st.container(border=True):
        # The service escapes the passage and adds only <mark>: safe to render as HTML.
        st.html(
            source_header_html(
                rank,
                hit.title,
                hit.kind,
                date=fmt_date(hit.updated),
                crumbs=hit.heading_path,
                link=original_link(hit.url, hit.path, hit.time_start),
                outdated=bool(hit.superseded_by),
                moderation=hit.moderation,
            )
            + f'<div class="wc-hit">{paragraphs(hit.highlight)}</div>'
        )
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            for pid in dict.fromkeys([*hit.author_ids, *hit.owner_ids]):
                nav.person_link(names.get(pid, pid), pid)
            nav.document_link("Open in context", hit.document_id, hit.chunk_id)
            outdated_link(hit.superseded_by)


def main() -> None:
    """The page."""
    st.html('<div class="wc-hero"><h1>Search</h1><p>Find passages across every source.</p></div>')
    query = st.text_input(
        "Search",
        key="search_query",
        placeholder="e.g. package size, on-call rota, hotel cap",
        label_visibility="collapsed",
        icon=":material/search:",
    )
    side, results = st.columns([1.2, 3], gap="large")
    result: SearchResponse | None = None
    if query.strip():
        with results, session.guarded(), session.client() as http:
            result = http.search(query.strip(), filters=current_filters(), limit=RESULTS)
    people = session.people_directory() if result else {}
    with side:
        st.html('<div class="wc-label">Filters</div>')
        counts = result_counts(result.passages if result else [], people)
        filters_panel(result.facets if result else Facets(), counts)
    with results:
        if result is None:
            st.info("Type a search above; the filters show how many passages each choice has.")
            return
        if not result.passages:
            st.info("No passage matches. Remove a filter or try other words.")
            return
        st.caption(
            f"{len(result.passages)} passages · {result.mode} search · "
            f"{result.timings_ms.get('total', 0):.0f} ms"
        )
        names = {pid: person.name for pid, person in people.items()}
        for rank, hit in enumerate(result.passages, start=1):
            hit_card(rank, hit, names)


main()
