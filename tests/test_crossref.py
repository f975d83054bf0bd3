"""Figure and table numbering and cross-references, through real pandoc and the Lua filter.

Fixture files: Markdown, then '=== text ===' (lines that must appear in the plain text of the
result) and optionally '=== html ===' (fragments that must appear in the HTML). The second
part of the file name is the number prefix: appendix.A.md numbers 'Table A1'.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pica_publish.filters import csl_style_path, lua_filters
from pica_publish.pandoc import markdown_to_html
from pica_publish.print_html import (
    column_segments,
    flatten_sections,
    inline_footnotes,
    inline_notes,
    parse,
    unwrap_sections,
    wrap_code_lines,
)
from tests.conftest import plain_text

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "crossref").glob("*.md"))


def parse_fixture(path: Path) -> tuple[str, list[str], list[str]]:
    source, _, rest = path.read_text("utf-8").partition("=== text ===\n")
    text, _, html = rest.partition("=== html ===\n")
    return source, [t for t in text.splitlines() if t], [h for h in html.splitlines() if h]


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_numbering_and_cross_references(fixture: Path, tmp_path: Path):
    source, texts, fragments = parse_fixture(fixture)
    prefix = fixture.stem.split(".")[1] if "." in fixture.stem else ""
    result = markdown_to_html(
        source,
        references=[],
        csl=csl_style_path(),
        filters=lua_filters(),
        id_prefix="t-",
        language="en",
        number_prefix=prefix,
        cache_dir=tmp_path,
    )
    assert result.warnings == ()
    plain = plain_text(result.html).replace("\u00a0", " ")
    for line in texts:
        assert line in plain
    for fragment in fragments:
        assert fragment.replace(" ", "\u00a0") in result.html or fragment in result.html.replace(
            "\u00a0", " "
        )


NOTES = (
    '<section id="x-footnotes" class="footnotes" role="doc-endnotes"><hr><ol>'
    '<li id="x-fn1"><p>First <em>note</em>.<a href="#x-fnref1" class="footnote-back" '
    'role="doc-backlink">↩︎</a></p></li>'
    '<li id="x-fn2"><p>Two</p><p>paragraphs.<a href="#x-fnref2" class="footnote-back">↩︎</a></p></li>'
    "</ol></section>"
)


def test_endnotes_become_footnotes_at_their_call():
    body = (
        '<p>A<a href="#x-fn1" class="footnote-ref" id="x-fnref1" role="doc-noteref"><sup>1</sup></a>'
        ' and B<a href="#x-fn2" class="footnote-ref" id="x-fnref2" role="doc-noteref"><sup>2</sup></a>.</p>'
    )
    assert inline_footnotes(body, NOTES) == (
        '<p>A<span class="footnote" id="x-fnref1">First <em>note</em>.</span> and '
        'B<span class="footnote" id="x-fnref2">Two paragraphs.</span>.</p>'
    )


def test_sections_are_unwrapped_keeping_their_ids():
    body = '<section id="x-a" class="level2">\n<h2>A</h2>\n<p>t</p>\n</section>'
    assert unwrap_sections(body).strip() == '<h2 id="x-a" class="level2">A</h2>\n<p>t</p>'


def test_wide_blocks_split_the_columns():
    body = (
        '<p>one</p><figure id="f" class="wide"><img src="a.svg" alt="a"></figure><p>two</p>'
        '<table class="wide"><tr><td>t</td></tr></table>'
        '<blockquote><figure class="wide"><img src="b.svg" alt="b"></figure></blockquote>'
    )
    kinds = [(s.kind, s.html[:12]) for s in column_segments(body)]
    assert kinds == [
        ("columns", "<p>one</p>"),
        ("wide", '<figure id="'),
        ("columns", "<p>two</p>"),
        ("wide", "<table class"),
        ("columns", "<blockquote>"),  # a wide figure inside a quotation stays in the column
    ]


def test_a_heading_right_above_a_wide_block_goes_with_it():
    """Never a heading alone at a column foot because the wide table it introduces moved on."""
    body = (
        '<p>one</p><h2 id="s">Summary</h2><table class="wide"><tr><td>t</td></tr></table><p>x</p>'
    )
    segments = column_segments(body)
    assert [s.kind for s in segments] == ["columns", "wide", "columns"]
    assert segments[1].html.startswith('<h2 id="s">Summary</h2><table')
    assert "<h2" not in segments[0].html


def test_print_reshaping_reads_the_tree_not_pandoc_s_spelling():
    """Attribute order, quoting and nesting as another pandoc might write them."""
    body = (
        "<section class='level2' id='x-a'><h2>A</h2>"
        "<p>A<a role='doc-noteref' id='x-fnref1' class='footnote-ref' href='#x-fn1'>"
        "<sup>1</sup></a> b.</p>"
        '<section id="x-b" class="level3"><h3 data-n="1">B</h3><p>t</p></section></section>'
    )
    root = parse(body)
    inline_notes(root, parse(NOTES))
    flatten_sections(root)
    assert [(e.tag, e.get("id"), e.get("class")) for e in root] == [
        ("h2", "x-a", "level2"),
        ("p", None, None),
        ("h3", "x-b", "level3"),
        ("p", None, None),
    ]
    (note,) = root.find_class("footnote")
    assert note.get("id") == "x-fnref1" and note.text_content() == "First note."
    assert note.tail == " b."


def test_code_lines_keep_highlighting_spans_whole():
    body = (
        '<pre class="sourceCode r"><code class="sourceCode r">'
        '<span id="cb1-1"><span class="fu">library</span>(x)</span>\n'
        '<span id="cb1-2">y <span class="ot">&lt;-</span> 1</span></code></pre>'
    )
    root = parse(body)
    wrap_code_lines(root)
    lines = root.find_class("code-line")
    assert [line.text_content() for line in lines] == ["library(x)", "y <- 1"]
    assert [child.get("id") for line in lines for child in line] == ["cb1-1", "cb1-2"]
