"""The theme: templates, stylesheets, the citation style and the fonts, all package data.

Templates are Jinja2 with autoescaping; chapter HTML reaches them already sanitised and is marked
safe explicitly (``|safe``) in exactly the places that take it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fontpkg_jetbrains_mono
import fontpkg_noto_sans
import fontpkg_noto_sans_arabic
import fontpkg_noto_sans_devanagari
import fontpkg_noto_serif
import jinja2
import pylopdf_fonts_zh_cn
from markupsafe import Markup

from pica_publish.inputs import read_input

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)
"""What pages of the HTML edition may load and run: only the site's own files (Pagefind's
search needs WebAssembly; pandoc writes widths as style attributes). Every page carries it in a
``<meta>`` element, ``serve`` sends it as a header, and docs/security.md recommends it (with
``frame-ancestors 'none'`` and ``sandbox`` for figures) to hosts."""


def theme_path(*parts: str) -> Path:
    return Path(str(resources.files("pica_publish").joinpath("theme", *parts)))


def hyphenation_exceptions() -> tuple[str, ...]:
    """The house hyphenation exceptions, ``theme/hyphenation.txt``: one word a line with the
    places where it may break marked by '-' ("Ka-zakh-stan"; "Asian" never breaks); lines
    starting with '#' are comments. ``theme/filters/hyphenation.lua`` applies them."""
    path = theme_path("hyphenation.txt")
    text = read_input(path, [path.parent], kind="theme").decode("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def smart(value: object) -> Markup:
    """Plain text with typographic quotes and dashes (titles from the manifest)."""
    from pica_publish.markdown import render_inline
    from pica_publish.sanitize import sanitize

    return Markup(sanitize(render_inline(str(value))))


CSS_ESCAPED = (
    frozenset("\"'\\<>&")
    | {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))}
    | {
        "\u2028",
        "\u2029",
    }
)


def css_string(value: object) -> Markup:
    """A CSS string literal, safe inside ``<style>``: quotes, backslashes, ``<``, ``>``, ``&`` and
    every control character written as a hex escape, so no value can end the string, the rule
    or the element. Only the editors' values (``issue.yml``, the theme) go into CSS; text from
    chapters reaches margin boxes through ``string-set`` on an element instead."""
    text = str(value)
    escaped = "".join(f"\\{ord(char):x} " if char in CSS_ESCAPED else char for char in text)
    return Markup(f'"{escaped}"')


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(theme_path("templates"))),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["content_security_policy"] = CONTENT_SECURITY_POLICY
    env.filters["css_string"] = css_string
    env.filters["smart"] = smart
    env.filters["folio"] = lambda n: f"{int(n):02d}"
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@dataclass(frozen=True)
class FontFile:
    family: str
    style: str
    path: Path
    weight: int | None = None
    """The weight of a static face; None for a variable font, which has them all."""
    fallback: bool = False
    """A face for scripts the text faces lack: after them in every stack, and published in the
    web edition only as a subset of the characters the site uses."""


TEXT_FONT_PACKAGES: tuple[Any, ...] = (
    fontpkg_noto_serif,
    fontpkg_noto_sans,
    fontpkg_jetbrains_mono,
)
"""Variable fonts from PyPI (fontpkg): Latin Extended, Cyrillic, Greek, Vietnamese."""
SCRIPT_FONT_PACKAGES: tuple[Any, ...] = (fontpkg_noto_sans_arabic, fontpkg_noto_sans_devanagari)
"""Variable fonts from PyPI (fontpkg) for Arabic and Persian, and for Devanagari (Nepal)."""
CHINESE_FACES = (("Noto Serif SC", "serif_path"), ("Noto Sans SC", "sans_path"))
"""Simplified Chinese (pylopdf-fonts-zh-cn: Noto CJK's SC subsets, regular weight only)."""
THEME_FACES = (
    ("Noto Serif Tibetan", "NotoSerifTibetan-Regular.ttf"),
    ("Noto Sans Mongolian", "NotoSansMongolian-Regular.ttf"),  # the traditional script
)
"""Scripts no PyPI package has a font for: shipped in ``theme/fonts`` (see its README)."""

SCRIPT_FAMILIES = ("Noto Sans Arabic", "Noto Sans Devanagari", "Noto Serif Tibetan")
FONT_STACKS: dict[str, tuple[str, ...]] = {
    "serif": (
        *("Noto Serif", *SCRIPT_FAMILIES, "Noto Sans Mongolian", "Noto Serif SC"),
        *("Noto Sans", "Noto Sans SC", "JetBrains Mono"),
    ),
    "sans": (
        *("Noto Sans", *SCRIPT_FAMILIES, "Noto Sans Mongolian", "Noto Sans SC"),
        *("Noto Serif", "Noto Serif SC", "JetBrains Mono"),
    ),
    "mono": (
        *("JetBrains Mono", "Noto Sans", *SCRIPT_FAMILIES, "Noto Sans Mongolian", "Noto Sans SC"),
        *("Noto Serif", "Noto Serif SC"),
    ),
}
"""The ``font-family`` lists of the theme (``--font-serif``, ``--font-sans`` and ``--font-mono``
in print.css and web.css, which a test holds to these): the text face, the faces for other
scripts, then every other shipped family. A character any shipped font has is therefore drawn
by a shipped font in every style, never by whatever fonts the machine has; for a character none
has, *check* warns (:mod:`pica_publish.coverage`)."""


@cache
def font_files() -> tuple[FontFile, ...]:
    """Every font the theme ships: the text faces, then the faces for other scripts."""
    faces = []
    for package in TEXT_FONT_PACKAGES + SCRIPT_FONT_PACKAGES:
        files = Path(package.ROOT) / "files"
        for path in sorted(files.glob("*.ttf")):
            style = "italic" if "Italic" in path.name else "normal"
            fallback = package in SCRIPT_FONT_PACKAGES
            faces.append(FontFile(str(package.FAMILY), style, path, fallback=fallback))
    for family, name in THEME_FACES:
        faces.append(FontFile(family, "normal", theme_path("fonts", name), 400, fallback=True))
    for family, function in CHINESE_FACES:
        path = Path(getattr(pylopdf_fonts_zh_cn, function)())
        faces.append(FontFile(family, "normal", path, 400, fallback=True))
    return tuple(faces)


def font_stack(role: str, *, generic: str = "") -> str:
    """A ``font-family`` value: the shipped families of ``FONT_STACKS[role]`` (then ``generic``,
    for browsers: a character no shipped font has is better drawn by the reader's fonts)."""
    families = [str(css_string(family)) for family in FONT_STACKS[role]]
    return ", ".join(families + ([generic] if generic else []))


def font_face_css(url_for: Any, *, ranges: bool, faces: Sequence[FontFile] | None = None) -> str:
    """``@font-face`` rules; ``url_for(FontFile)`` gives the URL each output uses.

    Browsers need the weight and width ranges of a variable font; WeasyPrint rejects range
    descriptors but instantiates the variable font at any weight asked for.
    """
    rules = []
    for face in font_files() if faces is None else faces:
        descriptors = ""
        if face.weight is not None:
            descriptors = f"  font-weight: {face.weight};\n"
        elif ranges:
            descriptors = variation_ranges(face.path)
        rules.append(
            "@font-face {\n"
            f"  font-family: {css_string(face.family)};\n"
            f"  src: url({css_string(url_for(face))});\n"
            f"  font-style: {face.style};\n" + descriptors + "}\n"
        )
    return "".join(rules)


@cache
def variation_ranges(path: Path) -> str:
    """``font-weight`` and ``font-stretch`` ranges of a variable font, from its axes."""
    from fontTools.ttLib import TTFont

    axes = {axis.axisTag: axis for axis in TTFont(path, lazy=True)["fvar"].axes}
    lines = []
    if "wght" in axes:
        lines.append(f"  font-weight: {axes['wght'].minValue:g} {axes['wght'].maxValue:g};\n")
    if "wdth" in axes:
        lines.append(f"  font-stretch: {axes['wdth'].minValue:g}% {axes['wdth'].maxValue:g}%;\n")
    return "".join(lines)
