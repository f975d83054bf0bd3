"""Part of stage 2, *check*: the images of a chapter body.

Every image must be a readable PNG, JPEG or safe SVG file of the project, written as a path
relative to its chapter, with alt text, in a paragraph of its own (a figure). Consumes the
images of a :class:`~pica_publish.markdown.BodyScan`; produces their resolved paths.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pica_publish import rules
from pica_publish.checks.dialects import is_local_file
from pica_publish.diagnostics import Report
from pica_publish.inputs import InputRefused, resolve_input
from pica_publish.markdown import ImageRef
from pica_publish.model import ChapterSource, Issue


def check_images(
    issue: Issue, chapter: ChapterSource, refs: tuple[ImageRef, ...], report: Report
) -> dict[str, Path]:
    """Image source as written → resolved file, for every image that exists in the project."""
    paths: dict[str, Path] = {}
    for image in refs:
        location = chapter.location(image.line + chapter.body_line - 1, image.column)
        parts = urlsplit(image.src)
        if not image.alt.strip():
            report.add(rules.IMAGE_ALT_MISSING, f"image '{image.src}' has no alt text", location)
        if image.in_text:
            report.add(
                rules.FIGURE_IN_TEXT,
                f"image '{image.src}' is inside a paragraph with other text: it will not be a "
                "figure (no caption, no number, and @fig: references to it print '??')",
                location,
            )
        if is_local_file(image.src) or (
            not parts.scheme and not parts.netloc and unquote(parts.path).startswith("/")
        ):
            report.add(
                rules.IMAGE_OUTSIDE,
                f"image '{unquote(image.src)}' is a path on one computer, not a file of the "
                "project",
                location,
                "copy the image into chapters/figures/ and write its path from the chapter: "
                "figures/name.png",
            )
            continue
        if parts.scheme or parts.netloc:
            report.add(
                rules.IMAGE_REMOTE,
                f"image '{image.src}' is not a file in the project",
                location,
            )
            continue
        try:
            path = resolve_input(
                chapter.path.parent / unquote(parts.path), [issue.root], kind="image"
            )
        except InputRefused as refused:
            if refused.missing:
                report.add(rules.IMAGE_MISSING, f"image file '{image.src}' not found", location)
            else:
                report.add(rules.IMAGE_OUTSIDE, f"image '{image.src}' {refused.reason}", location)
            continue
        if problem := image_problem(path):
            report.add(
                rules.IMAGE_UNREADABLE,
                f"image '{image.src}' {problem}",
                location,
                "export the figure again as plain SVG (no scripts, links or embedded HTML) or PNG"
                if problem.startswith("is not safe")
                else "the file is incomplete or corrupted: copy or export it again"
                if problem.startswith("is damaged:")
                else "save the figure as SVG, PNG or JPEG",
            )
        else:
            paths[image.src] = path
    return paths


IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
MAX_IMAGE_PIXELS = 80_000_000
"""A full-page photograph at 300 dpi has 9 million pixels; decoding 80 million takes ~320 MB.
Larger images are refused before anything decodes them (Pillow reads only the header here)."""


def image_problem(path: Path) -> str:
    """Why an image cannot be used in both editions, or '' (:func:`_image_problem`), remembered
    in the process by the file's identity, size and time: ``serve`` checks every figure and
    photograph again at each save, and decoding a full-page JPEG takes a twentieth of a second."""
    try:
        stat = path.stat()
    except OSError:
        return _image_problem(path)
    return _remembered_problem(path, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=512)
def _remembered_problem(path: Path, _inode: int, _size: int, _mtime: int) -> str:
    return _image_problem(path)


def _image_problem(path: Path) -> str:
    """Why an image cannot be used in both editions, or ''.

    Raster images: only the header is read. SVG: the whole file (up to the size limit) is
    checked against the allow-list of :mod:`pica_publish.svg`.
    """
    suffix = path.suffix.lower()
    if suffix == ".svg":
        from pica_publish.svg import MAX_BYTES, svg_problems

        with path.open("rb") as file:
            problems = svg_problems(file.read(MAX_BYTES + 1))  # a larger file is refused
        if not problems:
            return ""
        first = str(problems[0])  # "is not an SVG file …", or "has a <script> element (line 3)"
        return first if first.startswith("is ") else f"is not safe: {first}"
    if suffix not in IMAGE_FORMATS:
        return f"has an unsupported format '{suffix or 'none'}'"
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                found = picture.format
                width, height = picture.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more than {MAX_IMAGE_PIXELS // 1_000_000} million pixels"
    except (UnidentifiedImageError, OSError):
        return "is damaged or not an image"
    if width * height > MAX_IMAGE_PIXELS:
        return f"has {width} × {height} pixels, more than {MAX_IMAGE_PIXELS // 1_000_000} million"
    if found != IMAGE_FORMATS[suffix]:
        return f"is a {found} file named {suffix}"
    return image_damage(path)


def image_damage(path: Path) -> str:
    """Why a PNG or JPEG whose header reads fine cannot be decoded (a truncated or corrupted
    file), or ''. Cheap: a PNG's chunks are read and their checksums compared, without
    inflating the pixels; a JPEG is decoded at 1/8 scale (draft mode)."""
    from PIL import Image, ImageFile

    # WeasyPrint, once imported, lets Pillow fill a truncated image with grey (a process-wide
    # switch): off while this file is read, so that the damage is seen here.
    tolerant = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(path) as picture:
            if picture.format == "PNG":
                picture.verify()  # every chunk's CRC, up to IEND
            else:
                picture.draft("RGB", (max(1, picture.width // 8), max(1, picture.height // 8)))
                picture.load()  # a truncated scan raises "image file is truncated"
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return f"is damaged: {str(error).rstrip('.') or type(error).__name__}"
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    return ""
