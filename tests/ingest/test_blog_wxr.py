"""WordPress exports: published posts and pages, authors from the author table, commenters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import SourceError
from core.schema import SourceKind, document_id
from ingest.connectors.blog_wxr import WxrConnector
from tests.ingest.connector_support import (
    BAD,
    FIXTURES,
    MAX_BYTES,
    assert_spans,
    by_id,
    make_source,
)

EXPORT = FIXTURES / "blog" / "learning.wordpress.xml"


def _connector() -> WxrConnector:
    return WxrConnector(make_source("blog", EXPORT, format="wxr"), MAX_BYTES)


def test_only_published_posts_and_pages_without_passwords() -> None:
    documents = _connector().parse(EXPORT)
    # the draft, the attachment and the password-protected post are skipped
    assert [d.native_id for d in documents] == [
        "https://learn.acme.example/?p=41",
        "https://learn.acme.example/?page_id=2",
    ]
    for document in documents:
        assert_spans(document)
        assert document.kind is SourceKind.BLOG
        assert document.path == "learning.wordpress.xml"
    assert _connector().files() == [EXPORT]


def test_post_fields_and_resolved_author() -> None:
    post = by_id(_connector().parse(EXPORT))["https://learn.acme.example/?p=41"]
    assert post.id == document_id("test-blog", "https://learn.acme.example/?p=41")
    assert post.title == "Writing good quiz questions"
    assert post.url == "https://learn.acme.example/2024/02/quiz-questions/"
    assert post.created == datetime(2024, 2, 7, 10, 0, tzinfo=UTC)
    assert post.updated == datetime(2024, 3, 1, 15, 20, tzinfo=UTC)
    assert post.tags == ["Courses", "assessment"]
    # author via the login 'mgarcia'; one approved commenter (two comments by the same
    # email, an unapproved one, a pingback and the author's own reply are not counted)
    assert [(a.name, a.email, a.weight) for a in post.authors] == [
        ("María García", "maria.garcia@acme.example", 1.0),
        ("Ola Berg", "ola.berg@acme.example", 0.25),
    ]


def test_bare_paragraphs_headings_and_shortcodes() -> None:
    post = by_id(_connector().parse(EXPORT))["https://learn.acme.example/?p=41"]
    assert [(b.heading_path, b.text) for b in post.blocks] == [
        ([], "Good questions test one idea at a time."),
        ([], 'Avoid "all of the above" answers.'),
        (["Distractors"], "Wrong answers should be plausible."),
        (["Distractors"], "Every option the same length."),
    ]
    assert "Excerpt" not in post.text and "caption" not in post.text


def test_page_with_zero_gmt_date_falls_back_to_pub_date() -> None:
    page = by_id(_connector().parse(EXPORT))["https://learn.acme.example/?page_id=2"]
    assert page.created == page.updated == datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    assert [(a.name, a.email, a.weight) for a in page.authors] == [
        ("Ola Berg", "ola.berg@acme.example", 1.0)
    ]
    assert page.text == "This blog is written by the learning design team."


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (FIXTURES / "blog" / "engineering.rss", "not a WordPress export (no <wp:wxr_version>)"),
        (BAD / "malformed-feed.xml", "malformed XML at line 7, column 4: mismatched tag"),
        (BAD / "entity-bomb.xml", "unsafe XML refused (EntitiesForbidden)"),
    ],
)
def test_bad_exports_raise_source_error(path: object, reason: str) -> None:
    with pytest.raises(SourceError) as err:
        _connector().parse(path)  # type: ignore[arg-type]
    assert err.value.reason == reason


def test_oversized_export_is_refused() -> None:
    with pytest.raises(SourceError, match="file too large"):
        WxrConnector(make_source("blog", EXPORT), max_bytes=1000).parse(EXPORT)
