"""The miniature project built end to end with real pandoc and real WeasyPrint.

HTML is compared with committed golden files (regenerate with ``make golden`` and review the
diff); the PDF is checked for structure: order, running heads, folios, contents, fonts, outline,
links and metadata.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pypdf
import pytest

from pica_publish.cli import main
from pica_publish.pandoc import pandoc_version
from tests.conftest import PROJECTS, edit

GOLDEN = Path(__file__).parent / "golden" / "mini"
ISSUE_LINE = "CATnews Special Issue 99 Autumn 2026"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("e2e") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    assert main(["-C", str(root), "build"]) == 0
    return root


@pytest.fixture(scope="module")
def pdf(built: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(built / "build" / "pdf" / "catnews-special-issue-99.pdf")


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


def test_html_site_is_self_contained(built):
    site = built / "build" / "html"
    assert (site / "assets" / "style.css").is_file()
    for name, text in html_pages(built).items():
        for url in re.findall(r'(?:src|href)="([^"]+)"', text):
            if url.startswith(("https://orcid.org/", "https://doi.org/", "mailto:", "#")):
                continue  # outbound links readers follow; nothing the page loads
            assert not re.match(r"^[a-z]+:", url), f"{name} loads {url}"
            target = (site / name).parent / url.split("#")[0]
            assert target.exists(), f"{name}: broken link {url}"
    css = (site / "assets" / "style.css").read_text("utf-8")
    for font in re.findall(r'url\("([^"]+)"\)', css):
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
    assert len(texts) == 6  # cover, masthead, contents, three one-page articles
    assert "CATnews" in texts[0] and "A miniature test issue" in texts[0]
    assert "Contents" in texts[2]
    titles = [
        "Editorial for a miniature issue",
        "Dens and home ranges of the Pallas’s cat",
        "Conservation strategy for a miniature issue",
    ]
    for page, title in zip(texts[3:], titles, strict=True):
        assert title in page
    assert "chapter 2" in texts[-1] and "Conservation strategy" in texts[-1]  # strategy last


def test_running_heads_and_two_digit_folios(pdf):
    texts = page_texts(pdf)
    for number, text in enumerate(texts[3:], start=4):
        flat = text.replace("\n", " ")
        assert ISSUE_LINE in flat
        assert re.search(rf"(^|\s)0{number}(\s|$)", flat), f"page {number} lacks folio 0{number}"
    assert "Петрова et al." in texts[4]
    assert "Editor" in texts[3]


def test_cover_has_no_running_head(pdf):
    text = page_texts(pdf)[0]
    assert "01" not in text.split()


def test_contents_numbers_are_the_real_start_pages(built, pdf):
    contents = page_texts(pdf)[2].replace("\n", " ")
    page_map = (built / "build" / "pagemap.json").read_text()
    assert re.search(r"Editorial for a miniature issue \.+\s*04", contents)
    assert re.search(r"Dens and home ranges \.+\s*05", contents)
    assert re.search(r"Conservation strategy for a miniature issue \.+\s*06", contents)
    assert '"first": 5' in page_map


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
    assert [s.title for s in sections] == ["Dens", "Home ranges", "Notes", "References"]


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
    assert list(dict.fromkeys(targets)) == [3, 4, 5]  # a link may be split in several boxes


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
    again = run_cli("-C", str(mini), "-v", "build", "--pdf")
    assert "Step 5.1 - Print edition unchanged: reusing its layout" in again.lines
    assert (mini / "build/pdf/catnews-special-issue-99.pdf").read_bytes() == first
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")
    changed = run_cli("-C", str(mini), "-v", "build", "--pdf")
    assert "Step 5.1 - Print edition unchanged: reusing its layout" not in changed.lines
    assert (
        "Protect dens"
        in pypdf.PdfReader(mini / "build/pdf/catnews-special-issue-99.pdf").pages[5].extract_text()
    )
