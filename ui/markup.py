"""Pure text → HTML helpers for the pages: escaping, highlights, citation markers, formats.

Everything that reaches `st.html` passes through `esc` first, except the service's search
highlights, which the service escapes itself.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

from core.schema import SourceKind

# [1], [2][3] and [1, 2] in an answer.
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|$<>~])")


# Small icons drawn by the stylesheet (ui/style.py): no emoji font or inline SVG needed.
ICONS = {
    name: f'<span class="wc-i wc-i-{name}"></span>'
    for name in ("mail", "chat", "file", "open", "lock")
}


KIND_LABELS: dict[str, str] = {
    SourceKind.WIKI.value: "Wiki",
    SourceKind.BLOG.value: "Blog",
    SourceKind.DOC.value: "Document",
    SourceKind.VIDEO.value: "Video",
    SourceKind.ANSWER.value: "Expert answer",
}


def esc(text: str) -> str:
    """HTML-escaped text (quotes too: safe inside attributes)."""
    return html.escape(text, quote=True)


def md_escape(text: str) -> str:
    """Text that Markdown shows literally (no emphasis, links, or `$` maths)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _find(text: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` lies in `text`, tolerant of whitespace and case; None when absent."""
    words = needle.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, text, flags=re.IGNORECASE)
    return (match.start(), match.end()) if match else None


_PARAGRAPH = re.compile(r"\S.*?(?=\n[ \t]*\n|\Z)", re.DOTALL)


def _lines(escaped: str) -> str:
    return escaped.replace("\n", "<br>")


def mark_span(text: str, start: int, end: int, *, mark_id: str | None = None) -> str:
    """`text` escaped as paragraphs, with [start, end) wrapped in <mark> (per paragraph)."""
    out = []
    for para in _PARAGRAPH.finditer(text):
        ps, pe = para.span()
        s, e = max(start, ps), min(end, pe)
        if s < e:
            attr = f' id="{esc(mark_id)}"' if mark_id else ""
            mark_id = None  # the anchor goes on the first piece only
            body = f"{esc(text[ps:s])}<mark{attr}>{esc(text[s:e])}</mark>{esc(text[e:pe])}"
        else:
            body = esc(text[ps:pe])
        out.append(f"<p>{_lines(body)}</p>")
    return "".join(out)


def mark_quote(text: str, quote: str | None) -> str:
    """`text` escaped as paragraphs, the cited sentence (`quote`) in <mark> when found."""
    span = _find(text, quote) if quote else None
    return mark_span(text, *span) if span else mark_span(text, 0, 0)


def paragraphs(escaped: str) -> str:
    """Already-escaped HTML (e.g. a search highlight) as paragraphs."""
    parts = re.split(r"\n[ \t]*\n", escaped)
    return "".join(f"<p>{_lines(p.strip())}</p>" for p in parts if p.strip())


def answer_html(text: str, markers: set[int]) -> str:
    """The answer escaped, `[n]` turned into citation badges linking to source n."""

    def badge(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        if not all(n in markers for n in numbers):
            return match.group(0)
        return "".join(
            f'<a class="wc-cite" href="#wc-source-{n}" title="Source {n}">{n}</a>' for n in numbers
        )

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{_MARKERS.sub(badge, esc(p))}</p>" for p in paragraphs)


def external_link(href: str, label: str) -> str:
    """A link that opens the original in a new tab."""
    return f'<a href="{esc(href)}" target="_blank" rel="noopener">{ICONS["open"]}{esc(label)}</a>'


def kind_badge(kind: str) -> str:
    """A coloured label for a source kind."""
    label = KIND_LABELS.get(kind, kind.title())
    return f'<span class="wc-kind wc-kind-{esc(kind)}">{esc(label)}</span>'


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,.;:-–—") + "…"


OUTDATED_BADGE = '<span class="wc-kind wc-outdated">Outdated</span>'


def fmt_date(moment: datetime | None) -> str:
    """`10 Mar 2025`, or an empty string."""
    return f"{moment.day} {moment:%b %Y}" if moment else ""


def fmt_seconds(seconds: float) -> str:
    """`m:ss` or `h:mm:ss`."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def original_link(
    url: str | None, path: str | None, time_start: float | None = None
) -> tuple[str | None, str]:
    """Where the original lives: (href or None, label). A video link starts at the cited time."""
    if url:
        if time_start is not None:
            return f"{url}#t={int(time_start)}", f"Watch from {fmt_seconds(time_start)}"
        return url, "Open the original"
    if path:
        return None, path
    return None, ""


def initials(name: str) -> str:
    """Up to two initials for an avatar."""
    parts = [p for p in re.split(r"[\s\-]+", name) if p and p[0].isalpha()]
    return "".join(p[0].upper() for p in parts[:2]) or "?"
