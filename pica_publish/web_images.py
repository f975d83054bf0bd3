"""Images for the HTML edition: the original plus smaller copies for ``srcset``.

Raster figures (PNG, JPEG) wider than the reading column get 800 px and 1600 px variants made
with Pillow, and every ``<img>`` gets its intrinsic size (no layout shift) and lazy loading. SVG
is published cleaned (:func:`pica_publish.svg.clean_svg`): scripts, event handlers and outside
references never reach the site, even when a reader opens the figure on its own.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from pica_publish.htmltree import parse, serialise
from pica_publish.inputs import read_input
from pica_publish.svg import clean_svg

VARIANT_WIDTHS = (800, 1600)
SIZES = "(min-width: 46rem) 42rem, 100vw"
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


@dataclass(frozen=True)
class WebImage:
    files: dict[str, bytes]
    """Relative path (from the article page) → bytes, the original included."""
    attributes: Mapping[str, str]
    """Extra ``<img>`` attributes: width, height, loading, srcset, sizes."""


def web_image(path: Path, target: str, *, root: Path | None = None) -> WebImage:
    """The files and ``<img>`` attributes for ``path`` published at ``target`` (e.g. figures/a.png).

    The file is read through the input rule again (inside ``root``, default its own folder).

    :raises InputRefused: the file changed into something the rule refuses since *check*.
    """
    data = read_input(path, [root or path.parent], kind="image")
    if path.suffix.lower() == ".svg":
        return WebImage({target: clean_svg(data)}, {"loading": "lazy"})
    files = {target: data}
    if path.suffix.lower() not in RASTER:
        return WebImage(files, {"loading": "lazy"})
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        candidates = [f"{target} {width}w"]
        stem, suffix = target.rsplit(".", 1)
        for variant in VARIANT_WIDTHS:
            if variant >= width:
                continue
            resized = image.resize(
                (variant, round(height * variant / width)), Image.Resampling.LANCZOS
            )
            buffer = io.BytesIO()
            resized.save(buffer, RASTER[path.suffix.lower()], optimize=True)
            name = f"{stem}-{variant}w.{suffix}"
            files[name] = buffer.getvalue()
            candidates.insert(-1, f"{name} {variant}w")
    attributes = {"width": str(width), "height": str(height), "loading": "lazy"}
    if len(candidates) > 1:
        attributes |= {"srcset": ", ".join(candidates), "sizes": SIZES}
    return WebImage(files, attributes)


def rewrite_img(body: str, source: str, target: str, attributes: Mapping[str, str]) -> str:
    """Point every ``<img src=source>`` at ``target`` and add ``attributes`` (on the tree)."""
    root = parse(body)
    for image in root.iter("img"):
        if image.get("src") == source:
            image.set("src", target)
            for name, value in attributes.items():
                image.set(name, value)
    return serialise(root)
