"""An OpenDocument manuscript's citations and picture descriptions, made readable for the import.

LibreOffice keeps a citation as a reference mark named by the field's JSON (Zotero's and
Mendeley's LibreOffice plugins) or, for a Word file saved by LibreOffice, as a field mark holding
the Word field's code; pandoc's odt reader keeps their text only. :func:`normalise_odt` puts a
token (:data:`CITE_TOKEN`) where each citation's text was and returns the citations, which the
import sets in the token's place as pandoc's ``Cite`` (so an ``.odt``'s citations take the same
path as a ``.docx``'s); and the pictures' descriptions (``svg:desc``, LibreOffice's alt text),
which pandoc's odt reader drops.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pica_publish.word_package import ImportRefused
from pica_publish.word_package import package as _package
from pica_publish.word_package import part as _xml

# --- OpenDocument ----------------------------------------------------------------------------

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
FIELD = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
XLINK = "http://www.w3.org/1999/xlink"
CITE_TOKEN = "\u27e6pica-cite-{}\u27e7"
"""What stands for a citation in the text pandoc reads (``⟦pica-cite-3⟧``)."""
CITE_TOKEN_RE = re.compile("\u27e6pica-cite-(\\d+)\u27e7")
MARK_NAME_RE = re.compile(
    r"^(?:ADDIN\s+)?(?:ZOTERO_ITEM\s+)?CSL_CITATION\s+(?P<json>\{.*\})(?:\s+RND\w+)?\s*$",
    re.DOTALL,
)
"""The name of a citation's reference mark (Zotero's and Mendeley's LibreOffice plugins): the
field's CSL JSON, then Zotero's random suffix; a field mark's code is a Word field's."""


@dataclass
class OdtMarks:
    """What :func:`normalise_odt` took out of the text for the import to set back."""

    citations: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    """Each token's CSL citation (``citationItems`` with ``itemData``) and the text shown."""
    described: dict[str, str] = field(default_factory=dict)
    """A picture's file in the package (``Pictures/…``) → its description (alt text)."""
    unreadable: int = 0
    """Citation marks whose data could not be read (their text kept)."""

    @property
    def items(self) -> list[dict[str, Any]]:
        """The works cited, once each, as CSL items (as pandoc's csljson gives a ``.docx``'s)."""
        found: dict[str, dict[str, Any]] = {}
        for citation, _shown in self.citations:
            for cited in citation["citationItems"]:
                found.setdefault(str(cited["id"]), {**cited["itemData"], "id": str(cited["id"])})
        return list(found.values())


def normalise_odt(source: Path, target: Path) -> OdtMarks:
    """Write ``source`` to ``target`` with each citation mark's text replaced by a token."""
    from lxml import etree

    marks = OdtMarks()
    with _package(source) as package:
        if "content.xml" not in package.namelist():
            shutil.copyfile(source, target)
            return marks
        content = _xml(package, "content.xml")
        for frame in content.iter(f"{{{DRAW}}}frame"):
            image = frame.find(f"{{{DRAW}}}image")
            desc = frame.findtext(f"{{{SVG}}}desc") or frame.findtext(f"{{{SVG}}}title")
            if image is not None and desc and desc.strip():
                marks.described[image.get(f"{{{XLINK}}}href", "")] = " ".join(desc.split())
        for start, end, code in list(_odt_marks(content)):
            data = MARK_NAME_RE.match(code)
            citation = _csl_citation(data["json"]) if data else None
            if citation is None or end is None:  # an end inside another element: not taken
                marks.unreadable += 1
                continue
            shown = _odt_between(start, end)
            _odt_replace(start, end, CITE_TOKEN.format(len(marks.citations)))
            marks.citations.append((citation, shown))
        if not marks.citations:
            shutil.copyfile(source, target)
            return marks
        data = etree.tostring(content, xml_declaration=True, encoding="UTF-8")
        try:
            with zipfile.ZipFile(target, "w") as out:
                for info in package.infolist():
                    out.writestr(
                        info, data if info.filename == "content.xml" else package.read(info)
                    )
        except (zipfile.BadZipFile, ValueError) as error:
            raise ImportRefused([f"{source.name} cannot be read: {error}"]) from None
    return marks


def _odt_marks(content: Any) -> Any:
    """(start, end, code) of each reference mark and field mark, in document order."""
    for start in content.iter(f"{{{TEXT}}}reference-mark-start", f"{{{FIELD}}}fieldmark-start"):
        if start.tag == f"{{{TEXT}}}reference-mark-start":
            name = start.get(f"{{{TEXT}}}name", "")
            end = next(
                (
                    e
                    for e in start.itersiblings()
                    if e.tag == f"{{{TEXT}}}reference-mark-end" and e.get(f"{{{TEXT}}}name") == name
                ),
                None,
            )
            code = name
        else:
            end = next((e for e in start.itersiblings(f"{{{FIELD}}}fieldmark-end")), None)
            code = next(
                (
                    param.get(f"{{{FIELD}}}value", "")
                    for param in start.iter(f"{{{FIELD}}}param")
                    if param.get(f"{{{FIELD}}}name") == "vnd.oasis.opendocument.field.code"
                ),
                "",
            )
        if re.search(r"CSL_CITATION\s*\{", code):
            yield start, end, code.strip()


def _csl_citation(text: str) -> dict[str, Any] | None:
    """A field's CSL citation JSON with every item's ``itemData``; None where one lacks it."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    items = data.get("citationItems") if isinstance(data, dict) else None
    if not items or not all(
        isinstance(c, dict) and isinstance(c.get("itemData"), dict) for c in items
    ):
        return None
    for cited in items:
        cited["id"] = str(cited["itemData"].get("id") or cited.get("id"))
    return dict(data)


def _odt_between(start: Any, end: Any) -> str:
    parts = [start.tail or ""]
    for node in start.itersiblings():
        if node is end:
            break
        parts.append("".join(node.itertext()) + (node.tail or ""))
    return " ".join("".join(parts).split())


def _odt_replace(start: Any, end: Any, token: str) -> None:
    """``start`` … ``end`` (siblings) and what lies between them → ``token``."""
    parent = start.getparent()
    between = []
    for node in start.itersiblings():
        if node is end:
            break
        between.append(node)
    text = token + (end.tail or "")
    previous = start.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    for node in [start, *between, end]:
        parent.remove(node)
