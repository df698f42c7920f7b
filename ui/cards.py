"""Cards the pages share: a person's contact card and a cited source."""

from __future__ import annotations

import streamlit as st

from core.api import DocumentResponse
from core.schema import Citation, Expert, ModerationBadge, Person
from ui import nav, session
from ui.markup import (
    ICONS,
    OUTDATED_BADGE,
    esc,
    external_link,
    fmt_date,
    initials,
    kind_badge,
    mark_quote,
    original_link,
    shorten,
)
from ui.moderation import badge_html, flag_form
from ui.style import avatar_colour

MAX_EVIDENCE = 3
MAX_WHY_CHARS = 34  # a title that fits one line of a contact card in a 1400-px-wide window
CLOSEST_CHARS = 400  # enough of a nearest passage to judge whether it is worth opening


def person_html(
    person: Person, local_time: str | None = None, working_hours: bool | None = None
) -> str:
    """Avatar, name, title and team, and the ways to reach them."""
    role = " · ".join(esc(part) for part in (person.title, person.team) if part)
    if not person.in_directory:
        role = role or "Not in the people directory"
    lines = []
    if person.email:
        mail = esc(person.email)
        lines.append(f'<span>{ICONS["mail"]}<a href="mailto:{mail}">{mail}</a></span>')
    if person.chat:
        lines.append(f"<span>{ICONS['chat']}{esc(person.chat)}</span>")
    if local_time:
        if working_hours is None:
            dot, state = "off", ""
        else:
            dot, state = ("on", " · at work") if working_hours else ("off", " · off work")
        lines.append(
            f'<span><span class="wc-dot wc-dot-{dot}"></span>{esc(local_time)}{state}</span>'
        )
    contact = f'<div class="wc-contact">{"".join(lines)}</div>' if lines else ""
    return (
        f'<div class="wc-person"><div class="wc-avatar" '
        f'style="background:{avatar_colour(person.id or person.name)}">'
        f"{esc(initials(person.name))}</div><div>"
        f'<div class="wc-person-name">{esc(person.name)}</div>'
        f'<div class="wc-person-role">{role}</div>{contact}</div></div>'
    )


def topics_html(topics: list[str]) -> str:
    """A person's top topics as tags (nothing when there are none)."""
    tags = "".join(f'<span class="wc-tag">{esc(t)}</span>' for t in topics)
    return f'<div class="wc-topics">{tags}</div>' if tags else ""


def contact_card(expert: Expert) -> None:
    """Who to contact: the person, how to reach them, and the documents that show why."""
    with st.container(border=True, gap="small"):
        st.html(
            person_html(expert.person, expert.local_time, expert.working_hours)
            + topics_html(expert.topics)
        )
        if expert.documents:
            st.html('<div class="wc-why">Why them: they wrote or own</div>')
        for doc in expert.documents[:MAX_EVIDENCE]:
            nav.document_link(
                shorten(doc.title, MAX_WHY_CHARS),
                doc.document_id,
                icon=":material/edit_note:" if doc.role == "author" else ":material/folder_shared:",
                help=f"{doc.title} ({doc.role})",
            )
        nav.person_link("Profile", expert.person.id, icon=":material/badge:")


def outdated_link(successor_id: str | None) -> None:
    """ "Outdated — see <the newer document>", a link to it (nothing when not superseded)."""
    if not successor_id:
        return
    title = session.document_title(successor_id)
    nav.document_link(
        f"Outdated — see {title}" if title else "Outdated — see the newer version",
        successor_id,
        icon=":material/update:",
        help="A newer document replaces this one",
    )


def source_header_html(
    marker: int | None,
    title: str,
    kind: str,
    *,
    date: str = "",
    crumbs: list[str] | None = None,
    link: tuple[str | None, str] = (None, ""),
    outdated: bool = False,
    moderation: ModerationBadge | None = None,
) -> str:
    """Number, title, kind (and outdated / moderation badges), date, section path, link to the
    original."""
    num = f'<span class="wc-num">{marker}</span>' if marker is not None else ""
    meta = [kind_badge(kind), *([OUTDATED_BADGE] if outdated else []), badge_html(moderation)]
    if date:
        meta.append(f"<span>{esc(date)}</span>")
    href, label = link
    if href:
        meta.append(external_link(href, label))
    elif label:
        meta.append(f"<span>{ICONS['file']}<code>{esc(label)}</code></span>")
    crumb = f'<div class="wc-crumbs">{" › ".join(map(esc, crumbs))}</div>' if crumbs else ""
    anchor = f' id="wc-source-{marker}"' if marker is not None else ""
    return (
        f'<div{anchor}><p class="wc-source-title">{num}{esc(title)}</p>'
        f'<div class="wc-meta">{"".join(meta)}</div>{crumb}</div>'
    )


def source_card(citation: Citation, document: DocumentResponse | None) -> bool:
    """A cited passage with its cited sentence highlighted; True when flagged as wrong."""
    moment = (document.updated or document.created) if document else None
    successor = document.superseded_by if document else None
    with st.container(border=True, gap="small"):
        st.html(
            source_header_html(
                citation.marker,
                citation.title,
                citation.kind,
                date=fmt_date(moment),
                crumbs=citation.heading_path,
                link=original_link(citation.url, citation.path, citation.time_start),
                outdated=bool(successor),
                moderation=citation.moderation,
            )
            + f'<div class="wc-passage">{mark_quote(citation.text, citation.quote)}</div>'
        )
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            for author in citation.authors:
                nav.person_link(author.name, author.id)
            nav.document_link("Open in context", citation.document_id, citation.chunk_id)
            outdated_link(successor)
            wrong = st.button(
                "Wrong citation",
                key=f"wrong-{citation.marker}",
                icon=":material/flag:",
                type="tertiary",
                help="Tell us this passage does not support the sentence that cites it",
            )
        flag_form(citation.document_id, citation.chunk_id, f"citation-{citation.marker}")
        return wrong


def closest_card(citation: Citation) -> None:
    """A passage the assistant found nearest when it abstained: read it, or open it in context."""
    with st.container(border=True, gap="small"):
        st.html(
            source_header_html(
                None,
                citation.title,
                citation.kind,
                crumbs=citation.heading_path,
                link=original_link(citation.url, citation.path, citation.time_start),
                moderation=citation.moderation,
            )
            + f'<div class="wc-passage">{esc(shorten(citation.text, CLOSEST_CHARS))}</div>'
        )
        nav.document_link("Open in context", citation.document_id, citation.chunk_id)
