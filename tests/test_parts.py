"""The print edition as parts: each laid out alone, kept across builds, joined with pikepdf.

- An edit lays out only the part it changed (the log says which parts were reused).
- The joined issue PDF keeps what one WeasyPrint document had: every link resolves to the page
  holding its target (contents → article across parts too), one outline entry per part heading,
  one structure tree under one Document element whose ParentTree matches the pages, page labels
  from the folios, metadata per offprint.
- Two cold builds give the same bytes.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pikepdf
import pypdf
import pytest

from pica_publish.cli import main
from pica_publish.part_cache import SEARCHES
from pica_publish.stages import typeset
from tests.conftest import PROJECTS, edit

ISSUE_PDF = "catnews-special-issue-99.pdf"


def _build(
    root: Path, capsys: pytest.CaptureFixture[str] | None = None, jobs: int = 2
) -> list[str]:
    """Build the print edition with -v; the progress lines it printed."""
    if capsys is not None:
        capsys.readouterr()
    assert main(["-C", str(root), "build", "--pdf", "-v", "--jobs", str(jobs)]) == 0
    return capsys.readouterr().err.splitlines() if capsys is not None else []


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    return root


def test_a_one_word_edit_lays_out_that_article_only(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    first = _build(project, capsys)
    assert any("dens from page" in m and "laying out" in m for m in first)
    edit(project / "chapters" / "02-strategy.md", "Secure dens", "Protect dens")
    second = _build(project, capsys)
    laid = [m.split(" from page")[0].strip() for m in second if m.endswith(": laying out")]
    reused = [m.split(" from page")[0].strip() for m in second if "unchanged" in m]
    assert laid == ["strategy"], second
    assert {"cover", "masthead", "editorial", "dens", "contents"} <= set(reused), second


def test_two_cold_builds_with_different_jobs_give_the_same_bytes(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    """One process, then worker processes: the same parts, the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    _build(project, jobs=1)
    first = {
        name: (project / "build" / "pdf" / name).read_bytes()
        for name in [ISSUE_PDF, "offprints/dens.pdf"]
    }
    shutil.rmtree(project / "build")  # the part cache with it: a second cold build
    _build(project, jobs=2)
    for name, data in first.items():
        assert (project / "build" / "pdf" / name).read_bytes() == data, name


def test_an_edit_lays_out_ahead_what_the_last_search_tried_and_gives_a_cold_builds_bytes(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """The placements dens's search tried are laid out in a forked copy while the first layout
    is made here; the search takes them from there. The PDFs are those of a cold build of the
    same sources in one process (``--jobs 1``: nothing laid out ahead)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    _build(project, capsys)
    searches = json.loads((project / "build" / ".cache" / "parts" / SEARCHES).read_text("utf-8"))
    assert searches["dens"], "the fixture's search of dens must try placements"
    edit(project / "chapters" / "01-dens.md", "depend on rock crevices", "rely on rock crevices")
    second = _build(project, capsys)
    assert any(
        m.strip() == f"dens: laying out {len(searches['dens'])} placement(s) ahead" for m in second
    ), second
    assert any(m.strip() == "dens: took a layout made ahead" for m in second), second
    names = [ISSUE_PDF, "offprints/dens.pdf"]
    made = {name: (project / "build" / "pdf" / name).read_bytes() for name in names}
    shutil.rmtree(project / "build")  # in the same folder: image names hash their paths
    third = _build(project, capsys, jobs=1)
    assert not any("made ahead" in m or "placement(s) ahead" in m for m in third), third
    for name in names:
        assert (project / "build" / "pdf" / name).read_bytes() == made[name], name


def test_when_laying_out_ahead_fails_the_search_lays_out_itself(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    _build(project, capsys)
    tried = (project / "build" / ".cache" / "parts" / SEARCHES).read_text("utf-8")

    def broken(self: object, placement: object) -> None:
        raise MemoryError  # the copy dies; its results never come

    monkeypatch.setattr(typeset.ArticleSearch, "lay_out_here", broken)
    edit(project / "chapters" / "01-dens.md", "depend on rock crevices", "rely on rock crevices")
    second = _build(project, capsys)
    assert any("dens: laying out" in m and "ahead" in m for m in second), second
    assert not any("took a layout made ahead" in m for m in second), second
    assert (project / "build" / ".cache" / "parts" / SEARCHES).read_text("utf-8") == tried


def test_nothing_is_laid_out_ahead_with_one_job(project: Path, capsys: pytest.CaptureFixture[str]):
    """``--jobs 1`` uses one core: the single-core reference of ``make bench`` stays that."""
    _build(project, capsys, jobs=1)
    edit(project / "chapters" / "01-dens.md", "depend on rock crevices", "rely on rock crevices")
    second = _build(project, capsys, jobs=1)
    assert any(
        m.strip().startswith("dens from page") and m.endswith(": laying out") for m in second
    ), second
    assert not any("made ahead" in m or "placement(s) ahead" in m for m in second), second


def _named_destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    tree = pikepdf.NameTree(pdf.Root.Names.Dests)
    return {str(name): pages[dest[0].objgen] for name, dest in tree.items()}


def test_the_joined_issue_keeps_links_outline_structure_and_labels(built: Path):
    data = (built / "build" / "pdf" / ISSUE_PDF).read_bytes()
    pdf = pikepdf.open(io.BytesIO(data))
    reader = pypdf.PdfReader(io.BytesIO(data))
    texts = [page.extract_text() for page in reader.pages]
    names = _named_destinations(pdf)
    # Every link resolves; the contents' links (another part) lead to each article's first page.
    contents = next(i for i, text in enumerate(texts) if "Contents" in text)
    followed = []
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annot:
                dest = annot.Dest
                target = names[str(dest)] if isinstance(dest, pikepdf.String) else None
                assert target is not None, annot
                if index == contents:
                    followed.append(target)
            else:
                action = annot.get("/A")
                assert action is not None and action.get("/S") == "/URI", annot
                assert "cross-part.invalid" not in str(action.URI), annot
    assert len(followed) >= 3
    for target in followed:
        assert target > contents
    # Outline: one entry per part and per article heading, in page order.
    with pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles[:3] == ["Cover", "Masthead", "Contents"]
    # One structure tree, one Document element; ParentTree keys = the pages' StructParents.
    root = pdf.Root.StructTreeRoot
    kids = root.K if isinstance(root.K, pikepdf.Array) else [root.K]
    assert len(kids) == 1 and kids[0].S == "/Document"
    parent_tree = pikepdf.NumberTree(root.ParentTree)
    keys = {int(k) for k, _ in parent_tree.items()}
    page_keys = {int(p.obj.StructParents) for p in pdf.pages if "/StructParents" in p.obj}
    assert page_keys <= keys and len(page_keys) == len(pdf.pages)
    assert str(pdf.Root.Lang) == "en" and bool(pdf.Root.MarkInfo.Marked)
    with pdf.open_metadata() as meta:
        assert meta.get("pdfuaid:part") == "1"
    # Page labels: the folios.
    assert reader.page_labels[-1] == str(len(reader.pages))


def test_an_offprint_has_its_article_metadata_and_folios(built: Path):
    path = built / "build" / "pdf" / "offprints" / "dens.pdf"
    pdf = pikepdf.open(path)
    with pdf.open_metadata() as meta:
        assert meta.get("dc:title") == "Dens and home ranges of the Pallas’s cat"
        assert meta.get("dc:creator") == [
            "Анна Сергеевна Петрова",
            "Batbayar Tsend",
            "Gülşen Öztürk",
        ]
        assert meta.get("pdfuaid:part") == "1"
    assert str(pdf.docinfo["/Keywords"]) == "Otocolobus manul, dens, home range"
    # The cover and masthead keep their folios, the article its own: 1, 2, then 5, 6.
    assert pypdf.PdfReader(path).page_labels == ["1", "2", "5", "6"]


def test_a_preview_after_a_build_reuses_the_article_it_laid_out(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """A preview is joined from the same part cache: an article unchanged since the last full
    build is not laid out again, and sits at its folio of that build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    _build(project, capsys)
    first, _last = _page_map(project)["dens"]
    assert main(["-C", str(project), "-v", "preview", "chapters/01-dens.md"]) == 0
    log = capsys.readouterr().err.splitlines()
    assert any(m.strip() == f"dens from page {first}: unchanged (laid out before)" for m in log), (
        log
    )
    assert not any(m.endswith(": laying out") for m in log), log
    reader = pypdf.PdfReader(project / "build" / "preview" / "dens.pdf")
    assert list(reader.page_labels)[:3] == ["1", "2", str(first)]
    with pikepdf.open(project / "build" / "preview" / "dens.pdf") as pdf:
        assert "/StructTreeRoot" in pdf.Root and "/Outlines" in pdf.Root


def _page_map(root: Path) -> dict[str, tuple[int, int]]:
    from pica_publish.pagemap import read_page_map

    return dict(read_page_map(root / "build"))
