"""The peer baseline: what a user would build instead, LlamaIndex's defaults over the same text.

`VectorStoreIndex.from_documents` with its default transformations (SentenceSplitter,
1,024-token chunks with 200 overlap, counted with LlamaIndex's default tokenizer), the
default in-memory `SimpleVectorStore`, and its default retriever (cosine top k). Only the
embedding model is set, to the same packaged MiniLM in the same precision as Watercooler's
embedder, and the LLM to `MockLLM` so nothing reaches OpenAI (retrieval needs no LLM). Each
document's text goes in with its title as metadata (embedded, as LlamaIndex does by default)
and its id as metadata (not embedded), which maps nodes back to documents for scoring.

LlamaIndex has no access control: the retriever fetches twice the depth over everything and
documents the asking user may not see are removed afterwards, so it is never scored on
content its user could not read. The built index is persisted to the corpus cache dir.
"""

from __future__ import annotations

import logging
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from core.config import EmbeddingSettings
from core.models import choose_device, choose_dtype, resolve_model_path
from core.schema import Principal
from eval.corpora import CorpusDocument

log = logging.getLogger(__name__)

NAME = "llamaindex"
_DOC_ID = "document_id"


class LlamaIndexBaseline:
    """LlamaIndex's default vector retriever over the corpus's documents."""

    def __init__(
        self, documents: dict[str, CorpusDocument], settings: EmbeddingSettings, cache_dir: Path
    ) -> None:
        import torch
        from llama_index.core import (
            Settings as LlamaSettings,
            StorageContext,
            VectorStoreIndex,
            load_index_from_storage,
        )
        from llama_index.core.llms import MockLLM
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        self.documents = documents
        device = choose_device(settings.device)
        dtype = choose_dtype(settings.dtype, device)
        self.embed_model = HuggingFaceEmbedding(
            model_name=str(resolve_model_path(settings.model)),
            device=device,
            model_kwargs={"dtype": getattr(torch, dtype)},
        )
        LlamaSettings.llm = MockLLM()  # retrieval needs none; never fall back to OpenAI
        LlamaSettings.embed_model = self.embed_model
        persist = cache_dir / f"llamaindex-{version('llama-index-core')}"
        started = time.perf_counter()
        if (persist / "docstore.json").is_file():
            storage = StorageContext.from_defaults(persist_dir=str(persist))
            self.index: Any = load_index_from_storage(storage, embed_model=self.embed_model)
            self.cached = True
        else:
            self.index = VectorStoreIndex.from_documents(
                [self._document(d) for d in documents.values() if d.text.strip()],
                embed_model=self.embed_model,
            )
            self.index.storage_context.persist(persist_dir=str(persist))
            self.cached = False
        self.info = {
            "llama_index_core": version("llama-index-core"),
            "nodes": len(self.index.docstore.docs),
            "cached": self.cached,
            "build_seconds": round(time.perf_counter() - started, 2),
            "dtype": dtype,
        }
        log.info("llamaindex baseline ready", extra=self.info)

    @staticmethod
    def _document(doc: CorpusDocument) -> Any:
        from llama_index.core import Document

        return Document(
            text=doc.text,
            metadata={"title": doc.title, _DOC_ID: doc.id},
            excluded_embed_metadata_keys=[_DOC_ID],
            excluded_llm_metadata_keys=[_DOC_ID],
        )

    def search(self, query: str, principal: Principal, depth: int) -> list[str]:
        """Document ids of the top nodes the principal may see, best first (with repeats)."""
        retriever = self.index.as_retriever(similarity_top_k=depth * 2)
        ranked: list[str] = []
        for hit in retriever.retrieve(query):
            doc_id = str(hit.node.metadata.get(_DOC_ID, ""))
            doc = self.documents.get(doc_id)
            if doc is not None and doc.visible_to(principal):
                ranked.append(doc_id)
        return ranked[:depth]
