"""Floats (figures and tables, wide or in the columns) move like floats when they would leave
a column foot empty, and hyphen runs are re-broken (real WeasyPrint, tiny pages)."""

from __future__ import annotations

from pathlib import Path

from pica_publish.hyphenation_report import long_runs
from pica_publish.layout import Typesetter, page_boxes
from pica_publish.pages import hole_culprit, holes, read_pages
from pica_publish.placement import Placement, place, summarise
from pica_publish.print_html import column_segments
from pica_publish.stages.typeset import allowed_roots, print_stylesheet

CSS = """
@page { size: 120mm 160mm; margin: 10mm; }
html { font-size: 9pt; line-height: 1.3; }
.columns { columns: 2; column-gap: 4mm; }
.wide-block { break-inside: avoid; }
.wide-block figure { margin: 0; height: 95mm; background: #ccc; }
.columns figure { margin: 2mm 0; height: 60mm; background: #ccc; break-inside: avoid; }
p { margin: 0 0 2mm; }
"""
PARAGRAPH = "<p>" + "steppe " * 60 + "</p>\n"


def render(segments) -> str:
    parts = []
    for segment in segments:
        if segment.kind == "wide":
            parts.append(
                f'<div class="wide-block" data-float="{segment.float}">{segment.html}</div>'
            )
        else:
            parts.append(f'<div class="columns">{segment.html}</div>')
    return "<html><body>" + "".join(parts) + "</body></html>"


def judge(laid):
    """What the build's judge counts that these fixtures provoke: holes and hyphen runs."""
    faults = len(list(holes(read_pages(laid.document, 1)))) + len(long_runs(laid.document))
    return (faults, laid.page_count)


def placed(tmp_path: Path, body: str, css: str = CSS):
    typesetter = Typesetter([tmp_path], css)

    layouts = {}

    def lay_out(placement: Placement):
        segments = column_segments(body, placement.deferral_map)
        html, css = render(segments), placement.css()
        if (html, css) not in layouts:  # as the build does: the same HTML, the same layout
            laid = typesetter.lay_out(html, tmp_path, css)
            layouts[html, css] = summarise(laid, judge(laid))
        return layouts[html, css]

    first = lay_out(Placement())
    found = place(first, lay_out)
    return first.layout, found.best.layout, found.placement


def test_a_wide_block_that_leaves_a_hole_is_moved_down(tmp_path: Path):
    body = PARAGRAPH * 2 + '<figure class="wide"><figcaption>Map</figcaption></figure>\n'
    first, best, placement = placed(tmp_path, body + PARAGRAPH * 6)
    reading = read_pages(first.document, 1)
    found = [hole_culprit(reading, region) for region, _ in holes(reading)]
    assert found and set(found) == {0}, (
        "the fixture must start with a hole that the wide figure left"
    )
    assert list(holes(read_pages(best.document, 1))) == []
    assert placement.deferrals and placement.deferrals[0][0] == 0
    assert best.page_count <= first.page_count


def test_a_figure_in_the_columns_that_leaves_a_hole_is_moved_down(tmp_path: Path):
    body = PARAGRAPH * 3 + "<figure><figcaption>Fig. 1</figcaption></figure>\n" + PARAGRAPH * 6
    first, best, placement = placed(tmp_path, body)
    reading = read_pages(first.document, 1)
    assert {hole_culprit(reading, r) for r, _ in holes(reading)} == {0}
    assert list(holes(read_pages(best.document, 1))) == []
    assert dict(placement.deferrals)[0] > 0


def test_a_last_float_that_leaves_a_hole_is_moved_up(tmp_path: Path):
    body = PARAGRAPH * 5 + '<figure class="wide"><figcaption>Map</figcaption></figure>\n'
    first, best, placement = placed(tmp_path, body)
    assert list(holes(read_pages(first.document, 1))), "the fixture must start with a hole"
    assert list(holes(read_pages(best.document, 1))) == []
    assert dict(placement.deferrals)[0] < 0


def test_a_hole_that_no_float_left_is_left_alone(tmp_path: Path):
    """Text pushed on by its keep rules is not a float's fault: no move is tried."""
    body = PARAGRAPH * 2 + '<p style="break-inside: avoid">' + "steppe " * 200 + "</p>"
    first, best, placement = placed(tmp_path, body)
    assert best is first and placement == Placement()


HYPHEN_CSS = """
@page { size: 60mm 200mm; margin: 5mm; }
html { font-size: 9pt; line-height: 1.3; }
p { hyphens: auto; text-align: justify; hyphenate-limit-chars: 5 2 2; }
"""
LONG_WORDS = (
    "Interdisciplinary conservationists characteristically underestimate institutionalised "
    "internationalisation, notwithstanding extraordinarily comprehensive documentation, "
    "telecommunications infrastructure, counterrevolutionary misrepresentations and "
    "uncharacteristically incomprehensible administrative responsibilities. "
)


def test_a_hyphen_run_is_found_and_re_broken(tmp_path: Path):
    body = '<p lang="en">' + LONG_WORDS * 3 + "</p>"
    first, best, placement = placed(tmp_path, body, HYPHEN_CSS)
    assert long_runs(first.document), "the fixture must hyphenate 3 lines in a row"
    assert placement.tightened, "the paragraph was re-broken"
    assert long_runs(best.document) == []


def test_floats_are_numbered_and_marked_in_source_order():
    body = (
        '<p>a</p><figure id="f1"></figure><p>b</p><table class="wide"><tr><td>t</td></tr></table>'
        "<p>c</p><table><tr><td>u</td></tr></table>"
    )
    segments = column_segments(body)
    assert [(s.kind, s.float) for s in segments] == [
        ("columns", None),
        ("wide", 1),
        ("columns", None),
    ]
    assert '<div class="float" data-float="0"><figure id="f1">' in segments[0].html
    assert '<div class="float" data-float="2"><table>' in segments[2].html


def test_a_float_moved_up_takes_the_heading_above_its_text_along():
    body = '<p>a</p><h2>H</h2><p>b</p><figure class="wide"></figure>'
    segments = column_segments(body, {0: -1})
    assert [s.kind for s in segments] == ["columns", "wide", "columns"]
    assert segments[0].html == "<p>a</p>"
    assert segments[2].html == "<h2>H</h2><p>b</p>"


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
    for page in page_boxes(laid.document):
        text = "".join(box.text for box in page.descendants() if hasattr(box, "text"))
        assert "Objective" in text and "Lead party" in text  # the header row on every page


def test_a_float_blocked_by_the_next_float_moves_down_with_it():
    """Table 1 right before a wide Table 2 cannot pass it; moving both keeps their order."""
    body = (
        '<p>a</p><table id="t1"><tr><td>1</td></tr></table><p>b</p>'
        '<table id="t2" class="wide"><tr><td>2</td></tr></table><p>c</p><p>d</p>'
    )
    alone = column_segments(body, {0: 2})
    assert alone[0].html.index('id="t1"') > alone[0].html.index("<p>b</p>")  # stops at t2
    together = column_segments(body, {1: 1, 0: 2})
    assert [s.kind for s in together] == ["columns", "wide", "columns"]
    assert together[0].html.startswith("<p>a</p><p>b</p><p>c</p>")
    assert together[0].html.endswith('<table id="t1"><tr><td>1</td></tr></table></div>')
    assert together[2].html == "<p>d</p>"
