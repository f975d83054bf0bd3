"""The stress project (tests/projects/stress): tables of every length, a seven-column table, code
with 150-character lines, long URLs, footnotes, figures near page ends. Nothing may overprint the
other column or run off the page (real WeasyPrint layout, real pandoc)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from pica_publish.build import run, select_stages
from pica_publish.cli import main
from pica_publish.layout import LaidOut, Typesetter, page_boxes
from pica_publish.print_html import code_lines, print_body
from pica_publish.stages.typeset import allowed_roots, print_stylesheet
from pica_publish.state import BuildOptions

PROJECT = Path(__file__).parent / "projects" / "stress"
MM = 72 / 25.4  # PDF points per millimetre
PAGE_WIDTH, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM = 210, 17, 17, 20  # print.css @page, mm
SLACK = 0.5  # px: rounding of WeasyPrint's positions


@pytest.fixture(scope="module")
def stress(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stress") / "stress"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("build"))
    return root


@pytest.fixture(scope="module")
def survey(stress: Path, tmp_path_factory: pytest.TempPathFactory) -> LaidOut:
    """The survey chapter's body laid out in the print article's columns."""
    options = BuildOptions(stress, build_dir=tmp_path_factory.mktemp("convert"))
    state = run(options, select_stages(only=("load", "check", "convert")))
    assert not state.report.has_errors
    chapter = next(c for slug, c in state.converted.items() if "survey" in slug or "camera" in slug)
    parts = []
    for segment in print_body(chapter.body_html, chapter.notes_html):
        css_class = "wide-block" if segment.kind == "wide" else "columns"
        parts.append(f'<div class="{css_class}">{segment.html}</div>')
    html = (
        '<html lang="en"><body><article><div class="article-body">'
        + "".join(parts)
        + "</div></article></body></html>"
    )
    base = stress / "chapters"
    return Typesetter(allowed_roots(stress), print_stylesheet()).lay_out(html, base)


@dataclass
class Text:
    text: str
    left: float
    right: float
    region: str
    """'column 1', 'column 2' or 'wide'."""
    limits: tuple[float, float]
    """The x range the text must stay in."""
    classes: tuple[str, ...]
    """Classes of the enclosing elements (inside out)."""


GAP = 6 * 96 / 25.4  # print.css column-gap, in CSS px


def _walk(
    box: Any,
    page: tuple[float, float],
    region: str,
    limits: tuple[float, float],
    classes: tuple[str, ...],
) -> Iterator[Text]:
    """The text boxes under ``box`` with the region they were set in (page: the content box)."""
    from weasyprint.formatting_structure.boxes import TextBox

    element = getattr(box, "element", None)
    tag = getattr(box, "element_tag", "")
    if element is not None and tag == "div":
        names = (element.get("class") or "").split()
        if "columns" in names:  # its box is one column wide: the area is the page's
            region, limits = "columns", page
        elif "wide-block" in names:
            region, limits = "wide", page
    if element is not None and tag in ("table", "pre", "span"):
        classes = (*(element.get("class") or "").split(), *classes)
    if isinstance(box, TextBox):
        left, right = box.position_x, box.position_x + box.width
        where, bounds = region, limits
        if region == "columns":
            column = (limits[1] - limits[0] - GAP) / 2
            if left < limits[0] + column + GAP / 2:
                where, bounds = "column 1", (limits[0], limits[0] + column)
            else:
                where, bounds = "column 2", (limits[1] - column, limits[1])
        yield Text(box.text, left, right, where, bounds, classes)
    for child in getattr(box, "children", ()):
        yield from _walk(child, page, region, limits, classes)


def _texts(laid: LaidOut) -> Iterator[tuple[int, Text]]:
    for number, page_box in enumerate(page_boxes(laid.document), start=1):
        content = (page_box.content_box_x(), page_box.content_box_x() + page_box.width)
        for text in _walk(page_box, content, "page", content, ()):
            yield number, text


def test_no_text_leaves_its_column_or_the_page(survey: LaidOut) -> None:
    texts = list(_texts(survey))
    assert texts
    outside = [
        (page, t.region, t.text[:40], round(t.left), round(t.right), [round(v) for v in t.limits])
        for page, t in texts
        if t.text.strip() and (t.left < t.limits[0] - SLACK or t.right > t.limits[1] + SLACK)
    ]
    assert outside == []


def test_the_seven_column_table_is_made_wide_and_short_tables_stay_in_the_column(
    survey: LaidOut,
) -> None:
    texts = [t for _, t in _texts(survey)]
    assert any(t.text == "Elevation" and t.region == "wide" for t in texts)
    for header in ("Stations", "Voles", "Lost"):  # 3 and 4 columns, short words
        assert any(t.text == header and t.region.startswith("column") for t in texts), header


def test_long_code_lines_wrap_inside_the_column_with_a_hanging_indent(survey: LaidOut) -> None:
    code = [t for _, t in _texts(survey) if "code-line" in t.classes]
    assert code, "the code block is missing"
    assert {t.region for t in code} <= {"column 1", "column 2"}
    width = code[0].limits[1] - code[0].limits[0]
    assert all(t.right - t.left <= width + SLACK for t in code)
    starts = sorted({round(t.left) for t in code if t.region == code[0].region})
    assert len(starts) == 2, "source lines flush left, continuation lines indented"
    assert 8 < starts[1] - starts[0] < 30  # 2em of 7pt: about 19 px


def test_code_lines_are_wrapped_one_span_per_source_line() -> None:
    html = '<pre><code><span id="a">x = 1</span>\n\n<span id="b">y</span></code></pre>'
    assert code_lines(html) == (
        '<pre><code><span class="code-line"><span id="a">x = 1</span></span>'
        '<span class="code-line"></span><span class="code-line"><span id="b">y</span></span>'
        "</code></pre>"
    )


STEPPE = "<p>" + "steppe grass " * 30 + "</p>"


@pytest.mark.parametrize("level", [2, 3, 4])
def test_a_heading_is_never_the_last_line_of_a_column(tmp_path: Path, level: int) -> None:
    from weasyprint.formatting_structure.boxes import LineBox

    typesetter = Typesetter(allowed_roots(tmp_path), print_stylesheet())
    seen_columns = set()
    # the heading one line at a time past the foot of column 1, then of column 2
    for words in [*range(96, 216, 12), *range(624, 720, 12)]:
        body = (
            STEPPE * 5
            + "<p>"
            + "word " * words
            + f"</p><h{level}>Heading here</h{level}>"
            + STEPPE * 8
        )
        html = (
            '<html><body><article><div class="article-body"><div class="columns">'
            f"{body}</div></div></article></body></html>"
        )
        laid = typesetter.lay_out(html, tmp_path)
        lines = [
            (page, box)
            for page, p in enumerate(page_boxes(laid.document))
            for box in p.descendants()
            if isinstance(box, LineBox)
        ]
        for i, (page, box) in enumerate(lines):
            if "Heading here" in "".join(getattr(d, "text", "") for d in box.descendants()):
                next_page, following = lines[i + 1]
                assert (next_page, following.position_x) == (page, box.position_x), words
                assert following.position_y > box.position_y
                seen_columns.add((page, round(box.position_x)))
    assert len(seen_columns) >= 3  # column 1, column 2 and the next page were all tried


def test_the_issue_builds_within_eight_pages_and_nothing_runs_off_a_page(stress: Path) -> None:
    assert main(["-C", str(stress), "build", "--pdf"]) == 0
    pdf = pypdfium2.PdfDocument(stress / "build" / "pdf" / "catnews-special-issue-98.pdf")
    try:
        page_map = json.loads((stress / "build" / "pagemap.json").read_text("utf-8"))
        last = max(pages["last"] for pages in page_map.values())
        assert last <= 8 and len(pdf) % 4 == 0
        left, right = MARGIN_LEFT * MM - 1, (PAGE_WIDTH - MARGIN_RIGHT) * MM + 1
        bottom = MARGIN_BOTTOM * MM - 1
        outside = []
        # page 1 is the cover and the last the back cover, set edge to edge
        for number in range(2, len(pdf)):
            text_page = pdf[number - 1].get_textpage()
            for index in range(text_page.count_chars()):
                x0, y0, x1, _y1 = text_page.get_charbox(index)
                if x1 - x0 <= 0:
                    continue  # spaces and line ends
                char = text_page.get_text_range(index, 1)
                if number == 2 and y0 < bottom and char.isdigit():
                    continue  # the masthead's folio, 02, at the foot as CATnews sets it
                if x0 < left or x1 > right or y0 < bottom:
                    outside.append(
                        (
                            number,
                            text_page.get_text_range(index, 1),
                            round(x0),
                            round(x1),
                            round(y0),
                        )
                    )
        assert outside == []
    finally:
        pdf.close()
