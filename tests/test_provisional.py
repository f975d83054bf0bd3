"""Page numbers that are not known for certain say so (:mod:`pica_publish.print_sources`).

A chapter preview starts at the page the last full build gave the chapter; when there is no
such build, or something before the chapter changed since (an earlier chapter, the manifest,
the bibliography, the contents), its page numbers are provisional: the PDF says so on every page
and in the suggested citation, and the command reports ``pages-provisional``.
"""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from tests.conftest import edit

MARK = "page numbers are provisional"


@pytest.fixture(autouse=True)
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")


def preview(mini: Path, run_cli, chapter: str = "02-strategy"):  # type: ignore[no-untyped-def]
    result = run_cli("-C", str(mini), "preview", f"chapters/{chapter}.md")
    assert result.status == 0, result.output
    slug = chapter.split("-", 1)[1]
    reader = pypdf.PdfReader(mini / "build" / "preview" / f"{slug}.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return result, text


def test_a_preview_without_a_full_build_is_marked_provisional(mini: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result, text = preview(mini, run_cli)
    assert MARK in text and "(page numbers provisional)" in text
    assert any("[pages-provisional]" in line for line in result.lines), result.output


def test_a_preview_after_a_full_build_is_not(mini: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("-C", str(mini), "build", "--pdf").status == 0
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")  # its own text
    result, text = preview(mini, run_cli)
    assert MARK not in text and "provisional" not in text
    assert not any("[pages-provisional]" in line for line in result.lines), result.output


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("chapters/01-dens.md", "Dens and home ranges", "Dens, burrows and home ranges"),
        ("references/mini.bib", "year = {2010}", "year = {2011}"),
    ],
)
def test_a_change_before_the_chapter_makes_it_provisional_again(
    mini: Path, run_cli, path: str, old: str, new: str
) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("-C", str(mini), "build", "--pdf").status == 0
    edit(mini / path, old, new)
    result, text = preview(mini, run_cli)
    assert MARK in text
    assert any("[pages-provisional]" in line for line in result.lines), result.output


def test_the_web_edition_never_offers_an_older_print_edition(mini: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """After a chapter changed, a web-only build leaves out the last print build's PDFs and page
    ranges (with a warning) rather than offer pages of another text; building both editions
    brings them back."""
    assert run_cli("-C", str(mini), "build").status == 0
    page = mini / "build" / "html" / "dens" / "index.html"
    assert "offprints/dens.pdf" in page.read_text("utf-8")
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")
    stale = run_cli("-C", str(mini), "build", "--html")
    assert stale.status == 0
    assert any("[print-edition-stale]" in line for line in stale.lines), stale.output
    text = page.read_text("utf-8")
    assert "offprints/" not in text and ".pdf" not in text
    both = run_cli("-C", str(mini), "build")
    assert not any("[print-edition-stale]" in line for line in both.lines), both.output
    assert "offprints/dens.pdf" in page.read_text("utf-8")
