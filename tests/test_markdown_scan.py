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
