"""The citation scanner: fixture files hold Markdown, then '=== expected ===' and 'line:col key'."""

from __future__ import annotations

from pathlib import Path

import pytest

from pica_publish.markdown import scan_body

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "citations").glob("*.md"))


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_citations_found_with_exact_positions(fixture: Path):
    source, expected = fixture.read_text("utf-8").split("=== expected ===\n")
    found = [f"{c.line}:{c.column} {c.text}" for c in scan_body(source).citations]
    assert found == [line for line in expected.splitlines() if line.strip()]


def test_images_headings_and_raw_html():
    scan = scan_body(
        "## Range\n\n![Range map](figures/map.png){#fig:map}\n\n<div>x</div>\n\n# Top\n"
    )
    assert [(i.src, i.alt, i.line, i.column) for i in scan.images] == [
        ("figures/map.png", "Range map", 3, 14)
    ]
    assert [(h.level, h.text, h.line) for h in scan.headings] == [(2, "Range", 1), (1, "Top", 7)]
    assert [r.text for r in scan.raw_html] == ["<div>x</div>"]


def test_images_with_spaces_in_the_path_are_found_as_pandoc_reads_them():
    """pandoc reads ``![x](figures/my map (1).png)`` as an image; CommonMark leaves it as text.
    The scan must see it (else it is neither checked nor published), at its path's column."""
    alone = scan_body("![A map.](figures/карта (1).png){#fig:map}")
    assert [(i.src, i.line, i.column, i.in_text) for i in alone.images] == [
        ("figures/карта (1).png", 1, 11, False)
    ]
    assert alone.figures == 1
    in_text = scan_body('Before ![x](figures/my map.png "A title") after.')
    assert [(i.src, i.column, i.in_text) for i in in_text.images] == [
        ("figures/my map.png", 13, True)
    ]
    assert in_text.figures == 0
    assert [i.src for i in scan_body("![x](<figures/my map.png>)").images] == [
        "figures/my%20map.png"  # markdown-it reads the bracketed form itself
    ]
