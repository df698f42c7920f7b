"""The pure text → HTML helpers: escaping, highlights, citation markers, links."""

from __future__ import annotations

from datetime import UTC, datetime

from ui.markup import (
    answer_html,
    esc,
    fmt_date,
    fmt_seconds,
    initials,
    mark_quote,
    mark_span,
    md_escape,
    original_link,
    paragraphs,
    shorten,
)


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis() -> None:
    title = "Postmortem: 47-minute SCORM player outage on 12 November 2024"
    assert shorten(title, 44) == "Postmortem: 47-minute SCORM player outage…"
    assert shorten("Campus LMS runbook", 44) == "Campus LMS runbook"
    assert shorten("x" * 60, 10) == "x" * 9 + "…"


def test_the_cited_sentence_is_marked_and_everything_escaped() -> None:
    text = "Claims <b>must</b> be filed.\n\nThe   meal allowance is\nEUR 55 per day."
    marked = mark_quote(text, "the meal allowance is EUR 55 per day.")
    assert marked == (
        "<p>Claims &lt;b&gt;must&lt;/b&gt; be filed.</p>"
        "<p><mark>The   meal allowance is<br>EUR 55 per day.</mark></p>"
    )
    assert "<mark>" not in mark_quote(text, "not in the passage")
    assert mark_quote(text, None) == mark_span(text, 0, 0)


def test_a_span_across_paragraphs_is_marked_in_each_with_one_anchor() -> None:
    text = "one two\n\nthree four"
    assert mark_span(text, 4, 14, mark_id="x") == (
        '<p>one <mark id="x">two</mark></p><p><mark>three</mark> four</p>'
    )


def test_citation_markers_become_links_to_known_sources_only() -> None:
    out = answer_html("A <fact> [1]. Both [1, 2]. Unknown [7].", {1, 2})
    assert out == (
        '<p>A &lt;fact&gt; <a class="wc-cite" href="#wc-source-1" title="Source 1">1</a>. '
        'Both <a class="wc-cite" href="#wc-source-1" title="Source 1">1</a>'
        '<a class="wc-cite" href="#wc-source-2" title="Source 2">2</a>. Unknown [7].</p>'
    )


def test_markdown_specials_are_shown_literally() -> None:
    assert md_escape("S$300 [1] *x*") == r"S\$300 \[1\] \*x\*"


def test_links_dates_and_names() -> None:
    assert original_link("https://v.example/x", None, 125.4) == (
        "https://v.example/x#t=125",
        "Watch from 2:05",
    )
    assert original_link(None, "docs/a.pdf") == (None, "docs/a.pdf")
    assert fmt_seconds(3725) == "1:02:05"
    assert fmt_date(datetime(2025, 3, 4, tzinfo=UTC)) == "4 Mar 2025"
    assert initials("Mei Ling Tan") == "ML" and initials("GHolloway") == "G"
    assert esc('"<') == "&quot;&lt;"
    assert paragraphs("a <mark>b</mark>\n\n\nc") == "<p>a <mark>b</mark></p><p>c</p>"
