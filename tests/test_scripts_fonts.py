"""Scripts and fonts (issue 13): every script of the range countries' names prints in a font the
theme ships, the same on every machine; a character none has is a located ``check`` warning.

PDFs are laid out by the real WeasyPrint with the print stylesheet and read back with pypdf
and fontTools: which fonts are embedded, and whether every character drawn has a real glyph
(WeasyPrint gives a character no font has a glyph id the embedded font does not have).
"""

from __future__ import annotations

import io
import re
from importlib.metadata import distribution
from pathlib import Path

import pypdf
import pytest
import tinycss2
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from pica_publish.coverage import shipped_coverage, uncovered
from pica_publish.layout import PdfOptions, Typesetter
from pica_publish.stages.typeset import allowed_roots, print_stylesheet
from pica_publish.theme import FONT_STACKS, font_files, theme_path
from pica_publish.web_fonts import unicode_range, web_fonts
from tests.conftest import edit

NAMES = {
    "Chinese": "乌鲁木齐",  # Ürümqi
    "Persian": "استان خراسان رضوی",  # Khorasan Razavi province
    "Devanagari": "काठमाडौं",  # Kathmandu
    "Tibetan": "ལྷ་ས།",  # Lhasa
    "Mongolian": "ᠮᠣᠩᠭᠣᠯ",  # Mongol, traditional script
    "Cyrillic": "Улаанбаатар",
    "Greek": "Ελλάδα",
}
SHIPPED = {face.family for face in font_files()}


def lay_out_pdf(body: str, tmp_path: Path) -> bytes:
    """``body`` (HTML) as an article body through the real print stylesheet and WeasyPrint."""
    html = (
        '<html lang="en"><body><article class="article"><div class="article-body">'
        f"{body}</div></article></body></html>"
    )
    typesetter = Typesetter(allowed_roots(tmp_path), print_stylesheet())
    return Typesetter.join([typesetter.lay_out(html, tmp_path)], PdfOptions())


def embedded_fonts(pdf: bytes) -> dict[str, tuple[TTFont, dict[int, str]]]:
    """BaseFont (without the subset tag) → (font program, glyph id → text) of every font."""
    found: dict[str, tuple[TTFont, dict[int, str]]] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            program = next(descriptor[k] for k in ("/FontFile2", "/FontFile3") if k in descriptor)
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            glyphs = {
                int(gid, 16): bytes.fromhex(text).decode("utf-16-be")
                for gid, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", to_unicode)
            }
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            found[name] = (TTFont(io.BytesIO(program.get_object().get_data())), glyphs)
    return found


def missing_glyphs(pdf: bytes) -> list[tuple[str, str]]:
    """(font, text) of every character drawn without a glyph of its own (a .notdef box)."""
    missing = []
    for name, (font, glyphs) in embedded_fonts(pdf).items():
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        for gid, text in glyphs.items():
            if text.isspace() or text == "\uffff":  # WeasyPrint maps glyph 0 to U+FFFF
                continue
            if gid == 0 or gid >= len(order):
                missing.append((name, text))
                continue
            pen = BoundsPen(glyph_set)
            glyph_set[order[gid]].draw(pen)
            if pen.bounds is None:
                missing.append((name, text))
    return missing


def family_of(base_font: str) -> str:
    """'Noto-Serif-SC-Bold' → 'Noto Serif SC' (the longest shipped family it starts with)."""
    candidates = [f for f in SHIPPED if base_font.startswith(f.replace(" ", "-"))]
    return max(candidates, key=len) if candidates else base_font


# --- print: only shipped fonts, no .notdef ------------------------------------------------------


def test_every_script_prints_in_a_shipped_font_with_real_glyphs(tmp_path: Path):
    names = " ".join(f"{script} ({name})," for script, name in NAMES.items())
    body = (
        f"<h2>{NAMES['Chinese']} and {NAMES['Persian']}</h2>"
        f"<p>Places: {names} and more.</p>"
        f"<p><strong>{NAMES['Devanagari']}</strong> <em>{NAMES['Tibetan']}</em></p>"
        f"<pre><code>place = '{NAMES['Chinese']} {NAMES['Persian']}'  # a &lt; b</code></pre>"
    )
    pdf = lay_out_pdf(body, tmp_path)
    fonts = embedded_fonts(pdf)
    assert {family_of(name) for name in fonts} <= SHIPPED, sorted(fonts)
    assert {family_of(name) for name in fonts} >= {
        "Noto Serif SC",
        "Noto Sans SC",  # the heading and the code (the sans and mono stacks)
        "Noto Sans Arabic",
        "Noto Sans Devanagari",
        "Noto Serif Tibetan",
        "Noto Sans Mongolian",
        "JetBrains Mono",
    }
    assert missing_glyphs(pdf) == []
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for script in ("Chinese", "Cyrillic", "Greek"):
        assert NAMES[script] in text


def test_a_character_no_font_has_is_seen_as_a_missing_glyph(tmp_path: Path):
    """The .notdef detection itself: U+0378 is unassigned, so no font anywhere has it."""
    pdf = lay_out_pdf("<p>Before \u0378 after.</p>", tmp_path)
    assert [text for _, text in missing_glyphs(pdf)] == ["\u0378"]


def test_one_chinese_name_costs_the_pdf_under_a_tenth_of_a_megabyte(tmp_path: Path):
    """WeasyPrint embeds only the glyphs used, but keeps their ids: the subset of the 11 MB
    Noto Serif SC still lists its 29,500 glyph slots (CFF charset), ~90 KB compressed, once
    per PDF and face, whatever the number of Chinese characters."""
    plain = lay_out_pdf("<p>The city of Urumqi.</p>", tmp_path)
    chinese = lay_out_pdf(f"<p>The city of Urumqi ({NAMES['Chinese']}).</p>", tmp_path)
    longer = lay_out_pdf(
        f"<p>The city of Urumqi ({NAMES['Chinese']} 新疆维吾尔自治区).</p>", tmp_path
    )
    assert len(chinese) - len(plain) < 100_000
    assert len(longer) - len(chinese) < 5_000


# --- the font stacks --------------------------------------------------------------------------


def stylesheet_stacks(path: Path) -> dict[str, list[str]]:
    """``--font-serif`` & co. of the ``:root`` rules of a stylesheet, as lists of families."""
    stacks = {}
    for rule in tinycss2.parse_stylesheet(path.read_text("utf-8"), skip_whitespace=True):
        if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != ":root":
            continue
        for declaration in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True):
            if declaration.type == "declaration" and declaration.name.startswith("--font-"):
                families = tinycss2.serialize(declaration.value).split(",")
                stacks[declaration.name[7:]] = [f.strip().strip('"') for f in families]
    return stacks


@pytest.mark.parametrize(
    ("stylesheet", "generics"),
    [("print.css", {}), ("web.css", {"serif": 2, "sans": 2, "mono": 1})],
)
def test_the_stylesheets_use_the_theme_s_font_stacks(stylesheet: str, generics: dict[str, int]):
    stacks = stylesheet_stacks(theme_path("css", stylesheet))
    assert set(stacks) == set(FONT_STACKS)
    for role, families in FONT_STACKS.items():
        shipped = stacks[role][: len(stacks[role]) - generics.get(role, 0)]
        assert shipped == list(families), role  # print.css: no generic, no system font
        assert set(families) == SHIPPED, role  # every stack reaches every shipped font


def test_every_shipped_font_is_there_and_under_the_open_font_license():
    for face in font_files():
        assert face.path.is_file(), face
        licence_files = [
            p
            for folder in (face.path.parent, face.path.parent.parent)
            for p in folder.glob("*")
            if p.name.upper().startswith(("LICENSE", "OFL"))
        ]
        texts = [p.read_text("utf-8", "replace") for p in licence_files if p.is_file()]
        if not texts:  # the licence is in the distribution's metadata (pylopdf-fonts-zh-cn)
            texts = [distribution(face.path.parent.name.replace("_", "-")).metadata["License"]]
        assert any("Open Font License" in text for text in texts), face


# --- the web edition: only what a page needs ------------------------------------------------------


def test_the_web_edition_ships_other_scripts_as_small_subsets():
    page = f"<html><body><p>{NAMES['Chinese']} and {NAMES['Persian']}.</p></body></html>"
    fonts = web_fonts([page])
    body_faces = {"NotoSerif", "NotoSans", "JetBrainsMono"}  # always shipped, as subsets too
    subsets = {
        name: data
        for name, data in fonts.files.items()
        if name.endswith(".woff2") and name.split("/")[1].split("-")[0] not in body_faces
    }
    assert {name.split("/")[1].split("-")[0] for name in subsets} == {
        "NotoSerifSC",
        "NotoSansSC",
        "NotoSansArabic",
    }
    assert all(len(data) < 40_000 for data in subsets.values())  # the SC fonts: 8 and 11 MB
    assert f"unicode-range: {unicode_range(NAMES['Chinese'])};" in fonts.css
    plain = web_fonts(["<html><body><p>Ulaanbaatar, Улаанбаатар</p></body></html>"])
    stems = {name.split("/")[1].split("-")[0] for name in plain.files if name.endswith(".woff2")}
    assert stems == body_faces  # a page in Latin and Cyrillic needs no other script's face


def test_unicode_range_joins_neighbours():
    assert unicode_range("北京乌") == "U+4E4C, U+4EAC, U+5317"
    assert unicode_range("abcz") == "U+61-63, U+7A"


# --- check: a character no shipped font has ----------------------------------------------------

RUNE = "\u16a0"  # ᚠ RUNIC LETTER FEHU FEOH FE F: no shipped font has it


def test_the_shipped_fonts_cover_the_range_countries_scripts():
    assert list(uncovered(list(NAMES.values()), 1)) == []
    assert ord(RUNE) not in shipped_coverage()


def test_a_character_no_shipped_font_has_is_a_located_warning(mini: Path, run_cli):
    chapter = mini / "chapters" / "01-dens.md"
    edit(chapter, 'title: "Dens', f'title: "{RUNE} Dens')
    edit(chapter, "## Home ranges\n", f"## Home ranges\n\nA rune {RUNE} and {RUNE} again.\n")
    edit(chapter, "## Home ranges\n", f"## Home ranges\n\n```\ncode {RUNE}\u2801\n```\n")
    bib = mini / "references" / "mini.bib"
    edit(bib, "title = {Den-site", f"title = {{{RUNE} Den-site")
    result = run_cli("-C", str(mini), "check")
    lines = [line for line in result.lines if "[glyph-missing]" in line]
    rune = "the character 'ᚠ' (U+16A0 RUNIC LETTER FEHU FEOH FE F)"
    braille = "the character '⠁' (U+2801 BRAILLE PATTERN DOTS-1)"
    missing = "warning: no shipped font has"
    assert lines == [
        # the title, twice in a paragraph, once in code: reported once, where it is first
        f"chapters/01-dens.md:2:9: {missing} {rune} (4 times in this file) [glyph-missing]",
        f"chapters/01-dens.md:39:7: {missing} {braille} [glyph-missing]",
        f"references/mini.bib:3:12: {missing} {rune} in entry 'ross2010den' [glyph-missing]",
    ]
    assert result.status == 0  # a warning: the build goes on
