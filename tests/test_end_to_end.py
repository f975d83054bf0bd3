"""The miniature project built end to end with real pandoc and real WeasyPrint.

HTML is compared with committed golden files (regenerate with ``make golden`` and review the
diff); the PDF is checked for structure: order, running heads, folios, contents, fonts, outline,
links and metadata.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pypdf

from pica_publish.pandoc import pandoc_version
from tests.conftest import edit, flat

GOLDEN = Path(__file__).parent / "golden" / "mini"
ISSUE_LINE = "CATnews Special Issue 99 Autumn 2026"


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


# --- HTML edition: golden files -----------------------------------------------------------------


def html_pages(root: Path) -> dict[str, str]:
    site = root / "build" / "html"
    return {
        path.relative_to(site).as_posix(): path.read_text("utf-8")
        for path in sorted(site.rglob("*.html"))
    }


def test_golden_files_match_this_pandoc():
    assert (GOLDEN / "PANDOC_VERSION").read_text().strip() == pandoc_version(), (
        "golden files were made with another pandoc: run `make golden` and review the diff"
    )


def test_html_matches_golden_files(built):
    pages = html_pages(built)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in pages.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, "utf-8")
        (GOLDEN / "PANDOC_VERSION").write_text(pandoc_version() + "\n")
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text("utf-8") for p in GOLDEN.rglob("*.html")
    }
    assert sorted(pages) == sorted(expected)
    for name, text in pages.items():
        assert text == expected[name], f"{name} differs from tests/golden/mini/{name}"


def test_html_site_fonts_are_served_by_the_site(built):
    site = built / "build" / "html"
    css = (site / "assets" / "style.css").read_text("utf-8")
    fonts = re.findall(r'url\("([^"]+)"\)', css)
    families = re.findall(r'font-family: "([^"]+)"', css)
    assert {"Noto Serif", "Noto Sans", "JetBrains Mono"} <= set(families)
    assert not [f for f in fonts if "STIX" in f]  # no math in this issue: no math font
    for font in fonts:
        assert (site / "assets" / font).is_file()


def test_each_article_prints_only_its_own_references(built):
    pages = html_pages(built)
    editorial, dens = pages["editorial/index.html"], pages["dens/index.html"]
    assert 'id="editorial-ref-ross2010den"' in editorial
    assert "ross2012spatial" not in editorial
    assert 'id="dens-ref-ross2012spatial"' in dens and 'id="dens-ref-ross2010den"' in dens


# --- print edition: structure -------------------------------------------------------------------


def test_pdf_pages_and_article_order(pdf):
    texts = page_texts(pdf)
    # cover, masthead, contents, editorial, chapter (2 pages), strategy; then 3 notes pages, the
    # inside back cover and the back cover: a printed issue has a multiple of four pages
    assert len(texts) == 12
    assert "CATnews" in texts[0] and "A miniature test issue" in texts[0]
    assert "Contents" in texts[2]
    titles = {
        3: "Editorial for a miniature issue",
        4: "Dens and home ranges of the Pallas’s cat",
        6: "Conservation strategy for a miniature issue",
    }
    for index, title in titles.items():
        assert title in texts[index]
    assert "chapter 2" in texts[6] and "Conservation strategy" in texts[6]  # strategy last
    assert all("Notes" in text for text in texts[7:10])
    assert "Published by" in texts[10] and "ISSN 1027-2992" in texts[11]


def test_running_heads_and_two_digit_folios(pdf):
    texts = page_texts(pdf)
    for number, text in enumerate(texts[3:10], start=4):  # the articles and the notes pages
        joined = text.replace("\n", " ")
        assert ISSUE_LINE in joined
        assert re.search(rf"(^|\s){number:02d}(\s|$)", joined), f"page {number} lacks its folio"
    assert "Петрова et al." in texts[4]
    assert "Editor" in texts[3]


def test_cover_has_no_running_head(pdf):
    text = page_texts(pdf)[0]
    assert "01" not in text.split()


def test_contents_numbers_are_the_real_start_pages(built, pdf):
    texts = page_texts(pdf)
    contents = texts[2].replace("\n", " ")
    page_map = json.loads((built / "build" / "pagemap.json").read_text())
    assert page_map == {
        "editorial": {"first": 4, "last": 4},
        "dens": {"first": 5, "last": 6},
        "strategy": {"first": 7, "last": 7},
    }
    titles = {
        "editorial": "Editorial for a miniature issue",
        "dens": "Dens and home ranges of the Pallas’s cat",  # full titles, as CATnews prints
        "strategy": "Conservation strategy for a miniature issue",
    }
    for slug, title in titles.items():
        first = page_map[slug]["first"]
        assert re.search(rf"{title} \.+\s*{first:02d}", contents)
        assert title in texts[first - 1]  # the article really starts on the printed page


def test_every_font_is_embedded_and_cyrillic_has_glyphs(pdf):
    seen = 0
    for page in pdf.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            assert "Noto" in str(font["/BaseFont"])
            seen += 1
    assert seen > 0
    assert "АННА СЕРГЕЕВНА ПЕТРОВА" in page_texts(pdf)[4]
    assert "GÜLŞEN ÖZTÜRK" in page_texts(pdf)[4]


def test_outline_has_an_entry_per_article(pdf):
    titles = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert titles == [
        "Cover",
        "Masthead",
        "Contents",
        "Editorial: Editorial for a miniature issue",
        "Chapter 1: Dens and home ranges",
        "Chapter 2: Conservation strategy for a miniature issue",
        "Notes",
        "Partners",
        "Back cover",
    ]
    sections = pdf.outline[
        pdf.outline.index(
            next(
                i
                for i in pdf.outline
                if not isinstance(i, list) and i.title.startswith("Chapter 1")
            )
        )
        + 1
    ]
    assert [s.title for s in sections] == ["Dens", "Home ranges", "References"]


def test_contents_links_jump_to_the_articles(pdf):
    contents = pdf.pages[2]
    targets = []
    for annotation in contents.get("/Annots", []):
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        destination = annotation.get("/Dest") or annotation["/A"].get("/D")
        if isinstance(
            destination, (str, pypdf.generic.TextStringObject, pypdf.generic.ByteStringObject)
        ):
            destination = pdf.named_destinations[str(destination)]
            targets.append(pdf.get_destination_page_number(destination))
        else:
            targets.append(pdf.get_page_number(destination[0].get_object()))
    assert list(dict.fromkeys(targets)) == [3, 4, 6]  # a link may be split in several boxes


def test_pdf_metadata(pdf):
    assert pdf.metadata.title == f"{ISSUE_LINE}: A miniature test issue"
    assert pdf.metadata.author == "Test Editor"
    assert "Otocolobus manul" in pdf.metadata["/Keywords"]


# --- failures leave the previous build untouched ------------------------------------------------


def test_failed_build_keeps_previous_outputs(mini, run_cli):
    assert run_cli("-C", str(mini), "build", "--html").status == 0
    index = mini / "build" / "html" / "index.html"
    before = index.read_bytes()
    edit(
        mini / "chapters/02-strategy.md",
        "## Vision\n",
        "## Vision\n\n![Map](figures/missing.png)\n",
    )
    result = run_cli("-C", str(mini), "build", "--html")
    assert result.status == 1
    assert (
        "chapters/02-strategy.md:15:8: error: image file 'figures/missing.png' not found [image-missing]"
        in result.lines
    )
    assert index.read_bytes() == before
    assert not [p for p in (mini / "build").iterdir() if p.name.startswith((".staging", ".old"))]


def test_check_reports_a_broken_chapter_with_file_and_line(mini, run_cli):
    edit(mini / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert result.lines[0].startswith("chapters/01-dens.md:26:71: error:")


def test_unchanged_issue_is_not_laid_out_again(mini, run_cli):
    assert run_cli("-C", str(mini), "build", "--pdf").status == 0
    first = (mini / "build/pdf/catnews-special-issue-99.pdf").read_bytes()
    again = run_cli("-C", str(mini), "-v", "build", "--pdf")  # no stage runs at all
    assert "Nothing changed since the last build: its outputs are current" in again.lines
    os.utime(mini / "chapters/01-dens.md")  # the same text, newer: the stages run, from caches
    touched = run_cli("-C", str(mini), "-v", "build", "--pdf")
    assert "Step 5.1 - Print edition unchanged: reusing its layout" in touched.lines
    assert (mini / "build/pdf/catnews-special-issue-99.pdf").read_bytes() == first
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")
    changed = run_cli("-C", str(mini), "-v", "build", "--pdf")
    assert "Step 5.1 - Print edition unchanged: reusing its layout" not in changed.lines
    pages = pypdf.PdfReader(mini / "build/pdf/catnews-special-issue-99.pdf").pages
    assert "Protect dens" in pages[6].extract_text()  # the strategy's page


# --- figures, tables, cross-references and footnotes in the PDF --------------------------------


def drawn_boxes(page) -> tuple[list[float], list[float]]:
    """Widths (pt) of raster images drawn on a page and of filled rectangles (vector art)."""
    images: list[float] = []
    rectangles: list[float] = []

    def visit(operator, operands, cm, tm):
        if operator == b"Do":
            images.append(abs(cm[0]))
        elif operator == b"re":
            rectangles.append(abs(float(operands[2]) * cm[0]))

    page.extract_text(visitor_operand_before=visit)
    return images, rectangles


def test_captions_and_cross_references_are_numbered(pdf):
    text = flat(" ".join(page_texts(pdf)[4:6]))
    for caption in (
        "Fig. 1. Dens used per month",
        "Fig. 2. The study area",
        "Table 1. Radio-collared",
        "Table 2. Den types by season",
    ):
        assert caption in text
    for reference in (
        "shown in Fig. 1 and the study area in (Fig. 2)",
        "listed in Table 1",
        "dens in Table 2",
        "see also Dens",
    ):
        assert reference in text


def test_cross_references_are_links_within_the_article(pdf):
    names = [
        str(a.get_object()["/Dest"])
        for page in pdf.pages[4:6]  # the article's pages
        for a in page.get("/Annots", [])
        if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()
    ]
    assert {
        "dens-fig:dens",
        "dens-fig:range",
        "dens-tbl:sites",
        "dens-tbl:dens",
        "dens-sec:dens",
    } <= set(names)
    for name in names:
        assert name in pdf.named_destinations


def test_footnote_is_on_the_page_of_its_call(pdf):
    texts = [flat(t) for t in page_texts(pdf)]
    call_page = next(i for i, t in enumerate(texts) if "related home-range size" in t)
    note_pages = [i for i, t in enumerate(texts) if "A footnote in the chapter." in t]
    assert note_pages == [call_page]


def test_wide_figure_spans_the_columns_and_images_fit_the_column(pdf):
    images, rectangles = drawn_boxes(pdf.pages[4])
    column = images[0]  # the raster figure fills one column
    assert 230 < column < 250  # (A4 − margins − gap) / 2 ≈ 241 pt
    assert max(rectangles) > 1.9 * column  # the wide SVG figure is drawn across both columns


def test_raster_downsampled_and_svg_kept_vector(pdf):
    xobjects = pdf.pages[4]["/Resources"]["/XObject"]
    widths = sorted(x.get_object()["/Width"] for x in xobjects.values())
    assert widths == [1003]  # 1600 px PNG at 300 dpi over 85 mm; the SVG is no image at all
