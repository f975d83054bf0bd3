"""``pica-publish preflight FILE.pdf``: what a printer's prepress checks in a print master,
checked with pikepdf (qpdf), so that an editor hears it before the printer does.

- **identification**: the XMP says PDF/X-4 (``pdfxid:GTS_PDFXVersion``), the Info dictionary
  has ``/Trapped``, the file is not encrypted;
- **output intent**: a ``/GTS_PDFX`` output intent with an embedded ICC profile;
- **page boxes** on every page: TrimBox inside BleedBox inside MediaBox, the bleed
  :data:`BLEED_MM` on every side;
- **fonts**: every font embedded (a program in its descriptor, or a Type 3 font's own glyphs);
- **images**: the effective resolution of every image where it is placed (its pixels over its
  size on the page, through nested forms), at least :data:`MIN_DPI`;
- **transparency**: groups are counted; PDF/X-4 allows them, PDF/X-1a and X-3 do not.

Each finding names its page. Errors make the exit status 1; a low-resolution image is a warning.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Name

from pica_publish.checks.frame import BLEED_MM

MIN_DPI = 300
POINTS_PER_MM = 72 / 25.4
TOLERANCE_PT = 0.5


@dataclass(frozen=True)
class Finding:
    severity: str
    """'error' or 'warning'."""
    page: int | None
    """1-based page number; None for the whole file."""
    message: str

    def line(self, display: str) -> str:
        where = f"{display}: page {self.page}" if self.page is not None else display
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    pages: int = 0
    images: int = 0
    lowest_dpi: float | None = None
    fonts: int = 0
    transparency_groups: int = 0
    output_condition: str = ""

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def error(self, message: str, page: int | None = None) -> None:
        self.findings.append(Finding("error", page, message))

    def warning(self, message: str, page: int | None = None) -> None:
        self.findings.append(Finding("warning", page, message))


def preflight(path: Path) -> Report:
    """Every finding about the print master at ``path``."""
    report = Report()
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        report.error("is encrypted: a print master may not be")
        return report
    except (pikepdf.PdfError, OSError) as error:
        report.error(f"cannot be read as a PDF: {error}")
        return report
    with pdf:
        try:
            _check_document(pdf, report)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError) as error:  # damaged objects
            report.error(f"is damaged and cannot be checked to the end: {error}")
    return report


def _check_document(pdf: pikepdf.Pdf, report: Report) -> None:
    if pdf.is_encrypted:
        report.error("is encrypted: a print master may not be")
    check_identification(pdf, report)
    check_output_intent(pdf, report)
    report.pages = len(pdf.pages)
    fonts: set[tuple[int, int]] = set()
    for number, page in enumerate(pdf.pages, start=1):
        check_boxes(page, number, report)
        check_fonts(page, number, report, fonts)
        check_images(page, number, report)
        report.transparency_groups += count_transparency(page)
    report.fonts = len(fonts)


def check_identification(pdf: pikepdf.Pdf, report: Report) -> None:
    version = str(pdf.open_metadata().get("pdfxid:GTS_PDFXVersion", ""))
    if version != "PDF/X-4":
        report.error(f"is not identified as PDF/X-4 (XMP GTS_PDFXVersion: {version or 'none'})")
    trapped = pdf.docinfo.get(Name.Trapped)
    if trapped not in (Name("/True"), Name("/False")):
        report.error("has no /Trapped True or False in its document information (PDF/X asks)")
    for key, what in ((Name.Title, "title"), (Name.CreationDate, "creation date")):
        if key not in pdf.docinfo:
            report.error(f"has no {what} in its document information (PDF/X asks for one)")


def check_output_intent(pdf: pikepdf.Pdf, report: Report) -> None:
    intents = pdf.Root.get(Name.OutputIntents)
    found = [
        intent
        for intent in (intents if isinstance(intents, pikepdf.Array) else [])
        if intent.get(Name.S) == Name.GTS_PDFX
    ]
    if not found:
        report.error("has no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)")
        return
    intent = found[0]
    report.output_condition = str(intent.get(Name.OutputConditionIdentifier, ""))
    profile = intent.get(Name.DestOutputProfile)
    if not isinstance(profile, pikepdf.Stream) or not profile.read_bytes():
        report.error("its output intent has no embedded ICC profile (/DestOutputProfile)")


def box(page: pikepdf.Page, name: str) -> tuple[float, float, float, float] | None:
    value = page.obj.get(Name(f"/{name}"))
    if value is None and name == "MediaBox":
        value = page.mediabox
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE_PT
        and inner[1] >= outer[1] - TOLERANCE_PT
        and inner[2] <= outer[2] + TOLERANCE_PT
        and inner[3] <= outer[3] + TOLERANCE_PT
    )


def check_boxes(page: pikepdf.Page, number: int, report: Report) -> None:
    media, bleed, trim = box(page, "MediaBox"), box(page, "BleedBox"), box(page, "TrimBox")
    if trim is None:
        report.error("has no TrimBox", number)
        return
    if bleed is None:
        report.error("has no BleedBox", number)
        return
    assert media is not None
    if not inside(trim, bleed) or not inside(bleed, media):
        report.error("its boxes are not nested: TrimBox inside BleedBox inside MediaBox", number)
        return
    wanted = BLEED_MM * POINTS_PER_MM
    margins = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    if any(abs(margin - wanted) > TOLERANCE_PT for margin in margins):
        shown = ", ".join(f"{m / POINTS_PER_MM:.1f}" for m in margins)
        report.error(
            f"its bleed is {shown} mm (left, bottom, right, top), not {BLEED_MM:g} mm", number
        )


def check_fonts(
    page: pikepdf.Page, number: int, report: Report, seen: set[tuple[int, int]]
) -> None:
    for font in _fonts(page.obj.get(Name.Resources)):
        if font.objgen in seen:
            continue
        seen.add(font.objgen)
        subtype = font.get(Name.Subtype)
        if subtype == Name.Type3:
            continue  # its glyphs are drawn by its own procedures
        descriptor_owner: pikepdf.Object = font
        if subtype == Name.Type0:
            descendants = font.get(Name.DescendantFonts)
            if not isinstance(descendants, pikepdf.Array) or not len(descendants):
                report.error(f"font {font.get(Name.BaseFont, '?')} has no descendant font", number)
                continue
            descriptor_owner = descendants[0]
        descriptor = descriptor_owner.get(Name.FontDescriptor)
        if not isinstance(descriptor, pikepdf.Dictionary) or not any(
            key in descriptor for key in (Name.FontFile, Name.FontFile2, Name.FontFile3)
        ):
            report.error(f"font {font.get(Name.BaseFont, '?')} is not embedded", number)


def _fonts(resources: object, depth: int = 0) -> Iterator[pikepdf.Dictionary]:
    """The fonts of ``resources`` and of the forms it holds (nested forms too)."""
    if not isinstance(resources, pikepdf.Dictionary) or depth > 8:
        return
    fonts = resources.get(Name.Font)
    if isinstance(fonts, pikepdf.Dictionary):
        for font in fonts.values():
            if isinstance(font, pikepdf.Dictionary):
                yield font
    xobjects = resources.get(Name.XObject)
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobject in xobjects.values():
            if isinstance(xobject, pikepdf.Stream) and xobject.get(Name.Subtype) == Name.Form:
                yield from _fonts(xobject.get(Name.Resources), depth + 1)


def check_images(page: pikepdf.Page, number: int, report: Report) -> None:
    for name, pixels, placed in placed_images(page.obj, page.obj.get(Name.Resources)):
        report.images += 1
        width_in = placed[0] / 72
        height_in = placed[1] / 72
        if width_in <= 0 or height_in <= 0:
            continue
        dpi = min(pixels[0] / width_in, pixels[1] / height_in)
        report.lowest_dpi = dpi if report.lowest_dpi is None else min(report.lowest_dpi, dpi)
        if dpi < MIN_DPI - 0.5:
            report.warning(
                f"image {name} ({pixels[0]} × {pixels[1]} pixels) is placed at "
                f"{placed[0] / POINTS_PER_MM:.0f} × {placed[1] / POINTS_PER_MM:.0f} mm: "
                f"{dpi:.0f} dpi, print wants {MIN_DPI}",
                number,
            )


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` (PDF's row-vector convention: m × n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def placed_images(
    content: pikepdf.Object, resources: object, ctm: Matrix = IDENTITY, depth: int = 0
) -> Iterator[tuple[str, tuple[int, int], tuple[float, float]]]:
    """(name, (width, height) in pixels, (width, height) placed, in points) of every image
    drawn by ``content``, following the transformation matrix through forms."""
    if depth > 8 or not isinstance(resources, pikepdf.Dictionary):
        return
    xobjects = resources.get(Name.XObject)
    xobjects = xobjects if isinstance(xobjects, pikepdf.Dictionary) else pikepdf.Dictionary()
    stack: list[Matrix] = []
    current = ctm
    for instruction in pikepdf.parse_content_stream(content):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue  # inline images: small by nature (WeasyPrint writes none)
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(current)
        elif op == "Q":
            current = stack.pop() if stack else ctm
        elif op == "cm" and len(operands) == 6:
            matrix = tuple(float(v) for v in operands)
            current = _multiply(matrix, current)  # type: ignore[arg-type]
        elif op == "Do" and operands:
            name = str(operands[0])
            xobject = xobjects.get(Name(name))
            if not isinstance(xobject, pikepdf.Stream):
                continue
            subtype = xobject.get(Name.Subtype)
            if subtype == Name.Image:
                a, b, c, d, _e, _f = current
                placed = (math.hypot(a, b), math.hypot(c, d))
                pixels = (int(xobject.get(Name.Width, 0)), int(xobject.get(Name.Height, 0)))
                yield name, pixels, placed
            elif subtype == Name.Form:
                form_matrix = xobject.get(Name.Matrix)
                inner = current
                if isinstance(form_matrix, pikepdf.Array) and len(form_matrix) == 6:
                    inner = _multiply(tuple(float(v) for v in form_matrix), current)  # type: ignore[arg-type]
                yield from placed_images(xobject, xobject.get(Name.Resources), inner, depth + 1)


def count_transparency(page: pikepdf.Page) -> int:
    """Transparency groups on the page and in the forms it draws."""
    count = 1 if _is_transparency_group(page.obj.get(Name.Group)) else 0
    resources = page.obj.get(Name.Resources)
    xobjects = resources.get(Name.XObject) if isinstance(resources, pikepdf.Dictionary) else None
    if isinstance(xobjects, pikepdf.Dictionary):
        for xobject in xobjects.values():
            if isinstance(xobject, pikepdf.Stream) and _is_transparency_group(
                xobject.get(Name.Group)
            ):
                count += 1
    return count


def _is_transparency_group(group: object) -> bool:
    return isinstance(group, pikepdf.Dictionary) and group.get(Name.S) == Name.Transparency


def summary(report: Report) -> str:
    lowest = f", lowest image resolution {report.lowest_dpi:.0f} dpi" if report.lowest_dpi else ""
    return (
        f"{report.pages} pages, {report.fonts} fonts (all embedded: "
        f"{'yes' if not any('not embedded' in f.message for f in report.findings) else 'no'}), "
        f"{report.images} images{lowest}, {report.transparency_groups} transparency groups "
        f"(allowed in PDF/X-4), output intent: {report.output_condition or 'none'}"
    )
