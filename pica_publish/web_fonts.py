"""Fonts for the HTML edition: every face cut to the characters of the site, as WOFF2.

The theme's fonts are large variable TrueType files (Noto Serif alone is 1.9 MB; Noto Serif SC
11 MB) that hold far more than a site shows. Every face is published the same way: a WOFF2
subset holding only the characters of the site that it draws, with the width axis pinned at
normal (the site never narrows type) and no hinting, and its ``@font-face`` rule carries that
list as ``unicode-range`` and ``font-display: swap`` (text shows at once in a fallback face and
is redrawn when the face arrives). Which characters a face draws:

* the text faces (Noto Serif, Noto Sans, JetBrains Mono): every character of the site they
  have, and printable ASCII whatever the pages say, for what scripts write into a page (the
  search box, the search interface, the copy button);
* the faces for other scripts: the characters of the site that the text faces lack, so a
  browser downloads one only for a page that has one of them (a Chinese place name costs that
  page a few kilobytes).

The subsets are named by content, so they can be cached for good; :data:`PRELOADED` are the
faces the first screen of every page sets (body text, headings and the site header), which the
pages ask for before the stylesheet names them (``<link rel="preload">``). Cutting a face
takes up to three seconds, so subsets are kept in the user cache, keyed by the font's content, the
characters and the recipe, and the faces not cached yet are cut in parallel.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

from pica_publish.coverage import cmap
from pica_publish.htmltree import clean_text
from pica_publish.theme import FONT_STACKS, FontFile, css_string, font_files

NOT_IN_NAME = re.compile(r"[^A-Za-z0-9]+")
ALWAYS_IN_TEXT_FACES = frozenset(map(chr, range(0x20, 0x7F)))
"""Printable ASCII: what the search box, Pagefind's interface and the copy button may show
without being in any page's text."""
PRELOADED = (("Noto Serif", "normal"), ("Noto Sans", "normal"))
"""(family, style) of the faces every first screen needs: the body text, and the header, title,
byline and headings."""
PINNED_AXES = {"wdth": 100.0}
"""Variation axes fixed in the web fonts: the stylesheet never sets ``font-stretch``. The weight
axis stays, so one file draws every weight web.css asks for."""
RECIPE = "woff2; all layout features; all names; wdth=100; no hinting; 1"
"""What :func:`subset_woff2` does, in the cache key: change it when the recipe changes."""


@dataclass(frozen=True)
class WebFonts:
    css: str
    """The ``@font-face`` rules, with URLs relative to the stylesheet."""
    files: dict[str, bytes]
    """Path relative to the stylesheet's folder → bytes."""
    preload: tuple[str, ...] = ()
    """The files of :data:`PRELOADED`, as paths relative to the stylesheet's folder."""


def web_fonts(pages: Iterable[str], *, folder: str = "fonts") -> WebFonts:
    """The fonts of a site whose pages (HTML) are ``pages``."""
    used = {char for page in pages for char in page_text(page)}
    text_covered = text_face_coverage()
    plan: list[tuple[FontFile, tuple[str, ...]]] = []
    for face in font_files():
        wanted = used - text_covered if face.fallback else used | ALWAYS_IN_TEXT_FACES
        needed = tuple(sorted(char for char in wanted if ord(char) in cmap(face.path)))
        if needed:
            plan.append((face, needed))
    subsets = subset_woff2_all([(face.path, needed) for face, needed in plan])
    rules: list[str] = []
    files: dict[str, bytes] = {}
    preload: list[str] = []
    for (face, needed), data in zip(plan, subsets, strict=True):
        name = f"{folder}/{url_safe_stem(face.path)}-{hashlib.sha256(data).hexdigest()[:10]}.woff2"
        files[name] = data
        rules.append(font_face_rule(face, name, data, needed))
        if (face.family, face.style) in PRELOADED:
            preload.append(name)
    return WebFonts("".join(rules), files, tuple(preload))


def font_face_rule(face: FontFile, url: str, data: bytes, characters: Iterable[str]) -> str:
    """The ``@font-face`` rule of one subset: its weights (a range for a variable font, read
    from the subset itself) and the characters it has."""
    weight = str(face.weight) if face.weight is not None else weight_range(data)
    return (
        "@font-face {\n"
        f"  font-family: {css_string(face.family)};\n"
        f'  src: url({css_string(url)}) format("woff2");\n'
        f"  font-style: {face.style};\n"
        + (f"  font-weight: {weight};\n" if weight else "")
        + "  font-display: swap;\n"
        f"  unicode-range: {unicode_range(characters)};\n"
        "}\n"
    )


def weight_range(data: bytes) -> str:
    """``100 900``: the weight axis of a variable font ('' for a static font)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True)
    if "fvar" not in font:
        return ""
    axes = {axis.axisTag: axis for axis in font["fvar"].axes}
    if "wght" not in axes:
        return ""
    return f"{axes['wght'].minValue:g} {axes['wght'].maxValue:g}"


@lru_cache(maxsize=512)  # by page: a rebuild changes few pages
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


def subset_woff2_all(requests: list[tuple[Path, tuple[str, ...]]]) -> list[bytes]:
    """Each font of ``requests`` cut down to its characters (:func:`subset_woff2`); those not
    in the user cache are cut in parallel processes (a few seconds each)."""
    cached = [subset_cache_path(path, characters) for path, characters in requests]
    missing = [i for i, file in enumerate(cached) if not file.is_file()]
    if len(missing) > 1:
        with ProcessPoolExecutor(max_workers=min(len(missing), os.cpu_count() or 2)) as pool:
            made = list(pool.map(_subset, *zip(*(requests[i] for i in missing), strict=True)))
        for i, data in zip(missing, made, strict=True):
            _write_atomic(cached[i], data)
    return [subset_woff2(path, characters) for path, characters in requests]


def subset_woff2(path: Path, characters: tuple[str, ...]) -> bytes:
    """``path`` cut down to ``characters`` (with what shaping them needs: ligatures, the
    positional forms of Arabic, Devanagari conjuncts), :data:`PINNED_AXES` fixed, as WOFF2;
    from the user cache when this font was cut to these characters before."""
    cached = subset_cache_path(path, characters)
    if cached.is_file():
        return cached.read_bytes()
    data = _subset(path, characters)
    _write_atomic(cached, data)
    return data


def subset_cache_path(path: Path, characters: tuple[str, ...]) -> Path:
    """Where the user cache keeps a subset: named by the font's content, the characters, the
    recipe and the fontTools version."""
    import fontTools

    from pica_publish.fonts import cache_root

    key = hashlib.sha256()
    for part in (fontTools.version, RECIPE, font_digest(path), "".join(characters)):
        key.update(part.encode("utf-8") + b"\0")
    return cache_root() / "web-fonts" / f"{key.hexdigest()[:32]}.woff2"


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, target)  # atomic: parallel builds may race to write the same subset


def _subset(path: Path, characters: tuple[str, ...]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # every OpenType feature: Arabic and Indic shaping
    options.name_IDs = ["*"]  # the copyright and licence (OFL) stay in the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # browsers hint (or not) themselves; a third of the bytes
    font = TTFont(path, recalcTimestamp=False)  # same characters, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(char) for char in characters])
    subsetter.subset(font)
    if "fvar" in font:
        axes = {axis.axisTag for axis in font["fvar"].axes}
        limits: dict[str, Any] = {t: v for t, v in PINNED_AXES.items() if t in axes}
        if limits:
            font = instantiateVariableFont(font, limits, updateFontNames=False)
    output = io.BytesIO()
    font.flavor = "woff2"
    font.save(output)
    return output.getvalue()


@cache
def font_digest(path: Path) -> str:
    """SHA-256 of a font file (read once per process)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
