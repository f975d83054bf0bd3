"""What pandoc's docx reader would miss or lose, rewritten in a copy of the Word package.

pandoc reads the citation fields of Zotero (``ADDIN ZOTERO_ITEM CSL_CITATION {json}``) and of
Mendeley Desktop (``ADDIN CSL_CITATION {json}``) and drops Zotero's bibliography field. Three
other kinds are common in manuscripts from the field:

* **Mendeley Cite**, the Word add-in of Mendeley Reference Manager (Mendeley Desktop's
  successor), keeps each citation in a content control (``w:sdt``) whose tag is
  ``MENDELEY_CITATION_v3_`` and the base64 of a JSON object: CSL citation items with their
  ``itemData``, as Mendeley Desktop's field held them; the reference list is a content control
  tagged ``MENDELEY_BIBLIOGRAPHY``.
* **Word's own citations** (References > Insert Citation) are ``CITATION Tag \\p 12`` fields;
  the works are ``b:Source`` elements of the bibliography part (``customXml/item*.xml``); the
  reference list is a ``BIBLIOGRAPHY`` field.
* **EndNote** writes a field ``ADDIN EN.CITE`` whose instruction is EndNote XML
  (``<EndNote><Cite>…<record>…</record></Cite></EndNote>``), or, for a long one, holds a nested
  ``ADDIN EN.CITE.DATA`` field whose ``w:fldData`` is the base64 of that XML; the reference
  list is an ``ADDIN EN.REFLIST`` field.

:func:`normalise_docx` rewrites them, on the parsed package XML (lxml), into the fields pandoc
reads: each citation becomes an ``ADDIN CSL_CITATION {json}`` field around the text Word showed
(the works as CSL items: :mod:`pica_publish.word_records`), each reference list a Zotero
bibliography field (which pandoc leaves out: the build writes the list). Everything after it —
keys, dedupe against ``references/``, BibTeX — is the same path for every reference manager.
A citation whose data cannot be read stays the text Word showed, and is counted, so that the
import says so and ``check`` lists the entries it may mean. Text boxes, whose paragraph pandoc
drops, become paragraphs after it. (An ``.odt``: :mod:`pica_publish.word_odt`.)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pica_publish.word_package import ImportRefused, W
from pica_publish.word_package import package as _package
from pica_publish.word_package import part as _xml
from pica_publish.word_records import BIBLIOGRAPHY_NS, _value, csl_item, word_item

MENDELEY_CITATION = "MENDELEY_CITATION_v3_"
MENDELEY_BIBLIOGRAPHY = "MENDELEY_BIBLIOGRAPHY"
CSL_SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
EMPTY_BIBLIOGRAPHY = ' ADDIN ZOTERO_BIBL {"uncited":[],"omitted":[],"custom":[]} CSL_BIBLIOGRAPHY '
"""The instruction a reference list is given: Zotero's bibliography field, left out by pandoc."""
STORIES = ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml")
"""The parts of a Word package that hold text with citations."""
ITEM_FIELDS = ("locator", "label", "prefix", "suffix", "suppress-author", "author-only")
"""What a CSL citation item may say besides its work."""


@dataclass
class Normalised:
    """What :func:`normalise_docx` rewrote, by reference manager."""

    citations: Counter[str] = field(default_factory=Counter)
    """``Mendeley Cite`` / ``EndNote`` → citations made readable."""
    unreadable: Counter[str] = field(default_factory=Counter)
    """Citations of those managers whose data could not be read (kept as their text)."""
    temporary: list[str] = field(default_factory=list)
    """EndNote's unformatted citations (``{Ross, 2010 #12}``), which hold no data at all."""
    boxes: list[int] = field(default_factory=list)
    """The paragraphs (of the body, from 1) whose text boxes were set after them."""


def normalise_docx(source: Path, target: Path) -> Normalised:
    """Write ``source`` to ``target`` with the citations and reference lists of Mendeley Cite,
    EndNote and Word rewritten as the fields pandoc reads, and text boxes set after their
    paragraphs (:func:`_text_boxes`); the other parts copied byte for byte."""
    from lxml import etree

    found = Normalised()
    rewritten: dict[str, bytes] = {}
    with _package(source) as package:
        sources = _word_sources(package)
        for name in STORIES:
            if name not in package.namelist():
                continue
            root = _xml(package, name)
            _unsimplified(root)
            boxes = _text_boxes(root, found.boxes if name == STORIES[0] else [])
            if boxes + _mendeley(root, found) + _endnote(root, found) + _word(root, sources, found):
                rewritten[name] = etree.tostring(
                    root, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            found.temporary.extend(TEMPORARY_RE.findall(_all_text(root)))
        if not rewritten:
            shutil.copyfile(source, target)
            return found
        try:
            with zipfile.ZipFile(target, "w") as out:
                for info in package.infolist():
                    data = rewritten.get(info.filename)
                    out.writestr(info, data if data is not None else package.read(info))
        except (zipfile.BadZipFile, ValueError) as error:
            raise ImportRefused([f"{source.name} cannot be read: {error}"]) from None
    return found


TEMPORARY_RE = re.compile(r"\{[^{}#\n]{1,200}?,\s*\d{4}[a-z]?\s*#\s*\d+\}")
"""EndNote's temporary citation (``{Ross, 2010 #12}``), in a manuscript whose citations were
never formatted: the text names a record of the author's EndNote library and nothing else."""


def _all_text(root: Any) -> str:
    return "".join(t.text or "" for t in root.iter(f"{{{W}}}t"))


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _unsimplified(root: Any) -> None:
    """Word's simple fields of citations and reference lists (``w:fldSimple w:instr="CITATION
    Ros10"``) as complex fields, the only form the steps below (and pandoc) read."""
    for simple in list(root.iter(_w("fldSimple"))):
        instruction = simple.get(_w("instr"), "")
        if not re.match(r"\s*(CITATION\s|BIBLIOGRAPHY\b|ADDIN\s+EN\.)", instruction):
            continue
        parent = simple.getparent()
        if parent is None:
            continue
        at = parent.index(simple)
        parent.remove(simple)
        for offset, node in enumerate(_field(instruction, list(simple))):
            parent.insert(at + offset, node)


# --- Text boxes -------------------------------------------------------------------------------

MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _text_boxes(root: Any, moved: list[int]) -> int:
    """Text boxes (a "Box 1" aside, a figure with its caption in a frame) as paragraphs after
    the paragraph they are anchored in. pandoc reads a box's text but drops the rest of the
    paragraph that holds it: the sentence around the box would be lost without a word. Word
    keeps each box twice (DrawingML, and VML for older readers); the first copy is taken.
    ``moved`` gets the numbers of the paragraphs (of the body, from 1) that held boxes."""
    from copy import deepcopy

    changed = 0
    for number, paragraph in enumerate(list(root.iter(_w("p"))), start=1):
        holders = [
            node
            for node in paragraph.iter(f"{{{MC}}}AlternateContent", _w("drawing"), _w("pict"))
            if node.find(f".//{_w('txbxContent')}") is not None
            and not any(
                a.tag in (f"{{{MC}}}AlternateContent", _w("drawing"), _w("pict"))
                for a in node.iterancestors()
                if a is not paragraph and paragraph in a.iterancestors()
            )
            and node.getparent() is not None
        ]
        if not holders or paragraph.getparent() is None:
            continue
        parent, at = paragraph.getparent(), paragraph.getparent().index(paragraph)
        for holder in holders:
            content = holder.find(f".//{_w('txbxContent')}")
            for inner in content.findall(_w("p")):
                at += 1
                parent.insert(at, deepcopy(inner))
            holder.getparent().remove(holder)
        moved.append(number)
        changed += 1
    return changed


# --- Mendeley Cite ---------------------------------------------------------------------------


def _mendeley(root: Any, found: Normalised) -> int:
    """Mendeley Cite's content controls → citation fields; its reference list left out."""
    changed = 0
    for sdt in list(root.iter(_w("sdt"))):
        tag = sdt.find(f"{_w('sdtPr')}/{_w('tag')}")
        value = tag.get(_w("val"), "") if tag is not None else ""
        content = sdt.find(_w("sdtContent"))
        parent = sdt.getparent()
        if content is None or parent is None:
            continue
        if value.startswith(MENDELEY_BIBLIOGRAPHY):
            parent.remove(sdt)
            changed += 1
            continue
        if value.startswith("CitaviPlaceholder"):  # Citavi keeps its data elsewhere, encrypted
            found.unreadable["Citavi"] += 1
            _unwrap(sdt, list(content))
            changed += 1
            continue
        if not value.startswith(MENDELEY_CITATION):
            continue
        changed += 1
        shown = " ".join("".join(t.text or "" for t in content.iter(_w("t"))).split())
        data = _mendeley_citation(value[len(MENDELEY_CITATION) :])
        inline = content.find(_w("p")) is None
        if data is None or not inline:
            found.unreadable["Mendeley Cite"] += 1
            _unwrap(sdt, list(content))
            continue
        found.citations["Mendeley Cite"] += 1
        _unwrap(sdt, _field(_csl_instruction(data, shown), list(content)))
    return changed


def _mendeley_citation(encoded: str) -> dict[str, Any] | None:
    """A Mendeley Cite tag's payload as a CSL citation (``citationItems`` with ``itemData``)."""
    try:
        raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=False)
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    items: list[dict[str, Any]] = []
    for cited in data.get("citationItems") or []:
        item = cited.get("itemData") if isinstance(cited, dict) else None
        if not isinstance(item, dict):
            return None
        ident = str(cited.get("id") or item.get("id") or f"MENDELEY-{len(items) + 1}")
        items.append(
            {
                "id": ident,
                "itemData": {**item, "id": ident},
                **{k: cited[k] for k in ITEM_FIELDS if cited.get(k) not in (None, "")},
            }
        )
    return (
        {"citationID": str(data.get("citationID", "")), "citationItems": items} if items else None
    )


def _unwrap(sdt: Any, replacement: list[Any]) -> None:
    """Put ``replacement`` (runs) where the content control ``sdt`` stands."""
    parent = sdt.getparent()
    at = parent.index(sdt)
    parent.remove(sdt)
    for offset, node in enumerate(replacement):
        parent.insert(at + offset, node)


def _field(instruction: str, result: list[Any]) -> list[Any]:
    """The runs of a complex field: begin, instruction, separate, ``result``, end."""
    from lxml import etree

    def run(child: Any) -> Any:
        element = etree.Element(_w("r"))
        element.append(child)
        return element

    def char(kind: str) -> Any:
        return run(etree.Element(_w("fldChar"), {_w("fldCharType"): kind}))

    text = etree.Element(_w("instrText"))
    text.text = instruction
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return [char("begin"), run(text), char("separate"), *result, char("end")]


def _csl_instruction(citation: dict[str, Any], shown: str) -> str:
    """Mendeley Desktop's field instruction for a CSL citation (pandoc reads it)."""
    data = {
        "citationID": citation.get("citationID") or "",
        "properties": {"noteIndex": 0, "formattedCitation": shown, "plainCitation": shown},
        "citationItems": citation["citationItems"],
        "schema": CSL_SCHEMA,
    }
    return " ADDIN CSL_CITATION " + json.dumps(data, ensure_ascii=False) + " "


# --- EndNote ---------------------------------------------------------------------------------


@dataclass
class _Field:
    """A complex field as its characters lie in the XML: begin, instruction, separate, end."""

    begin: Any
    instructions: list[Any] = field(default_factory=list)
    nested: list[_Field] = field(default_factory=list)
    separated: bool = False
    end: Any = None

    @property
    def instruction(self) -> str:
        return "".join(t.text or "" for t in self.instructions).strip()


def _fields(root: Any) -> list[_Field]:
    """Every complete complex field, in the order its end comes."""
    done: list[_Field] = []
    stack: list[_Field] = []
    for node in root.iter(_w("fldChar"), _w("instrText")):
        if node.tag == _w("instrText"):
            if stack and not stack[-1].separated:
                stack[-1].instructions.append(node)
            continue
        kind = node.get(_w("fldCharType"))
        if kind == "begin":
            opened = _Field(node)
            if stack and not stack[-1].separated:
                stack[-1].nested.append(opened)
            stack.append(opened)
        elif kind == "separate" and stack:
            stack[-1].separated = True
        elif kind == "end" and stack:
            closed = stack.pop()
            closed.end = node
            done.append(closed)
    return done


def _endnote(root: Any, found: Normalised) -> int:
    """EndNote's citation fields → CSL citation fields; its reference list left out."""
    changed = 0
    for complex_field in _fields(root):
        instruction = complex_field.instruction
        if instruction.startswith("ADDIN EN.REFLIST"):
            _set_instruction(complex_field, EMPTY_BIBLIOGRAPHY)
            changed += 1
            continue
        other = OTHER_MANAGERS_RE.match(instruction)
        if other:
            found.unreadable[OTHER_MANAGERS[other[1]]] += 1  # its text is kept
            continue
        if not instruction.startswith("ADDIN EN.CITE") or instruction.startswith(
            "ADDIN EN.CITE.DATA"
        ):
            continue
        changed += 1
        xml = instruction[len("ADDIN EN.CITE") :].strip()
        for nested in complex_field.nested:
            if nested.instruction.startswith("ADDIN EN.CITE.DATA") and not xml.startswith("<"):
                xml = _field_data(nested)
            _remove_field(nested)
        _as_csl_field(complex_field, _endnote_citation(xml), "EndNote", found)
    return changed


def _as_csl_field(
    complex_field: _Field, citation: dict[str, Any] | None, manager: str, found: Normalised
) -> None:
    """The field given the CSL citation's instruction, or counted as unreadable (its text
    stays)."""
    if citation is None:
        found.unreadable[manager] += 1
        return
    found.citations[manager] += 1
    _set_instruction(complex_field, _csl_instruction(citation, ""))


CITATION_SWITCH_RE = re.compile(r"\\([a-z])(?:\s+(\"[^\"]*\"|[^\s\\]+))?")


def _word_sources(package: zipfile.ZipFile) -> dict[str, dict[str, Any]]:
    """The works of Word's source manager kept in the document (its bibliography part), as
    CSL items by their tag."""
    sources: dict[str, dict[str, Any]] = {}
    for name in package.namelist():
        if not re.fullmatch(r"customXml/item\d+\.xml", name):
            continue
        root = _xml(package, name)
        if root.tag != f"{{{BIBLIOGRAPHY_NS}}}Sources":
            continue
        for source in root.iter(f"{{{BIBLIOGRAPHY_NS}}}Source"):
            item = word_item(source)
            if item is not None:
                sources[item["id"]] = item
    return sources


def _word(root: Any, sources: dict[str, dict[str, Any]], found: Normalised) -> int:
    """Word's ``CITATION`` fields → CSL citation fields; its ``BIBLIOGRAPHY`` left out."""
    changed = 0
    for complex_field in _fields(root):
        instruction = complex_field.instruction
        if re.match(r"BIBLIOGRAPHY\b", instruction):
            _set_instruction(complex_field, EMPTY_BIBLIOGRAPHY)
            changed += 1
            continue
        if not re.match(r"CITATION\s", instruction):
            continue
        changed += 1
        _as_csl_field(complex_field, _word_citation(instruction, sources), "Word", found)
    return changed


def _word_citation(instruction: str, sources: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """``CITATION Ros10 \\l 1033 \\p 252 \\m Mun07`` as a CSL citation: the first tag, each
    ``\\m`` tag after it; ``\\p`` the page of the work before it; ``\\n`` leaves the author
    out. None when a tag names no source the document keeps."""
    tag, _, switches = instruction[len("CITATION") :].strip().partition(" ")
    tags: list[dict[str, Any]] = [{"id": tag.strip('"')}]
    for switch, value in CITATION_SWITCH_RE.findall(switches):
        value = value.strip('"')
        if switch == "m" and value:
            tags.append({"id": value})
        elif switch == "p" and value:
            tags[-1].update(locator=value, label="page")
        elif switch == "n":
            tags[0]["suppress-author"] = True
    if not all(t["id"] in sources for t in tags):
        return None
    return {
        "citationID": "",
        "citationItems": [{**t, "itemData": sources[t["id"]]} for t in tags],
    }


OTHER_MANAGERS = {
    "PAPERS2_CITATIONS": "Papers",
    "RW.CITE": "RefWorks",
    "REFMGR.CITE": "Reference Manager",
    "NE.Ref": "Citavi",
    "F1000_CSL_CITATION": "F1000Workspace",
    "SCIWHEEL_CITATION": "Sciwheel",
}
"""Reference managers whose citation fields hold no data this import reads: their citations
stay the text Word showed, and the import says how many."""
OTHER_MANAGERS_RE = re.compile(
    r"ADDIN\s+(" + "|".join(re.escape(k) for k in OTHER_MANAGERS) + r")\b"
)


def _set_instruction(complex_field: _Field, instruction: str) -> None:
    first, *rest = complex_field.instructions or [None]
    if first is None:
        return
    first.text = instruction
    first.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for node in rest:
        node.getparent().remove(node)


def _remove_field(complex_field: _Field) -> None:
    """Take a nested field (EndNote's data field) out of its parent's instruction."""
    for node in [complex_field.begin, *complex_field.instructions, complex_field.end]:
        if node is not None and node.getparent() is not None:
            node.getparent().remove(node)


def _field_data(complex_field: _Field) -> str:
    """The EndNote XML a data field carries (base64 in ``w:fldData``), or ``""``."""
    data = complex_field.begin.find(_w("fldData"))
    if data is None or not data.text:
        return ""
    try:
        raw = base64.b64decode("".join(data.text.split()), validate=False)
    except (binascii.Error, ValueError):
        return ""
    raw = raw.rstrip(b"\x00")
    for encoding in ("utf-8", "utf-16"):
        try:
            return raw.decode(encoding).strip()
        except UnicodeDecodeError:
            continue
    return ""


def _endnote_citation(xml: str) -> dict[str, Any] | None:
    """EndNote's ``<EndNote><Cite>…`` as a CSL citation; None where a work has no record."""
    from lxml import etree

    if not xml.startswith("<"):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None
    items: list[dict[str, Any]] = []
    for cite in root.iter("Cite"):
        record = cite.find("record")
        if record is None:
            return None
        item = csl_item(record)
        if not item.get("title") and not item.get("author"):
            return None
        cited: dict[str, Any] = {"id": item["id"], "itemData": item}
        pages = _value(cite.find("Pages"))
        if pages:
            cited["locator"], cited["label"] = pages, "page"
        for name, key in (("Prefix", "prefix"), ("Suffix", "suffix")):
            if text := _value(cite.find(name)):
                cited[key] = text.replace("`", "")
        items.append(cited)
    return {"citationID": "", "citationItems": items} if items else None


__all__ = ["Normalised", "normalise_docx"]
