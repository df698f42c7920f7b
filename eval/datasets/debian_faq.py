"""debian-faq: The Debian GNU/Linux FAQ (Debian debian-faq, GPL) as an FAQ set.

Read from the English DocBook HTML chapters `usr/share/doc/debian/FAQ/*.en.html` of the pinned
package (`eval.datasets.debian`), parsed with lxml. Each heading sits in the title page of a
`div.section`; a question is a heading ending in "?" (its number, "8.3.", dropped). Its answer
is the section's content up to the next heading of the same or a higher level — the section
element itself — without nested sections that are questions (they are entries of their own).
Paragraphs are collapsed to one line, <pre> is kept as written. The page title is the
chapter's <title> without "Chapter N.". Construction of the set: `eval.datasets.faq`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree, html

from core.errors import DatasetError
from eval.datasets.debian import unpacked
from eval.datasets.faq import FaqEntry, FaqSet, build_faq_set

NAME = "debian-faq"
PACKAGE = ("debian-faq", "11.1")
FAQ_DIR = "usr/share/doc/debian/FAQ"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.\s*")
_CHAPTER = re.compile(r"^(?:Chapter|Appendix)\s+\w+\.\s*")
# Elements whose children are blocks: walked into rather than read as one paragraph.
_CONTAINERS = {"div", "ul", "ol", "dl", "dd", "li", "table", "tbody", "thead", "tr", "td", "th",
               "blockquote"}  # fmt: skip
_DROP = {"script", "style"}


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _heading(section: etree._Element) -> etree._Element | None:
    """The heading in a section's title page."""
    for child in section:
        if "titlepage" in _classes(child):
            return next(child.iter(*_HEADINGS), None)
    return None


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


def _is_question(section: etree._Element) -> bool:
    heading = _heading(section)
    return heading is not None and _text(heading).endswith("?")


def _blocks(element: etree._Element) -> Iterator[str]:
    """Text blocks of an element's children: <pre> as written, other text collapsed."""
    for child in element:
        if not isinstance(child.tag, str) or child.tag in _DROP:
            continue
        classes = _classes(child)
        if "titlepage" in classes:
            continue  # the section's heading: the question, or yielded below
        if "section" in classes:
            if _is_question(child):
                continue  # a nested question has its own entry
            heading = _heading(child)
            if heading is not None:  # a nested section's title is part of the answer
                yield _NUMBER.sub("", _text(heading))
            yield from _blocks(child)
        elif child.tag == "pre":
            yield child.text_content().rstrip()
        elif child.tag in _CONTAINERS and any(isinstance(c.tag, str) for c in child):
            yield from _blocks(child)
        else:
            yield _text(child)


def parse_page(text: str | bytes, page_file: str) -> list[FaqEntry]:
    """The question entries of one FAQ chapter's HTML."""
    root = html.fromstring(text.encode() if isinstance(text, str) else text)
    page = _CHAPTER.sub("", " ".join((root.findtext(".//title") or page_file).split()))
    entries: list[FaqEntry] = []
    for section in root.iter("div"):
        if "section" not in _classes(section) or not _is_question(section):
            continue
        heading = _heading(section)
        assert heading is not None  # _is_question found it
        anchors = [a.get("id") for a in heading.iter("a") if a.get("id")]
        answer = "\n\n".join(b for b in _blocks(section) if b)
        if not answer.strip():
            continue
        anchor = anchors[0] if anchors else str(len(entries))
        question = _NUMBER.sub("", _text(heading))
        entries.append(FaqEntry(f"{NAME}:{page_file}#{anchor}", question, answer, page, page_file))
    return entries


def faq_files(root: Path) -> list[Path]:
    """The English chapter pages of an unpacked package."""
    files = sorted((root / FAQ_DIR).glob("*.en.html"))
    if not files:
        raise DatasetError(root / FAQ_DIR, "no *.en.html FAQ chapters")
    return files


def load_debian_faq(cache: Path | None = None) -> FaqSet:
    """The debian-faq set from the pinned package (downloaded once into the cache)."""
    root = unpacked(*PACKAGE, cache=cache)
    entries: list[FaqEntry] = []
    for path in faq_files(root):
        entries += parse_page(path.read_bytes(), path.name.split(".")[0])
    metadata = {"source": f"debian:{PACKAGE[0]}", "package_version": PACKAGE[1]}
    return build_faq_set(NAME, entries, metadata)
