"""reStructuredText to blocks through docutils' doctree: no pandoc, no HTML round trip.

unstructured converts RST to HTML with pandoc (a process per file, ~1 s each) and parses that.
This module parses with docutils and walks the doctree, emitting the paragraphs that pandoc's
HTML gives unstructured: section titles as headings (depth = nesting, by adornment order, the
document title not promoted), paragraphs, list items, terms and definitions (field lists are
read like definition lists), literal blocks verbatim, line blocks joined by spaces, tables as
rows of cells joined by ' | ', an admonition's name ("Note") before its body, and footnotes
after the body. Figures, images, comments, targets and substitution definitions give no text.

Sphinx documents use directives and roles docutils does not know: an unknown directive is read
the way pandoc reads it (its argument as a paragraph, then its content), an unknown role as
plain text, code directives as literal blocks. File inclusion and raw output are disabled (a
document cannot read other files), and docutils' messages go to the debug log.

Where the blocks differ from unstructured's (pandoc's), on purpose or because pandoc cannot be
matched without running it: pandoc's footnote back-link '↩︎' is not appended to a footnote's
text; a directive's options are not text; a figure's caption is dropped like pandoc's <figure>.
`tests/ingest/test_fast_paths.py` checks the sample corpus block for block.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from typing import Any

from docutils import frontend, nodes, utils
from docutils.languages import en as _ENGLISH
from docutils.parsers.rst import Directive, Parser, directives, roles
from docutils.parsers.rst.directives import misc
from docutils.transforms import references
from unstructured.nlp.patterns import UNICODE_BULLETS_RE as _BULLET  # regexes only: no spaCy

from core.schema import Block

log = logging.getLogger(__name__)

_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+([\w:+.-]+)[ \t]*::", re.MULTILINE)
_BORDER = re.compile(r"^=+( +=+)*\s*$")
_ROLE = re.compile(r"(?<![\w`]):([\w:+.-]+):`")
_CODE_DIRECTIVES = {"code-block", "sourcecode", "code", "doctest", "testcode", "testoutput"}
_ADMONITIONS = (
    nodes.attention, nodes.caution, nodes.danger, nodes.error, nodes.hint, nodes.important,
    nodes.note, nodes.tip, nodes.warning,
)  # fmt: skip
_SKIPPED = (
    nodes.comment, nodes.target, nodes.substitution_definition, nodes.figure, nodes.image,
    nodes.raw, nodes.transition, nodes.pending, nodes.meta,
)  # fmt: skip
_LOCK = threading.Lock()  # docutils' directive and role registries are process-wide dicts


class _AnyOptions(dict[str, Any]):
    """An option spec accepting every option (an unknown directive's options are not text)."""

    def __bool__(self) -> bool:
        return True  # docutils reads options only when the spec is truthy

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> Any:
        return directives.unchanged


class _Generic(Directive):
    """A directive docutils does not know: its argument as a paragraph, then its content."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOptions()
    has_content = True

    def run(self) -> list[nodes.Node]:
        box = nodes.container()
        if self.arguments and self.arguments[0].strip():
            inline, messages = self.state.inline_text(self.arguments[0], self.lineno)
            box += nodes.paragraph("", "", *inline)
            box += messages
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class _Class(_Generic):
    """docutils' `class` directive, or Sphinx's (a Python class to document) when the argument
    is not a list of class names."""

    def run(self) -> list[nodes.Node]:
        try:
            directives.class_option(self.arguments[0] if self.arguments else "")
        except ValueError:
            return super().run()
        return misc.Class(*self._args()).run()

    def _args(self) -> tuple[Any, ...]:
        return (
            self.name, self.arguments, {}, self.content, self.lineno, self.content_offset,
            self.block_text, self.state, self.state_machine,
        )  # fmt: skip


class _Code(Directive):
    """A code directive (Sphinx's code-block and friends): its content verbatim."""

    optional_arguments = 1
    option_spec = _AnyOptions()
    has_content = True

    def run(self) -> list[nodes.Node]:
        text = "\n".join(self.content)
        return [nodes.literal_block(text, text)] if text.strip() else []


def _plain_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: Any = None,
    content: Any = None,
) -> tuple[list[nodes.Node], list[nodes.Node]]:
    return [nodes.literal(rawtext, utils.unescape(text))], []


class _DebugLog(io.TextIOBase):
    """docutils' warning stream: its messages go to the debug log, never to the console."""

    def write(self, text: str) -> int:
        if text.strip():
            log.debug("docutils message", extra={"docutils": text.strip()})
        return len(text)


_SETTINGS: Any = None


def _settings() -> Any:
    global _SETTINGS
    if _SETTINGS is None:
        settings = frontend.get_default_settings(Parser)
        settings.file_insertion_enabled = False  # .. include:: must not read other files
        settings.raw_enabled = False
        settings.report_level = 2
        settings.halt_level = 5  # never raise on a document's own errors
        settings.warning_stream = _DebugLog()
        settings.doctitle_xform = False
        settings.character_level_inline_markup = False
        settings.input_encoding = "unicode"
        _SETTINGS = settings
    return _SETTINGS


def _register(text: str) -> None:
    """Register the unknown directives and roles this document uses (see the module doc)."""
    probe = utils.new_document("<rst>", _settings())  # the registries report into a document
    for name in set(_DIRECTIVE.findall(text)):
        if name == "class":
            directives.register_directive(name, _Class)
        elif name in _CODE_DIRECTIVES:
            directives.register_directive(name, _Code)
        elif directives.directive(name, _ENGLISH, probe)[0] is None:
            directives.register_directive(name, _Generic)
    for name in set(_ROLE.findall(text)):
        if roles.role(name, _ENGLISH, 0, probe.reporter)[0] is None:
            roles.register_local_role(name, _plain_role)


def doctree(text: str) -> nodes.document:
    """The docutils document of an RST text (unknown directives and roles read as text)."""
    with _LOCK:
        _register(text)
        document = utils.new_document("<rst>", _settings())
        Parser().parse(text, document)
        document.transformer.add_transform(references.Substitutions)
        document.transformer.add_transform(references.Footnotes)
        document.transformer.apply_transforms()
    return document


def rst_blocks(text: str) -> tuple[list[Block], str | None]:
    """Blocks under their heading paths, and the first heading, as `blocks_from_elements` gives."""
    walker = _Walker()
    walker.body(doctree(text).children, 0)
    for note in walker.notes:  # pandoc puts footnotes after everything else
        walker.body(
            note.children[1:] if isinstance(note.children[0], nodes.label) else note.children,
            walker.depth_at_end,
        )
    return walker.blocks, walker.first_title


class _Walker:
    """Collects blocks from a doctree in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.first_title: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.notes: list[nodes.Element] = []
        self.depth_at_end = 0

    def add(self, text: str, derived: bool = True) -> None:
        """A paragraph; `derived` ones get unstructured's checks (bullet cut, 1 char dropped)."""
        text = " ".join(text.split())
        if derived:
            if _BULLET.match(text):
                text = _BULLET.sub("", text, count=1).strip()
            elif len(text) < 2:
                return
        if text:
            self.blocks.append(Block(text=text, heading_path=[h for _, h in self.headings]))

    def heading(self, text: str, depth: int) -> None:
        text = " ".join(text.split())
        if text:
            self.headings = [h for h in self.headings if h[0] < depth] + [(depth, text)]
            self.first_title = self.first_title or text

    def body(self, children: list[nodes.Node], depth: int) -> None:
        for child in children:
            self.node(child, depth)

    def node(self, node: nodes.Node, depth: int) -> None:
        if isinstance(node, _SKIPPED):
            return
        if isinstance(node, nodes.system_message):
            self.rescue(node)
            return
        if isinstance(node, nodes.section):
            title = node.next_node(nodes.title)
            if title is not None and title.parent is node:
                self.heading(_inline(title), depth)
            self.body([c for c in node.children if not isinstance(c, nodes.title)], depth + 1)
            self.depth_at_end = depth + 1
        elif isinstance(node, nodes.paragraph):
            self.add(_inline(node))
        elif isinstance(node, nodes.bullet_list | nodes.enumerated_list):
            for item in node.children:
                self.list_item(item, depth)
        elif isinstance(node, nodes.definition_list | nodes.field_list):
            for item in node.children:
                for part in item.children:
                    if isinstance(part, nodes.term | nodes.field_name):
                        self.add(_inline(part))
                    elif isinstance(part, nodes.definition | nodes.field_body):
                        self.list_item(part, depth)
        elif isinstance(node, nodes.literal_block | nodes.doctest_block | nodes.math_block):
            if node.astext().strip():
                self.blocks.append(
                    Block(text=node.astext().strip(), heading_path=[h for _, h in self.headings])
                )
        elif isinstance(node, nodes.line_block):
            self.add(" ".join(line.astext() for line in node.findall(nodes.line)))
        elif isinstance(node, nodes.table):
            self.table(node)
        elif isinstance(node, _ADMONITIONS):
            self.add(node.tagname.capitalize())
            self.body(node.children, depth)
        elif isinstance(node, nodes.footnote | nodes.citation):
            self.notes.append(node)
        elif isinstance(node, nodes.title | nodes.rubric | nodes.attribution | nodes.caption):
            self.add(_inline(node))
        elif isinstance(node, nodes.Element) and any(
            isinstance(c, nodes.Element) for c in node.children
        ):
            self.body(node.children, depth)  # containers, block quotes, topics, admonition...
        elif isinstance(node, nodes.Element | nodes.Text):
            self.add(node.astext())

    def list_item(self, item: nodes.Node, depth: int) -> None:
        """A list item or definition: a lone paragraph (or one before a list) is a list item."""
        children = list(item.children)
        if (
            children
            and isinstance(children[0], nodes.paragraph)
            and (
                len(children) == 1
                or isinstance(children[1], nodes.bullet_list | nodes.enumerated_list)
            )
        ):
            self.add(_inline(children[0]), derived=False)
            children = children[1:]
        self.body(children, depth)

    def rescue(self, message: nodes.system_message) -> None:
        """Source docutils gave up on (an error quoting it): a lenient table, or the raw text."""
        source = message.next_node(nodes.literal_block)
        if message["level"] < 3 or source is None:
            return
        rows = _simple_table(source.astext()) if "Malformed table" in message.astext() else None
        text = "\n".join(rows) if rows else source.astext().strip()
        if text:
            self.blocks.append(Block(text=text, heading_path=[h for _, h in self.headings]))

    def table(self, table: nodes.table) -> None:
        rows = []
        title = table.next_node(nodes.title)
        if title is not None and title.parent is table and title.astext().strip():
            rows.append(" ".join(title.astext().split()))
        for row in table.findall(nodes.row):
            cells = [" ".join(entry.astext().split()) for entry in row.children]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
        if any(rows[1 if title is not None else 0 :] or [""]):
            self.blocks.append(
                Block(text="\n".join(rows), heading_path=[h for _, h in self.headings])
            )


def _simple_table(source: str) -> list[str] | None:
    """Rows of a simple table docutils refused (text in a column margin), cut near column starts."""
    lines = source.splitlines()
    if not lines or not _BORDER.match(lines[0]):
        return None
    starts = [m.start() for m in re.finditer(r"=+", lines[0])]
    rows: list[list[str]] = []
    for line in lines[1:]:
        if _BORDER.match(line) or not line.strip():
            continue
        cuts = [0]
        for start in starts[1:]:  # a word running over a column start stays in its cell
            cut = max(start, cuts[-1])
            while 0 < cut < len(line) and not line[cut - 1].isspace():
                cut += 1
            cuts.append(cut)
        cells = [line[a:b].strip() for a, b in zip(cuts, [*cuts[1:], None], strict=True)]
        if cells[0] or not rows:
            rows.append(cells)
        else:  # a continuation line: its first column is blank
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells, strict=True)]
    return [" | ".join(c for c in row if c) for row in rows if any(row)]


def _inline(node: nodes.Element) -> str:
    """Text of inline markup; the space before a footnote reference is dropped, as pandoc does."""
    parts: list[str] = []
    for child in node.findall(include_self=False, descend=True):
        if isinstance(child, nodes.footnote_reference):
            if parts:
                parts[-1] = parts[-1].rstrip()
        elif isinstance(child, nodes.Text) and not isinstance(child.parent, nodes.system_message):
            parts.append(child.astext())
    return "".join(parts)
