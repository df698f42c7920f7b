"""ManifestStore: files and documents round-trip, upsert, delete, list and count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.db import DocumentEntry, ManifestStore
from core.errors import NotFoundError
from core.schema import Block, Contributor, Document, SourceKind, document_id

UPDATED = datetime(2024, 5, 17, 9, 30, 0, 250000, tzinfo=timezone(timedelta(hours=2)))


def make_doc(
    native_id: str = "Café/Ünïcode 🚀",
    source: str = "wiki",
    kind: SourceKind = SourceKind.WIKI,
    title: str = "Ünïcode title — ok",
    text: str = "Grüße aus Köln.\n\n日本語のテキスト",
) -> Document:
    return Document(
        id=document_id(source, native_id),
        source=source,
        native_id=native_id,
        kind=kind,
        title=title,
        url=f"https://wiki.example/{native_id}",
        path=f"pages/{native_id}.md",
        authors=[Contributor(name="Zoë", email="zoe@example.com", person_id="zoe-1")],
        owners=[Contributor(name="Team Ops", weight=0.5)],
        created=datetime(2023, 1, 1, tzinfo=UTC),
        updated=UPDATED,
        tags=["ops", "naïve"],
        groups=["eng"],
        text=text,
        blocks=[Block(text="Grüße aus Köln.", heading_path=["Intro"], start=0, end=15)],
    )


def test_file_round_trip(manifest: ManifestStore) -> None:
    before = datetime.now(UTC)
    manifest.record_file("wiki", "pages/Café.md", "fh", "ch", ["d2", "d1"], "ok")
    entry = manifest.get_file("wiki", "pages/Café.md")
    assert entry is not None
    assert (entry.source, entry.path, entry.file_hash, entry.context_hash) == (
        "wiki",
        "pages/Café.md",
        "fh",
        "ch",
    )
    assert entry.document_ids == ["d2", "d1"]
    assert (entry.status, entry.error) == ("ok", None)
    assert entry.last_seen.tzinfo is not None
    assert before - timedelta(seconds=1) <= entry.last_seen <= datetime.now(UTC)


def test_record_file_twice_updates_one_row(manifest: ManifestStore) -> None:
    manifest.record_file("wiki", "a.md", "h1", "c1", ["d1"], "ok")
    first = manifest.get_file("wiki", "a.md")
    manifest.record_file("wiki", "a.md", "h2", "c2", [], "failed", error="bad YAML: ü")
    files = manifest.files_for_source("wiki")
    assert len(files) == 1
    assert (files[0].file_hash, files[0].context_hash, files[0].document_ids) == ("h2", "c2", [])
    assert (files[0].status, files[0].error) == ("failed", "bad YAML: ü")
    assert first is not None and files[0].last_seen >= first.last_seen


def test_files_are_per_source_and_sorted(manifest: ManifestStore) -> None:
    for path in ["b.md", "a.md", "c/d.md"]:
        manifest.record_file("wiki", path, "h", "c", [], "ok")
    manifest.record_file("blog", "a.md", "h", "c", [], "ok")
    assert [f.path for f in manifest.files_for_source("wiki")] == ["a.md", "b.md", "c/d.md"]
    assert [f.path for f in manifest.files_for_source("blog")] == ["a.md"]
    assert manifest.files_for_source("video") == []
    assert manifest.get_file("video", "a.md") is None


def test_forget_file(manifest: ManifestStore) -> None:
    manifest.record_file("wiki", "a.md", "h", "c", [], "ok")
    manifest.record_file("blog", "a.md", "h", "c", [], "ok")
    manifest.forget_file("wiki", "a.md")
    manifest.forget_file("wiki", "never-recorded.md")
    assert manifest.get_file("wiki", "a.md") is None
    assert manifest.get_file("blog", "a.md") is not None


def test_document_round_trip(manifest: ManifestStore) -> None:
    doc = make_doc()
    manifest.put_document(doc, ["c3", "c1", "c2"], ["zoe-1"], ["ops-team"], "newer-doc")
    entry = manifest.get_document(doc.id)
    assert entry == DocumentEntry(
        id=doc.id,
        source="wiki",
        native_id="Café/Ünïcode 🚀",
        path="pages/Café/Ünïcode 🚀.md",
        kind="wiki",
        title="Ünïcode title — ok",
        url="https://wiki.example/Café/Ünïcode 🚀",
        content_hash=doc.content_hash,
        chunk_ids=["c3", "c1", "c2"],
        author_ids=["zoe-1"],
        owner_ids=["ops-team"],
        groups=["eng"],
        updated=UPDATED,
        superseded_by="newer-doc",
        last_seen=entry.last_seen if entry else datetime.now(UTC),
        status="ok",
        error=None,
    )
    assert entry is not None
    assert entry.updated is not None and entry.updated.utcoffset() == timedelta(0)
    loaded = manifest.load_document(doc.id)
    assert loaded == doc
    assert loaded.updated == UPDATED and loaded.updated.tzinfo is not None
    assert loaded.content_hash == doc.content_hash


def test_put_document_twice_updates_it(manifest: ManifestStore) -> None:
    doc = make_doc()
    manifest.put_document(doc, ["c1"], [], [], None)
    changed = doc.model_copy(update={"title": "New title", "text": "New text", "updated": None})
    manifest.put_document(changed, ["c9", "c8"], ["a"], [], None, status="failed", error="x")
    assert manifest.count_documents() == 1
    entry = manifest.get_document(doc.id)
    assert entry is not None
    assert (entry.title, entry.chunk_ids, entry.author_ids) == ("New title", ["c9", "c8"], ["a"])
    assert (entry.updated, entry.status, entry.error) == (None, "failed", "x")
    assert entry.content_hash == changed.content_hash != doc.content_hash
    assert manifest.load_document(doc.id).text == "New text"


def test_missing_document(manifest: ManifestStore) -> None:
    assert manifest.get_document("nope") is None
    with pytest.raises(NotFoundError, match="nope"):
        manifest.load_document("nope")


def test_documents_for_source_and_all_ids(manifest: ManifestStore) -> None:
    wiki = [make_doc(f"page-{i}") for i in range(3)]
    blog = make_doc("post", source="blog", kind=SourceKind.BLOG)
    for doc in [*wiki, blog]:
        manifest.put_document(doc, [], [], [], None)
    assert [e.id for e in manifest.documents_for_source("wiki")] == sorted(d.id for d in wiki)
    assert [e.id for e in manifest.documents_for_source("blog")] == [blog.id]
    assert manifest.all_document_ids() == {d.id for d in [*wiki, blog]}


def test_delete_documents(manifest: ManifestStore) -> None:
    docs = [make_doc(f"page-{i}") for i in range(4)]
    for doc in docs:
        manifest.put_document(doc, [], [], [], None)
    deleted = manifest.delete_documents([docs[0].id, docs[1].id, docs[1].id, "missing"])
    assert deleted == 2
    assert manifest.all_document_ids() == {docs[2].id, docs[3].id}
    assert manifest.delete_documents([]) == 0


def test_delete_many_documents_in_batches(manifest: ManifestStore) -> None:
    docs = [make_doc(f"page-{i}", text="") for i in range(1200)]
    for doc in docs[:3]:
        manifest.put_document(doc, [], [], [], None)
    assert manifest.delete_documents(d.id for d in docs) == 3
    assert manifest.count_documents() == 0


def test_list_filter_and_paginate(manifest: ManifestStore) -> None:
    for i in range(5):
        manifest.put_document(make_doc(f"w{i}", title=f"Wiki {i}"), [], [], [], None)
    for i in range(3):
        doc = make_doc(f"b{i}", source="blog", kind=SourceKind.BLOG, title=f"Post {i}")
        manifest.put_document(doc, [], [], [], None)
    manifest.put_document(
        make_doc("v", source="talks", kind=SourceKind.VIDEO, title="Talk"), [], [], [], None
    )

    everything = manifest.list_documents(limit=100)
    assert [(e.source, e.title) for e in everything][:4] == [
        ("blog", "Post 0"),
        ("blog", "Post 1"),
        ("blog", "Post 2"),
        ("talks", "Talk"),
    ]
    assert [e.title for e in manifest.list_documents(source="wiki", limit=2, offset=1)] == [
        "Wiki 1",
        "Wiki 2",
    ]
    assert [e.title for e in manifest.list_documents(kind=SourceKind.VIDEO)] == ["Talk"]
    assert [e.title for e in manifest.list_documents(kind="blog", offset=2)] == ["Post 2"]
    assert manifest.list_documents(source="wiki", kind="blog") == []
    assert manifest.list_documents(offset=50) == []
    assert manifest.count_documents() == 9
    assert manifest.count_documents(source="blog") == 3
    assert manifest.count_documents(kind=SourceKind.WIKI) == 5
    with pytest.raises(ValueError, match="limit"):
        manifest.list_documents(limit=-1)


def test_a_batch_of_documents_and_files_is_written_at_once(manifest: ManifestStore) -> None:
    from core.db.manifest import DocumentWrite, FileWrite

    first, second = make_doc("one"), make_doc("two")
    changed = first.model_copy(update={"title": "One, again"})
    manifest.put_documents(
        [
            DocumentWrite(first, ["c1"], ["zoe-1"], [], None),
            DocumentWrite(second, ["c2", "c3"], [], [], None, content_hash="h2"),
            DocumentWrite(changed, ["c4"], [], [], None),  # the same id twice: the last wins
        ]
    )
    one, two = manifest.get_document(first.id), manifest.get_document(second.id)
    assert one is not None and two is not None
    assert (one.title, one.chunk_ids, one.author_ids) == ("One, again", ["c4"], [])
    assert (two.chunk_ids, two.content_hash) == (["c2", "c3"], "h2")
    manifest.record_files(
        [
            FileWrite("wiki", "a.md", "h1", "c", [first.id]),
            FileWrite("wiki", "b.md", "", "c", [], status="failed", error="not a PDF"),
            FileWrite("wiki", "a.md", "h2", "c", [first.id]),
        ]
    )
    files = {f.path: f for f in manifest.files_for_source("wiki")}
    assert files["a.md"].file_hash == "h2"
    assert (files["b.md"].status, files["b.md"].error) == ("failed", "not a PDF")
    manifest.put_documents([])
    manifest.record_files([])
