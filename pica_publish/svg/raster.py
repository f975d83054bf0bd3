"""An SVG figure as a PNG, for the outputs that cannot show SVG.

A chapter exported to Word (``pica-publish export docx``) is read in Word, LibreOffice, Google
Docs or Pages; pandoc's Word writer embeds an SVG with no bitmap beside it, which only recent
Word shows (the others draw an empty box). :func:`svg_png` draws the figure as the print
edition does — WeasyPrint, through the project's :class:`~pica_publish.layout.ProjectFetcher`,
so the SVG is read by the input rule and cleaned (:func:`~pica_publish.svg.clean_svg`) — and
pdfium turns the page into pixels.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from pica_publish.svg.allowlist import SVG_NS

DPI = 200
"""Pixels per inch of the bitmap (a figure 17 cm wide: 1,340 pixels)."""
CSS_PX = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54}
CSS_PX["in"] = 96.0
LENGTH_RE = re.compile(r"^\s*([0-9.]+)\s*(px|pt|pc|mm|cm|in)?\s*$")
LARGEST = 4000.0
"""The largest side drawn, in CSS pixels (42 inches): a figure is never larger."""


def svg_size(data: bytes) -> tuple[float, float]:
    """The SVG's size in CSS pixels: its ``width`` and ``height``, else its ``viewBox``, else
    600 x 400; within :data:`LARGEST`."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed SVG: {error}") from None
    sizes = []
    for name in ("width", "height"):
        match = LENGTH_RE.match(root.get(name) or "")
        sizes.append(float(match[1]) * CSS_PX[match[2] or ""] if match else 0.0)
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4 and not all(sizes):
        try:
            box_width, box_height = float(box[2]), float(box[3])
        except ValueError:
            box_width = box_height = 0.0
        if box_width > 0 and box_height > 0:
            if sizes[0]:
                sizes[1] = sizes[0] * box_height / box_width
            elif sizes[1]:
                sizes[0] = sizes[1] * box_width / box_height
            else:
                sizes = [box_width, box_height]
    width, height = sizes if all(s > 0 for s in sizes) else (600.0, 400.0)
    shrink = min(1.0, LARGEST / max(width, height))
    return width * shrink, height * shrink


def svg_png(path: Path, root: Path) -> bytes:
    """``path`` (an SVG inside ``root``) drawn as a PNG at :data:`DPI`, its size kept.

    :raises InputRefused: the file is outside ``root`` or too large (the input rule).
    :raises ValueError: it cannot be drawn (not SVG, refused by the sanitiser, too slow).
    """
    import pypdfium2
    from weasyprint import HTML

    from pica_publish.inputs import read_input
    from pica_publish.layout import (
        LAYOUT_SECONDS,
        LayoutError,
        ProjectFetcher,
        ResourceDenied,
        time_limit,
    )
    from pica_publish.svg import clean_svg

    data = read_input(path, [root], kind="image")
    if SVG_NS not in data.decode("utf-8", "replace"):
        raise ValueError(f"{path.name} is not an SVG image")
    width, height = svg_size(clean_svg(data))
    page = (
        f"<style>@page {{ size: {width:.2f}px {height:.2f}px; margin: 0 }} html, body "
        f"{{ margin: 0 }} img {{ display: block; width: {width:.2f}px; height: {height:.2f}px }}"
        f'</style><img src="{path.resolve().as_uri()}" alt="">'
    )
    fetcher = ProjectFetcher([root])
    try:
        with time_limit(LAYOUT_SECONDS):
            pdf = HTML(string=page, base_url=root.resolve().as_uri() + "/", url_fetcher=fetcher)
            drawn = pdf.write_pdf()
    except (ResourceDenied, LayoutError) as error:
        raise ValueError(str(error)) from None
    if fetcher.refused:
        raise ValueError("; ".join(fetcher.refused))
    try:
        document = pypdfium2.PdfDocument(drawn)
        try:
            image = document[0].render(scale=DPI / 72).to_pil()
        finally:
            document.close()
    except pypdfium2.PdfiumError as error:
        raise ValueError(f"the drawing cannot be made into pixels: {error}") from None
    stream = io.BytesIO()
    image.save(stream, format="PNG", dpi=(DPI, DPI), optimize=True)
    return stream.getvalue()
