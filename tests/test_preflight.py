"""The layout preflight: make-up faults read from real WeasyPrint layouts with the print
stylesheet (keep rules undone where the theme would prevent the fault), named by printed page
and chapter line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pica_publish.diagnostics import Report
from pica_publish.layout import Typesetter
from pica_publish.preflight import Fault, preflight, preflight_json, read_preflight, report_faults
from pica_publish.stages.typeset import allowed_roots, print_stylesheet

UNDO_KEEPS = """
.article-body caption { break-after: auto !important; }
.article-body tbody tr { break-before: auto !important; break-after: auto !important; }
.article-body h2 { break-after: auto !important; }
.article-body pre, .article-body code { white-space: pre !important; overflow-wrap: normal !important; }
"""
"""Undoes the theme's keep and wrap rules, so that the faults the preflight looks for happen."""

BODY = """\
Intro text here.

## Threats

Start 777777777777777777777777777777777777777777777777 and then the paragraph goes on with more words.

| Objective | Lead |
|-|-|
| 1 | a |

Table: Threats. {#tbl:threats}

![Map.](map.png){#fig:map}
"""
FIRST_PAGE = 35
BODY_LINE = 10
"""The file line where the body starts: body line n is file line n + 9."""


@dataclass
class Chapter:
    """What the preflight reads of a chapter."""

    slug: str = "t"
    display_path: str = "chapters/01-t.md"
    body: str = BODY
    body_line: int = BODY_LINE


@pytest.fixture(scope="module")
def typesetter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Typesetter, Path]:
    root = tmp_path_factory.mktemp("preflight")
    return Typesetter(allowed_roots(root), print_stylesheet() + UNDO_KEEPS), root


def faults(typesetter: tuple[Typesetter, Path], columns: str) -> list[Fault]:
    engine, root = typesetter
    html = (
        '<html lang="en"><body><article><div class="article-body">'
        f'<div class="columns">{columns}</div></div></article></body></html>'
    )
    chapter: Any = Chapter()
    return preflight(engine.lay_out(html, root), chapter, FIRST_PAGE)


def spacer(mm: int) -> str:
    return f'<div style="height: {mm}mm"></div>'


TEXT = f"<p>{'steppe ' * 400}</p>"


def table(rows: int) -> str:
    body = "".join(f"<tr><td>Row R{n:02d}</td><td>Lead party {n}</td></tr>" for n in range(rows))
    return (
        '<table id="t-tbl:threats"><caption><strong>Table 1.</strong> Threats.</caption>'
        f"<thead><tr><th>Objective</th><th>Lead</th></tr></thead><tbody>{body}</tbody></table>"
    )


def test_a_short_table_split_after_one_row(typesetter):
    (fault,) = faults(typesetter, spacer(212) + table(3) + TEXT)
    assert fault == Fault(
        FIRST_PAGE,
        "makeup-table-split",
        "chapters/01-t.md",
        11 + BODY_LINE - 1,  # the caption line with the label
        f"table 'tbl:threats' split after 1 row on page {FIRST_PAGE}, "
        "leaving 2 rows for the right column",
    )


def test_a_caption_alone_at_the_column_foot(typesetter):
    (fault,) = faults(typesetter, spacer(224) + table(3) + TEXT)
    assert fault.rule == "makeup-caption-separated"
    assert fault.message == (
        f"caption of Table 1 in the left column of page {FIRST_PAGE}, its table in the right column"
    )
    assert (fault.page, fault.line) == (FIRST_PAGE, 11 + BODY_LINE - 1)


def test_a_heading_alone_at_the_column_foot(typesetter):
    heading = '<h2 id="t-threats">Threats</h2>'
    (fault,) = faults(typesetter, spacer(206) + heading + TEXT)
    assert fault.rule == "makeup-heading-at-foot"
    assert (
        fault.message
        == f"heading 'Threats' alone at the foot of the left column of page {FIRST_PAGE}"
    )
    assert fault.line == 3 + BODY_LINE - 1


def test_an_unbreakable_code_line_runs_into_the_other_column(typesetter):
    code = "result = compute_the_longest_identifier_name_possible(argument_one, argument_two)"
    (fault,) = faults(typesetter, f"<p>Intro text here.</p><pre><code>{code}</code></pre>{TEXT}")
    assert fault.rule == "makeup-overflow"
    assert fault.message.startswith("code line 'result = compute_the_longest_identifier…' runs ")
    assert fault.message.endswith(f" pt past its column on page {FIRST_PAGE}")
    assert fault.line == 0  # code is not searched for in the Markdown


def test_a_figure_that_does_not_fit_leaves_a_hole(typesetter):
    figure = f'<figure id="t-fig:map">{spacer(100)}<figcaption>Figure 1. Map.</figcaption></figure>'
    found = faults(typesetter, f"<p>Intro text here.</p>{spacer(160)}{figure}{TEXT}")
    assert [(f.rule, f.page) for f in found] == [("makeup-column-hole", FIRST_PAGE)]
    message = found[0].message
    assert message.endswith(f" mm empty at the foot of the left column of page {FIRST_PAGE}")
    assert 85 < int(message.split()[0]) < 105


def test_a_hole_is_located_at_the_float_that_left_it(typesetter):
    figure = f'<figure id="t-fig:map">{spacer(100)}<figcaption>Figure 1. Map.</figcaption></figure>'
    floated = f'<div class="float" data-float="0">{figure}</div>'
    (fault,) = faults(typesetter, f"<p>Intro text here.</p>{spacer(160)}{floated}{TEXT}")
    assert fault.rule == "makeup-column-hole"
    assert fault.message.endswith(
        f"at the foot of the left column of page {FIRST_PAGE}: Figure 1 did not fit and went on"
    )
    assert fault.line == 13 + BODY_LINE - 1  # the line of the figure, where its label is


def test_a_hyphen_run_is_named_with_its_words_and_line(typesetter):
    words = (
        "Interdisciplinary conservationists characteristically underestimate institutionalised "
        "internationalisation, notwithstanding extraordinarily comprehensive documentation. "
    )
    narrow = f'<p style="width: 30mm; hyphenate-limit-chars: 5 2 2">{words * 4}</p>'
    found = [f for f in faults(typesetter, narrow) if f.rule == "makeup-hyphen-run"]
    assert found, "the fixture must hyphenate 3 lines in a row"
    assert found[0].page == FIRST_PAGE
    assert " hyphenated line ends in a row on page 35 (" in found[0].message
    assert found[0].line == 0  # not in the chapter's Markdown


def test_a_table_too_wide_even_across_the_page_is_an_error(typesetter, tmp_path):
    engine, root = typesetter
    words = "".join(f"<td>Wildlifeconservationorganisation{n}</td>" for n in range(8))
    html = (
        '<html lang="en"><body><article><div class="article-body">'
        '<div class="wide-block" data-float="0"><table id="t-tbl:threats" class="wide dense">'
        "<caption><strong>Table 1.</strong> Threats.</caption>"
        f"<tbody><tr>{words}</tr><tr>{words}</tr></tbody></table></div>"
        f'<div class="columns">{TEXT}</div></div></article></body></html>'
    )
    chapter: Any = Chapter()
    found = preflight(engine.lay_out(html, root), chapter, FIRST_PAGE)
    assert [f.rule for f in found] == ["makeup-table-too-wide"]  # not also an overflow
    assert found[0].message.startswith("table 'tbl:threats' is ")
    assert found[0].message.endswith(
        f" pt wider than the page's text block on page {FIRST_PAGE}, even across the page in small type"
    )
    assert found[0].line == 11 + BODY_LINE - 1
    report = Report()
    report_faults(report, found)
    assert report.has_errors  # the build fails: the print edition cannot show the table


def test_a_short_line_in_a_justified_paragraph(typesetter):
    paragraph = f"<p>{BODY.splitlines()[4]}</p>"  # a long number after one word
    (fault,) = faults(typesetter, paragraph)
    assert fault.rule == "makeup-short-line"
    assert fault.message.startswith("short line 'Start' (")
    assert fault.message.endswith(f"of its column) in a justified paragraph on page {FIRST_PAGE}")
    assert fault.line == 5 + BODY_LINE - 1  # found by the paragraph's first words


def test_a_clean_layout_has_no_faults(typesetter):
    assert faults(typesetter, f"<h2 id='t-threats'>Threats</h2>{TEXT}") == []


def test_the_report_round_trips():
    found = [
        Fault(40, "makeup-heading-at-foot", "chapters/09.md", 199, "heading 'A' alone"),
        Fault(35, "makeup-column-hole", "chapters/08.md", 0, "33 mm empty"),
    ]
    data = json.loads(preflight_json(found))
    assert data["version"] == 1
    assert [f["page"] for f in data["faults"]] == [35, 40]
    assert data["counts"]["makeup-column-hole"] == 1 and data["counts"]["makeup-overflow"] == 0
    assert read_preflight(preflight_json(found)) == sorted(found)
    assert read_preflight(b"not json") == []


def test_a_build_writes_preflight_json(mini, run_cli):
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 0, result.output
    data = json.loads((mini / "build" / "preflight.json").read_text("utf-8"))
    assert data["version"] == 1
    assert sum(data["counts"].values()) == len(data["faults"])
    again = run_cli("-C", str(mini), "build", "--pdf")  # from the layout cache
    assert again.status == 0
    assert [line for line in again.output.splitlines() if "[makeup-" in line] == [
        line for line in result.output.splitlines() if "[makeup-" in line
    ]


def test_a_table_too_wide_for_the_page_fails_the_build_at_its_line(mini, run_cli):
    chapter = mini / "chapters" / "02-strategy.md"
    header = "| " + " | ".join(f"H{n}" for n in range(10)) + " |"
    rule = "|" + "---|" * 10
    row = "| " + " | ".join(f"Internationalorganisationfor{n}" for n in range(10)) + " |"
    text = chapter.read_text("utf-8")
    table = f"\n\n{header}\n{rule}\n{row}\n{row}\n\nTable: Far too wide. {{#tbl:huge}}\n"
    chapter.write_text(text + table, "utf-8")
    line = (text + table).count("\n", 0, (text + table).index("Table: Far too wide")) + 1
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 1
    assert f"chapters/02-strategy.md:{line}: error: table 'tbl:huge' is " in result.output
    assert "[makeup-table-too-wide]" in result.output
    assert "Traceback" not in result.output
    assert not (mini / "build" / "pdf").exists()  # nothing published
