"""python-faq: the Python 3.11 FAQ (Debian python3.11-doc, PSF licence) as an FAQ set.

Read from `usr/share/doc/python3.11/html/_sources/faq/*.rst.txt` of the pinned package
(`eval.datasets.debian`), parsed with docutils. Before parsing, Sphinx's roles (:func:`x`,
:ref:`text <t>`) are replaced by their display text and the file fields above the title
(:tocdepth:) are dropped; Sphinx-only directives (doctest, seealso, only, ...) are unknown to
docutils and dropped with their content. A question is a section
title ending in "?"; its answer is the section's own text (paragraphs collapsed to one line,
code kept as written), including sub-sections that are not questions. The page title is
the document title ("General Python FAQ"). Construction of the set: `eval.datasets.faq`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from docutils import nodes
from docutils.core import publish_doctree

from core.errors import DatasetError
from eval.datasets.debian import unpacked
from eval.datasets.faq import FaqEntry, FaqSet, build_faq_set

NAME = "python-faq"
PACKAGE = ("python3.11-doc", "3.11.2-6+deb12u9")
FAQ_DIR = "usr/share/doc/python3.11/html/_sources/faq"
_ROLE = re.compile(r":(?:[a-z]+:)?([a-z]+):`([^`]+)`")
_FILE_FIELDS = re.compile(r"\A(?::[a-z]+:[^\n]*\n)+")  # ":tocdepth: 2" before the title
_SETTINGS = {
    "report_level": 5,  # unknown Sphinx directives are expected: say nothing
    "halt_level": 5,
    "warning_stream": False,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "input_encoding": "utf-8",
}
_SKIP = (nodes.system_message, nodes.comment, nodes.target, nodes.substitution_definition)
_VERBATIM = (nodes.literal_block, nodes.doctest_block)


def _display(match: re.Match[str]) -> str:
    role, text = match.group(1), match.group(2)
    if "<" in text and text.endswith(">"):  # "shown text <target>"
        return text[: text.rindex("<")].strip()
    text = text.lstrip("!")
    if text.startswith("~"):  # "~a.b.c" shows "c"
        text = text.rsplit(".", 1)[-1]
    return f"PEP {text}" if role == "pep" else text


def _blocks(node: nodes.Element, top: bool = True) -> Iterator[str]:
    """Text blocks of a node: code as written, other text with whitespace collapsed."""
    for child in node.children:
        if isinstance(child, _SKIP) or not isinstance(child, nodes.Element):
            continue
        if top and isinstance(child, nodes.title):
            continue  # the question itself
        if isinstance(child, nodes.section):
            title = child.next_node(nodes.title)
            if title is not None and title.astext().strip().endswith("?"):
                continue  # a nested question has its own entry
            yield from _blocks(child, top=False)
        elif isinstance(child, _VERBATIM):
            yield child.astext().rstrip()
        elif isinstance(child, nodes.TextElement):
            yield " ".join(child.astext().split())
        else:
            yield from _blocks(child, top=False)


def parse_page(text: str, page_file: str) -> list[FaqEntry]:
    """The question entries of one FAQ page's reStructuredText."""
    source = _ROLE.sub(_display, _FILE_FIELDS.sub("", text))
    doctree = publish_doctree(source, settings_overrides=_SETTINGS)
    page = doctree.get("title") or page_file
    entries: list[FaqEntry] = []
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        question = " ".join(title.astext().split()) if title is not None else ""
        if not question.endswith("?"):
            continue
        answer = "\n\n".join(b for b in _blocks(section) if b)
        if not answer.strip():
            continue
        anchor = section["ids"][0] if section["ids"] else str(len(entries))
        entries.append(FaqEntry(f"{NAME}:{page_file}#{anchor}", question, answer, page, page_file))
    return entries


def faq_files(root: Path) -> list[Path]:
    """The FAQ pages of an unpacked package (the index page has no questions)."""
    files = sorted((root / FAQ_DIR).glob("*.rst.txt"))
    if not files:
        raise DatasetError(root / FAQ_DIR, "no *.rst.txt FAQ pages")
    return files


def load_python_faq(cache: Path | None = None) -> FaqSet:
    """The python-faq set from the pinned package (downloaded once into the cache)."""
    root = unpacked(*PACKAGE, cache=cache)
    entries: list[FaqEntry] = []
    for path in faq_files(root):
        entries += parse_page(path.read_text(encoding="utf-8"), path.name.split(".")[0])
    metadata = {"source": f"debian:{PACKAGE[0]}", "package_version": PACKAGE[1]}
    return build_faq_set(NAME, entries, metadata)
