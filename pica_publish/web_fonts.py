"""Fonts for the HTML edition: the text faces whole, the other scripts' faces cut to the site.

The faces for other scripts are large (Noto Serif SC alone is 11 MB) and most pages need none of
them. Each is published as a WOFF2 subset holding only the characters of the site that the text
faces lack, and its ``@font-face`` rule carries that list as ``unicode-range``: a browser
downloads a face only for a page that has one of those characters (a Chinese place name costs
that page a few kilobytes). The subsets are named by content, so they can be cached for good.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import html as lxml_html

from pica_publish.coverage import cmap
from pica_publish.htmltree import clean_text
from pica_publish.theme import FONT_STACKS, font_face_css, font_files

NOT_IN_NAME = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class WebFonts:
    css: str
    """The ``@font-face`` rules, with URLs relative to the stylesheet."""
    files: dict[str, bytes]
    """Path relative to the stylesheet's folder → bytes."""


def web_fonts(pages: Iterable[str], *, folder: str = "fonts") -> WebFonts:
    """The fonts of a site whose pages (HTML) are ``pages``."""
    used = {char for page in pages for char in page_text(page)}
    text_covered = text_face_coverage()
    rules: list[str] = []
    files: dict[str, bytes] = {}
    for face in font_files():
        if not face.fallback:
            name = f"{folder}/{url_safe_stem(face.path)}{face.path.suffix.lower()}"
            files[name] = face.path.read_bytes()
            rules.append(font_face_css(lambda _face, url=name: url, ranges=True, faces=[face]))
            continue
        needed = sorted({char for char in used if ord(char) in cmap(face.path)} - text_covered)
        if not needed:
            continue
        data = subset_woff2(face.path, tuple(needed))
        name = f"{folder}/{url_safe_stem(face.path)}-{hashlib.sha256(data).hexdigest()[:10]}.woff2"
        files[name] = data
        rule = font_face_css(lambda _face, url=name: url, ranges=True, faces=[face])
        rules.append(rule.replace("}\n", f"  unicode-range: {unicode_range(needed)};\n}}\n"))
    return WebFonts("".join(rules), files)


def page_text(page: str) -> str:
    """What a page shows as text (and its title, alt texts and tooltips), markup left out."""
    root = lxml_html.document_fromstring(clean_text(page) or "<html></html>")
    shown = [root.text_content()]
    shown += [value for value in root.xpath("//@alt | //@title | //@placeholder | //@aria-label")]
    return "".join(str(text) for text in shown)


@cache
def text_face_coverage() -> frozenset[str]:
    """The characters every stack draws with a face that comes before the script faces."""
    fallback = {face.family for face in font_files() if face.fallback}
    covered: frozenset[str] | None = None
    for stack in FONT_STACKS.values():
        leading = []
        for family in stack:
            if family in fallback:
                break
            leading.append(family)
        points = {
            point for face in font_files() if face.family in leading for point in cmap(face.path)
        }
        chars = frozenset(map(chr, points))
        covered = chars if covered is None else covered & chars
    return covered or frozenset()


def subset_woff2(path: Path, characters: tuple[str, ...]) -> bytes:
    """``path`` cut down to ``characters`` (with what shaping them needs: ligatures, the
    positional forms of Arabic, Devanagari conjuncts), as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # every OpenType feature: Arabic and Indic shaping
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(path, recalcTimestamp=False)  # same characters, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    subsetter.subset(font)
    output = io.BytesIO()
    font.flavor = "woff2"
    font.save(output)
    return output.getvalue()


def unicode_range(characters: Iterable[str]) -> str:
    """``U+4E2D, U+5317-5318``: the code points as ranges."""
    points = sorted({ord(char) for char in characters})
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    return ", ".join(
        f"U+{start:X}" if start == end else f"U+{start:X}-{end:X}" for start, end in ranges
    )


def url_safe_stem(path: Path) -> str:
    """``NotoSerif-wdth-wght`` for ``NotoSerif[wdth,wght].ttf``: no character a URL must escape."""
    return NOT_IN_NAME.sub("-", path.stem).strip("-")
