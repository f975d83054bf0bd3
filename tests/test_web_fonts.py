"""The web edition's fonts: every face a WOFF2 subset of the characters the site shows.

Real fontTools subsetting of the theme's real fonts; the subsets are read back with fontTools.
"""

from __future__ import annotations

import io
import re

import pytest
from fontTools.ttLib import TTFont

from pica_publish.theme import font_files
from pica_publish.web_fonts import ALWAYS_IN_TEXT_FACES, unicode_range, web_fonts

PAGE = (
    "<html><head><title>Dens · CATnews</title></head><body>"
    "<h1>Dens and home ranges</h1><p>Петрова and Öztürk studied 29 cats – “manul”.</p>"
    '<img src="x.png" alt="Ħ map"></body></html>'
)
TEXT_FAMILIES = {"Noto Serif", "Noto Sans", "JetBrains Mono"}


@pytest.fixture(scope="module")
def fonts():
    return web_fonts([PAGE])


def rules(css: str) -> list[dict[str, str]]:
    """Each ``@font-face`` rule as its descriptors."""
    found = []
    for body in re.findall(r"@font-face \{\n(.*?)\}\n", css, re.DOTALL):
        found.append(dict(line.strip().rstrip(";").split(": ", 1) for line in body.splitlines()))
    return found


def characters(data: bytes) -> set[str]:
    return {chr(point) for point in TTFont(io.BytesIO(data)).getBestCmap()}


def test_every_text_face_is_a_woff2_subset_no_whole_font(fonts):
    faces = {(f.family, f.style) for f in font_files() if f.family in TEXT_FAMILIES}
    assert len(faces) == 6  # upright and italic of each
    assert all(name.endswith(".woff2") for name in fonts.files)
    assert not [name for name in fonts.files if name.lower().endswith((".ttf", ".otf"))]
    text_rules = [r for r in rules(fonts.css) if r["font-family"].strip('"') in TEXT_FAMILIES]
    assert {(r["font-family"].strip('"'), r["font-style"]) for r in text_rules} == faces
    for name, data in fonts.files.items():
        assert data[:4] == b"wOF2", name
        assert len(data) < 120_000, (name, len(data))  # the whole faces: 0.2 to 2.4 MB


def test_a_text_face_holds_the_site_s_characters_and_ascii_only(fonts):
    (rule,) = [
        r
        for r in rules(fonts.css)
        if r["font-family"] == '"Noto Serif"' and r["font-style"] == "normal"
    ]
    name = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', rule["src"])[1]
    held = characters(fonts.files[name])
    shown = set("Dens and home rangesПетроваÖztürk–“”Ħ·CATnews29")
    assert shown <= held
    assert ALWAYS_IN_TEXT_FACES <= held  # what the search box and the copy button may show
    assert not held - shown - ALWAYS_IN_TEXT_FACES - {" "}  # nothing else: no Greek, no Ж
    assert rule["unicode-range"] == unicode_range(held)


def test_rules_swap_and_keep_the_weight_axis(fonts):
    for rule in rules(fonts.css):
        assert rule["font-display"] == "swap"
        assert "font-stretch" not in rule  # the width axis is pinned at normal
    weights = {r["font-family"]: r["font-weight"] for r in rules(fonts.css)}
    assert weights['"Noto Serif"'] == "100 900"  # variable: every weight web.css asks for
    assert weights['"JetBrains Mono"'] == "100 800"


def test_the_first_screen_s_faces_are_preloaded(fonts):
    preloaded = {
        (r["font-family"].strip('"'), r["font-style"])
        for r in rules(fonts.css)
        if re.search(r'url\("([^"]+)"\)', r["src"])[1] in fonts.preload
    }
    assert preloaded == {("Noto Serif", "normal"), ("Noto Sans", "normal")}
    assert all(name in fonts.files for name in fonts.preload)


def test_subsets_keep_the_licence_and_are_the_same_bytes_each_time(fonts):
    for data in fonts.files.values():
        names = TTFont(io.BytesIO(data))["name"]
        assert "Open Font License" in str(names.getDebugName(13)) or "OFL" in str(
            names.getDebugName(14)
        )
    assert web_fonts([PAGE]).files == fonts.files


def test_a_page_in_latin_fetches_no_script_face_and_a_chinese_name_one_small_subset(fonts):
    script_faces = {f.family for f in font_files() if f.fallback}
    assert not [r for r in rules(fonts.css) if r["font-family"].strip('"') in script_faces]
    chinese = web_fonts([PAGE.replace("Dens and", "Dens 北京 and")])
    extra = {n: d for n, d in chinese.files.items() if n not in fonts.files}
    stems = {name.split("/")[1].rsplit("-", 1)[0] for name in extra}
    assert {"NotoSerifSC-Regular", "NotoSansSC-Regular"} <= stems
    sc_rules = [r for r in rules(chinese.css) if r["font-family"] == '"Noto Serif SC"']
    assert [r["unicode-range"] for r in sc_rules] == [unicode_range("北京")]
