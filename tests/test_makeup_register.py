"""Column tops in register: the block heading a column loses its top margin (CSS Fragmentation's
"margin-break: auto", which WeasyPrint applies at page breaks only), so the first lines of two
columns side by side start at the same height; the preflight names a column top that does not
(real WeasyPrint, the theme's print stylesheet). See ``pica_publish.engine_fixes``."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pica_publish.diagnostics import Report, Severity
from pica_publish.layout import Typesetter
from pica_publish.pages import read_pages
from pica_publish.preflight import column_top, preflight, report_faults
from pica_publish.stages.typeset import allowed_roots, print_stylesheet

PARAGRAPH = "<p>" + "Pallas's cats hunt pikas and voles on the steppe. " * 12 + "</p>"


def article(columns: str) -> str:
    return (
        '<html lang="en"><body><article><header><h1>Title</h1></header>'
        f'<div class="article-body"><div class="columns">{columns}</div></div>'
        "</article></body></html>"
    )


@pytest.fixture(scope="module")
def typesetter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Typesetter, Path]:
    root = tmp_path_factory.mktemp("register")
    return Typesetter(allowed_roots(root), print_stylesheet()), root


def column_tops(typesetter, columns: str, css: str = "") -> list[tuple[str, float, str]]:
    engine, root = typesetter
    reading = read_pages(engine.lay_out(article(columns), root, css).document, 1)
    return [
        (r.side, r.items[0].top - r.top, str(r.items[0].elements[-1][0]))
        for r in reading.regions
        if r.side.endswith("column") and r.items
    ]


def heading_heads_a_column(paragraphs: int) -> str:
    return "<h2>Introduction</h2>" + PARAGRAPH * paragraphs + "<h2>Threats</h2>" + PARAGRAPH * 6


def test_a_heading_that_heads_a_column_starts_at_its_top(typesetter):
    # find a body where the second heading falls at the top of a column
    for paragraphs in range(2, 12):
        tops = column_tops(typesetter, heading_heads_a_column(paragraphs))
        headed = [(side, drop) for side, drop, tag in tops if tag == "h2"]
        if any(side == "right column" for side, _ in headed):
            break
    else:
        pytest.fail("no layout put a heading at the top of the right column")
    assert all(drop < 0.5 for _, drop, _ in tops), tops  # every column starts at its top


def test_the_first_heading_under_the_header_is_in_register_with_the_next_column(typesetter):
    tops = column_tops(typesetter, heading_heads_a_column(8))
    left, right = tops[0], tops[1]
    assert left[2] == "h2" and right[0] == "right column"
    assert abs(left[1] - right[1]) < 0.5


def test_a_kept_margin_at_a_column_top_is_named(typesetter):
    engine, root = typesetter
    keep = ".article-body h2 { margin-break: keep; }"  # what the fix undoes, for the rule
    laid = engine.lay_out(article(heading_heads_a_column(8)), root, keep)
    found = list(column_top(read_pages(laid.document, 7), None))  # type: ignore[arg-type]
    assert found, "the kept margin must be found"
    page, message, item, _ = found[0]
    assert page == 7 and item is not None
    assert message.endswith("pt space at the top of the left column of page 7")


def test_the_preflight_reports_a_kept_margin_as_makeup_column_top(typesetter):
    engine, root = typesetter
    keep = ".article-body h2 { margin-break: keep; }"
    laid = engine.lay_out(article(heading_heads_a_column(8)), root, keep)
    chapter: Any = SimpleNamespace(
        slug="t", display_path="chapters/01-t.md", body="## Heading\n", body_line=5
    )
    found = preflight(laid, chapter, 7)
    assert "makeup-column-top" in [fault.rule for fault in found]
    report = Report()
    report_faults(report, found)
    (top,) = [d for d in report.diagnostics if d.code == "makeup-column-top"]
    assert top.severity is Severity.WARNING  # a warning: fails the build only with --strict
    assert top.hint == "the column's first line is below the column top: a margin was kept"
