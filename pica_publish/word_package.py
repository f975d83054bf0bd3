"""A Word (``.docx``) or OpenDocument (``.odt``) manuscript as a package: a zip file read within
bounds (a zip bomb is refused, not unpacked), its XML parts parsed without entities or network.
Shared by :mod:`pica_publish.word_import` and :mod:`pica_publish.word_fields`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MAX_PACKAGE_BYTES = 200 * 1024 * 1024
"""What a manuscript package may hold, uncompressed (a zip bomb is refused, not unpacked)."""
MAX_PACKAGE_FILES = 5000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
}


TODO = "TODO(import)"
"""The mark of what the import could not do; ``check`` reports each one, with its text."""


class ImportRefused(Exception):
    """The manuscript cannot be imported as it is; ``problems`` say why, one a line."""

    def __init__(self, problems: list[str], hint: str = "") -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.hint = hint


@contextmanager
def package(path: Path) -> Iterator[zipfile.ZipFile]:
    """The manuscript as a zip file, refused when it is not one or would unpack too large (the
    sizes it declares bound what is read: ``zipfile`` stops at them)."""
    try:
        opened = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRefused(
            [f"{path.name} cannot be read as a Word or OpenDocument file: {error}"],
            "save it again from Word or LibreOffice as .docx",
        ) from None
    with opened:
        infos = opened.infolist()
        if len(infos) > MAX_PACKAGE_FILES or sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise ImportRefused(
                [f"{path.name} unpacks to more than {MAX_PACKAGE_BYTES // 2**20} MB"],
                "send the figures as separate files and the text without them",
            )
        yield opened


def part(package: zipfile.ZipFile, name: str) -> Any:
    """One XML part of the package, parsed without entities or network access."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(package.read(name), parser)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, ValueError) as error:
        raise ImportRefused([f"{name} in the manuscript cannot be read: {error}"]) from None
