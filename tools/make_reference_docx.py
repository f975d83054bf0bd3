"""Write ``pica_publish/theme/reference.docx``: the house styles for ``pica-publish export docx``.

pandoc takes the styles of a Word file it writes from a *reference document*. This starts from
pandoc's own (so every style pandoc uses is there) and sets the house look, as the print
stylesheet (``theme/css/print.css``) has it: Noto Serif 10 pt text, Noto Sans headings,
captions and tables, JetBrains Mono code, the house's dark brown, links in the text colour, a
reference list with a hanging indent, the page number in the footer, A4 with the print margins,
and the paragraph styles of the chapter head the exporter uses (Author or Byline, Affiliation,
Correspondence, Keywords, Abstract). Run it again after changing the house style; the output is
committed (a small binary the build only reads).

    .venv/bin/python tools/make_reference_docx.py

Every font is named outright (``w:ascii``, ``w:hAnsi``, ``w:eastAsia``, ``w:cs``): pandoc's styles
also carry theme fonts (``w:asciiTheme="majorHAnsi"`` …), which Word prefers to a named font, so
they are taken out of every style and of the document defaults.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import docx
import pypandoc
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TEXT = RGBColor(0x1D, 0x1A, 0x17)
"""The body colour of the print edition (#1d1a17)."""
MUTED = RGBColor(0x4A, 0x40, 0x38)
"""Captions and running text of the page furniture (#4a4038)."""
CODE_BACKGROUND = "F4EDE4"
"""The tint behind code blocks in print (#f4ede4)."""
SERIF, SANS, MONO = "Noto Serif", "Noto Sans", "JetBrains Mono"

THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
"""The theme-font attributes of ``w:rFonts``: Word uses them before the named fonts."""

AFTER_SHADING = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
"""The elements that follow ``w:shd`` in a ``w:pPr`` (the schema's order, which Word keeps to)."""

TARGET = Path(__file__).resolve().parent.parent / "pica_publish" / "theme" / "reference.docx"

LEFT, CENTER, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


class Look(NamedTuple):
    """A style's house look; ``None`` leaves a property to the style it is based on."""

    font: str | None = None
    size: float | None = None
    color: RGBColor | None = None
    bold: bool | None = None
    italic: bool | None = None
    align: WD_ALIGN_PARAGRAPH | None = None
    before: float | None = None
    """Space before, pt."""
    after: float | None = None
    """Space after, pt."""


HEADINGS = {
    "Title": Look(SANS, 20, TEXT, bold=True, align=LEFT, after=6),
    "Subtitle": Look(SANS, 13, TEXT, bold=False, align=LEFT),
    "Heading 1": Look(SANS, 13, TEXT, bold=True, italic=False, before=14, after=4),
    "Heading 2": Look(SANS, 11, TEXT, bold=True, italic=False, before=10, after=3),
    "Heading 3": Look(SANS, 10, TEXT, bold=True, italic=True, before=8, after=3),
    "Heading 4": Look(SANS, 10, TEXT, bold=True, italic=False, before=6, after=2),
    **{f"Heading {level}": Look(SANS, 10, TEXT, bold=False) for level in range(5, 10)},
    "TOC Heading": Look(SANS, 13, TEXT, bold=True),
}
"""Paragraph styles whose linked character style (``<name> Char``) looks the same."""

PARAGRAPHS = {
    "Normal": Look(SERIF, 10, TEXT),
    "Body Text": Look(SERIF, 10),
    "First Paragraph": Look(SERIF, 10),
    "Compact": Look(SERIF, 10),
    "Block Text": Look(SERIF, 9.5),
    "Footnote Text": Look(SERIF, 8),
    "Footnote Block Text": Look(SERIF, 8),
    "Date": Look(SANS, 10, MUTED, bold=False, align=LEFT),
    "Abstract Title": Look(SANS, 9, TEXT, bold=True, align=LEFT, before=6, after=1),
    "Caption": Look(SANS, 8.5, MUTED, italic=False, align=LEFT),
    "Image Caption": Look(SANS, 8.5, MUTED, italic=False, align=LEFT),
    "Table Caption": Look(SANS, 8.5, MUTED, italic=False, align=LEFT),
}

HEAD_STYLES = {
    # the chapter head, as print's .article-byline / -affiliations / .corresponding /
    # -keywords / -abstract (the byline semibold there: bold here); the author line is pandoc's Author
    # (from the title block) or Byline (the name the Word export's filter gives it), one look
    "Author": ("Normal", Look(SANS, 10, TEXT, bold=True, align=LEFT, before=0, after=4)),
    "Byline": ("Normal", Look(SANS, 10, TEXT, bold=True, align=LEFT, before=0, after=4)),
    "Affiliation": ("Normal", Look(SANS, 8, MUTED, align=LEFT, before=0, after=2)),
    "Correspondence": ("Normal", Look(SANS, 8, MUTED, italic=True, align=LEFT, before=0, after=2)),
    "Keywords": ("Body Text", Look(SERIF, 9, MUTED, align=LEFT, before=2, after=6)),
    "Abstract": ("Normal", Look(SANS, 9, TEXT, align=JUSTIFY, before=6, after=4)),
    # the reference list: a hanging indent, as print's .csl-entry
    "Bibliography": ("Normal", Look(SERIF, 8.5, TEXT, align=LEFT, before=0, after=2)),
    # code blocks (pandoc uses a "Source Code" style of the reference document if it has one;
    # its runs are in Verbatim Char)
    "Source Code": ("Normal", Look(MONO, 8, TEXT, align=LEFT, before=4, after=4)),
    # the page number (python-docx's footer paragraph asks for this style)
    "Footer": ("Normal", Look(SANS, 8, MUTED, align=CENTER, before=0, after=0)),
}


def name_fonts(rpr, family: str) -> None:
    """``family`` for every script of a run properties element, without theme fonts."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)


def apply(style, look: Look) -> None:
    font = style.font
    if look.font is not None:
        name_fonts(style.element.get_or_add_rPr(), look.font)
    if look.size is not None:
        font.size = Pt(look.size)
        rpr = style.element.rPr  # the same size for complex scripts (w:szCs follows w:sz)
        complex_size = rpr.find(qn("w:szCs"))
        if complex_size is None:
            complex_size = OxmlElement("w:szCs")
            rpr.find(qn("w:sz")).addnext(complex_size)
        complex_size.set(qn("w:val"), str(round(look.size * 2)))
    if look.color is not None:
        font.color.rgb = look.color  # replaces a theme colour (w:themeColor) too
    if look.bold is not None:
        font.bold = look.bold
    if look.italic is not None:
        font.italic = look.italic
        if not look.italic:  # pandoc's italic headings are italic for complex scripts too
            for element in style.element.get_or_add_rPr().findall(qn("w:iCs")):
                element.getparent().remove(element)
    if style.type != WD_STYLE_TYPE.PARAGRAPH:
        return
    paragraph = style.paragraph_format
    if look.align is not None:
        paragraph.alignment = look.align
    if look.before is not None:
        paragraph.space_before = Pt(look.before)
    if look.after is not None:
        paragraph.space_after = Pt(look.after)


def page_number_footer(section) -> None:
    """A centred PAGE field in the footer (pandoc keeps the reference document's footer)."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = "Footer"
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind is not None:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        elif text.strip() == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            run.text = text
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def main() -> None:
    pandoc = pypandoc.get_pandoc_path()
    default = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    ).stdout
    document = docx.Document(io.BytesIO(default))
    styles = document.styles

    # the document defaults: named fonts, the text size
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    name_fonts(default_rpr, SERIF)
    for tag, value in (("w:sz", "20"), ("w:szCs", "20")):
        element = default_rpr.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), value)

    by_name = {style.name: style for style in styles}
    for name, look in {**PARAGRAPHS, **HEADINGS}.items():
        if name in by_name:
            apply(by_name[name], look)
    for name, look in HEADINGS.items():
        if f"{name} Char" in by_name:
            apply(by_name[f"{name} Char"], look._replace(align=None, before=None, after=None))

    for name, (base, look) in HEAD_STYLES.items():
        style = by_name.get(name)
        if style is None:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=name == "Footer")
            style.style_id = name.replace(" ", "")  # Word's own ids: "SourceCode", "Footer"
        style.base_style = styles[base]
        style.quick_style = True
        apply(style, look)
    by_name = {style.name: style for style in styles}
    by_name["Bibliography"].paragraph_format.left_indent = Mm(5)
    by_name["Bibliography"].paragraph_format.first_line_indent = Mm(-5)
    for name in ("Author", "Byline", "Affiliation", "Correspondence", "Keywords", "Abstract"):
        by_name[name].next_paragraph_style = by_name[name]
    for name in ("Author", "Byline"):
        by_name[name].paragraph_format.keep_with_next = True
    shading = OxmlElement("w:shd")
    for attribute, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", CODE_BACKGROUND)):
        shading.set(qn(attribute), value)
    by_name["Source Code"].element.get_or_add_pPr().insert_element_before(shading, *AFTER_SHADING)

    # inline code and code-block runs: the mono face at the size of the paragraph around it
    verbatim = by_name["Verbatim Char"]
    name_fonts(verbatim.element.get_or_add_rPr(), MONO)
    verbatim.font.size = None
    # links (a reference's title, a DOI) read as the text, as in print (a { color: inherit })
    hyperlink = by_name["Hyperlink"]
    hyperlink.font.color.rgb = TEXT
    hyperlink.font.underline = False

    # no theme font left anywhere: a style without a named font inherits its base style's
    for fonts in styles.element.iter(qn("w:rFonts")):
        for attribute in THEME_FONTS:
            fonts.attrib.pop(qn(attribute), None)
        if not fonts.attrib:
            fonts.getparent().remove(fonts)

    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin, section.bottom_margin = Mm(20), Mm(22)
        section.footer_distance = Mm(10)
        page_number_footer(section)
    document.core_properties.title = "CATnews house styles (pica-publish)"
    document.core_properties.author = "pica-publish"
    document.save(TARGET)
    print(
        f"wrote {TARGET.relative_to(Path.cwd()) if TARGET.is_relative_to(Path.cwd()) else TARGET}"
    )


if __name__ == "__main__":
    sys.exit(main())
