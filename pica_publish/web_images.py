"""Images for the HTML edition: the original plus smaller copies for ``srcset``.

Raster figures (PNG, JPEG) wider than the reading column get 800 px and 1600 px variants made
with Pillow, and every ``<img>`` gets its intrinsic size (no layout shift) and lazy loading. SVG
is published cleaned (:func:`pica_publish.svg.clean_svg`): scripts, event handlers and outside
references never reach the site, even when a reader opens the figure on its own.

Each file is published under a name made from its content (:func:`published_name`): two figures
called ``map.png`` in different folders cannot overwrite each other, and the name holds only
characters that need no escaping in a URL, so ``src`` and ``srcset`` (whose candidates are split
at spaces and commas) stay valid whatever the author called the file.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import PIL
from PIL import Image

from pica_publish import user_cache
from pica_publish.htmltree import parse, serialise
from pica_publish.inputs import read_input
from pica_publish.svg import clean_svg

VARIANT_WIDTHS = (800, 1600)
SIZES = "(min-width: 38rem) 34rem, 100vw"
RASTER = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
FOLDER = "figures"
"""Where an article page's images go, next to its ``index.html``."""
NOT_IN_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class WebImage:
    files: dict[str, bytes]
    """Relative path (from the article page) → bytes, the original included."""
    attributes: Mapping[str, str]
    """Extra ``<img>`` attributes: width, height, loading, srcset, sizes."""
    src: str
    """Where the original is published (relative path): the ``<img src>``."""


def published_name(path: Path, data: bytes) -> str:
    """``figures/map-1f0c3a9b2e.png``: the file's name in lowercase ASCII letters, digits and
    hyphens (``figure`` when nothing of it is left), then the start of the SHA-256 of its
    content. Different files never share a name; the same file always gets the same one."""
    ascii_stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    stem = NOT_IN_NAME.sub("-", ascii_stem.lower()).strip("-")[:60].strip("-") or "figure"
    suffix = NOT_IN_NAME.sub("", path.suffix.lower())
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{FOLDER}/{stem}-{digest}.{suffix}" if suffix else f"{FOLDER}/{stem}-{digest}"


def web_image(path: Path, target: str | None = None, *, root: Path | None = None) -> WebImage:
    """The files and ``<img>`` attributes for ``path`` published at ``target`` (a relative path
    of URL-safe characters; by default :func:`published_name`).

    The file is read through the input rule again (inside ``root``, default its own folder).

    :raises InputRefused: the file changed into something the rule refuses since *check*.
    """
    data = read_input(path, [root or path.parent], kind="image")
    if target is None:
        target = published_name(path, data)
    if path.suffix.lower() == ".svg":
        return WebImage({target: clean_svg(data)}, {"loading": "lazy"}, target)
    files = {target: data}
    if path.suffix.lower() not in RASTER:
        return WebImage(files, {"loading": "lazy"}, target)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        candidates = [f"{target} {width}w"]
        stem, suffix = target.rsplit(".", 1)
        for variant in VARIANT_WIDTHS:
            if variant >= width:
                continue
            name = f"{stem}-{variant}w.{suffix}"
            files[name] = _variant(data, image, variant, RASTER[path.suffix.lower()])
            candidates.insert(-1, f"{name} {variant}w")
    attributes = {"width": str(width), "height": str(height), "loading": "lazy"}
    if len(candidates) > 1:
        attributes |= {"srcset": ", ".join(candidates), "sizes": SIZES}
    return WebImage(files, attributes, target)


def _variant(data: bytes, image: Image.Image, width: int, kind: str) -> bytes:
    """``image`` resized to ``width`` pixels wide, saved as ``kind``: made once per machine
    (:mod:`pica_publish.user_cache`, by the original's content), as resizing a figure takes a
    tenth of a second and every build of the web edition needs every variant."""

    def make() -> bytes:
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, kind, optimize=True)
        return buffer.getvalue()

    parts = (data, str(width), kind, PIL.__version__)
    return user_cache.remembered(user_cache.entry("web-images", parts, kind.lower()), make)


def rewrite_img(body: str, source: str, target: str, attributes: Mapping[str, str]) -> str:
    """Point every ``<img src=source>`` at ``target`` and add ``attributes`` (on the tree).

    Sources are compared as the files they name: pandoc writes ``карта%20(1).png`` where
    the check stage read ``%D0%BA…%20(1).png``, and both are the same file."""
    root = parse(body)
    wanted = _file_part(source)
    for image in root.iter("img"):
        if _file_part(image.get("src") or "") == wanted:
            image.set("src", target)
            for name, value in attributes.items():
                image.set(name, value)
    return serialise(root)


def _file_part(url: str) -> str:
    return unquote(urlsplit(url).path)
