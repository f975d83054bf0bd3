"""The theme: templates, stylesheets, the citation style and the fonts, all package data.

Templates are Jinja2 with autoescaping; chapter HTML reaches them already sanitised and is marked
safe explicitly (``|safe``) in exactly the places that take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import fontpkg_noto_sans
import fontpkg_noto_serif
import jinja2
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


def font_files() -> tuple[FontFile, ...]:
    """The variable fonts the theme uses, from their PyPI packages (Latin Extended + Cyrillic)."""
    faces = []
    for package in (fontpkg_noto_serif, fontpkg_noto_sans):
        files = Path(package.ROOT) / "files"
        for path in sorted(files.glob("*.ttf")):
            style = "italic" if "Italic" in path.name else "normal"
            faces.append(FontFile(str(package.FAMILY), style, path))
    return tuple(faces)


def font_face_css(url_for: Any, *, ranges: bool) -> str:
    """``@font-face`` rules; ``url_for(FontFile)`` gives the URL each output uses.

    Browsers need the weight and width ranges of a variable font; WeasyPrint rejects range
    descriptors but instantiates the variable font at any weight asked for.
    """
    rules = []
    for face in font_files():
        rules.append(
            "@font-face {\n"
            f"  font-family: {css_string(face.family)};\n"
            f"  src: url({css_string(url_for(face))});\n"
            f"  font-style: {face.style};\n"
            + ("  font-weight: 100 900;\n  font-stretch: 62.5% 100%;\n" if ranges else "")
            + "}\n"
        )
    return "".join(rules)
