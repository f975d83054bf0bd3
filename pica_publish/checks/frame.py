"""The files of the issue frame named in ``issue.yml``: the cover and back-cover photographs and
the logos of the publisher, partners and funders.

Each must be a file inside the project that both editions can use (the rules of chapter
figures: :func:`pica_publish.checks.images.image_problem`); a photograph printed to the edge of
the page should have 300 dpi at that size. Problems are located at the field in ``issue.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pica_publish import rules
from pica_publish.checks.images import image_problem
from pica_publish.diagnostics import Location, Report
from pica_publish.inputs import InputRefused, resolve_input
from pica_publish.model import Issue, IssueConfig

PRINT_DPI = 300
BLEED_MM = 3.0
PAGE_MM = (210.0, 297.0)
"""A4, the page the photographs fill (with :data:`BLEED_MM` on every side)."""
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class FrameFile:
    field: tuple[str | int, ...]
    """Where ``issue.yml`` names it, e.g. ``("cover", "image")``."""
    written: str
    """The path as written."""
    full_page: bool
    """A photograph printed to the edge of the page (held to :data:`PRINT_DPI`)."""
    raster_only: bool = False
    """Photographs: JPEG or PNG (an SVG is a logo, not a photograph)."""


def frame_files(config: IssueConfig) -> list[FrameFile]:
    """Every file the frame names, in the order of ``issue.yml``."""
    found: list[FrameFile] = []
    if config.cover is not None:
        found.append(FrameFile(("cover", "image"), config.cover.image, True, True))
    for index, logo in enumerate(config.logos):
        found.append(FrameFile(("logos", index, "file"), logo.file, False))
    for index, funder in enumerate(config.funders):
        if funder.logo:
            found.append(FrameFile(("funders", index, "logo"), funder.logo, False))
    if config.back_cover is not None and config.back_cover.image:
        found.append(FrameFile(("back_cover", "image"), config.back_cover.image, True, True))
    return found


def check_frame(issue: Issue, report: Report) -> dict[str, Path]:
    """The frame's files as written → resolved path, for those that can be used; the others
    reported at their field."""
    if issue.config is None:
        return {}
    resolved: dict[str, Path] = {}
    for item in frame_files(issue.config):
        line, column = issue.config_positions.of_value(item.field)
        where = Location("issue.yml", line, column)
        try:
            path = resolve_input(issue.root / item.written, [issue.root], kind="image")
        except InputRefused as refused:
            reason = "not found" if refused.missing else refused.reason
            report.add(rules.FRAME_FILE, f"'{item.written}' {reason}", where)
            continue
        if item.raster_only and path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            report.add(rules.FRAME_FILE, f"'{item.written}' is not a JPEG or PNG photograph", where)
            continue
        if problem := image_problem(path):
            report.add(rules.FRAME_FILE, f"'{item.written}' {problem}", where)
            continue
        if item.full_page:
            check_resolution(path, item.written, where, report)
        resolved[item.written] = path
    return resolved


def full_page_pixels() -> tuple[int, int]:
    """The pixels a photograph needs to fill an A4 page with its bleed at :data:`PRINT_DPI`."""
    width, height = (size + 2 * BLEED_MM for size in PAGE_MM)
    return (
        round(width / MM_PER_INCH * PRINT_DPI),
        round(height / MM_PER_INCH * PRINT_DPI),
    )


def check_resolution(path: Path, written: str, where: Location, report: Report) -> None:
    from PIL import Image

    with Image.open(path) as picture:
        width, height = picture.size
    needed_width, needed_height = full_page_pixels()
    # cropped to the page's shape, the photograph keeps its smaller scale
    scale = min(width / needed_width, height / needed_height)
    if scale < 1:
        dpi = round(PRINT_DPI * scale)
        report.add(
            rules.FRAME_IMAGE_RESOLUTION,
            f"'{written}' has {width} × {height} pixels: {dpi} dpi on the page with its bleed "
            f"({PAGE_MM[0] + 2 * BLEED_MM:g} × {PAGE_MM[1] + 2 * BLEED_MM:g} mm), "
            f"print wants {PRINT_DPI}",
            where,
        )
