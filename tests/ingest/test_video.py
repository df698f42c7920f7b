"""Video transcripts: cues with times, sidecar metadata, and broken timing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.errors import SourceError
from core.schema import SourceKind, document_id
from ingest.connectors.video import VideoConnector, parse_cues
from tests.ingest.connector_support import BAD, FIXTURES, MAX_BYTES, assert_spans, make_source

VIDEOS = FIXTURES / "videos"
VTT = VIDEOS / "all-hands-2024-q2.vtt"
SRT = VIDEOS / "security_training.srt"


def _connector(root: Path = VIDEOS, max_bytes: int = MAX_BYTES) -> VideoConnector:
    return VideoConnector(make_source("video", root, groups=["everyone"]), max_bytes)


def test_files_are_transcripts_not_sidecars() -> None:
    assert _connector().files() == [VTT, SRT]


def test_webvtt_cues_times_and_merging() -> None:
    (doc,) = _connector().parse(VTT)
    assert_spans(doc)
    assert doc.kind is SourceKind.VIDEO
    assert doc.id == document_id("test-video", "all-hands-2024-q2.vtt")
    assert [(b.time_start, b.time_end, b.heading_path, b.text) for b in doc.blocks] == [
        (1.0, 7.25, [], "Dana Lee: Welcome everyone to the Q2 all-hands."),  # two cues merged
        (7.25, 12.0, [], "Revenue grew & churn fell for the third quarter in a row."),
        (3723.04, 3725.0, [], "Questions go in the Q&A channel."),
    ]
    for hidden in ("reviewed by the comms team", "color: yellow", "width:40%", "align:start"):
        assert hidden not in doc.text


def test_sidecar_metadata() -> None:
    (doc,) = _connector().parse(VTT)
    assert doc.title == "Q2 2024 All-Hands"
    assert doc.url == "https://video.acme.example/watch/q2-all-hands"
    assert [(a.name, a.email, a.weight) for a in doc.authors] == [
        ("Dana Lee", "dana.lee@acme.example", 1.0)
    ]
    assert doc.created == doc.updated == datetime(2024, 5, 1, tzinfo=UTC)
    assert doc.tags == ["all-hands", "company"]
    assert doc.groups == ["everyone", "staff"]


def test_srt_without_sidecar() -> None:
    (doc,) = _connector().parse(SRT)
    assert_spans(doc)
    assert doc.title == "Security training"
    assert doc.url is None and doc.authors == [] and doc.created is None
    assert [(b.time_start, b.time_end, b.text) for b in doc.blocks] == [
        (0.5, 3.0, "Lock your screen when you leave your desk."),
        (3.0, 6.25, "Report phishing to security@acme.example."),
    ]


def test_a_title_from_the_file_name_keeps_acronyms(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[2] / "examples" / "sample" / "videos"
    transcript = tmp_path / "lms-oncall-onboarding.srt"
    transcript.write_bytes((sample / transcript.name).read_bytes())  # the sample has no sidecar
    (doc,) = _connector(tmp_path).parse(transcript)
    assert doc.title == "LMS on-call onboarding"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "broken-timing.vtt",
            "line 6: malformed cue timing '00:00:02.000 -> 00:00:03.000' "
            "(expected 'hh:mm:ss.mmm --> hh:mm:ss.mmm')",
        ),
        ("backwards.srt", "line 2: cue ends (2.000s) before it starts (5.000s)"),
        ("no-header.vtt", "line 1: missing 'WEBVTT' header"),
    ],
)
def test_broken_transcripts_raise_source_error(name: str, reason: str) -> None:
    with pytest.raises(SourceError) as err:
        _connector(BAD).parse(BAD / name)
    assert err.value.path == str(BAD / name)
    assert err.value.reason == reason


def test_cue_without_timing_and_transcript_without_cues(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 3: expected a cue timing line"):
        parse_cues("WEBVTT\n\nJust some words\nwith no timing\n", webvtt=True)
    empty = tmp_path / "silent.vtt"
    empty.write_text("WEBVTT\n\nNOTE nothing was said\n")
    with pytest.raises(SourceError, match="no cues in transcript"):
        _connector(tmp_path).parse(empty)


def test_broken_sidecar_and_oversize(tmp_path: Path) -> None:
    transcript = tmp_path / "talk.vtt"
    transcript.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nHello.\n")
    (tmp_path / "talk.yml").write_text("date: someday\ngroups: {a: 1}\n")
    with pytest.raises(SourceError, match=r"sidecar talk.yml: expected a list"):
        _connector(tmp_path).parse(transcript)  # unreadable groups: never made public
    (tmp_path / "talk.yml").write_text("date: someday\n")  # a date is left out, with a warning
    [doc] = _connector(tmp_path).parse(transcript)
    assert doc.created is None
    assert [(w.field, w.value) for w in doc.warnings] == [("date", "someday")]
    with pytest.raises(SourceError, match="file too large"):
        _connector(VIDEOS, max_bytes=50).parse(VTT)
