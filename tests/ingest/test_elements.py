"""unstructured partitioning: the skipped analyses change no block, and are really skipped."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from unstructured.nlp import tokenize
from unstructured.partition.html import parser, partition_html
from unstructured.partition.md import partition_md

from core.sources import bundled_sources_file
from ingest.connectors.elements import blocks_from_elements, markup_text_types, partition

SAMPLE = bundled_sources_file().parent

HTML = """<html><body>
<h1>Room booking</h1>
<p>Book rooms through the facilities portal at least two days ahead of the session.</p>
<p>Quick reference</p>
<ul><li>Projector in every room</li><li>Whiteboards on request</li></ul>
<p>• A bullet written as text</p>
<p>facilities@acme.example</p>
<p>x</p>
<h2>Cancellations</h2>
<p>CANCELLATION FEES APPLY AFTER NOON</p>
<p>Tell the desk by noon the day before; later cancellations are charged.</p>
</body></html>"""


def _unstructured_blocks(kind: str, text: str) -> list[tuple[str, list[str]]]:
    """Blocks from unstructured's own, unmodified classifier (with language detection)."""
    elements = partition_md(text=text) if kind == "md" else partition_html(text=text)
    blocks, _ = blocks_from_elements(elements)
    return [(b.text, b.heading_path) for b in blocks]


def _our_blocks(kind: str, text: str) -> list[tuple[str, list[str]]]:
    blocks, _ = blocks_from_elements(partition(kind, text=text))
    return [(b.text, b.heading_path) for b in blocks]


def _sample_markup() -> list[tuple[str, str]]:
    files = sorted(SAMPLE.rglob("*.md")) + sorted(SAMPLE.rglob("*.html"))
    return [("md" if f.suffix == ".md" else "html", f.read_text(encoding="utf-8")) for f in files]


def test_markup_blocks_are_those_of_unstructureds_own_classifier() -> None:
    samples = [("html", HTML), *_sample_markup()]
    assert len(samples) > 15
    for kind, text in samples:
        assert _our_blocks(kind, text) == _unstructured_blocks(kind, text)


def test_cheap_checks_are_kept() -> None:
    from unstructured.documents.elements import EmailAddress, ListItem, Text

    from ingest.connectors.elements import markup_text_type

    assert markup_text_type("• A bullet written as text") is ListItem
    assert markup_text_type("facilities@acme.example") is EmailAddress
    assert markup_text_type("x") is None
    assert markup_text_type("Book rooms two days ahead.") is Text


def test_markup_partitioning_runs_no_spacy_pipeline_and_no_language_detection() -> None:
    unique = HTML.replace("Room booking", "Room booking 7f3a")  # not in spaCy's cache
    before = tokenize._process_cached.cache_info().misses
    elements = partition("html", text=unique)
    assert tokenize._process_cached.cache_info().misses == before
    assert elements and all(e.metadata.languages is None for e in elements)


def test_word_documents_keep_the_full_classifier() -> None:
    docx = next(SAMPLE.rglob("*.docx"))
    tokenize._process_cached.cache_clear()
    partition("docx", data=docx.read_bytes())
    assert tokenize._process_cached.cache_info().misses > 0


def test_classifier_is_restored_after_success_failure_and_concurrent_use() -> None:
    original = parser.derive_element_type_from_text
    partition("html", text=HTML)
    assert parser.derive_element_type_from_text is original
    with pytest.raises(RuntimeError), markup_text_types():
        assert parser.derive_element_type_from_text is not original
        raise RuntimeError("parse failed")
    assert parser.derive_element_type_from_text is original

    texts = [HTML.replace("Room", f"Room {i}") for i in range(12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda t: _our_blocks("html", t), texts))
    assert all(len(r) == len(results[0]) for r in results)
    assert parser.derive_element_type_from_text is original


def test_rst_goes_through_the_same_markup_path(tmp_path: Path) -> None:
    rst = next(SAMPLE.rglob("*.rst")).read_text(encoding="utf-8")
    before = tokenize._process_cached.cache_info().misses
    blocks, _ = blocks_from_elements(partition("rst", text=rst + "\n\nA closing line 7f3a.\n"))
    assert blocks
    assert tokenize._process_cached.cache_info().misses == before
