"""Word manuscripts built by code, for the tests of the Word (.docx) import.

The files imitate what Microsoft Word writes when an author works with a reference manager:
Zotero and Mendeley citation fields, a Zotero bibliography field, captions numbered by SEQ
fields, pictures with alt text, a footnote, tracked changes, a comment, an OMML equation, a
chart and a SmartArt diagram. Everything here is built from the public descriptions of the XML
involved: ECMA-376 (WordprocessingML, DrawingML charts and diagrams, Office Math), the field
codes Zotero's Word plugin writes (``ADDIN ZOTERO_ITEM CSL_CITATION {json}`` and
``ADDIN ZOTERO_BIBL {json} CSL_BIBLIOGRAPHY``) and the one Mendeley Desktop writes
(``ADDIN CSL_CITATION {json}``), both carrying CSL-JSON per the csl-citation.json schema.
No Word file was copied. The prose in the document is invented filler about Pallas's cat dens.

Only ``write_manuscript`` is public; every flag adds or leaves out one feature, so a test can
build the smallest file that shows what it needs.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from PIL import Image, ImageDraw

__all__ = ["write_manuscript"]

CSL_SCHEMA = "https://github.com/citation-style-language/schema/raw/master/csl-citation.json"
REVISION_AUTHOR = "Reviewer 2"
REVISION_DATE = "2024-05-01T10:00:00Z"
COMMENT_DATE = "2024-05-02T08:30:00Z"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DIAGRAM_URI = "http://schemas.openxmlformats.org/drawingml/2006/diagram"

# --- Citation data (CSL-JSON, as Zotero and Mendeley store it in the field instruction) ---

ROSS_2010: dict[str, Any] = {
    "id": 101,
    "type": "article-journal",
    "title": "Den site selection by Pallas's cats in Mongolia",
    "container-title": "Journal of Zoology",
    "volume": "280",
    "issue": "3",
    "page": "250-258",
    "DOI": "10.1111/j.1469-7998.2009.00653.x",
    "author": [
        {"family": "Ross", "given": "Steven"},
        {"family": "Munkhtsog", "given": "Bariushaa"},
        {"family": "Harris", "given": "Stephen"},
    ],
    "issued": {"date-parts": [["2010"]]},
}

BARASHKOVA_2017: dict[str, Any] = {
    "id": 102,
    "type": "article-journal",
    "title": "Pallas's cat in Russia",
    "container-title": "Cat News Special Issue",
    "issue": "10",
    "page": "51-55",
    "author": [
        {"family": "Barashkova", "given": "Anna"},
        {"family": "Smelansky", "given": "Ilya"},
        {"family": "Kirilyuk", "given": "Vadim"},
    ],
    "issued": {"date-parts": [["2017"]]},
}

ROSS_2012: dict[str, Any] = {
    "id": 103,
    "type": "article-journal",
    "title": "Spatial ecology of Pallas's cats",
    "container-title": "Journal of Mammalogy",
    "volume": "93",
    "issue": "5",
    "page": "1292-1300",
    "DOI": "10.1644/11-MAMM-A-060.1",
    "author": [
        {"family": "Ross", "given": "Steven"},
        {"family": "Munkhtsog", "given": "Bariushaa"},
        {"family": "Harris", "given": "Stephen"},
    ],
    "issued": {"date-parts": [["2012"]]},
}

MUNKHTSOG_2007: dict[str, Any] = {
    "id": "ITEM-1",
    "type": "article-journal",
    "title": "Home range of Pallas's cats",
    "container-title": "Mammalia",
    "volume": "71",
    "page": "1-5",
    "DOI": "10.1515/MAMM.2007.999",
    "author": [
        {"family": "Munkhtsog", "given": "Bariushaa"},
        {"family": "Ross", "given": "Steven"},
    ],
    "issued": {"date-parts": [["2007"]]},
}

ZOTERO_ONE = "(Ross et al. 2010)"
ZOTERO_TWO = "(Barashkova et al. 2017; Ross et al. 2012)"
MENDELEY_ONE = "(Munkhtsog and Ross, 2007)"

REFERENCE_LIST = (
    (
        "Barashkova, A., Smelansky, I. and Kirilyuk, V. (2017) Pallas's cat in Russia. "
        "Cat News Special Issue 10: 51–55."
    ),
    (
        "Ross, S., Munkhtsog, B. and Harris, S. (2010) Den site selection by Pallas's cats in "
        "Mongolia. Journal of Zoology 280(3): 250–258."
    ),
)


def _compact(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _zotero_instruction(citation_id: str, formatted: str, items: list[dict[str, Any]]) -> str:
    citation = {
        "citationID": citation_id,
        "properties": {"formattedCitation": formatted, "plainCitation": formatted, "noteIndex": 0},
        "citationItems": items,
        "schema": CSL_SCHEMA,
    }
    return f" ADDIN ZOTERO_ITEM CSL_CITATION {_compact(citation)} "


def _zotero_item(item: dict[str, Any], key: str, *, locator: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item["id"],
        "uris": [f"http://zotero.org/users/123/items/{key}"],
        "itemData": item,
    }
    if locator is not None:
        entry["locator"] = locator
        entry["label"] = "page"
    return entry


def _mendeley_instruction() -> str:
    citation = {
        "citationItems": [
            {
                "id": "ITEM-1",
                "itemData": MUNKHTSOG_2007,
                "uris": [
                    "http://www.mendeley.com/documents/?uuid=0e3a5f0c-1111-2222-3333-444455556666"
                ],
            }
        ],
        "mendeley": {
            "formattedCitation": MENDELEY_ONE,
            "plainTextFormattedCitation": MENDELEY_ONE,
            "previouslyFormattedCitation": MENDELEY_ONE,
        },
        "properties": {"noteIndex": 0},
        "schema": CSL_SCHEMA,
    }
    return f" ADDIN CSL_CITATION {_compact(citation)} "


# --- Small WordprocessingML builders ---


def _element(tag: str, attrs: dict[str, str] | None = None) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in (attrs or {}).items():
        element.set(qn(name), value)
    return element


def _text(tag: str, value: str) -> BaseOxmlElement:
    """A ``w:t``, ``w:delText`` or ``w:instrText`` holding ``value``, spaces preserved."""
    element = _element(tag)
    element.text = value
    if value != value.strip():
        element.set(qn("xml:space"), "preserve")
    return element


def _run(*children: BaseOxmlElement, style: str | None = None) -> BaseOxmlElement:
    run = _element("w:r")
    if style is not None:
        properties = _element("w:rPr")
        properties.append(_element("w:rStyle", {"w:val": style}))
        run.append(properties)
    for child in children:
        run.append(child)
    return run


def _field_char(kind: str) -> BaseOxmlElement:
    return _run(_element("w:fldChar", {"w:fldCharType": kind}))


def _field_start(paragraph: Paragraph, instruction: str) -> None:
    """Append the begin / instruction / separate runs of a complex field; a long instruction
    in runs of 255 characters, as Word splits the code of a Zotero field."""
    paragraph._p.append(_field_char("begin"))
    for start in range(0, len(instruction), 255):
        paragraph._p.append(_run(_text("w:instrText", instruction[start : start + 255])))
    paragraph._p.append(_field_char("separate"))


def _field_end(paragraph: Paragraph) -> None:
    paragraph._p.append(_field_char("end"))


def _complex_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """A one-paragraph complex field, as Zotero and Mendeley insert citations."""
    _field_start(paragraph, instruction)
    paragraph.add_run(result)
    _field_end(paragraph)


def _superscript(paragraph: Paragraph, text: str) -> Run:
    run = paragraph.add_run(text)
    run.font.superscript = True
    return run


def _caption(document: Document, label: str, number: int, text: str) -> Paragraph:
    """``Figure 1. …`` with the number in a SEQ field, as Word's Insert Caption writes it."""
    paragraph = document.add_paragraph(f"{label} ", style="Caption")
    field = _element("w:fldSimple", {"w:instr": f" SEQ {label} \\* ARABIC "})
    no_proof = _element("w:rPr")
    no_proof.append(_element("w:noProof"))
    result = _run(_text("w:t", str(number)))
    result.insert(0, no_proof)
    field.append(result)
    paragraph._p.append(field)
    paragraph.add_run(f". {text}")
    return paragraph


def _png(colour: tuple[int, int, int], seed: int) -> io.BytesIO:
    """A 60 x 40 RGB PNG: a coloured field with a few dots (distinct per figure)."""
    image = Image.new("RGB", (60, 40), colour)
    draw = ImageDraw.Draw(image)
    for index in range(5):
        x = (seed * 7 + index * 11) % 54
        y = (seed * 5 + index * 13) % 34
        draw.ellipse((x, y, x + 5, y + 5), fill=(90, 60, 30))
    stream = io.BytesIO()
    image.save(stream, format="PNG")
    stream.seek(0)
    return stream


def _figure(document: Document, image: io.BytesIO, alt_text: str) -> None:
    """A paragraph holding only an inline picture, with Word's alt text (``descr``)."""
    run = document.add_paragraph().add_run()
    shape = run.add_picture(image, width=Cm(6))
    inline = shape._inline
    inline.docPr.set("descr", alt_text)
    for properties in inline.xpath(".//pic:cNvPr"):
        properties.set("descr", alt_text)


def _add_styles(document: Document) -> None:
    """Word's built-in footnote styles, which python-docx's template lacks."""
    text = document.styles.add_style("footnote text", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
    text.style_id = "FootnoteText"
    text.base_style = document.styles["Normal"]
    text.font.size = Pt(10)
    reference = document.styles.add_style(
        "footnote reference", WD_STYLE_TYPE.CHARACTER, builtin=True
    )
    reference.style_id = "FootnoteReference"
    reference.font.superscript = True


# --- Parts python-docx has no API for ---

FOOTNOTES_XML = f"""\
<w:footnotes {nsdecls("w")}>
  <w:footnote w:type="separator" w:id="-1">
    <w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:r><w:separator/></w:r></w:p>
  </w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0">
    <w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
      <w:r><w:continuationSeparator/></w:r></w:p>
  </w:footnote>
  <w:footnote w:id="1">
    <w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>
      <w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>
      <w:r><w:t xml:space="preserve"> Counts include reused dens.</w:t></w:r></w:p>
  </w:footnote>
</w:footnotes>"""

CHART_XML = f"""\
<c:chartSpace {nsdecls("c", "a", "r")}>
  <c:roundedCorners val="0"/>
  <c:chart>
    <c:autoTitleDeleted val="1"/>
    <c:plotArea>
      <c:layout/>
      <c:barChart>
        <c:barDir val="col"/>
        <c:grouping val="clustered"/>
        <c:varyColors val="0"/>
        <c:ser>
          <c:idx val="0"/>
          <c:order val="0"/>
          <c:tx><c:v>Dens in use</c:v></c:tx>
          <c:invertIfNegative val="0"/>
          <c:cat>
            <c:strLit>
              <c:ptCount val="3"/>
              <c:pt idx="0"><c:v>Jan</c:v></c:pt>
              <c:pt idx="1"><c:v>Apr</c:v></c:pt>
              <c:pt idx="2"><c:v>Jul</c:v></c:pt>
            </c:strLit>
          </c:cat>
          <c:val>
            <c:numLit>
              <c:formatCode>General</c:formatCode>
              <c:ptCount val="3"/>
              <c:pt idx="0"><c:v>14</c:v></c:pt>
              <c:pt idx="1"><c:v>9</c:v></c:pt>
              <c:pt idx="2"><c:v>11</c:v></c:pt>
            </c:numLit>
          </c:val>
        </c:ser>
        <c:gapWidth val="150"/>
        <c:axId val="501"/>
        <c:axId val="502"/>
      </c:barChart>
      <c:catAx>
        <c:axId val="501"/>
        <c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="0"/>
        <c:axPos val="b"/>
        <c:crossAx val="502"/>
      </c:catAx>
      <c:valAx>
        <c:axId val="502"/>
        <c:scaling><c:orientation val="minMax"/></c:scaling>
        <c:delete val="0"/>
        <c:axPos val="l"/>
        <c:crossAx val="501"/>
      </c:valAx>
    </c:plotArea>
    <c:plotVisOnly val="1"/>
  </c:chart>
</c:chartSpace>"""

_DIAGRAM_LAYOUT_ID = "urn:microsoft.com/office/officeart/2005/8/layout/process1"


def _diagram_point(model_id: str, text: str) -> str:
    return (
        f'<dgm:pt modelId="{model_id}"><dgm:prSet phldrT="[Text]"/><dgm:spPr/>'
        f'<dgm:t><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="en-GB"/><a:t>{text}</a:t></a:r>'
        "</a:p></dgm:t></dgm:pt>"
    )


def _diagram_data_xml() -> str:
    steps = ["Search", "Map", "Measure"]
    points = "".join(
        _diagram_point(f"{{6F1B0C2E-0000-4000-8000-00000000000{index}}}", step)
        for index, step in enumerate(steps, start=1)
    )
    connections = "".join(
        f'<dgm:cxn modelId="{{6F1B0C2E-0000-4000-8000-00000000010{index}}}" '
        'srcId="{6F1B0C2E-0000-4000-8000-000000000000}" '
        f'destId="{{6F1B0C2E-0000-4000-8000-00000000000{index}}}" '
        f'srcOrd="{index - 1}" destOrd="0"/>'
        for index in range(1, len(steps) + 1)
    )
    return (
        f"<dgm:dataModel {nsdecls('dgm', 'a')}><dgm:ptLst>"
        '<dgm:pt modelId="{6F1B0C2E-0000-4000-8000-000000000000}" type="doc">'
        f'<dgm:prSet loTypeId="{_DIAGRAM_LAYOUT_ID}" '
        'qsTypeId="urn:microsoft.com/office/officeart/2005/8/quickstyle/simple1" '
        'csTypeId="urn:microsoft.com/office/officeart/2005/8/colors/accent1_2"/>'
        '<dgm:spPr/><dgm:t><a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-GB"/></a:p>'
        f"</dgm:t></dgm:pt>{points}</dgm:ptLst><dgm:cxnLst>{connections}</dgm:cxnLst>"
        "<dgm:bg/><dgm:whole/></dgm:dataModel>"
    )


DIAGRAM_LAYOUT_XML = (
    f'<dgm:layoutDef {nsdecls("dgm", "a")} uniqueId="{_DIAGRAM_LAYOUT_ID}">'
    '<dgm:title val=""/><dgm:desc val=""/><dgm:layoutNode name="diagram"/></dgm:layoutDef>'
)
DIAGRAM_STYLE_XML = (
    f"<dgm:styleDef {nsdecls('dgm', 'a')} "
    'uniqueId="urn:microsoft.com/office/officeart/2005/8/quickstyle/simple1">'
    '<dgm:title val=""/><dgm:desc val=""/><dgm:styleLbl name="node1"/></dgm:styleDef>'
)
DIAGRAM_COLORS_XML = (
    f"<dgm:colorsDef {nsdecls('dgm', 'a')} "
    'uniqueId="urn:microsoft.com/office/officeart/2005/8/colors/accent1_2">'
    '<dgm:title val=""/><dgm:desc val=""/><dgm:styleLbl name="node1"/></dgm:colorsDef>'
)


def _add_part(document: Document, name: str, content_type: str, xml: str, rel: str) -> str:
    """Add an XML part to the package, related from the main document; return its rId."""
    package = document.part.package
    part = Part(PackURI(name), content_type, xml.encode("utf-8"), package)
    return document.part.relate_to(part, rel)


def _add_footnotes_part(document: Document) -> None:
    package = document.part.package
    part = XmlPart(
        PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(FOOTNOTES_XML), package
    )
    document.part.relate_to(part, RT.FOOTNOTES)


def _graphic_frame(document: Document, name: str, uri: str, content: str) -> BaseOxmlElement:
    """A run holding an inline ``w:drawing`` whose graphic data is ``content``."""
    shape_id = document.part.next_id
    xml = (
        f"<w:r {nsdecls('w', 'wp', 'r')}><w:drawing>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0">'
        '<wp:extent cx="5486400" cy="3200400"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="{name} {shape_id}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic {nsdecls("a")}><a:graphicData uri="{uri}">{content}</a:graphicData>'
        "</a:graphic></wp:inline></w:drawing></w:r>"
    )
    element: BaseOxmlElement = parse_xml(xml)
    return element


def _text_box_run(text: str) -> str:
    """A run holding a floating text box, as Word writes it: DrawingML (``wps:txbx``) with
    its VML copy for older readers (``v:textbox``), in ``mc:AlternateContent``."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    return (
        f'<w:r {nsdecls("w", "wp", "a")} xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" '
        'distB="0" distL="114300" distR="114300" simplePos="0" relativeHeight="2" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="2000000" cy="500000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        '<wp:wrapSquare wrapText="bothSides"/><wp:docPr id="9" name="Text Box 9"/>'
        "<wp:cNvGraphicFramePr/><a:graphic><a:graphicData "
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f'<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx>{content}</wps:txbx><wps:bodyPr/>'
        "</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )


def _add_chart(document: Document) -> None:
    """A column chart: the inline frame and its chart part (literal data, no workbook)."""
    document.add_paragraph("Monthly den use is charted below.")
    rid = _add_part(document, "/word/charts/chart1.xml", CT.DML_CHART, CHART_XML, RT.CHART)
    chart = f'<c:chart {nsdecls("c", "r")} r:id="{rid}"/>'
    document.add_paragraph()._p.append(_graphic_frame(document, "Chart", CHART_URI, chart))


def _add_smartart(document: Document) -> None:
    """A SmartArt frame; its four diagram parts are minimal stubs (no drawing cache)."""
    document.add_paragraph("The field work followed three steps.")
    parts = (
        ("dm", "data1", CT.DML_DIAGRAM_DATA, _diagram_data_xml(), RT.DIAGRAM_DATA),
        ("lo", "layout1", CT.DML_DIAGRAM_LAYOUT, DIAGRAM_LAYOUT_XML, RT.DIAGRAM_LAYOUT),
        ("qs", "quickStyle1", CT.DML_DIAGRAM_STYLE, DIAGRAM_STYLE_XML, RT.DIAGRAM_QUICK_STYLE),
        ("cs", "colors1", CT.DML_DIAGRAM_COLORS, DIAGRAM_COLORS_XML, RT.DIAGRAM_COLORS),
    )
    ids = " ".join(
        f'r:{key}="{_add_part(document, f"/word/diagrams/{stem}.xml", kind, xml, rel)}"'
        for key, stem, kind, xml, rel in parts
    )
    relations = f"<dgm:relIds {nsdecls('dgm', 'r')} {ids}/>"
    document.add_paragraph()._p.append(_graphic_frame(document, "Diagram", DIAGRAM_URI, relations))


def _add_tracked_changes(document: Document) -> None:
    """``Females always returned to the same den.`` revised to ``… the same den in winter.``"""
    paragraph = document.add_paragraph("Females")
    revision = {"w:author": REVISION_AUTHOR, "w:date": REVISION_DATE}
    deletion = _element("w:del", {"w:id": "901", **revision})
    deletion.append(_run(_text("w:delText", " always")))
    paragraph._p.append(deletion)
    paragraph.add_run(" returned to the same den")
    insertion = _element("w:ins", {"w:id": "902", **revision})
    insertion.append(_run(_text("w:t", " in winter")))
    paragraph._p.append(insertion)
    paragraph.add_run(".")


OMML_RUN = '<m:r><w:rPr><w:rFonts w:ascii="Cambria Math" w:hAnsi="Cambria Math"/></w:rPr>'


def _add_equation(document: Document) -> None:
    """``d = n / A`` as Office Math, inline in a sentence."""
    paragraph = document.add_paragraph("Density was computed as ")
    math = parse_xml(
        f"<m:oMath {nsdecls('m', 'w')}>"
        f"{OMML_RUN}<m:t>d</m:t></m:r>{OMML_RUN}<m:t>=</m:t></m:r>"
        "<m:f><m:fPr><m:ctrlPr><w:rPr>"
        '<w:rFonts w:ascii="Cambria Math" w:hAnsi="Cambria Math"/><w:i/>'
        "</w:rPr></m:ctrlPr></m:fPr>"
        f"<m:num>{OMML_RUN}<m:t>n</m:t></m:r></m:num>"
        f"<m:den>{OMML_RUN}<m:t>A</m:t></m:r></m:den></m:f></m:oMath>"
    )
    paragraph._p.append(math)
    paragraph.add_run(" per square kilometre.")


def _add_references(document: Document, *, zotero: bool) -> None:
    """The reference list; with Zotero, inside its ZOTERO_BIBL field over both paragraphs."""
    document.add_heading("References", level=1)
    first = document.add_paragraph()
    if zotero:
        bibliography: dict[str, Any] = {"uncited": [], "omitted": [], "custom": []}
        _field_start(first, f" ADDIN ZOTERO_BIBL {_compact(bibliography)} CSL_BIBLIOGRAPHY ")
    first.add_run(REFERENCE_LIST[0])
    last = document.add_paragraph(REFERENCE_LIST[1])
    if zotero:
        _field_end(last)


def write_manuscript(
    path: Path,
    *,
    zotero: bool = True,
    mendeley: bool = True,
    plain_citation: bool = True,
    footnote: bool = True,
    tracked_changes: bool = False,
    comment: bool = False,
    equation: bool = False,
    chart: bool = False,
    smartart: bool = False,
    text_box: bool = False,
) -> Path:
    """Write a Word manuscript about Pallas's cat dens to ``path`` and return ``path``.

    The front matter, headings, two figures with captions, a table with its caption and the
    reference list are always there; each flag adds one Word or reference-manager feature.
    """
    document = docx.Document()
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Batbayar Dorj"
    properties.title = ""
    properties.revision = 3
    properties.created = datetime(2024, 4, 2, 9, 30, tzinfo=UTC)
    properties.modified = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    _add_styles(document)

    document.add_paragraph("Pallas's cat dens in the Daurian steppe", style="Title")
    authors = document.add_paragraph("Anna Petrova")
    _superscript(authors, "1")
    authors.add_run(", Batbayar Dorj")
    _superscript(authors, "2*")
    for number, affiliation in (
        ("1", "Institute of Steppe Ecology, Chita, Russia"),
        ("2", "Mongolian Cat Survey, Ulaanbaatar, Mongolia"),
    ):
        paragraph = document.add_paragraph()
        _superscript(paragraph, number)
        paragraph.add_run(f" {affiliation}")
    document.add_paragraph("*Correspondence: b.dorj@example.org")

    document.add_heading("Abstract", level=1)
    document.add_paragraph(
        "Manuls spend the day in dens and raise their kittens in them. "
        "We describe which kinds of den they chose and how this changed between seasons."
    )
    keywords = document.add_paragraph()
    keywords.add_run("Keywords:").bold = True
    keywords.add_run(" Otocolobus manul, dens, marmot burrows, Mongolia")

    document.add_heading("Introduction", level=1)
    intro = document.add_paragraph(
        "Pallas's cats rest in dens by day. In winter they often use marmot burrows"
    )
    if zotero:
        intro.add_run(" ")
        instruction = _zotero_instruction(
            "a1b2c3", ZOTERO_ONE, [_zotero_item(ROSS_2010, "ABCD2345")]
        )
        _complex_field(intro, instruction, ZOTERO_ONE)
    intro.add_run(". Rock crevices give them shelter all year")
    if zotero:
        intro.add_run(" ")
        items = [
            _zotero_item(BARASHKOVA_2017, "EFGH6789"),
            _zotero_item(ROSS_2012, "JKLM3456", locator="1295"),
        ]
        _complex_field(intro, _zotero_instruction("d4e5f6", ZOTERO_TWO, items), ZOTERO_TWO)
    intro.add_run(". ")
    survey = intro.add_run("A recent survey")
    intro.add_run(" mapped dens in two valleys.")
    if comment:
        note = document.add_comment(
            survey, text="Please give the survey year.", author="Editor", initials="E"
        )
        note._comment_elm.set(qn("w:date"), COMMENT_DATE)  # python-docx stamps the clock

    if mendeley:
        document.add_heading("Methods", level=1)
        methods = document.add_paragraph("Dens were found by tracking collared cats ")
        _complex_field(methods, _mendeley_instruction(), MENDELEY_ONE)
        methods.add_run(".")

    if text_box:
        holder = document.add_paragraph("Most dens had two entrances.")
        holder._p.append(parse_xml(_text_box_run("Box 1. A den is reused by several cats.")))
        holder.add_run(" Entrances faced south.")

    if plain_citation:
        document.add_paragraph(
            "Earlier surveys found similar patterns (Ross et al. 2010) "
            "and others disagreed (Smith 1999)."
        )

    _figure(document, _png((196, 214, 160), seed=1), "Map of den sites in the study area")
    _caption(document, "Figure", 1, "Locations of the 42 dens found in 2019.")
    pointers = document.add_paragraph(
        "Dens are shown in Figure 1 and Figure 2; sizes are in Table 1."
    )
    if footnote:
        _add_footnotes_part(document)
        pointers._p.append(
            _run(_element("w:footnoteReference", {"w:id": "1"}), style="FootnoteReference")
        )
    _figure(document, _png((181, 160, 130), seed=2), "Photograph of a den entrance")
    _caption(document, "Figure", 2, "A den under a granite outcrop.")

    _caption(document, "Table", 1, "Den types by season.")
    table = document.add_table(rows=3, cols=3)
    table.style = document.styles["Table Grid"]
    rows = (
        ("Den type", "Summer", "Winter"),
        ("Rock crevice", "12", "18"),
        ("Marmot burrow", "9", "3"),
    )
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value

    if tracked_changes:
        _add_tracked_changes(document)
    if equation:
        _add_equation(document)
    if chart:
        _add_chart(document)
    if smartart:
        _add_smartart(document)

    _add_references(document, zotero=zotero)
    document.save(str(path))
    return path


# --- Mendeley Cite (content controls) and EndNote (EN.CITE fields) ---
#
# Mendeley Reference Manager's Word add-in keeps a citation in a content control tagged
# ``MENDELEY_CITATION_v3_`` + base64(JSON: citationID, properties, citationItems with CSL
# ``itemData``, manualOverride), and the reference list in one tagged ``MENDELEY_BIBLIOGRAPHY``.
# EndNote writes ``ADDIN EN.CITE`` fields whose instruction is EndNote XML (each ``Cite`` with
# its full ``record``, text in ``style`` runs), or, when long, a nested ``ADDIN EN.CITE.DATA``
# field carrying the same XML as base64 in ``w:fldData``; the list is an ``ADDIN EN.REFLIST``
# field. The works below are invented for the tests, but for ROSS_2012, mini.bib's
# ross2012spatial (same DOI), which must be reused.

PETROVA_2021: dict[str, Any] = {
    "type": "article-journal",
    "id": "5f1c2a4e-0d0b-4e5b-9a51-7f0c4f2d9e11",
    "title": "Winter den temperatures of <i>Otocolobus manul</i> in Dauria",
    "author": [
        {"family": "Petrova", "given": "Anna", "parse-names": False, "dropping-particle": ""},
        {"family": "Dorj", "given": "Batbayar", "parse-names": False, "dropping-particle": ""},
    ],
    "container-title": "Steppe Mammal Notes",
    "container-title-short": "Steppe Mamm. Notes",
    "volume": "12",
    "issue": "2",
    "page": "33-41",
    "DOI": "10.5555/smn.2021.033",
    "issued": {"date-parts": [[2021, 3]]},
    "abstract": "We logged den temperatures.",
}


def _mendeley_cite_tag(items: list[tuple[dict[str, Any], str | None]], shown: str) -> str:
    data = {
        "citationID": "MENDELEY_CITATION_8e2d6f1a-3b4c-4d5e-8f90-a1b2c3d4e5f6",
        "properties": {"noteIndex": 0},
        "isEdited": False,
        "manualOverride": {
            "isManuallyOverridden": False,
            "citeprocText": shown,
            "manualOverrideText": "",
        },
        "citationItems": [
            {
                "id": item["id"],
                "itemData": item,
                "isTemporary": False,
                **({"locator": locator, "label": "page"} if locator else {}),
            }
            for item, locator in items
        ],
    }
    encoded = __import__("base64").b64encode(_compact(data).encode("utf-8")).decode("ascii")
    return "MENDELEY_CITATION_v3_" + encoded


def _content_control(tag: str, *children: BaseOxmlElement) -> BaseOxmlElement:
    control = _element("w:sdt")
    properties = _element("w:sdtPr")
    properties.append(_element("w:tag", {"w:val": tag}))
    properties.append(_element("w:id", {"w:val": "-1517382907"}))
    control.append(properties)
    content = _element("w:sdtContent")
    for child in children:
        content.append(child)
    control.append(content)
    return control


def _en_style(text: str, face: str = "normal") -> str:
    return f'<style face="{face}" font="default" size="100%">{text}</style>'


def _endnote_record(number: int, kind: str, code: int, body: str) -> str:
    return (
        f"<record><rec-number>{number}</rec-number><foreign-keys>"
        f'<key app="EN" db-id="x9wz2vdxqa5e" timestamp="1612345678">{number}</key>'
        f'</foreign-keys><ref-type name="{kind}">{code}</ref-type>{body}</record>'
    )


ENDNOTE_ROSS_2012 = _endnote_record(
    7,
    "Journal Article",
    17,
    "<contributors><authors>"
    + "".join(
        f"<author>{_en_style(n)}</author>"
        for n in ("Ross, Steven", "Munkhtsog, Bariushaa", "Harris, Stephen")
    )
    + "</authors></contributors><titles><title>"
    + _en_style("Spatial ecology of Pallas's cats")
    + "</title><secondary-title>"
    + _en_style("Journal of Mammalogy")
    + "</secondary-title></titles><periodical><full-title>"
    + _en_style("Journal of Mammalogy")
    + "</full-title></periodical><pages>"
    + _en_style("1292-1300")
    + "</pages><volume>"
    + _en_style("93")
    + "</volume><number>"
    + _en_style("5")
    + "</number><dates><year>"
    + _en_style("2012")
    + "</year></dates><isbn>"
    + _en_style("0022-2372")
    + "</isbn><electronic-resource-num>"
    + _en_style("10.1644/11-MAMM-A-060.1")
    + "</electronic-resource-num>",
)
ENDNOTE_SECTION = _endnote_record(
    12,
    "Book Section",
    5,
    "<contributors><authors><author>"
    + _en_style("Dorj, Batbayar")
    + "</author></authors><secondary-authors><author>"
    + _en_style("Petrova, Anna")
    + "</author></secondary-authors></contributors><titles><title>"
    + _en_style("Dens of ")
    + _en_style("Otocolobus manul", "italic")
    + _en_style(" in rock &amp; scree: 50% of records")
    + "</title><secondary-title>"
    + _en_style("Small Cats of the Steppe")
    + "</secondary-title></titles><pages>"
    + _en_style("101-120")
    + "</pages><dates><year>"
    + _en_style("2019")
    + "</year></dates><pub-location>"
    + _en_style("Ulaanbaatar")
    + "</pub-location><publisher>"
    + _en_style("Steppe Press")
    + "</publisher><isbn>"
    + _en_style("978-0-00-000000-2")
    + "</isbn>",
)


def _endnote_xml(cites: list[tuple[str, str, str, str, str]]) -> str:
    """``<EndNote>`` with one ``Cite`` per (author, year, record number, pages, record)."""
    return (
        "<EndNote>"
        + "".join(
            f"<Cite><Author>{author}</Author><Year>{year}</Year><RecNum>{number}</RecNum>"
            + (f"<Pages>{pages}</Pages>" if pages else "")
            + f"<DisplayText>({author} et al., {year})</DisplayText>{record}</Cite>"
            for author, year, number, pages, record in cites
        )
        + "</EndNote>"
    )


def write_reference_manager_manuscript(
    path: Path, manager: str, *, temporary: bool = False, reference_list: bool = True
) -> Path:
    """A short manuscript citing with ``manager``: ``"word"`` (Word's own CITATION fields, one
    of them a simple field naming no source), ``"mendeley-cite"`` (content controls) or
    ``"endnote"`` (one field with its XML in the instruction, cited in the sentence, and one
    with a nested data field), its reference list after the last paragraph with no heading before
    it (so only the manager's own marks tell it apart). ``temporary`` adds an EndNote citation
    never formatted (``{Dorj, 2019 #12}``)."""
    document = docx.Document()
    _add_styles(document)
    document.add_paragraph("Winter dens of Pallas's cats", style="Title")
    authors = document.add_paragraph("Batbayar Dorj")
    _superscript(authors, "1*")
    affiliation = document.add_paragraph()
    _superscript(affiliation, "1")
    affiliation.add_run(" Mongolian Cat Survey, Ulaanbaatar, Mongolia")
    document.add_paragraph("*Correspondence: b.dorj@example.org")
    document.add_heading("Abstract", level=1)
    document.add_paragraph("Dens of manuls stay warmer than the winter air.")
    document.add_paragraph("Keywords: Otocolobus manul, dens, winter")
    document.add_heading("Introduction", level=1)
    first = document.add_paragraph("Dens stay warmer than the air " if manager != "endnote" else "")
    second = document.add_paragraph("Rock dens were used most ")
    if manager == "mendeley-cite":
        shown = "(Petrova and Dorj, 2021; Ross et al., 2012, p. 1295)"
        tag = _mendeley_cite_tag([(PETROVA_2021, None), ({**ROSS_2012, "id": "b7"}, "1295")], shown)
        first._p.append(_content_control(tag, _run(_text("w:t", shown))))
        unreadable = "MENDELEY_CITATION_v3_not-base64-json"
        second._p.append(_content_control(unreadable, _run(_text("w:t", "(Ross et al., 2012)"))))
    elif manager == "endnote":
        first.add_run("As ")
        short = _endnote_xml([("Ross", "2012", "7", "1295", ENDNOTE_ROSS_2012)])
        short = short.replace("<Cite>", '<Cite AuthorYear="1">')  # cited in the sentence
        _complex_field(first, f" ADDIN EN.CITE {short}", "Ross et al. (2012, p. 1295)")
        first.add_run(" found, dens stay warmer than the air")
        long = _endnote_xml([("Dorj", "2019", "12", "", ENDNOTE_SECTION)])
        second._p.append(_field_char("begin"))
        second._p.append(_run(_text("w:instrText", " ADDIN EN.CITE ")))
        data_begin = _element("w:fldChar", {"w:fldCharType": "begin"})
        data = _text("w:fldData", __import__("base64").b64encode(long.encode()).decode())
        data.set(qn("xml:space"), "preserve")
        data_begin.append(data)
        second._p.append(_run(data_begin))
        second._p.append(_run(_text("w:instrText", " ADDIN EN.CITE.DATA ")))
        second._p.append(_field_char("end"))
        second._p.append(_field_char("separate"))
        second.add_run("(Dorj, 2019)")
        second._p.append(_field_char("end"))
    elif manager == "word":
        _add_word_sources(document)
        shown = "(Petrova and Dorj 2021; Ross et al. 2012, 1295)"
        _complex_field(first, " CITATION Pet21 \\l 1033  \\m Ros12 \\p 1295", shown)
        simple = _element("w:fldSimple", {"w:instr": " CITATION Nob99 \\l 1033 "})
        simple.append(_run(_text("w:t", "(Ross et al. 2012)")))
        second._p.append(simple)  # a tag no source of the document has
    else:
        raise ValueError(manager)
    first.add_run(".")
    second.add_run(".")
    if temporary:
        document.add_paragraph("Scree dens were rare {Dorj, 2019 #12}.")
    if reference_list:
        entries = (
            "Dorj, B. (2019) Dens in rock and scree. Steppe Press.",
            "Ross, S. et al. (2012) Spatial ecology of Pallas's cats. J. Mammal. 93: 1292-1300.",
        )
        if manager == "word":
            head = document.add_paragraph()
            _field_start(head, " BIBLIOGRAPHY ")
            head.add_run(entries[0])
            _field_end(document.add_paragraph(entries[1]))
        elif manager == "mendeley-cite":
            paragraphs = []
            for entry in entries:
                paragraph = _element("w:p")
                paragraph.append(_run(_text("w:t", entry)))
                paragraphs.append(paragraph)
            control = _content_control("MENDELEY_BIBLIOGRAPHY", *paragraphs)
            document.element.body.insert(len(document.element.body) - 1, control)
        else:
            head = document.add_paragraph()
            _field_start(head, " ADDIN EN.REFLIST ")
            head.add_run(entries[0])
            _field_end(document.add_paragraph(entries[1]))
    document.save(str(path))
    return path


WORD_SOURCES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<b:Sources SelectedStyle="\\APASixthEditionOfficeOnline.xsl" StyleName="APA" Version="6"
 xmlns:b="http://schemas.openxmlformats.org/officeDocument/2006/bibliography"
 xmlns="http://schemas.openxmlformats.org/officeDocument/2006/bibliography">
<b:Source><b:Tag>Pet21</b:Tag><b:SourceType>JournalArticle</b:SourceType>
<b:Guid>{0B1E7A52-6C55-4E5B-9E0A-3C1A7B2D4F60}</b:Guid>
<b:Author><b:Author><b:NameList>
<b:Person><b:Last>Petrova</b:Last><b:First>Anna</b:First></b:Person>
<b:Person><b:Last>Dorj</b:Last><b:First>Batbayar</b:First></b:Person>
</b:NameList></b:Author></b:Author>
<b:Title>Winter den temperatures in Dauria</b:Title><b:JournalName>Steppe Mammal Notes</b:JournalName>
<b:Year>2021</b:Year><b:Pages>33-41</b:Pages><b:Volume>12</b:Volume><b:Issue>2</b:Issue>
<b:DOI>10.5555/smn.2021.033</b:DOI><b:RefOrder>1</b:RefOrder></b:Source>
<b:Source><b:Tag>Ros12</b:Tag><b:SourceType>JournalArticle</b:SourceType>
<b:Author><b:Author><b:NameList>
<b:Person><b:Last>Ross</b:Last><b:First>Steven</b:First></b:Person>
</b:NameList></b:Author></b:Author>
<b:Title>Spatial ecology of Pallas's cats</b:Title><b:JournalName>Journal of Mammalogy</b:JournalName>
<b:Year>2012</b:Year><b:DOI>10.1644/11-MAMM-A-060.1</b:DOI><b:RefOrder>2</b:RefOrder></b:Source>
</b:Sources>"""
"""Word's source manager part (ECMA-376 Part 1, 22.6 Bibliography), as Word keeps the works of
References > Insert Citation in a ``customXml/item*.xml`` part."""


def _add_word_sources(document: Document) -> None:
    _add_part(
        document,
        "/customXml/item2.xml",
        "application/xml",
        WORD_SOURCES,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
    )
