"""Indexing a BEIR-style corpus through ingest's own chunker, embedding text and payload.

Each corpus document becomes a public `Document` of kind doc whose id IS the BEIR id, so a
retrieved passage's `document_id` is scored against the qrels without a mapping. Chunks,
embedding texts and payloads come from `ingest.chunking.Chunker`, `ingest.payload
.embedding_text` and `ingest.payload.chunk_payload`: what the product does to a file's text.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator

from core.config import ChunkingSettings
from core.embedding import Embedder
from core.index.base import CHUNKER_VERSION, IndexMeta, IndexPoint, VectorIndex
from core.schema import Block, Document, SourceKind
from core.sparse import Bm25Encoder
from eval.datasets.beir import CorpusDoc
from ingest.chunking import Chunker
from ingest.payload import chunk_payload, embedding_text

log = logging.getLogger(__name__)


def as_document(doc: CorpusDoc, source: str) -> Document:
    """A BEIR document as a one-block public Document with the same id."""
    text = doc.text
    return Document(
        id=doc.id,
        source=source,
        native_id=doc.id,
        kind=SourceKind.DOC,
        title=doc.title or doc.id,
        text=text,
        blocks=[Block(text=text, start=0, end=len(text))] if text.strip() else [],
    )


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def index_corpus(
    corpus: Iterable[CorpusDoc],
    source: str,
    *,
    index: VectorIndex,
    embedder: Embedder,
    chunking: ChunkingSettings,
    batch_docs: int = 64,
) -> dict[str, int | float]:
    """Chunk, embed and upsert every document; returns document, chunk and timing counts."""
    started = time.perf_counter()
    index.ensure(IndexMeta(embedder.model_name, embedder.dimension, CHUNKER_VERSION))
    chunker = Chunker(chunking, embedder.token_lengths, embedder.token_offsets)
    sparse = Bm25Encoder()
    n_docs = n_chunks = 0
    for batch in _batches((as_document(d, source) for d in corpus), batch_docs):
        pairs = [(doc, chunk) for doc in batch for chunk in chunker.chunk(doc)]
        n_docs += len(batch)
        if not pairs:
            continue
        texts = [embedding_text(doc, chunk) for doc, chunk in pairs]
        dense = embedder.embed_documents(texts)
        sparse_vectors = sparse.encode_documents(texts)
        index.upsert(
            [
                IndexPoint(
                    chunk.id, dense[i].tolist(), sparse_vectors[i], chunk_payload(doc, chunk)
                )
                for i, (doc, chunk) in enumerate(pairs)
            ]
        )
        n_chunks += len(pairs)
        log.info("beir batch indexed", extra={"documents": n_docs, "chunks": n_chunks})
    index.flush()
    index.optimize()
    seconds = round(time.perf_counter() - started, 2)
    log.info("beir corpus indexed", extra={"documents": n_docs, "chunks": n_chunks, "s": seconds})
    return {"documents": n_docs, "chunks": n_chunks, "seconds": seconds}
