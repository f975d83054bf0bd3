"""Table make-up: column widths from the content, numeric columns set right, captions kept with
their tables, short tables never split and long ones split with at least three rows on each side
(real pandoc with the theme's Lua filters, real WeasyPrint with the print stylesheet)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pica_publish.filters import csl_style_path, lua_filters
from pica_publish.layout import Typesetter, page_boxes
from pica_publish.pandoc import markdown_to_html
from pica_publish.sanitize import sanitize
from pica_publish.stages.typeset import allowed_roots, print_stylesheet

# Separator dashes that say nothing about the content, and a line longer than 72 characters:
# pandoc turns these into relative widths (<col style="width: 5%">, 94%) unless a filter drops them.
SKEWED = """\
| Objective | Action | Share | Timeline |
|-|------------------|--|--|
| 1.1 | Compile all C1 and C2 records in a shared database and publish an updated range map | 76% | 2019--2020 |
| 1.2 | Agree a camera-trap protocol | c. 4,300 | Ongoing |
| 1.3 | Start telemetry studies | – | 2020--2025 |

Table: Priority actions. {#tbl:actions}
"""


def convert(markdown: str, cache: Path, filters: tuple[Path, ...]) -> str:
    conversion = markdown_to_html(
        markdown,
        references=[],
        csl=csl_style_path(),
        filters=filters,
        id_prefix="t-",
        language="en",
        cache_dir=cache,
    )
    return sanitize(conversion.html, id_prefix="t-")


def cells(html: str, column: int) -> list[str]:
    """The opening tags of one column's cells (header and body), in row order."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.DOTALL)
    return [re.findall(r"<t[hd]\b[^>]*>", row)[column] for row in rows]


def test_pandoc_widths_are_dropped_and_numeric_columns_marked(tmp_path: Path):
    crossref_only = tuple(f for f in lua_filters() if f.name == "crossref.lua")
    assert re.search(r"<col [^>]*width", convert(SKEWED, tmp_path, crossref_only)), (
        "the fixture must make pandoc write relative column widths"
    )

    html = convert(SKEWED, tmp_path, lua_filters())
    assert "<colgroup" not in html and not re.search(r"<col\b[^>]*width", html)
    objective, action, share, timeline = (cells(html, c) for c in range(4))
    for column in (objective, share):  # "1.1"; "76%", "c. 4,300" and "–"
        assert "text-align:right" in column[0]  # the header over the figures too
        assert all('class="numeric"' in c and "text-align:right" in c for c in column[1:])
    for column in (action, timeline):  # text; ranges beside "Ongoing"
        assert not any("numeric" in cell or "right" in cell for cell in column)


# --- layout ------------------------------------------------------------------------------------

OLD_BREAKS = """
.article-body caption { break-after: auto !important; }
.article-body tbody tr { break-before: auto !important; break-after: auto !important; }
"""
"""Undoes the keep rules of print.css, to show that the fixtures would split without them."""


def table(rows: int) -> str:
    body = "".join(f"<tr><td>Row R{n:02d}</td><td>Lead party {n}</td></tr>" for n in range(rows))
    return (
        "<table><caption><strong>Table 1.</strong> Priority actions.</caption>"
        "<thead><tr><th>Objective</th><th>Lead</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def article(space_mm: int, rows: int, block: str = "columns") -> str:
    """A table below ``space_mm`` of blank space, in two columns with text after it, or across
    the page (``block="wide-block"``, as print_html sets a ``.wide`` table)."""
    text = f"<p>{'steppe ' * 400}</p>"
    after = text if block == "columns" else f'</div><div class="columns">{text}'
    return (
        f'<html lang="en"><body><article><div class="article-body"><div class="{block}">'
        f'<div style="height: {space_mm}mm"></div>{table(rows)}{after}'
        "</div></div></article></body></html>"
    )


def placements(
    typesetter: Typesetter, html: str, tmp_path: Path
) -> dict[tuple[int, int], list[str]]:
    """(page, column) → what of the table is there: 'caption', 'head' and the rows 'R00'…"""
    found: dict[tuple[int, int], list[str]] = {}
    laid = typesetter.lay_out(html, tmp_path)
    for number, (page, page_box) in enumerate(
        zip(laid.document.pages, page_boxes(laid.document), strict=True)
    ):
        middle = page.width / 2
        for box in page_box.descendants():
            text = getattr(box, "text", "")
            name = (
                "caption"
                if text.startswith("Table")
                else "head"
                if text == "Objective"
                else text.removeprefix("Row ")
                if text.startswith("Row R")
                else None
            )
            if name:
                found.setdefault((number, int(box.position_x > middle)), []).append(name)
    return found


@pytest.fixture(scope="module")
def typesetters(tmp_path_factory: pytest.TempPathFactory) -> tuple[Typesetter, Typesetter, Path]:
    root = tmp_path_factory.mktemp("layout")
    stylesheet = print_stylesheet()
    return (
        Typesetter(allowed_roots(root), stylesheet),
        Typesetter(allowed_roots(root), stylesheet + OLD_BREAKS),
        root,
    )


# Blank space that puts the table's start at the foot of the first column (A4, print.css); the
# old rules left the caption there alone, the rows at the top of the next column.
NEAR_COLUMN_FOOT_MM = (212, 220, 230)


@pytest.mark.parametrize("rows", [3, 8])
def test_a_short_table_near_a_column_foot_keeps_caption_and_rows_together(typesetters, rows):
    typesetter, old, root = typesetters
    split_before = 0
    for space in NEAR_COLUMN_FOOT_MM:
        before = placements(old, article(space, rows), root)
        split_before += len(before) > 1
        after = placements(typesetter, article(space, rows), root)
        assert len(after) == 1, f"{space} mm: {after}"  # one column holds all of it
        (names,) = after.values()
        assert names[:2] == ["caption", "head"] and len(names) == rows + 2
    assert split_before, "the fixture must split the table without the keep rules"


@pytest.mark.parametrize("block", ["columns", "wide-block"])
def test_a_long_table_splits_with_three_rows_each_side_and_its_header(typesetters, block):
    typesetter, old, root = typesetters
    rows, splits, short_before = 14, 0, 0
    for space in range(170, 240, 6):
        before = placements(old, article(space, rows, block), root).values()
        short_before += any(0 < sum(n.startswith("R") for n in part) < 3 for part in before)
        parts = list(placements(typesetter, article(space, rows, block), root).values())
        assert sum(len(p) for p in parts) == 1 + rows + len(parts)  # the header in every part
        if len(parts) > 1:
            splits += 1
            assert parts[0][:2] == ["caption", "head"]
            for part in parts:
                assert "head" in part and sum(n.startswith("R") for n in part) >= 3, parts
    assert splits, "the fixture must split the long table"
    if block == "wide-block":  # the columns' balancing happens to avoid the shortest parts
        assert short_before, "the fixture must leave 1 or 2 rows alone without the keep rules"


def test_cells_break_between_words_only(typesetters):
    """A column is as wide as its longest word: no hyphen, not even at the soft hyphens that the
    house exceptions put into running text ("Moder-ate" in a column of ratings)."""
    typesetter, _, root = typesetters
    soft = "\u00ad"
    rows = f"<tr><td>Turk{soft}men{soft}i{soft}stan</td><td>{'steppe ' * 80}</td><td>Moder{soft}ate</td></tr>"
    html = (
        '<html lang="en"><body><article><div class="article-body"><div class="wide-block">'
        "<table><thead><tr><th>Country</th><th>Main areas</th><th>Evidence</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></div></article></body></html>"
    )
    page = page_boxes(typesetter.lay_out(html, root).document)[0]
    texts = [b.text for b in page.descendants() if getattr(b, "text", None)]
    assert {"Turkmenistan", "Moderate"} <= {t.replace(soft, "") for t in texts}
