"""The look: one stylesheet for the cards, badges and highlights the pages draw with st.html."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

CSS = """
<style>
:root {
  --wc-ink: #1f2937; --wc-muted: #6b7280; --wc-line: #e5e7eb; --wc-accent: #2563eb;
  --wc-accent-soft: #eff6ff; --wc-mark: #fde68a; --wc-ok: #16a34a; --wc-off: #9ca3af;
}
.block-container { padding-top: 3.2rem; max-width: 1400px; }
.wc-i { display: inline-block; width: .95rem; height: .95rem; margin-right: .3rem;
  vertical-align: -.15rem; background-color: currentColor; -webkit-mask-size: contain;
  mask-size: contain; -webkit-mask-repeat: no-repeat; mask-repeat: no-repeat; opacity: .75; }
.wc-hero h1 { font-size: 1.9rem; margin: 0 0 .1rem 0; color: var(--wc-ink); }
.wc-hero p { color: var(--wc-muted); margin: 0; }
.wc-label { text-transform: uppercase; letter-spacing: .06em; font-size: .72rem;
  font-weight: 600; color: var(--wc-muted); margin: .2rem 0 .35rem 0; }
.wc-answer { font-size: 1.06rem; line-height: 1.65; color: var(--wc-ink); }
.wc-answer p { margin: 0 0 .6rem 0; }
.wc-cite { display: inline-block; min-width: 1.1rem; padding: 0 .28rem; margin-left: .12rem;
  border-radius: .55rem; background: var(--wc-accent-soft); color: var(--wc-accent) !important;
  font-size: .7rem; font-weight: 700; line-height: 1.05rem; text-align: center;
  text-decoration: none !important; position: relative; top: -.45em;
  border: 1px solid #bfdbfe; }
.wc-cite:hover { background: var(--wc-accent); color: white !important; }
.wc-meta { color: var(--wc-muted); font-size: .84rem; display: flex; flex-wrap: wrap;
  gap: .35rem .8rem; align-items: center; }
.wc-meta a { color: var(--wc-accent); text-decoration: none; }
.wc-source-title { font-weight: 600; font-size: 1rem; color: var(--wc-ink); margin: 0; }
.wc-num { display: inline-block; min-width: 1.5rem; height: 1.5rem; line-height: 1.5rem;
  border-radius: .75rem; background: var(--wc-accent); color: white; text-align: center;
  font-size: .8rem; font-weight: 700; margin-right: .45rem; }
.wc-crumbs { color: var(--wc-muted); font-size: .8rem; margin: .1rem 0 .3rem 0; }
.wc-passage { font-size: .9rem; line-height: 1.55; color: #374151;
  border-left: 3px solid var(--wc-line); padding: .1rem 0 .1rem .75rem; margin: .35rem 0; }
.wc-passage mark, .wc-doc mark, .wc-hit mark { background: var(--wc-mark); padding: 0 .1rem;
  border-radius: .15rem; color: inherit; }
.wc-hit { font-size: .92rem; line-height: 1.55; color: #374151; }
.wc-doc { font-size: .95rem; line-height: 1.65; color: var(--wc-ink); }
.wc-passage p, .wc-hit p, .wc-doc p { margin: 0 0 .5rem 0; font-size: inherit;
  line-height: inherit; color: inherit; }
.wc-passage p:last-child, .wc-hit p:last-child { margin-bottom: 0; }
.wc-kind { display: inline-block; padding: .05rem .5rem; border-radius: .6rem; font-size: .72rem;
  font-weight: 600; letter-spacing: .02em; }
.wc-kind-wiki { background: #ecfdf5; color: #047857; }
.wc-kind-blog { background: #fef3c7; color: #92400e; }
.wc-kind-doc { background: #eff6ff; color: #1d4ed8; }
.wc-kind-video { background: #fce7f3; color: #9d174d; }
.wc-outdated { background: #fee2e2; color: #991b1b; }
.wc-person { display: flex; gap: .75rem; align-items: flex-start; }
.wc-avatar { flex: 0 0 2.6rem; height: 2.6rem; border-radius: 1.3rem; color: white;
  font-weight: 700; display: flex; align-items: center; justify-content: center;
  font-size: .95rem; }
.wc-person-name { font-weight: 650; font-size: 1rem; color: var(--wc-ink); line-height: 1.3; }
.wc-person-role { color: var(--wc-muted); font-size: .84rem; line-height: 1.35; }
.wc-contact { font-size: .85rem; margin-top: .45rem; display: grid; gap: .15rem; }
.wc-contact > span { display: flex; align-items: baseline; }
.wc-contact .wc-i { flex: 0 0 auto; align-self: center; }
.wc-contact a { color: var(--wc-accent); text-decoration: none; overflow-wrap: anywhere; }
.wc-dot { display: inline-block; width: .55rem; height: .55rem; border-radius: .3rem;
  margin-right: .35rem; vertical-align: middle; }
.wc-dot-on { background: var(--wc-ok); } .wc-dot-off { background: var(--wc-off); }
.wc-why { font-size: .72rem; color: var(--wc-muted); text-transform: uppercase;
  letter-spacing: .05em; font-weight: 600; padding-top: .45rem;
  border-top: 1px dashed var(--wc-line); }
.wc-abstain { background: #fff7ed; border: 1px solid #fed7aa; border-radius: .5rem;
  padding: .8rem 1rem; color: #9a3412; }
.wc-facets { font-size: .85rem; color: var(--wc-muted); }
.wc-tag { display: inline-block; background: #f3f4f6; border-radius: .5rem; padding: 0 .45rem;
  margin: 0 .25rem .25rem 0; font-size: .78rem; color: #374151; }
.wc-topics { margin-top: .4rem; }
.wc-status { font-size: .85rem; line-height: 1.5; }
.wc-status b { color: var(--wc-ink); }
</style>
"""

# Material Symbols (Apache-2.0) outlines, drawn as CSS masks in the text colour.
ICON_PATHS = {
    "mail": (
        "M4 20q-.825 0-1.412-.587T2 18V6q0-.825.588-1.412T4 4h16q.825 0 1.413.588T22 6v12q0 "
        ".825-.587 1.413T20 20zm8-7L4 8v10h16V8zm0-2l8-5H4zM4 8V6v12z"
    ),
    "chat": (
        "M6 14h8v-2H6zm0-3h12V9H6zm0-3h12V6H6zM2 22V4q0-.825.588-1.412T4 2h16q.825 0 1.413"
        ".588T22 4v12q0 .825-.587 1.413T20 18H6zm3.15-6H20V4H4v13.125zM4 16V4z"
    ),
    "file": (
        "M8 18h8v-2H8zm0-4h8v-2H8zm-2 8q-.825 0-1.412-.587T4 20V4q0-.825.588-1.412T6 2h8l6 "
        "6v12q0 .825-.587 1.413T18 22zm7-13V4H6v16h12V9zM6 4v5zv16z"
    ),
    "open": (
        "M5 21q-.825 0-1.412-.587T3 19V5q0-.825.588-1.412T5 3h7v2H5v14h14v-7h2v7q0 .825-.587 "
        "1.413T19 21zm4.7-5.3l-1.4-1.4L17.6 5H14V3h7v7h-2V6.4z"
    ),
    "lock": (
        "M6 22q-.825 0-1.412-.587T4 20V10q0-.825.588-1.412T6 8h1V6q0-2.075 1.463-3.537T12 1"
        "t3.538 1.463T17 6v2h1q.825 0 1.413.588T20 10v10q0 .825-.587 1.413T18 22zm0-2h12V10H6z"
        "m6-3q.825 0 1.413-.587T14 15t-.587-1.412T12 13t-1.412.588T10 15t.588 1.413T12 17M9 "
        "8h6V6q0-1.25-.875-2.125T12 3t-2.125.875T9 6zM6 20V10z"
    ),
}


_AVATAR_COLOURS = ("#2563eb", "#7c3aed", "#db2777", "#ea580c", "#059669", "#0891b2", "#4f46e5")


def _icon_rules() -> str:
    rules = []
    for name, path in ICON_PATHS.items():
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='{path}'/></svg>"
        )
        url = f'url("data:image/svg+xml,{quote(svg)}")'
        rules.append(f".wc-i-{name} {{ -webkit-mask-image: {url}; mask-image: {url}; }}")
    return "\n".join(rules)


def apply() -> None:
    """Add the stylesheet to the page (once per run)."""
    st.html(CSS.replace("</style>", _icon_rules() + "\n</style>"))


def avatar_colour(key: str) -> str:
    """A stable colour for a person's avatar."""
    return _AVATAR_COLOURS[sum(map(ord, key)) % len(_AVATAR_COLOURS)]
