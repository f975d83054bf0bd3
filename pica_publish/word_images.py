"""The pictures of an imported manuscript: each one's file in ``chapters/figures/<slug>/``
(TIFF, BMP and GIF converted to PNG without loss), its size dropped, Word's alt text kept."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish.word_ast import stringify

if TYPE_CHECKING:
    from pica_publish.scaffold import Staged


def place_image(
    image: dict[str, Any], name: str, slug: str, caption: list[dict[str, Any]]
) -> tuple[str, Path]:
    """An image's file goes to ``chapters/figures/<slug>/<name>``; its size in the manuscript
    goes (the house style sizes figures); Word's alt text stays, unless it repeats the
    caption. The file's name in that folder, and the extracted picture to copy there."""
    image_attr, alt, target = image["c"]
    source = Path(target[0])
    suffix = source.suffix.lower()
    file_name = f"{name}{'.png' if suffix in LOSSLESS_TO_PNG and _readable(source) else suffix}"
    described = " ".join(stringify(alt).split())
    kept = [(k, v) for k, v in image_attr[2] if k not in ("width", "height", "alt")]
    if described and described != " ".join(stringify(caption).split()):
        kept.append(("alt", described))
    image_attr[2] = kept
    target[0] = f"figures/{slug}/{file_name}"
    return file_name, source


def _readable(picture: Path) -> bool:
    """Whether Pillow can read ``picture`` (else it is copied as it is, under its own name)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(picture) as image:
            image.verify()
        return True
    except (OSError, UnidentifiedImageError, ValueError):
        return False


LOSSLESS_TO_PNG = frozenset({".tif", ".tiff", ".bmp", ".gif"})
"""Picture formats Word keeps that the build does not take, converted to PNG without loss.
(EMF and WMF, Windows vector formats, cannot be drawn here: ``check`` asks for SVG or PNG.)"""


def copy_image(source: Path, target: Path, staged: Staged) -> Path:
    """``source`` as ``target``: copied, or converted to PNG (:data:`LOSSLESS_TO_PNG`); when
    it cannot be converted it is copied as it is, and ``check`` says what is wrong with it.
    The path it will have."""
    if target.suffix == ".png" and source.suffix.lower() in LOSSLESS_TO_PNG:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(source) as picture:
                picture.load()
                picture.save(staged.path(target), format="PNG")
            return target
        except (OSError, UnidentifiedImageError, ValueError):
            staged.files.pop()[0].unlink(missing_ok=True)
            target = target.with_suffix(source.suffix.lower())
    shutil.copyfile(source, staged.path(target))
    return target
