"""The corpora an eval run searches, built once per (corpus, model, chunking) and cached.

    open_sample_corpus  the bundled sample content (or any sources file), ingested with the
                        real pipeline into <cache>/sample-<key>/ (re-runs skip unchanged files)
    open_beir_corpus    a BEIR corpus indexed by `eval.beir_index` into <cache>/beir-<name>-<key>/,
                        reused while its `indexed.json` marker matches

The key hashes the embedding model, the chunking settings, the chunker version, how answer-unit
vectors are stored (`ingest.unit_vectors`: they live in the index's payloads) and the corpus
itself, so changing any of them builds a new index beside the old one. Eval indexes always
use the embedded Edge backend, whatever the product's index setting: a run never writes into
a production collection.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.config import IndexSettings, Settings
from core.db import Database, ManifestStore
from core.embedding import Embedder
from core.index.base import CHUNKER_VERSION, VectorIndex
from core.index.factory import open_index
from core.schema import Principal
from core.sources import load_sources
from eval.beir_index import index_corpus
from eval.datasets.beir import CorpusDoc
from ingest.job import build_pipeline

log = logging.getLogger(__name__)

MARKER = "indexed.json"
_PAGE = 500


@dataclass(frozen=True)
class CorpusDocument:
    """A document of the corpus: its text (for the LlamaIndex baseline) and its access."""

    id: str
    title: str
    text: str
    groups: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names a dataset may use for it (path, source:id, ...)

    def visible_to(self, principal: Principal) -> bool:
        """Whether the principal may see this document (public, or a shared group)."""
        return not self.groups or bool(set(self.groups) & set(principal.access()))


@dataclass
class EvalCorpus:
    """An opened corpus: settings pointing at its cache dir, its index, database and documents."""

    name: str
    settings: Settings
    index: VectorIndex
    db: Database
    documents: dict[str, CorpusDocument]
    info: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        """Release the index and the database."""
        self.index.close()
        self.db.dispose()


def cache_key(settings: Settings, fingerprint: str) -> str:
    """Short hash of what the index depends on."""
    parts = {
        "model": settings.embedding.model,
        "chunking": settings.chunking.model_dump(),
        "chunker": CHUNKER_VERSION,
        "unit_vectors": settings.ingest.unit_vectors,
        "corpus": fingerprint,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:12]


def _corpus_settings(settings: Settings, data_dir: Path, **extra: Any) -> Settings:
    """The settings with the data dir moved to the cache dir and the Edge backend."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return settings.model_copy(
        update={"data_dir": data_dir, "index": IndexSettings(backend="edge"), **extra}
    )


def open_sample_corpus(
    settings: Settings, embedder: Embedder, cache_dir: Path, sources_file: Path
) -> EvalCorpus:
    """Ingest (incrementally) the sources file's content into its cache dir and open it."""
    digest = hashlib.sha256(str(sources_file.resolve()).encode()).hexdigest()
    key = cache_key(settings, digest)
    ingest = settings.ingest.model_copy(update={"config": sources_file})
    cfg = _corpus_settings(settings, cache_dir / f"sample-{key}", ingest=ingest)
    db = Database(cfg.database_url, upgrade=True)  # the suite's own cache: upgraded in place
    index = open_index(cfg)
    try:
        started = time.perf_counter()
        pipeline = build_pipeline(
            cfg, load_sources(sources_file), index=index, embedder=embedder, db=db
        )
        report = pipeline.run().to_dict()
        documents = _manifest_documents(ManifestStore(db))
    except BaseException:
        index.close()
        db.dispose()
        raise
    info = {
        "kind": "sources",
        "sources_file": str(sources_file),
        "cache_dir": str(cfg.data_dir),
        "documents": len(documents),
        "chunks": index.count(),
        "ingest_seconds": round(time.perf_counter() - started, 2),
        "ingest_totals": report.get("totals"),
        "failures": report.get("failures"),
    }
    log.info("sample corpus ready", extra=info)
    return EvalCorpus("sample", cfg, index, db, documents, info)


def _manifest_documents(manifest: ManifestStore) -> dict[str, CorpusDocument]:
    documents: dict[str, CorpusDocument] = {}
    offset = 0
    while page := manifest.list_documents(limit=_PAGE, offset=offset):
        offset += len(page)
        for entry in page:
            doc = manifest.load_document(entry.id)
            aliases = [f"{entry.source}:{entry.native_id}", entry.native_id, entry.title]
            if entry.path:
                aliases += [entry.path, f"{entry.source}:{entry.path}", Path(entry.path).name]
            documents[entry.id] = CorpusDocument(
                entry.id, entry.title, doc.text, tuple(entry.groups), tuple(aliases)
            )
    return documents


def corpus_fingerprint(docs: Iterable[CorpusDoc]) -> str:
    """Hash of every document's id, title and text."""
    digest = hashlib.sha256()
    for doc in docs:
        for part in (doc.id, doc.title, doc.text):
            digest.update(part.encode())
            digest.update(b"\x00")
    return digest.hexdigest()


def open_beir_corpus(
    settings: Settings, embedder: Embedder, cache_dir: Path, name: str, corpus: dict[str, CorpusDoc]
) -> EvalCorpus:
    """Index a BEIR corpus into its cache dir unless its marker says it already is; open it."""
    key = cache_key(settings, corpus_fingerprint(corpus.values()))
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "beir"
    cfg = _corpus_settings(settings, cache_dir / f"beir-{slug}-{key}")
    marker = cfg.data_dir / MARKER
    built: dict[str, Any] | None = None
    if marker.is_file():
        built = json.loads(marker.read_text(encoding="utf-8"))
    else:  # a partial build (killed run) is thrown away and redone
        shutil.rmtree(cfg.index_path, ignore_errors=True)
    db = Database(cfg.database_url, upgrade=True)  # the suite's own cache: upgraded in place
    index = open_index(cfg)
    try:
        if built is None:
            counts = index_corpus(
                corpus.values(), slug, index=index, embedder=embedder, chunking=cfg.chunking
            )
            built = {"key": key, **counts}
            marker.write_text(json.dumps(built), encoding="utf-8")
            cached = False
        else:
            cached = True
    except BaseException:
        index.close()
        db.dispose()
        raise
    documents = {d.id: CorpusDocument(d.id, d.title, d.text) for d in corpus.values()}
    info = {"kind": "beir", "cache_dir": str(cfg.data_dir), "cached": cached, **built}
    log.info("beir corpus ready", extra=info)
    return EvalCorpus(name, cfg, index, db, documents, info)
