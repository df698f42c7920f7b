"""Metadata helpers shared by connectors: dates, people, lists, front matter, HTML text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ingest.connectors.base import humanise, unique
from ingest.connectors.htmltext import html_to_blocks, strip_tags
from ingest.connectors.meta import (
    lenient_date,
    meta_from_mapping,
    parse_contributor,
    parse_contributors,
    parse_date,
    split_front_matter,
    split_list,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T14:30:00Z", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("2024-03-05 14:30:00", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        (
            "2024-03-05T14:30:00+05:30",
            datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("Tue, 05 Mar 2024 14:30:00 GMT", datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        (
            "Tue, 05 Mar 2024 14:30:00 -0500",
            datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=-5))),
        ),
        (date(2024, 3, 5), datetime(2024, 3, 5, tzinfo=UTC)),
        (datetime(2024, 3, 5, 1, 2), datetime(2024, 3, 5, 1, 2, tzinfo=UTC)),
    ],
)
def test_parse_date_is_always_timezone_aware(value: object, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("value", ["soon", "", "2024-13-45", 42, None])
def test_parse_date_rejects_non_dates(value: object) -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date(value)


def test_lenient_date_logs_and_ignores_what_is_not_a_date(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert lenient_date("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)
    assert lenient_date("") is None
    with caplog.at_level("WARNING"):
        assert lenient_date("last Tuesday", Path("blog/feed.rss")) is None
    (record,) = caplog.records
    assert record.message == "ignoring unparseable date"
    assert (record.value, record.path) == ("last Tuesday", "blog/feed.rss")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "name", "email"),
    [
        ("Priya Raman <Priya.Raman@acme.example>", "Priya Raman", "priya.raman@acme.example"),
        ('"Raman, Priya" <priya@acme.example>', "Raman, Priya", "priya@acme.example"),
        ("priya@acme.example (Priya Raman)", "Priya Raman", "priya@acme.example"),
        ("PRIYA@ACME.EXAMPLE", None, "priya@acme.example"),
        ("  Priya   Raman ", "Priya Raman", None),
        ("<priya@acme.example>", None, "priya@acme.example"),
    ],
)
def test_parse_contributor_forms(text: str, name: str | None, email: str | None) -> None:
    person = parse_contributor(text)
    assert person is not None
    assert (person.name, person.email, person.weight) == (name, email, 1.0)


def test_parse_contributors_shares_or_keeps_weights() -> None:
    shared = parse_contributors(["a@x.example", {"name": "B", "weight": 0.7}], share=True)
    assert [(p.email, p.name, p.weight) for p in shared] == [
        ("a@x.example", None, 0.5),
        (None, "B", 0.7),
    ]
    assert [p.weight for p in parse_contributors(["A", "B"], share=False)] == [1.0, 1.0]
    assert parse_contributors(None, share=True) == []
    with pytest.raises(ValueError, match="cannot read a person"):
        parse_contributors([["nested"]], share=True)


def test_split_list_and_unique() -> None:
    assert split_list("a, b;c ;; ") == ["a", "b", "c"]
    assert split_list(["x", 2024]) == ["x", "2024"]
    with pytest.raises(ValueError, match="expected a list"):
        split_list({"a": 1})
    assert unique(["Ops", "ops", " SRE ", "", "sre"]) == ["Ops", "SRE"]


def test_front_matter_split_keeps_the_body() -> None:
    meta, body = split_front_matter("---\ntitle: T\ntags: [a]\n---\n# Heading\n\nText\n")
    assert meta == {"title": "T", "tags": ["a"]}
    assert body == "# Heading\n\nText\n"
    assert split_front_matter("No front matter\n---\n") == ({}, "No front matter\n---\n")
    assert split_front_matter("---\n---\nBody") == ({}, "Body")
    with pytest.raises(ValueError, match="front matter must be a mapping"):
        split_front_matter("---\n- a\n- b\n---\nBody")


def test_meta_from_mapping_validates_fields() -> None:
    meta = meta_from_mapping({"title": 2024, "author": "A <a@x.example>", "keywords": "k1, k2"})
    assert meta.title == "2024"
    assert [(a.name, a.email) for a in meta.authors] == [("A", "a@x.example")]
    assert meta.tags == ["k1", "k2"]
    with pytest.raises(ValueError, match="field 'title' must be text"):
        meta_from_mapping({"title": ["a", "b"]})


def test_humanise_file_stems() -> None:
    assert humanise("deploy_guide-v2") == "Deploy guide v2"
    assert humanise("README") == "README"
    assert humanise("lms-oncall-onboarding") == "LMS on-call onboarding"
    assert humanise("hr_faq") == "HR FAQ"
    assert humanise("oncall-rota") == "On-call rota"


def test_html_blocks_bare_text_breaks_and_nesting() -> None:
    html = (
        "<div>Intro line one\nstill one<br>after break\n\nSecond paragraph</div>"
        "<h3>Deep</h3><p>Under h3</p><h2>Up</h2><ol><li>Item <em>one</em>"
        "<ul><li>child</li></ul></li></ol>"
    )
    assert [(b.heading_path, b.text) for b in html_to_blocks(html)] == [
        ([], "Intro line one still one\nafter break"),
        ([], "Second paragraph"),
        (["Deep"], "Under h3"),
        (["Up"], "Item one"),
        (["Up"], "child"),
    ]
    assert strip_tags("Q2 <em>all-hands</em> &amp; more") == "Q2 all-hands & more"
