"""Wide figures move down like floats when they would leave the columns above them half empty
(real WeasyPrint, tiny pages)."""

from __future__ import annotations

from pathlib import Path

from pica_publish.layout import Typesetter
from pica_publish.print_html import column_segments
from pica_publish.stages.typeset import allowed_roots, place_wide_blocks, print_stylesheet

CSS = """
@page { size: 120mm 160mm; margin: 10mm; }
html { font-size: 9pt; line-height: 1.3; }
.columns { columns: 2; column-gap: 4mm; }
.wide-block { break-inside: avoid; }
.wide-block figure { margin: 0; height: 95mm; background: #ccc; }
p { margin: 0 0 2mm; }
"""
PARAGRAPH = "<p>" + "steppe " * 60 + "</p>\n"
BODY = (
    PARAGRAPH * 2 + '<figure class="wide"><figcaption>Map</figcaption></figure>\n' + PARAGRAPH * 6
)


def render(segments) -> str:
    parts = []
    for segment in segments:
        css_class = "wide-block" if segment.kind == "wide" else "columns"
        parts.append(f'<div class="{css_class}">{segment.html}</div>')
    return "<html><body>" + "".join(parts) + "</body></html>"


def test_a_wide_block_that_leaves_a_hole_is_moved_down(tmp_path: Path):
    typesetter = Typesetter([tmp_path], CSS)

    def lay_out(deferrals=None):
        return typesetter.lay_out(render(column_segments(BODY, deferrals)), tmp_path)

    first = lay_out()
    assert first.wide_gaps, "the fixture must start with a hole above the wide block"
    placed = place_wide_blocks(first, lay_out)
    assert placed.wide_gaps == []
    assert placed.page_count <= first.page_count


def test_deferral_keeps_headings_with_their_text():
    body = '<p>a</p><figure class="wide"></figure><p>b</p><h2>H</h2><p>c</p><p>d</p>'
    segments = column_segments(body, {0: 2})
    assert [s.kind for s in segments] == ["columns", "wide", "columns"]
    assert segments[0].html == "<p>a</p><p>b</p><h2>H</h2><p>c</p>"


def test_long_table_repeats_its_header_row(tmp_path: Path):
    rows = "".join(f"<tr><td>Action {n}</td><td>Lead {n}</td></tr>" for n in range(120))
    html = (
        '<html lang="en"><body><article><div class="article-body"><div class="columns">'
        "<table><caption><strong>Table 1.</strong> Actions.</caption>"
        "<thead><tr><th>Objective</th><th>Lead party</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></div></article></body></html>"
    )
    laid = Typesetter(allowed_roots(tmp_path), print_stylesheet()).lay_out(html, tmp_path)
    assert laid.page_count >= 2
    for page in laid.document.pages:
        text = "".join(box.text for box in page._page_box.descendants() if hasattr(box, "text"))
        assert "Objective" in text and "Lead party" in text  # the header row on every page
