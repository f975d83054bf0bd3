"""Chapters written with LaTeX, R Markdown, Quarto and git habits: each renders right or is
refused by ``check`` at its exact line and column, never printed wrong in silence.

Every file under ``tests/corpus/body/`` is a whole chapter, then a line ``=== check ===`` and one
``LINE:COLUMN rule-id`` per diagnostic that chapter must get (none: it passes), in report order.
The corpus replaces ``chapters/01-dens.md`` of the miniature project.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from pica_publish import rules
from pica_publish.cli import main
from pica_publish.markdown import scan_body
from pica_publish.print_html import column_segments
from tests.conftest import PROJECTS

CORPUS = sorted((Path(__file__).parent / "corpus" / "body").glob("*.md"))
CHAPTER = "chapters/01-dens.md"
DIAGNOSTIC_RE = re.compile(
    rf"^{re.escape(CHAPTER)}:(\d+):(\d+): (?:error|warning|info): .*\[([a-z0-9-]+)\]$"
)
PROVOKED = {
    "body-raw-tex",
    "body-executable-chunk",
    "body-shortcode",
    "body-merge-conflict",
    "fenced-div-unbalanced",
    "refs-div-misplaced",
    "figure-in-text",
    "link-local-file",
    "front-matter-tool-key",
    "image-unreadable",
    "callout-unknown",
}
"""The rules of issue 13 the corpus provokes (each must be expected by some corpus file)."""


def _corpus(path: Path) -> tuple[str, list[str]]:
    chapter, expected = path.read_text("utf-8").split("=== check ===\n")
    return chapter, [line for line in expected.splitlines() if line.strip()]


def _damaged_images(figures: Path) -> None:
    """A PNG and a JPEG cut short (their headers read fine), a PNG with one flipped byte."""
    import weasyprint  # noqa: F401 - makes Pillow accept truncated images, process-wide

    png = (figures / "dens.png").read_bytes()
    (figures / "truncated.png").write_bytes(png[: len(png) * 2 // 3])
    corrupted = bytearray(png)
    corrupted[len(png) // 2] ^= 0xFF
    (figures / "corrupted.png").write_bytes(bytes(corrupted))
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "peru").save(buffer, "JPEG", quality=90)
    jpeg = buffer.getvalue()
    (figures / "intact.jpg").write_bytes(jpeg)
    (figures / "truncated.jpg").write_bytes(jpeg[: len(jpeg) * 2 // 3])


@pytest.mark.parametrize("corpus", CORPUS, ids=[path.stem for path in CORPUS])
def test_corpus_chapter_is_rendered_or_refused_at_its_line(corpus: Path, mini: Path, run_cli):
    chapter, expected = _corpus(corpus)
    (mini / CHAPTER).write_text(chapter, "utf-8")
    _damaged_images(mini / "chapters" / "figures")
    result = run_cli("-C", str(mini), "check")
    found = [
        f"{match[1]}:{match[2]} {match[3]}"
        for line in result.lines
        if (match := DIAGNOSTIC_RE.match(line))
    ]
    assert found == expected, result.output
    assert "Traceback" not in result.output
    errors = any(rules.BY_ID[line.split()[1]].severity == rules.ERROR for line in expected)
    assert result.status == (1 if errors else 0)


def test_the_corpus_provokes_every_new_rule():
    expected = {line.split()[1] for path in CORPUS for line in _corpus(path)[1]}
    assert expected >= PROVOKED
    assert PROVOKED <= set(rules.BY_ID)


def test_front_matter_errors_do_not_hide_the_body(mini: Path, run_cli):
    """A wrong ORCID leaves the chapter out of the build, but its body is still checked."""
    chapter, _ = _corpus(next(p for p in CORPUS if p.stem == "front-matter-error"))
    (mini / CHAPTER).write_text(chapter, "utf-8")
    result = run_cli("-C", str(mini), "build", "--html")
    assert result.status == 1
    assert "unknown citation key 'ross2010dem'" in result.output
    assert not (mini / "build" / "html").exists()


def test_a_yaml_syntax_error_does_not_hide_the_body(mini: Path, run_cli):
    """Broken YAML (a tab) is reported at its line, and the body after the closing fence is
    still checked: one run shows both problems, with no follow-on noise."""
    path = mini / CHAPTER
    source = path.read_text("utf-8").replace("keywords:", "keywords:\t[x]\nbad:\t1\nk:", 1)
    path.write_text(source.replace("[@ross2010den]", "[@ross2010dem]", 1), "utf-8")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    codes = [line.rsplit("[", 1)[-1].rstrip("]") for line in result.lines if ": error: " in line]
    assert codes == ["yaml-tab", "citation-unknown"], result.output
    assert "unknown citation key 'ross2010dem'" in result.output


# --- what the scan gives the math renderer ------------------------------------------------------


def test_math_is_found_with_positions_and_labels():
    scan = scan_body(
        "Inline $\\alpha$ and $$ E = mc^2 $$ {#eq:energy} here.\n"
        "\n"
        "$$\n\\frac{a}{b}\n$$\n"
        "\n"
        "Money: $20,000 and $30,000; `$code$`; $x$5 is no math; > not\n"
        "\n"
        "> quoted $y^2$\n"
    )
    assert [(m.tex, m.display, m.line, m.column, m.label) for m in scan.math] == [
        ("\\alpha", False, 1, 8, None),
        (" E = mc^2 ", True, 1, 21, "eq:energy"),
        ("\n\\frac{a}{b}\n", True, 3, 1, None),
        ("y^2", False, 9, 10, None),
    ]
    assert [label.text for label in scan.labels] == ["eq:energy"]
    assert scan.raw_tex == ()


def test_cross_references_include_equations_and_quarto_aliases():
    scan = scan_body("See @eq:energy, @fig-map and [@tbl-sites].\n\n![Map.](m.png){#fig-map}\n")
    assert [ref.text for ref in scan.cross_refs] == ["eq:energy", "fig-map", "tbl-sites"]
    assert [label.text for label in scan.labels] == ["fig:map"]
    assert scan.citations == ()


def test_numbered_examples_are_not_citations():
    scan = scan_body("(@good) An example [@ross2010den].\n(@) Another.\n\nAs (@good) shows.\n")
    assert [(c.text, c.line, c.column) for c in scan.citations] == [("ross2010den", 1, 21)]


# --- rendering --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> lxml_html.HtmlElement:
    """The web page of the corpus chapter that renders, built with the real pandoc."""
    import shutil

    root = tmp_path_factory.mktemp("body") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    chapter, _ = _corpus(next(p for p in CORPUS if p.stem == "quarto-render"))
    (root / CHAPTER).write_text(chapter, "utf-8")
    assert main(["-C", str(root), "-q", "build", "--html"]) == 0
    page = lxml_html.parse(str(root / "build" / "html" / "dens" / "index.html")).getroot()
    body = page.find_class("article-body")
    assert len(body) == 1
    return body[0]


def _text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_quarto_cross_references_are_numbered(rendered: lxml_html.HtmlElement):
    links = {link.get("href"): _text(link) for link in rendered.find_class("cross-ref")}
    assert links == {
        "#dens-fig:dens": "Fig. 1",
        "#dens-tbl:dens": "Table 1",
        "#dens-sec:dens": "Dens",
    }
    figure = rendered.get_element_by_id("dens-fig:dens")
    assert _text(figure.find("figcaption")).startswith("Fig. 1.")


def test_callouts_are_boxes_with_titles(rendered: lxml_html.HtmlElement):
    boxes = rendered.find_class("callout")
    assert [box.get("class") for box in boxes] == [
        "callout callout-note",
        "callout callout-warning",
        "callout callout-tip",
    ]
    titles = [_text(box.find_class("callout-title")[0]) for box in boxes]
    assert titles == ["Field methods", "Kittens", "Tip"]
    assert boxes[0].find_class("callout-title")[0].find(".//em") is not None
    assert [_text(h) for h in rendered.iter("h2", "h3")] == ["Dens"]  # the title left the body


def test_examples_are_numbered_and_the_page_break_is_a_block(rendered: lxml_html.HtmlElement):
    assert [_text(item) for item in rendered.iter("li") if "example" in _text(item)] == [
        "A first numbered example."
    ]
    assert any(_text(p).startswith("As (1) shows") for p in rendered.iter("p"))
    assert len(rendered.find_class("page-break")) == 1
    assert "\\newpage" not in _text(rendered)


def test_the_empty_refs_div_is_dropped_and_references_come_last(rendered: lxml_html.HtmlElement):
    article = next(rendered.iterancestors("article"))
    refs = article.get_element_by_id("dens-refs")
    assert "references" in (refs.getparent().get("class") or "")  # the article's own section
    assert rendered not in refs.iterancestors()  # not inside the body, where the div was
    assert [entry.get("id") for entry in refs.find_class("csl-entry")] == [
        "dens-ref-ross2010den",
        "dens-ref-ross2012spatial",
    ]


def test_a_page_break_starts_a_new_column_box_in_print():
    segments = column_segments('<p>a</p><div class="page-break"></div><p>b</p>')
    assert [segment.kind for segment in segments] == ["columns", "columns"]
    assert segments[1].html.startswith('<div class="page-break">')


PATHOLOGICAL = {
    "fence of colons": ":" * 60_000 + " x y",
    "unclosed \\(": "\\(" * 30_000,
    "unclosed \\[": "\\[" * 30_000,
    "unclosed shortcodes": "{{<" * 20_000,
    "unclosed comments": "<!--" * 15_000,
    "unclosed images in HTML": "<div>\n" + "![" * 30_000 + "\n</div>",
    "dollars": "$a " * 20_000,
    "backslashes": "\\" * 60_000,
    "conflict markers": "\n".join(["<<<<<<< x", "======="] * 5_000),
}


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_the_scan_stays_linear_on_hostile_lines(body: str):
    import time

    started = time.process_time()
    scan_body(body + "\n")
    assert time.process_time() - started < 10  # about 1 s; quadratic would take minutes


def test_math_in_the_front_matter_is_refused_at_its_field(mini: Path, run_cli):
    """Front-matter fields are inline Markdown, not pandoc: TeX math there would reach the
    contents, the PDF metadata and every export as source. Prices are not math."""
    path = mini / CHAPTER
    source = path.read_text("utf-8")
    source = source.replace(
        'title: "Dens and home ranges of the Pallas\'s cat"',
        'title: "Dens of $\\\\alpha$-males"',
    ).replace("keywords: [", 'keywords: ["$\\\\delta^{13}$C", costs of $5 and $10, ')
    path.write_text(source, "utf-8")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    found = [line for line in result.lines if line.endswith("[front-matter-math]")]
    assert found == [
        (
            "chapters/01-dens.md:2:8: error: the title holds TeX math '$\\alpha$', which would "
            "be printed as TeX [front-matter-math]"
        ),
        (
            "chapters/01-dens.md:21:12: error: keyword 1 holds TeX math '$\\delta^{13}$', "
            "which would be printed as TeX [front-matter-math]"
        ),
    ], result.output


def test_the_callout_types_checked_are_the_ones_the_filter_boxes():
    from pica_publish.checks.dialects import CALLOUT_TYPES
    from pica_publish.theme import theme_path

    lua = theme_path("filters", "quarto.lua").read_text("utf-8")
    table = lua.split("local CALLOUTS = {", 1)[1].split("}", 1)[0]
    assert set(re.findall(r"(\w+) = \"", table)) == set(CALLOUT_TYPES)
