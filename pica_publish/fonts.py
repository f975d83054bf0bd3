"""Static instances of the theme's variable fonts for the print edition.

WeasyPrint can use the variable Noto fonts directly, but then it re-instantiates every weight in
every PDF it writes (fontTools, ~0.1 s per face and PDF): with an offprint per article that was a
third of the layout time. The print edition therefore uses static instances at the weights its
stylesheet asks for, made once per machine with fontTools' instancer (in parallel processes) and
kept in the user cache (``$PICA_PUBLISH_CACHE`` or ``~/.cache/pica_publish``), keyed by the
variable fonts' content and the fontTools version.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fontTools

from pica_publish.theme import FontFile, font_files

# (family, style, weight): the faces of the variable fonts print.css uses; other weights fall
# back to the nearest.
PRINT_FACES: tuple[tuple[str, str, int], ...] = (
    ("Noto Serif", "normal", 400),
    ("Noto Serif", "normal", 600),
    ("Noto Serif", "normal", 700),
    ("Noto Serif", "italic", 400),
    ("Noto Serif", "italic", 700),
    ("Noto Sans", "normal", 300),
    ("Noto Sans", "normal", 400),
    ("Noto Sans", "normal", 600),
    ("Noto Sans", "normal", 700),
    ("Noto Sans", "normal", 800),
    ("Noto Sans", "italic", 600),
    ("JetBrains Mono", "normal", 400),
    ("JetBrains Mono", "normal", 700),
    ("JetBrains Mono", "italic", 400),
    ("Noto Sans Arabic", "normal", 400),
    ("Noto Sans Arabic", "normal", 700),
    ("Noto Sans Devanagari", "normal", 400),
    ("Noto Sans Devanagari", "normal", 700),
)
"""Static fonts of the theme (Tibetan, Mongolian, Chinese) are used as they are."""


@dataclass(frozen=True)
class StaticFace:
    family: str
    style: str
    weight: int
    path: Path


def cache_root() -> Path:
    configured = os.environ.get("PICA_PUBLISH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pica_publish"


def _source(family: str, style: str) -> FontFile:
    return next(f for f in font_files() if f.family == family and f.style == style)


def _instantiate(source: str, weight: int, target: str) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    variable = TTFont(source)
    axes = {axis.axisTag for axis in variable["fvar"].axes}
    limits = {tag: value for tag, value in (("wght", weight), ("wdth", 100)) if tag in axes}
    font = instantiateVariableFont(variable, limits)
    folder = Path(target).parent
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as tmp:
        font.save(tmp.name)
    os.replace(tmp.name, target)  # atomic: parallel builds may race to make the same face


def print_faces() -> tuple[StaticFace, ...]:
    """The static faces, made on first use, then the theme's static fonts."""
    digest = hashlib.sha256(fontTools.version.encode())
    for source in font_files():
        digest.update(source.path.name.encode())
        digest.update(str(source.path.stat().st_size).encode())
    folder = cache_root() / "fonts" / digest.hexdigest()[:16]
    faces: list[StaticFace] = []
    missing = []
    for family, style, weight in PRINT_FACES:
        name = f"{family.replace(' ', '')}-{style}-{weight}.ttf"
        face = StaticFace(family, style, weight, folder / name)
        faces.append(face)
        if not face.path.is_file():
            missing.append((str(_source(family, style).path), weight, str(face.path)))
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(max_workers=min(len(missing), os.cpu_count() or 2)) as pool:
            list(pool.map(_instantiate, *zip(*missing, strict=True)))
    static = [StaticFace(f.family, f.style, f.weight, f.path) for f in font_files() if f.weight]
    return (*faces, *static)
