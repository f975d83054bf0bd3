"""The issue frame of issue.yml (issue 16): cover photograph, logos, masthead fields, contents
with full titles and bylines, and the back pages that make the printed issue a multiple of four.

The check is tested on the frame's files (missing, unsafe, too few pixels: located at their
field in issue.yml); the build on the miniature project with a frame, read back with pypdf.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from pica_publish.checks.frame import full_page_pixels
from pica_publish.stages.typeset import back_pages
from tests.conftest import edit
from tests.test_math import structure_alts

ROOT = Path(__file__).resolve().parent.parent
FRAME = """\
standing_statement: >-
  CATnews is the newsletter of a test group, written for this test.
associate_editors:
  - name: Associate Person
    affiliation: Test Institute
    address: "Test Street 1, 1000 Testtown"
production:
  design: Test Design Studio
  layout: Test Layout Desk
  print: Test Printers
cover:
  image: frame/cover.jpg
  credit: "Photo: Test Photographer, Kotbas Hills"
  alt: A test photograph of rocks.
  focal_point: [40, 60]
logos:
  - file: frame/logos/cat-specialist-group.svg
    alt: Test group logo
funders:
  - name: Test Funder Foundation
    logo: frame/logos/steppe-fund.svg
    url: example.org/funder
copyright: "© 2026 the test authors"
disclaimer: >-
  A test disclaimer on the names of places.
back_cover:
  text: The back cover's own sentence.
"""


def with_frame(project: Path, *, cover_size: tuple[int, int] | None = None) -> Path:
    """``project`` with the frame above: the repository's logos and a cover photograph of
    ``cover_size`` pixels (default: enough for 300 dpi)."""
    (project / "frame" / "logos").mkdir(parents=True)
    for name in ("cat-specialist-group.svg", "steppe-fund.svg"):
        shutil.copy(ROOT / "frame" / "logos" / name, project / "frame" / "logos" / name)
    size = cover_size or full_page_pixels()
    Image.new("RGB", size, (120, 96, 70)).save(project / "frame" / "cover.jpg", quality=70)
    manifest = project / "issue.yml"
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace("chapters:\n", FRAME + "chapters:\n", 1), "utf-8")
    return project


def line_of(project: Path, needle: str) -> int:
    lines = (project / "issue.yml").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


@pytest.mark.parametrize(
    ("printed", "expected"), [(48, 4), (49, 3), (50, 2), (51, 5), (52, 4), (5, 3)]
)
def test_back_pages_make_a_multiple_of_four_with_both_covers(printed: int, expected: int):
    assert back_pages(1, printed + 1) == expected
    assert (printed + expected) % 4 == 0 and expected >= 2


def test_a_missing_cover_is_an_error_at_its_field(mini: Path, run_cli):  # type: ignore[no-untyped-def]
    with_frame(mini)
    (mini / "frame" / "cover.jpg").unlink()
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    line = line_of(mini, "image: frame/cover.jpg")
    assert f"issue.yml:{line}:10: error: 'frame/cover.jpg' not found [frame-file]" in result.lines


def test_an_unsafe_logo_and_a_logo_outside_are_refused(mini: Path, run_cli):  # type: ignore[no-untyped-def]
    with_frame(mini)
    logo = mini / "frame" / "logos" / "cat-specialist-group.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        "<script>alert(1)</script></svg>",
        "utf-8",
    )
    edit(mini / "issue.yml", "logo: frame/logos/steppe-fund.svg", "logo: ../outside.svg")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    unsafe = [line for line in result.lines if "cat-specialist-group.svg" in line]
    assert unsafe and "[frame-file]" in unsafe[0] and "<script>" in unsafe[0]
    assert unsafe[0].startswith(f"issue.yml:{line_of(mini, 'cat-specialist-group.svg')}:")
    outside = [line for line in result.lines if "../outside.svg" in line]
    assert outside and "[frame-file]" in outside[0]


def test_a_cover_photograph_below_300_dpi_is_a_warning_with_its_resolution(mini: Path, run_cli):  # type: ignore[no-untyped-def]
    with_frame(mini, cover_size=(1275, 1790))  # half of what 300 dpi needs
    result = run_cli("-C", str(mini), "check")
    assert result.status == 0
    line = line_of(mini, "image: frame/cover.jpg")
    assert (
        f"issue.yml:{line}:10: warning: 'frame/cover.jpg' has 1275 × 1790 pixels: 150 dpi on "
        "the page with its bleed (216 × 303 mm), print wants 300 [frame-image-resolution]"
    ) in result.lines


@pytest.fixture(scope="module")
def framed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pica_publish.cli import main

    root = tmp_path_factory.mktemp("frame") / "mini"
    shutil.copytree(
        ROOT / "tests" / "projects" / "mini", root, ignore=shutil.ignore_patterns("build")
    )
    with_frame(root)
    assert main(["-C", str(root), "build", "--pdf"]) == 0
    return root


def page_texts(project: Path) -> list[str]:
    reader = pypdf.PdfReader(project / "build" / "pdf" / "catnews-special-issue-99.pdf")
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_printed_issue_is_a_multiple_of_four_ending_with_both_covers(framed: Path):
    texts = page_texts(framed)
    assert len(texts) % 4 == 0
    assert "publisher and partners" in texts[-2].lower()
    assert "with the support of" in texts[-2].lower()
    assert "Test Funder Foundation" in texts[-2]
    assert "The back cover’s own sentence." in texts[-1]  # typographic apostrophe
    assert "ISSN 1027-2992" in texts[-1]
    offprint = pypdf.PdfReader(framed / "build" / "pdf" / "offprints" / "dens.pdf")
    assert not any("with the support of" in p.extract_text().lower() for p in offprint.pages)


def test_the_masthead_carries_every_field_and_its_folio(framed: Path):
    masthead = page_texts(framed)[1]
    for expected in (
        "CATnews is the newsletter of a test group",
        "Test Editor, Managing editor",
        "Associate Person",
        "Test Institute",
        "Test Street 1, 1000 Testtown",
        "Test Design Studio",
        "Test Layout Desk",
        "Test Printers",
        "Photo: Test Photographer, Kotbas Hills",
        "1027-2992",
        "© 2026 the test authors",
        "CC BY 4.0",
        "Test Funder Foundation",
        "A test disclaimer on the names of places.",
    ):
        assert expected in masthead, expected
    assert masthead.rstrip().endswith("02")


def test_the_cover_has_its_photograph_with_alt_text_and_its_credit(framed: Path):
    reader = pypdf.PdfReader(framed / "build" / "pdf" / "catnews-special-issue-99.pdf")
    cover = reader.pages[0]
    assert "Photo: Test Photographer, Kotbas Hills" in cover.extract_text()
    assert "N° 99 | Autumn 2026" in " ".join(cover.extract_text().split())
    images = list(cover.images)
    assert any(image.image.size == full_page_pixels() for image in images)
    alts = structure_alts(reader)
    assert "A test photograph of rocks." in alts
    assert "Test group logo" in alts


def test_the_contents_lists_full_titles_and_bylines(framed: Path):
    contents = page_texts(framed)[2]
    assert "Dens and home ranges of the Pallas’s cat" in contents
    assert "Петрова" in contents


# --- the print master (make print) and its preflight ------------------------------------------


@pytest.fixture(scope="module")
def print_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The framed miniature issue built as a print master, its cover photograph at 150 dpi."""
    from pica_publish.cli import main

    root = tmp_path_factory.mktemp("print") / "mini"
    shutil.copytree(
        ROOT / "tests" / "projects" / "mini", root, ignore=shutil.ignore_patterns("build")
    )
    with_frame(root, cover_size=(1275, 1790))
    assert main(["-C", str(root), "build", "--pdf", "--print"]) == 0
    return root / "build" / "print" / "catnews-special-issue-99-print.pdf"


def test_the_print_master_is_pdf_x4_with_bleed_and_boxes_on_every_page(print_master: Path):
    import pikepdf

    with pikepdf.open(print_master) as pdf:
        assert pdf.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert pdf.docinfo["/Trapped"] == pikepdf.Name("/False")
        meta = pdf.open_metadata()
        assert meta["xmpMM:DocumentID"].startswith("uuid:") and meta["xmpMM:VersionID"] == "1"
        assert meta["xmp:CreateDate"] and "/CreationDate" in pdf.docinfo
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX and len(intent.DestOutputProfile.read_bytes())
        assert len(pdf.pages) % 4 == 0
        bleed = 3 * 72 / 25.4
        for page in pdf.pages:
            media = [float(v) for v in page.MediaBox]
            box = [float(v) for v in page.BleedBox]
            trim = [float(v) for v in page.TrimBox]
            assert trim[2] - trim[0] == pytest.approx(595.28, abs=0.1)  # A4 once trimmed
            assert trim[3] - trim[1] == pytest.approx(841.89, abs=0.1)
            for outer, inner in ((media, box), (box, trim)):
                assert outer[0] <= inner[0] and outer[1] <= inner[1]
                assert outer[2] >= inner[2] and outer[3] >= inner[3]
            assert trim[0] - box[0] == pytest.approx(bleed, abs=0.1)
            assert box[2] - trim[2] == pytest.approx(bleed, abs=0.1)
            assert box[0] - media[0] >= 5 * 72 / 25.4 - 0.1  # room for the crop marks


def test_preflight_passes_the_master_and_warns_of_a_low_resolution_photograph(
    print_master: Path, run_cli
):  # type: ignore[no-untyped-def]
    result = run_cli("preflight", str(print_master))
    assert result.status == 0, result.output
    warnings = [line for line in result.lines if ": warning: " in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{print_master}: page 1: warning: image ")
    assert "(1275 × 1790 pixels)" in warnings[0] and "150 dpi, print wants 300" in warnings[0]
    (verdict,) = [line for line in result.lines if ": preflight " in line]
    assert "preflight passed" in verdict and "output intent: sRGB IEC61966-2.1" in verdict


def test_preflight_fails_a_reading_pdf_at_each_reason(framed: Path, run_cli):  # type: ignore[no-untyped-def]
    reading = framed / "build" / "pdf" / "catnews-special-issue-99.pdf"
    result = run_cli("preflight", str(reading))
    assert result.status == 1
    text = result.output
    assert "is not identified as PDF/X-4" in text
    assert "has no PDF/X output intent" in text
    assert f"{reading}: page 1: error: its bleed is 0.0, 0.0, 0.0, 0.0 mm" in text
    assert any(": preflight FAILED: " in line for line in result.lines)


def test_preflight_of_a_missing_file_is_one_line(tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    result = run_cli("preflight", str(tmp_path / "nothing.pdf"))
    assert result.status == 1
    assert result.lines == [
        f"{tmp_path / 'nothing.pdf'}: error: no such file (build it with `make print`)"
    ]


def test_a_print_master_and_an_archive_are_not_asked_for_at_once(mini: Path, run_cli):  # type: ignore[no-untyped-def]
    result = run_cli("-C", str(mini), "build", "--print", "--archive")
    assert result.status == 2
    assert "argument --archive: not allowed with argument --print" in result.output
    assert not (mini / "build").exists()


def test_preflight_of_odd_or_truncated_pdfs_is_findings_not_a_traceback(tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    import pikepdf

    damaged = tmp_path / "damaged.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.pages[0].obj.Contents = pdf.make_stream(b"q 1 0 0 1 0 0 cm /Im1 Do Q (unclosed")
        pdf.pages[0].obj.Resources = pikepdf.Dictionary(
            XObject=pikepdf.Dictionary(
                Im1=pdf.make_stream(b"x", Subtype=pikepdf.Name.Image, Width=1, Height=1)
            )
        )
        pdf.save(damaged)
    result = run_cli("preflight", str(damaged))
    assert result.status == 1
    assert "Traceback" not in result.output
    assert any(line.startswith(f"{damaged}: ") and ": error: " in line for line in result.lines)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(damaged.read_bytes()[:40])
    result = run_cli("preflight", str(truncated))
    assert result.status == 1 and "Traceback" not in result.output
    assert any(f"{truncated}: error: " in line for line in result.lines)
