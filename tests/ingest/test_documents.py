"""Shared-document folders: every format's text, structure and metadata, and bad files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.errors import SourceError
from core.schema import Document, SourceKind, document_id
from ingest.connectors.documents import DocumentsConnector
from tests.ingest.connector_support import BAD, FIXTURES, MAX_BYTES, assert_spans, make_source

DOCS = FIXTURES / "docs"


@pytest.fixture(scope="module")
def connector() -> DocumentsConnector:
    source = make_source(
        "doc", DOCS, groups=["staff", "engineering"], url_base="https://drive.acme.example/"
    )
    return DocumentsConnector(source, MAX_BYTES)


@pytest.fixture(scope="module")
def docs(connector: DocumentsConnector) -> dict[str, Document]:
    """Every fixture document, parsed once (unstructured loads spaCy on first use)."""
    parsed = {}
    for path in connector.files():
        (document,) = connector.parse(path)
        parsed[document.native_id] = document
    return parsed


def test_files_lists_supported_documents_and_skips_hidden_sidecars_and_owners(
    connector: DocumentsConnector,
) -> None:
    relative = [p.relative_to(DOCS).as_posix() for p in connector.files()]
    assert relative == [
        "guides/deploy-guide.md",
        "handbook/onboarding.docx",
        "notes/release-process.rst",
        "notes/standup-notes.txt",
        "pages/faq.html",
        "policies/security-policy.pdf",
        "slides/q3-roadmap.pptx",
    ]


def test_missing_root_is_a_source_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(SourceError) as err:
        DocumentsConnector(make_source("doc", missing), MAX_BYTES).files()
    assert err.value.path == str(missing)
    assert "does not exist" in err.value.reason


def test_every_block_span_matches_the_text(docs: dict[str, Document]) -> None:
    assert len(docs) == 7
    for document in docs.values():
        assert_spans(document)
        assert document.kind is SourceKind.DOC


def test_markdown_front_matter_and_headings(docs: dict[str, Document]) -> None:
    doc = docs["guides/deploy-guide.md"]
    assert doc.id == document_id("test-doc", "guides/deploy-guide.md")
    assert doc.title == "Deploying the API"
    assert doc.path == "guides/deploy-guide.md"
    assert doc.url == "https://drive.acme.example/guides/deploy-guide.md"
    assert [(a.name, a.email, a.weight) for a in doc.authors] == [
        ("Priya Raman", "priya.raman@acme.example", 0.5),
        ("Sam Lee", "sam.lee@acme.example", 0.5),
    ]
    assert [(o.name, o.email) for o in doc.owners] == [(None, "platform-team@acme.example")]
    assert doc.created == datetime(2023, 11, 2, tzinfo=UTC)
    assert doc.updated == datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=1)))
    assert doc.tags == ["deploy", "api"]
    assert doc.groups == ["staff", "engineering"]  # front matter's repeat is deduplicated
    assert doc.superseded_by == "Deploying the API v2"
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        ([], "Deploys go out from the main branch every weekday morning."),
        (["Before you start"], "Check the status page is green."),
        (["Before you start"], "Announce the deploy in #releases."),
        (["Before you start"], "make deploy ENV=production"),
        (["Before you start", "Rolling back"], "Run make rollback and tell the on-call engineer."),
        (["Afterwards"], "Watch the error dashboards for thirty minutes."),
    ]
    assert "title:" not in doc.text  # front matter is not content


def test_docx_core_properties_headings_table_and_sidecar(docs: dict[str, Document]) -> None:
    doc = docs["handbook/onboarding.docx"]
    assert doc.title == "Onboarding Checklist"
    assert [(a.name, a.email, a.weight) for a in doc.authors] == [
        ("Priya Raman", "priya.raman@acme.example", 1.0)
    ]
    assert doc.created == datetime(2024, 1, 2, 9, 0, tzinfo=UTC)
    assert doc.updated == datetime(2024, 2, 3, 10, 30, tzinfo=UTC)
    assert doc.tags == ["onboarding", "hr", "checklist", "people"]
    assert doc.groups == ["staff", "engineering", "hr"]
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        (["First week"], "Collect your laptop from the IT desk on the second floor."),
        (["First week"], "Enrol in the security awareness course"),
        (["First week", "Accounts"], "Ask the service desk for VPN and payroll accounts."),
        (["First week", "Accounts"], "System | Owner\nPayroll | HR"),
        (["Second week"], "Shadow a senior engineer during an on-call shift."),
    ]


def test_pptx_slide_titles_are_headings(docs: dict[str, Document]) -> None:
    doc = docs["slides/q3-roadmap.pptx"]
    assert doc.title == "Q3 Roadmap"
    assert [(a.name, a.email, a.weight) for a in doc.authors] == [
        ("Sam Lee", "sam.lee@acme.example", 0.5),
        ("Ola Berg", None, 0.5),
    ]
    assert doc.updated == datetime(2024, 6, 20, 17, 45, tzinfo=UTC)
    assert doc.tags == ["roadmap", "planning"]
    blocks = [(b.heading_path, b.text) for b in doc.blocks]
    assert (["Goals"], "Ship semantic search to all teams") in blocks
    assert (["Goals"], "Cut answer latency in half") in blocks
    assert (["Goals"], "Mention the pilot results from the support team.") in blocks  # notes
    assert (["Risks"], "Risk | Mitigation\nHiring | Contractors") in blocks
    assert len(blocks) == 4


def test_pdf_info_dictionary_and_heading_levels(docs: dict[str, Document]) -> None:
    doc = docs["policies/security-policy.pdf"]
    assert doc.title == "Security Policy"
    assert [(a.name, a.email) for a in doc.authors] == [("Alex Kim", "alex.kim@acme.example")]
    assert doc.created == datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    assert doc.updated == datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
    assert doc.tags == ["security", "policy", "passwords"]
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        (
            ["Passwords"],
            "Use the company password manager for every work account. Never reuse a "
            "password between two services, and turn on two-factor sign-in.",
        ),
        (["Passwords", "Rotation"], "Rotate deploy keys every ninety days."),
        (["Reporting"], "Report a lost laptop to security@acme.example within one hour."),
    ]
    assert "Acme Corp - Internal" not in doc.text  # running footer
    assert "Page" not in doc.text  # page numbers


def test_html_title_meta_tags_and_structure(docs: dict[str, Document]) -> None:
    doc = docs["pages/faq.html"]
    assert doc.title == "Expenses FAQ"
    assert [(a.name, a.email) for a in doc.authors] == [("Finance Team", "finance@acme.example")]
    assert doc.created == datetime(2023, 9, 1, tzinfo=UTC)
    assert doc.updated == datetime(2024, 1, 10, 8, 0, tzinfo=UTC)
    assert doc.tags == ["expenses", "travel"]
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        ([], "Submit every expense within thirty days of spending the money."),
        (["Travel"], "Book trains and flights through the travel portal."),
        (["Travel"], "Economy class for flights under six hours."),
        (["Travel"], "Hotels up to the city limit in the policy table."),
        (["Meals"], "City | Daily limit\nLondon | 60 GBP"),
    ]
    assert "console.log" not in doc.text


def test_rst_docinfo_is_metadata_not_text(docs: dict[str, Document]) -> None:
    doc = docs["notes/release-process.rst"]
    assert doc.title == "Release Process"
    assert [(a.name, a.email) for a in doc.authors] == [("Ola Berg", "ola.berg@acme.example")]
    assert doc.created == doc.updated == datetime(2024, 4, 18, tzinfo=UTC)
    assert doc.tags == ["release", "process"]
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        ([], "Releases are cut every second Tuesday."),
        (["Branching"], "Create a release branch named after the version."),
        (["Hotfixes"], "Hotfixes are merged to the release branch first."),
    ]
    assert "Author" not in doc.text


def test_plain_text_paragraphs_lists_and_headings(docs: dict[str, Document]) -> None:
    doc = docs["notes/standup-notes.txt"]
    assert doc.title == "Standup notes"  # no heading opens the file: the humanised name
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        ([], "Platform standup notes for the week of the migration."),
        (
            [],
            "The database migration finished on Thursday without downtime, and the old cluster "
            "will be switched off next month once the backups are verified.",
        ),
        (
            ["ACTION ITEMS"],
            "- Verify the backups of the old cluster before Friday\n- Update the runbook",
        ),
        (["Open questions"], "Nobody reported problems with the new connection pooler."),
    ]
    assert doc.authors == [] and doc.created is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.md", "empty file"),
        ("binary.md", "binary content"),
        ("latin1.txt", "not valid UTF-8"),
        ("truncated.pdf", "truncated PDF"),
        ("not-a-pdf.pdf", "not a PDF"),
        ("not-a-zip.docx", "not a Word document"),
        ("broken-front-matter.md", "invalid YAML at line 4"),
        ("unclosed-front-matter.md", "never closed"),
        ("only-front-matter.md", "no text extracted"),
    ],
)
def test_bad_files_raise_source_error_with_path_and_reason(name: str, reason: str) -> None:
    connector = DocumentsConnector(make_source("doc", BAD), MAX_BYTES)
    with pytest.raises(SourceError) as err:
        connector.parse(BAD / name)
    assert err.value.path == str(BAD / name)
    assert reason in err.value.reason


def test_file_over_the_size_limit_is_refused() -> None:
    pdf = DOCS / "policies" / "security-policy.pdf"
    with pytest.raises(SourceError, match=r"file too large \(\d+ bytes > limit 100\)"):
        DocumentsConnector(make_source("doc", DOCS), max_bytes=100).parse(pdf)


def test_pptx_that_is_a_docx_is_refused(tmp_path: Path) -> None:
    disguised = tmp_path / "deck.pptx"
    disguised.write_bytes((DOCS / "handbook" / "onboarding.docx").read_bytes())
    with pytest.raises(SourceError, match="not a PowerPoint presentation"):
        DocumentsConnector(make_source("doc", tmp_path), MAX_BYTES).parse(disguised)


def test_broken_sidecar_is_reported_against_the_document(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("A note that has enough words to be a paragraph.\n")
    (tmp_path / "note.yaml").write_text("groups: [a, b\n")
    with pytest.raises(SourceError) as err:
        DocumentsConnector(make_source("doc", tmp_path), MAX_BYTES).parse(tmp_path / "note.txt")
    assert err.value.path == str(tmp_path / "note.txt")
    assert err.value.reason.startswith("sidecar note.yaml: invalid YAML")


def test_title_falls_back_to_the_humanised_file_name(tmp_path: Path) -> None:
    (tmp_path / "vpn_setup-guide.md").write_text("Install the client and sign in with SSO.\n")
    connector = DocumentsConnector(make_source("doc", tmp_path), MAX_BYTES)
    (doc,) = connector.parse(tmp_path / "vpn_setup-guide.md")
    assert doc.title == "VPN setup guide"
    assert doc.url is None


def test_unsupported_extension_is_refused_by_parse() -> None:
    with pytest.raises(SourceError, match=r"unsupported document type '\.csv'"):
        DocumentsConnector(make_source("doc", DOCS), MAX_BYTES).parse(DOCS / "notes" / "budget.csv")


def test_plain_text_underlined_title_and_capital_headings(tmp_path: Path) -> None:
    note = tmp_path / "travel.txt"
    note.write_text("Travel Guide\n============\n\nBook early.\n\nHOTELS\nStay within the cap.\n")
    (doc,) = DocumentsConnector(make_source("doc", tmp_path), MAX_BYTES).parse(note)
    assert doc.title == "Travel Guide"
    assert [(b.heading_path, b.text) for b in doc.blocks] == [
        ([], "Book early."),
        (["HOTELS"], "Stay within the cap."),
    ]
