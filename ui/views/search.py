"""Search: passages ranked for a query, narrowed by kind, team, author, date and tags."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui import nav, session
from ui.cards import outdated_link, source_header_html
from ui.markup import KIND_LABELS, fmt_date, original_link, paragraphs
from ui.models import Facets, FacetValue, Filters, SearchHit, SearchResult

RESULTS = 20


# Option labels must not change while a value is chosen (the browser sends back the label),
# so the counts are shown beside the widgets, not in the options.
_LABELS = "search_labels"
SHOWN_COUNTS = 4


def _counts(facets: list[FacetValue], labels: dict[str, str] | None = None) -> None:
    """The most frequent values of a facet with their passage counts."""
    if facets:
        top = facets[:SHOWN_COUNTS]
        more = " · …" if len(facets) > SHOWN_COUNTS else ""
        st.caption(
            " · ".join(f"{(labels or {}).get(f.value, f.label)} **{f.count}**" for f in top) + more
        )


def _multiselect(label: str, facets: list[FacetValue], key: str) -> None:
    labels: dict[str, str] = st.session_state.setdefault(_LABELS, {})
    labels.update({f.value: f.label for f in facets})

    def name(value: str) -> str:
        return labels.get(value) or value

    options = sorted(
        {f.value for f in facets} | set(_chosen(key)), key=lambda v: name(v).casefold()
    )
    st.multiselect(label, options, format_func=name, key=key)
    _counts(facets)


def _kinds(facets: list[FacetValue]) -> None:
    """The source kinds as chips (there are only four), with their counts."""
    st.pills(
        "Source kind",
        list(KIND_LABELS),
        selection_mode="multi",
        format_func=str.title,  # short: four chips fit beside the results
        key="search_kinds",
    )
    _counts(facets, {k: k.title() for k in KIND_LABELS})


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
        updated_from=start if isinstance(start, date) else None,
        updated_to=end if isinstance(end, date) else None,
    )


def filters_panel(facets: Facets) -> None:
    """The filters, with the counts of the passages each choice would match."""
    _kinds(facets.kinds)
    _multiselect("Team", facets.teams, "search_teams")
    _multiselect("Author", facets.authors, "search_people")
    _multiselect("Source", facets.sources, "search_sources")
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
            )
            + f'<div class="wc-hit">{paragraphs(hit.highlight)}</div>'
        )
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            for pid in dict.fromkeys([*hit.author_ids, *hit.owner_ids]):
                nav.person_link(names.get(pid, pid), pid)
            nav.document_link("Open in context", hit.document_id, hit.chunk_id)
            outdated_link(hit.superseded_by)
            st.caption(f"score {hit.score:.3f}")


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
    result: SearchResult | None = None
    if query.strip():
        with results, session.guarded(), session.client() as http:
            result = http.search(query.strip(), filters=current_filters(), limit=RESULTS)
    with side:
        st.html('<div class="wc-label">Filters</div>')
        filters_panel(result.facets if result else Facets())
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
        names = session.people_names()
        for rank, hit in enumerate(result.passages, start=1):
            hit_card(rank, hit, names)


main()
