"""The HTML (lxml) and reStructuredText (docutils) fast paths give unstructured's blocks.

Equality is checked block for block (text, heading path, first title) against unstructured's
own partitioners on the sample corpus and on hand-written documents covering the tricky rules;
the documented differences of the RST path are each pinned by a test.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.sources import bundled_sources_file
from ingest.connectors.doc_formats import rst_docinfo
from ingest.connectors.documents import read_text_parts
from ingest.connectors.elements import blocks_from_elements, partition
from ingest.connectors.htmlblocks import Unsupported, html_blocks
from ingest.connectors.rstblocks import rst_blocks

SAMPLE = bundled_sources_file().parent

TRICKY_HTML = """<!DOCTYPE html><html><head><title>T</title><style>p{}</style></head><body>
<nav><a href="/">Home</a> <a href="/docs">Docs</a></nav>
<h1>Guide <small>v2</small></h1>
<p>Text with <b>bold <i>nested</i></b>, a <a href="x">link</a> and<br>a break.</p>
<div>Bare div text <span>continues</span>
  <p>Then a paragraph</p>
  tail of the paragraph <em>with emphasis</em>
  <script>var x = 1;</script> after script
</div>
<p>Before image <img src="a.png" alt="pic"> after image <img alt="no source"> same para</p>
<span>phrase <div>block inside phrasing</div> phrase tail</span>
<ul><li><p>Adopted loose item</p></li><li>Tight item<ul><li>nested</li></ul></li>
<li><p>Two</p><p>paragraphs</p></li></ul>
<dl><dt>Term</dt><dd>Definition</dd></dl>
<p>• A bullet written as text</p><p>x</p><p>- dash item</p>
<pre>
  code   keeps
    spacing
</pre>
<h2>Tables</h2>
<table><caption>Prices</caption><thead><tr><th>Item</th><th>Cost</th></tr></thead>
<tbody><tr><td>Tea</td><td><span>1</span> EUR</td></tr><tr><td></td><td></td></tr></tbody></table>
<table><tr><td> </td></tr></table>
<h3>Deep</h3><p>Under h3</p><h2>Back</h2>
<figure><img src="f.png"><figcaption>Caption dropped</figcaption></figure>
<form><input value="x"><label>Name</label></form>
<details><summary>More</summary>Hidden</details>
<custom-tag>Unknown tags are phrasing</custom-tag>
<main-not>x</main-not>
<p>Last&nbsp;one &amp; done</p>
</body></html>"""

TRICKY_MAIN = "<html><body><p>outside</p><main><h2>In main</h2><p>kept</p></main></body></html>"


def _pairs(result: tuple[list, str | None]) -> tuple[list[tuple[str, list[str]]], str | None]:
    blocks, title = result
    return [(b.text, b.heading_path) for b in blocks], title


def _unstructured(kind: str, text: str) -> tuple[list[tuple[str, list[str]]], str | None]:
    return _pairs(blocks_from_elements(partition(kind, text=text)))


@pytest.mark.parametrize("html", [TRICKY_HTML, TRICKY_MAIN, "<p>only a fragment</p>", "plain"])
def test_html_blocks_equal_unstructureds_on_tricky_markup(html: str) -> None:
    assert _pairs(html_blocks(html)) == _unstructured("html", html)


def test_html_blocks_equal_unstructureds_on_the_sample_corpus() -> None:
    files = sorted(SAMPLE.rglob("*.html"))
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours = _pairs(html_blocks(text))
        assert ours[0], path
        assert ours == _unstructured("html", text), path


def test_html_with_math_falls_back_to_unstructured() -> None:
    html = (
        "<p>Energy <math><semantics><mi>E</mi>"
        '<annotation encoding="application/x-tex">E=mc^2</annotation></semantics></math></p>'
    )
    with pytest.raises(Unsupported):
        html_blocks(html)
    _, blocks, _ = read_text_parts("html", html)
    assert [b.text for b in blocks] == [t for t, _ in _unstructured("html", html)[0]]
    assert "E=mc^2" in blocks[0].text


def test_rst_blocks_equal_unstructureds_on_the_sample_corpus() -> None:
    files = sorted(SAMPLE.rglob("*.rst"))
    assert len(files) >= 3
    for path in files:
        _, text = rst_docinfo(path.read_text(encoding="utf-8"))
        ours = _pairs(rst_blocks(text))
        assert len(ours[0]) > 5, path
        assert ours == _unstructured("rst", text), path


TRICKY_RST = """\
Top title
=========

Intro with *emph*, **strong**, ``code``, a `link <http://x.org>`_ and :func:`spam`.

.. note::

   A note body.

Sub section
-----------

- item one
- item two

  with a second paragraph

  - nested a
  - nested b

1. first
2. second

term
   definition of the term

:field: value of the field

    A block quote.

::

    literal code
      indented

| line one
| line two

+-----+-----+
| a   | b   |
+=====+=====+
| 1   | 2   |
+-----+-----+

=====  ======
Key    Value
=====  ======
alpha  one
beta   two
=====  ======

.. function:: spam(x, *args)

   Does spam.

.. versionadded:: 3.2
   Added *thing*.

.. code-block:: python

   print(1)

Third
~~~~~

.. image:: foo.png

.. figure:: bar.png

   A caption pandoc drops too.

Last paragraph.
"""


def test_rst_blocks_equal_unstructureds_on_tricky_markup() -> None:
    assert _pairs(rst_blocks(TRICKY_RST)) == _unstructured("rst", TRICKY_RST)


def test_rst_differences_from_pandoc_are_the_documented_ones() -> None:
    footnote = "Title\n=====\n\nSee the note [1]_.\n\n.. [1] The footnote.\n"
    ours, theirs = _pairs(rst_blocks(footnote)), _unstructured("rst", footnote)
    assert ours[0][0] == theirs[0][0] == ("See the note1.", ["Title"])  # pandoc drops the space
    assert theirs[0][-1] == ("The footnote.\u21a9\ufe0e", ["Title"])  # pandoc's back-link arrow
    assert ours[0][-1] == ("The footnote.", ["Title"])  # ... is not text

    pep = "See :pep:`567` and :rfc:`2822`.\n"
    assert _pairs(rst_blocks(pep))[0] == [("See PEP 567 and RFC 2822.", [])]
    assert _unstructured("rst", pep)[0] == [("See 567 and 2822.", [])]  # pandoc drops the name

    doctest = "Example:\n\n>>> print('a\\nb')\na\nb\n"
    ours_text = [t for t, _ in _pairs(rst_blocks(doctest))[0]]
    theirs_text = [t for t, _ in _unstructured("rst", doctest)[0]]
    assert ours_text[1] == ">>> print('a\\nb')\na\nb"  # doctest blocks keep their lines
    assert theirs_text[1] == ">>> print('anb') a b"  # pandoc joins them and eats the escape


def test_rst_cannot_include_files_or_raw_output(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET CONTENT", encoding="utf-8")
    text = (
        f"Intro.\n\n.. include:: {secret}\n\n.. raw:: html\n\n   <p>RAW HTML</p>\n\n"
        f".. csv-table:: Data\n   :file: {secret}\n\nEnd.\n"
    )
    blocks, _ = rst_blocks(text)
    joined = "\n".join(b.text for b in blocks)
    assert "TOP SECRET" not in joined and "RAW HTML" not in joined
    assert joined.startswith("Intro.") and joined.endswith("End.")


def test_docutils_messages_go_to_the_debug_log_not_the_console(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    broken = "Title\n=====\n\n.. unknown-thing::\n   :opt: 1\n\n* list\ntext right after\n\n`bad\n"
    with caplog.at_level(logging.DEBUG, logger="ingest.connectors.rstblocks"):
        blocks, _ = rst_blocks(broken)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert blocks
    messages = [r for r in caplog.records if r.name == "ingest.connectors.rstblocks"]
    assert messages and all(r.levelno == logging.DEBUG for r in messages)


def test_malformed_simple_table_is_read_leniently() -> None:
    table = "=======  ==\nName     N\n=======  ==\nToo-long-name 12\nshort    3\n=======  ==\n"
    blocks, _ = rst_blocks(table)
    assert [b.text for b in blocks] == ["Name | N\nToo-long-name | 12\nshort | 3"]
