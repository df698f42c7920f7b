"""A wiki kept as a folder of Markdown pages with YAML front matter.

Front matter: title, author/authors, owners, created, updated/date, tags, groups,
superseded_by, url. Headings become heading paths; code blocks stay as text.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.errors import SourceError
from core.schema import Document
from core.sources import SourceConfig
from ingest.connectors.base import file_document, read_text_file
from ingest.connectors.documents import read_text_parts
from ingest.connectors.listing import list_files

logger = logging.getLogger(__name__)

SUFFIXES = (".md", ".markdown")


class MarkdownWikiConnector:
    """Reads Markdown wiki pages, one Document per file (native id = relative path)."""

    def __init__(self, source: SourceConfig, max_bytes: int) -> None:
        self.source = source
        self.max_bytes = max_bytes

    def files(self) -> list[Path]:
        """The Markdown pages under the root."""
        return list_files(self.source, SUFFIXES)

    def parse(self, path: Path) -> list[Document]:
        """The page in one file."""
        text = read_text_file(path, self.max_bytes)
        try:
            meta, blocks, first_title = read_text_parts("md", text)
        except ValueError as exc:
            raise SourceError(str(path), str(exc)) from exc
        except MemoryError:  # the parse sandbox reports it
            raise
        except Exception as exc:  # a Markdown parser failure is this page's problem
            raise SourceError(str(path), f"cannot parse Markdown: {exc}") from exc
        document = file_document(self.source, path, meta, blocks, first_title)
        logger.debug(
            "parsed wiki page", extra={"path": document.path, "blocks": len(document.blocks)}
        )
        return [document]
