"""Document: the full text with the cited passage highlighted, its metadata and authors."""

from __future__ import annotations

import streamlit as st

from core.api import ChunkSpan, DocumentResponse
from core.client import NotFound
from ui import nav, session
from ui.cards import outdated_link
from ui.markup import (
    ICONS,
    esc,
    external_link,
    fmt_date,
    fmt_seconds,
    kind_badge,
    mark_span,
    original_link,
)
from ui.moderation import badge_html, history_table

CONTEXT_CHARS = 400


def _span(doc: DocumentResponse) -> tuple[ChunkSpan | None, int, int]:
    """The passage to highlight: the linked chunk, or explicit `start`/`end` offsets."""
    chunk_id = st.query_params.get("chunk")
    chunk = next((c for c in doc.chunks if c.id == chunk_id), None)
    if chunk:
        return chunk, chunk.start, chunk.end
    try:
        return None, int(st.query_params.get("start", -1)), int(st.query_params.get("end", -1))
    except ValueError:
        return None, -1, -1


def context(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of a little text around [start, end), cut at line (or word) boundaries."""
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    if lo > 0:
        line = text.find("\n", lo, start)
        lo = line + 1 if line != -1 else text.rfind(" ", 0, lo) + 1
    if hi < len(text):
        line = text.rfind("\n", end, hi)
        space = text.find(" ", hi)
        hi = line if line != -1 else space if space != -1 else len(text)
    return lo, hi


def metadata(doc: DocumentResponse) -> None:
    """Title, kind, dates, source, links, authors and owners, tags."""
    facts = [kind_badge(doc.kind), f"<span>source <b>{esc(doc.source)}</b></span>"]
    if doc.updated or doc.created:
        facts.append(f"<span>updated {esc(fmt_date(doc.updated or doc.created))}</span>")
    href, label = original_link(doc.url, doc.path)
    if href:
        facts.append(external_link(href, label))
    if doc.path:
        facts.append(f"<span>{ICONS['file']}<code>{esc(doc.path)}</code></span>")
    if doc.groups:
        facts.append(f"<span>{ICONS['lock']}{esc(', '.join(doc.groups))}</span>")
    st.html(
        f'<div class="wc-hero"><h1>{esc(doc.title)}</h1></div>'
        f'<div class="wc-meta">{"".join(facts)}</div>'
    )
    if doc.superseded_by:
        st.warning("Outdated: a newer document replaces this one.", icon=":material/update:")
        outdated_link(doc.superseded_by)
    if doc.moderation is not None:
        st.html(badge_html(doc.moderation))
        with st.expander("Moderation history"), session.guarded(), session.client() as http:
            history_table(http.history(doc.id))
    people = [(p, "author") for p in doc.authors] + [
        (p, "owner") for p in doc.owners if p.id not in {a.id for a in doc.authors}
    ]
    if people:
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            st.caption("By", width="content")
            for ref, role in people:
                nav.person_link(f"{ref.name} ({role})" if role == "owner" else ref.name, ref.id)
    if doc.tags:
        st.html("".join(f'<span class="wc-tag">{esc(t)}</span>' for t in doc.tags))


def cited_passage(doc: DocumentResponse, chunk: ChunkSpan | None, start: int, end: int) -> None:
    """The highlighted passage with a little context, above the full text."""
    where = []
    if chunk and chunk.heading_path:
        where.append(" › ".join(chunk.heading_path))
    if chunk and chunk.time_start is not None:
        stamp = fmt_seconds(chunk.time_start)
        if chunk.time_end is not None:
            stamp += f"–{fmt_seconds(chunk.time_end)}"
        where.append(f"at {stamp}")
        href, label = original_link(doc.url, None, chunk.time_start)
        if href:
            where.append(external_link(href, label))
    lo, hi = context(doc.text, start, end)
    before, after = ("…" if lo else ""), ("…" if hi < len(doc.text) else "")
    shift = len(before) - lo
    excerpt = mark_span(before + doc.text[lo:hi] + after, start + shift, end + shift)
    with st.container(border=True):
        st.html(
            '<div class="wc-label">Cited passage</div>'
            + (f'<div class="wc-crumbs">{" · ".join(where)}</div>' if where else "")
            + f'<div class="wc-doc">{excerpt}</div>'
        )


def not_found(document_id: str) -> None:
    """What happened to a document that cannot be shown, and where to go instead."""
    st.html('<div class="wc-hero"><h1>Document not found</h1></div>')
    st.warning(
        f"The document `{document_id}` was not found. It may have been removed or renamed "
        "in its source (the next ingestion removes it from the index), or it may be "
        "restricted to a group you are not in.",
        icon=":material/search_off:",
    )
    st.page_link(nav.SEARCH, label="Search for it instead", icon=":material/search:")


def main() -> None:
    """The page: the document named by the link, or how to get to one."""
    document_id = st.query_params.get("doc")
    if not document_id:
        st.html(
            '<div class="wc-hero"><h1>Document</h1><p>Open a document from a citation on the '
            "Ask page, a search result, or a person's profile.</p></div>"
        )
        st.page_link(nav.SEARCH, label="Search for a document", icon=":material/search:")
        return
    with session.guarded(), session.client() as http:
        try:
            doc = http.document(document_id)
        except NotFound:
            not_found(document_id)
            return
    metadata(doc)
    if not doc.text.strip():
        st.info(
            "This document has no text to show: its source held none that could be read "
            "(for example a scanned PDF without a text layer, or an empty transcript). "
            "Open the original, if it has a link above, or ask its authors.",
            icon=":material/text_snippet:",
        )
        return
    chunk, start, end = _span(doc)
    if 0 <= start < end:
        cited_passage(doc, chunk, start, end)
    st.html('<div class="wc-label">Full text</div>')
    with st.container(height=560, border=True):
        st.html(f'<div class="wc-doc">{mark_span(doc.text, start, end, mark_id="wc-cited")}</div>')


main()
