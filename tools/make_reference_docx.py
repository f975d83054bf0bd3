"""Write ``pica_publish/theme/reference.docx``: the house styles for ``pica-publish export docx``.

pandoc takes the styles of a Word file it writes from a *reference document*. This starts from
pandoc's own (so every style pandoc uses is there) and sets the house look, as the print
stylesheet (``theme/css/print.css``) has it: Noto Serif 10 pt text, Noto Sans headings,
captions and tables, the house's dark brown, A4 with the print margins. Run it again after
changing the house style; the output is committed (a small binary the build only reads).

    .venv/bin/python tools/make_reference_docx.py
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
import pypandoc
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt, RGBColor

TEXT = RGBColor(0x1D, 0x1A, 0x17)
"""The body colour of the print edition (#1d1a17)."""
MUTED = RGBColor(0x4A, 0x40, 0x38)
"""Captions and running text of the page furniture (#4a4038)."""
SERIF, SANS = "Noto Serif", "Noto Sans"

TARGET = Path(__file__).resolve().parent.parent / "pica_publish" / "theme" / "reference.docx"


def main() -> None:
    pandoc = pypandoc.get_pandoc_path()
    default = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    document = docx.Document(io.BytesIO(default))
    styles = {style.name: style for style in document.styles}
    for name, font, size in (
        ("Normal", SERIF, 10),
        ("Body Text", SERIF, 10),
        ("First Paragraph", SERIF, 10),
        ("Compact", SERIF, 10),
        ("Block Text", SERIF, 9.5),
        ("Footnote Text", SERIF, 8),
        ("Bibliography", SERIF, 8.5),
        ("Abstract", SANS, 9),
        ("Author", SANS, 10),
        ("Title", SANS, 20),
        ("Subtitle", SANS, 13),
        ("Heading 1", SANS, 13),
        ("Heading 2", SANS, 11),
        ("Heading 3", SANS, 10),
        ("Caption", SANS, 8.5),
        ("Image Caption", SANS, 8.5),
        ("Table Caption", SANS, 8.5),
    ):
        style = styles.get(name)
        if style is None:
            continue
        style.font.name = font
        style.font.size = Pt(size)
        style.font.color.rgb = MUTED if "Caption" in name else TEXT
        if name.startswith("Heading") or name == "Title":
            style.font.bold = True
            style.font.italic = name == "Heading 3"
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    document.core_properties.title = "CATnews house styles (pica-publish)"
    document.core_properties.author = "pica-publish"
    document.save(TARGET)
    print(f"wrote {TARGET.relative_to(Path.cwd()) if TARGET.is_relative_to(Path.cwd()) else TARGET}")


if __name__ == "__main__":
    sys.exit(main())
