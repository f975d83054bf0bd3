"""Citations of the reference managers pandoc's docx reader does not know, made readable.

pandoc reads the citation fields of Zotero (``ADDIN ZOTERO_ITEM CSL_CITATION {json}``) and of
Mendeley Desktop (``ADDIN CSL_CITATION {json}``) and drops Zotero's bibliography field. Two
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

:func:`normalise_docx` rewrites both, on the parsed package XML (lxml), into the fields pandoc
reads: each citation becomes an ``ADDIN CSL_CITATION {json}`` field around the text Word showed
(EndNote records are turned into CSL items by :func:`csl_item`), each reference list a Zotero
bibliography field (which pandoc leaves out: the build writes the list). Everything after it —
keys, dedupe against ``references/``, BibTeX — is the same path for every reference manager.
A citation whose data cannot be read stays the text Word showed, and is counted, so that the
import says so and ``check`` lists the entries it may mean.

An OpenDocument manuscript (LibreOffice) keeps a citation as a reference mark named by the
field's JSON (Zotero's and Mendeley's LibreOffice plugins) or, for a Word file saved by
LibreOffice, as a field mark holding the Word field's code; pandoc's odt reader keeps their text
only. :func:`normalise_odt` puts a token (:data:`CITE_TOKEN`) where each citation's text was
and returns the citations, which the import sets in the token's place as pandoc's ``Cite``
(so an ``.odt``'s citations take the same path as a ``.docx``'s); and the pictures'
descriptions (``svg:desc``, LibreOffice's alt text), which pandoc's odt reader drops.
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

from pica_publish.doi import normalise_doi
from pica_publish.word_package import ImportRefused, W
from pica_publish.word_package import package as _package
from pica_publish.word_package import part as _xml

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


# --- Word's own citations ----------------------------------------------------------------------

BIBLIOGRAPHY_NS = "http://schemas.openxmlformats.org/officeDocument/2006/bibliography"
WORD_TYPES = {
    "JournalArticle": "article-journal",
    "ArticleInAPeriodical": "article-magazine",
    "Book": "book",
    "BookSection": "chapter",
    "Report": "report",
    "ConferenceProceedings": "paper-conference",
    "InternetSite": "webpage",
    "DocumentFromInternetSite": "webpage",
    "ElectronicSource": "document",
}
"""Word's source types (``b:SourceType``) → CSL item types; others ``document``."""
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


def word_item(source: Any) -> dict[str, Any] | None:
    """A ``b:Source`` of Word's source manager as a CSL item (None without a tag)."""

    def text(path: str) -> str:
        node = source.find(path.replace("b:", f"{{{BIBLIOGRAPHY_NS}}}"))
        return " ".join((node.text or "").split()) if node is not None else ""

    def names(role: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        base = f"b:Author/b:{role}".replace("b:", f"{{{BIBLIOGRAPHY_NS}}}")
        corporate = source.find(f"{base}/{{{BIBLIOGRAPHY_NS}}}Corporate")
        if corporate is not None and corporate.text:
            return [{"literal": " ".join(corporate.text.split())}]
        for person in source.iterfind(
            f"{base}/{{{BIBLIOGRAPHY_NS}}}NameList/{{{BIBLIOGRAPHY_NS}}}Person"
        ):
            part = {
                tag: " ".join((person.findtext(f"{{{BIBLIOGRAPHY_NS}}}{tag}") or "").split())
                for tag in ("Last", "First", "Middle")
            }
            given = " ".join(filter(None, [part["First"], part["Middle"]]))
            if part["Last"]:
                found.append({"family": part["Last"], **({"given": given} if given else {})})
        return found

    tag = text("b:Tag")
    if not tag:
        return None
    kind = WORD_TYPES.get(text("b:SourceType"), "document")
    item: dict[str, Any] = {"id": tag, "type": kind}
    for role, key in (("Author", "author"), ("Editor", "editor")):
        if people := names(role):
            item[key] = people
    for path, key in (
        ("b:Title", "title"),
        ("b:Pages", "page"),
        ("b:Volume", "volume"),
        ("b:Issue", "issue"),
        ("b:Edition", "edition"),
        ("b:Publisher", "publisher"),
        ("b:City", "publisher-place"),
        ("b:URL", "URL"),
        ("b:StandardNumber", "ISBN"),
        ("b:Institution", "publisher"),
    ):
        if (value := text(path)) and key not in item:
            item[key] = value
    container = text("b:JournalName") or text("b:BookTitle") or text("b:ConferenceName")
    container = container or text("b:PeriodicalTitle") or text("b:InternetSiteTitle")
    if container:
        item["container-title"] = container
    if (doi := normalise_doi(text("b:DOI"))) is not None:
        item["DOI"] = doi
    if year := re.search(r"\d{4}", text("b:Year")):
        item["issued"] = {"date-parts": [[int(year[0])]]}
    return item


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


ENDNOTE_TYPES = {
    "Journal Article": "article-journal",
    "Electronic Article": "article-journal",
    "Magazine Article": "article-magazine",
    "Newspaper Article": "article-newspaper",
    "Book": "book",
    "Edited Book": "book",
    "Electronic Book": "book",
    "Book Section": "chapter",
    "Electronic Book Section": "chapter",
    "Report": "report",
    "Government Document": "report",
    "Thesis": "thesis",
    "Conference Proceedings": "paper-conference",
    "Conference Paper": "paper-conference",
    "Web Page": "webpage",
    "Dataset": "dataset",
    "Manuscript": "manuscript",
    "Unpublished Work": "manuscript",
    "Map": "map",
}
"""EndNote's reference types (the ``name`` of ``ref-type``) → CSL item types; others
``document``."""


def csl_item(record: Any) -> dict[str, Any]:
    """An EndNote ``record`` (as EndNote writes it into the field, and in its XML export) as a
    CSL item. Italic runs of a title (``<style face="italic">``) are kept as CSL rich text."""
    kind_node = record.find("ref-type")
    kind = kind_node.get("name", "") if kind_node is not None else ""
    number = _value(record.find("rec-number"))
    database = record.find("foreign-keys/key")
    ident = "EN-" + "-".join(
        filter(None, [database.get("db-id", "") if database is not None else "", number])
    )
    item: dict[str, Any] = {"id": ident, "type": ENDNOTE_TYPES.get(kind, "document")}
    authors = [_name(_value(a)) for a in record.findall("contributors/authors/author")]
    editors = [_name(_value(a)) for a in record.findall("contributors/secondary-authors/author")]
    if kind == "Edited Book" and not editors:
        authors, editors = [], authors
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    title = _value(record.find("titles/title"), rich=True)
    if title:
        item["title"] = title
    container = _value(record.find("titles/secondary-title"), rich=True) or _value(
        record.find("periodical/full-title"), rich=True
    )
    if container:
        item["container-title"] = container
    if series := _value(record.find("titles/tertiary-title"), rich=True):
        item["collection-title"] = series
    for tag, key in (
        ("pages", "page"),
        ("volume", "volume"),
        ("edition", "edition"),
        ("publisher", "publisher"),
        ("pub-location", "publisher-place"),
        ("work-type", "genre"),
    ):
        if text := _value(record.find(tag)):
            item[key] = text
    if text := _value(record.find("number")):
        item["issue" if item["type"].startswith("article") else "number"] = text
    if text := _value(record.find("isbn")):
        item["ISSN" if item["type"].startswith("article") else "ISBN"] = text
    if (doi := normalise_doi(_value(record.find("electronic-resource-num")))) is not None:
        item["DOI"] = doi
    if url := _value(record.find("urls/related-urls/url")):
        item["URL"] = url
    year = re.search(r"\d{4}", _value(record.find("dates/year")))
    if year:
        item["issued"] = {"date-parts": [[int(year[0])]]}
    return item


def _value(node: Any, *, rich: bool = False) -> str:
    """The text of an EndNote element (its ``style`` runs joined); with ``rich``, italic runs
    as ``<i>…</i>``, the other characters of CSL rich text escaped."""
    if node is None:
        return ""
    if not rich:
        return " ".join("".join(node.itertext()).split())
    parts = [_escape(node.text or "")]
    for child in node:
        text = _escape("".join(child.itertext()))
        italic = child.tag == "style" and "italic" in (child.get("face") or "")
        parts.append(f"<i>{text}</i>" if italic and text.strip() else text)
        parts.append(_escape(child.tail or ""))
    return " ".join("".join(parts).split()).replace("</i> <i>", " ")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _name(text: str) -> dict[str, str]:
    """``Ross, Steven`` → family and given; ``IUCN,`` or a name without a comma → literal."""
    family, comma, given = text.partition(",")
    if not comma or not given.strip():
        return {"literal": family.strip()}
    return {"family": family.strip(), "given": given.strip()}


__all__ = ["ImportRefused", "Normalised", "OdtMarks", "csl_item", "normalise_docx", "normalise_odt"]
