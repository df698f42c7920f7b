"""RSS 2.0 and Atom 1.0 feeds: entries, people, dates, tags and HTML bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.errors import SourceError
from core.schema import SourceKind, document_id
from ingest.connectors.blog_feeds import BlogFeedConnector
from tests.ingest.connector_support import (
    BAD,
    FIXTURES,
    MAX_BYTES,
    assert_spans,
    by_id,
    make_source,
)

BLOG = FIXTURES / "blog"
RSS = BLOG / "engineering.rss"
ATOM = BLOG / "news.atom"


def _connector(fmt: str | None = None) -> BlogFeedConnector:
    return BlogFeedConnector(make_source("blog", BLOG, format=fmt, groups=["staff"]), MAX_BYTES)


def test_files_are_feed_files() -> None:
    assert _connector().files() == [RSS, BLOG / "learning.wordpress.xml", ATOM]


def test_rss_entries_with_content_encoded() -> None:
    documents = _connector().parse(RSS)
    assert [d.native_id for d in documents] == [
        "eng-2024-0042",
        "https://eng.acme.example/2024/06/interns",  # no guid: the link is the id
    ]  # the entry without a body is skipped
    post = documents[0]
    assert_spans(post)
    assert post.id == document_id("test-blog", "eng-2024-0042")
    assert post.kind is SourceKind.BLOG
    assert post.title == "How we cut build times & costs"
    assert post.url == "https://eng.acme.example/2024/03/faster-builds"
    assert post.path == "engineering.rss"
    assert post.groups == ["staff"]
    assert [(a.name, a.email, a.weight) for a in post.authors] == [
        ("Sam Lee", "sam.lee@acme.example", 1.0)
    ]
    when = datetime(2024, 3, 12, 9, 15, tzinfo=timezone(timedelta(hours=-4)))
    assert post.created == post.updated == when
    assert post.tags == ["ci", "Performance"]
    assert [(b.heading_path, b.text) for b in post.blocks] == [
        ([], "Our builds took 40 minutes. Now they take twelve."),
        (["Caching"], "We cache dependencies per lockfile hash."),
        (["Caching", "Remote cache"], "Shared between CI and laptops"),
        (["Caching", "Remote cache"], "Evicted after a week"),
        (["Results"], "before: 40m\nafter:  12m"),
    ]
    assert "summary that should lose" not in post.text


def test_rss_dc_creators_share_the_post_and_escaped_description_is_html() -> None:
    interns = by_id(_connector().parse(RSS))["https://eng.acme.example/2024/06/interns"]
    assert_spans(interns)
    assert [(a.name, a.weight) for a in interns.authors] == [
        ("Ola Berg", 0.5),
        ("Priya Raman", 0.5),
    ]
    assert interns.created == datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
    assert [b.text for b in interns.blocks] == [
        "Six interns join the platform team this summer.",
        "Say hello in the kitchen.",
    ]


def test_atom_entries_xhtml_content_and_relative_links() -> None:
    documents = _connector().parse(ATOM)
    assert [d.native_id for d in documents] == [
        "tag:news.acme.example,2024:7",
        "tag:news.acme.example,2024:6",
    ]
    recap = documents[0]
    assert_spans(recap)
    assert recap.title == "Q2 all-hands recap"
    assert recap.url == "https://news.acme.example/2024/05/q2-all-hands"
    assert [(a.name, a.email, a.weight) for a in recap.authors] == [
        ("Dana Lee", "dana.lee@acme.example", 1.0)
    ]
    cest = timezone(timedelta(hours=2))
    assert recap.created == datetime(2024, 5, 1, 17, 0, tzinfo=cest)
    assert recap.updated == datetime(2024, 5, 2, 9, 0, tzinfo=cest)
    assert recap.tags == ["all-hands", "Company"]
    assert [(b.heading_path, b.text) for b in recap.blocks] == [
        ([], "Revenue grew for the third quarter in a row."),
        (["Hiring"], "We are hiring twelve engineers."),
    ]


def test_atom_feed_author_and_plain_summary_fallbacks() -> None:
    move = by_id(_connector().parse(ATOM))["tag:news.acme.example,2024:6"]
    assert_spans(move)
    assert [(a.name, a.email) for a in move.authors] == [("Comms Team", "comms@acme.example")]
    assert move.created == move.updated == datetime(2024, 4, 15, 8, 0, tzinfo=UTC)
    assert [b.text for b in move.blocks] == [
        "The London office moves to Kings Cross in June.",
        "Desks are booked through the new app.",
    ]


def test_configured_format_must_match_the_file() -> None:
    with pytest.raises(SourceError, match=r"not an atom feed \(root <rss>\)"):
        _connector("atom").parse(RSS)
    assert len(_connector("rss").parse(RSS)) == 2


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("malformed-feed.xml", "malformed XML at line 7, column 4: mismatched tag"),
        ("entity-bomb.xml", "unsafe XML refused (EntitiesForbidden)"),
        ("not-a-feed.xml", "not an RSS 2.0 or Atom 1.0 feed (root <catalog>)"),
        ("empty.md", "empty file"),
    ],
)
def test_bad_feeds_raise_source_error(name: str, reason: str) -> None:
    with pytest.raises(SourceError) as err:
        _connector().parse(BAD / name)
    assert err.value.path == str(BAD / name)
    assert err.value.reason == reason


def test_oversized_feed_is_refused() -> None:
    with pytest.raises(SourceError, match="file too large"):
        BlogFeedConnector(make_source("blog", BLOG), max_bytes=200).parse(RSS)


def test_wordpress_export_is_not_read_as_a_feed() -> None:
    with pytest.raises(SourceError, match="a WordPress export, not a feed: use format 'wxr'"):
        _connector("rss").parse(BLOG / "learning.wordpress.xml")
