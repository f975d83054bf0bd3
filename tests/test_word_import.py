"""``pica-publish import``: a Word manuscript (built here, as Word, Zotero and Mendeley write
it: tests/word_manuscripts.py) becomes a chapter that checks and builds; what would lose
content is refused or marked; ``export docx`` writes it back in the house styles."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from pica_publish import (
    word_ast,
    word_bibtex,
    word_images,
    word_package,
    word_typed,
    word_works,
)
from pica_publish.cli import main
from tests.conftest import PROJECTS
from tests.word_manuscripts import write_manuscript, write_reference_manager_manuscript

SLUG = "pallas-cat-dens-daurian-steppe"
CHAPTER = f"chapters/03-{SLUG}.md"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    return root


def _import(project: Path, manuscript: Path, *extra: str) -> int:
    return main(["-C", str(project), "import", str(manuscript), *extra])


def _front_and_body(path: Path) -> tuple[str, str]:
    _, front, body = path.read_text("utf-8").split("---\n", 2)
    return front, body


@pytest.fixture
def imported(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The default manuscript (Zotero and Mendeley fields, two figures, a table, a footnote,
    author-year citations typed as text) imported into the mini issue."""
    manuscript = write_manuscript(tmp_path / "manuscript.docx")
    assert _import(project, manuscript) == 0
    out = capsys.readouterr().out
    assert f"created {CHAPTER} and listed it in issue.yml (position 3)" in out
    assert "3 new in references/" in out and "1 already in references/ (ross2012spatial)" in out
    return project


def test_the_title_page_becomes_the_front_matter(imported: Path):
    front, _ = _front_and_body(imported / CHAPTER)
    assert "title: Pallas's cat dens in the Daurian steppe\n" in front
    assert "  - name: Anna Petrova\n    affiliations: [aff1]\n" in front
    assert (
        "  - name: Batbayar Dorj\n    affiliations: [aff2]\n    corresponding: true\n"
        "    email: b.dorj@example.org\n"
    ) in front  # the * mark
    assert "  aff1: Institute of Steppe Ecology, Chita, Russia\n" in front
    assert "  aff2: Mongolian Cat Survey, Ulaanbaatar, Mongolia\n" in front
    assert "abstract: |\n  Manuls spend the day in dens" in front
    assert "keywords: [Otocolobus manul, dens, marmot burrows, Mongolia]" in front


def test_citation_fields_become_keys_and_entries(imported: Path):
    _, body = _front_and_body(imported / CHAPTER)
    flat = " ".join(body.split())
    # Zotero: a work not in references/ gets a house key; mini.bib's ross2010den is another
    # work (another DOI), so the new key is ross2010dena
    assert "marmot burrows [@ross2010dena]." in flat
    # the same work as mini.bib's entry (same DOI) keeps that key; Zotero's locator in house style
    assert "[@barashkova2017pallas; @ross2012spatial, p. 1295]" in flat
    assert "collared cats [@munkhtsog2007home]" in flat  # Mendeley's field
    bib = (imported / "references" / f"{SLUG}.bib").read_text("utf-8")
    keys = re.findall(r"^@(\w+)\{([^,]+),", bib, re.MULTILINE)
    assert keys == [
        ("article", "ross2010dena"),
        ("article", "barashkova2017pallas"),
        ("article", "munkhtsog2007home"),
    ]
    assert "title = {Den site selection by {Pallas's} cats in {Mongolia}}" in bib
    assert "doi = {10.1111/j.1469-7998.2009.00653.x}" in bib
    assert "pages = {250--258}" in bib
    assert "ross2012spatial" not in bib  # no duplicate of an entry already there


def test_figures_tables_notes_and_cross_references(imported: Path):
    _, body = _front_and_body(imported / CHAPTER)
    flat = " ".join(body.split())
    folder = imported / "chapters" / "figures" / SLUG
    assert sorted(p.name for p in folder.iterdir()) == [
        "den-under-granite.png",
        "locations-42-dens.png",
    ]
    assert (
        f"![Locations of the 42 dens found in 2019.](figures/{SLUG}/locations-42-dens.png)"
        '{#fig:locations-42-dens alt="Map of den sites in the study area"}'
    ) in flat
    assert '{#fig:den-under-granite alt="Photograph of a den entrance"}' in flat
    assert (
        "Dens are shown in @fig:locations-42-dens and @fig:den-under-granite; sizes are in "
        "@tbl:den-types-by.[^1]"
    ) in flat
    assert ": Den types by season. {#tbl:den-types-by}" in flat
    assert re.search(r"\[\^1\]:\s+Counts include reused dens\.", body)
    assert "# References" not in body  # the typed list: the build writes the references
    assert "## Introduction" in body and "## Methods" in body  # Heading 1 → the house's level 2
    manifest = (imported / "issue.yml").read_text("utf-8")
    assert manifest.index(CHAPTER) < manifest.index("02-strategy.md")


def test_the_imported_chapter_checks_and_builds_in_house_style(
    imported: Path, capsys: pytest.CaptureFixture[str]
):
    """The done-when: it passes check (a typed citation that fits two entries is a warning
    listing both) and builds, with its references in the house style."""
    capsys.readouterr()
    assert main(["-C", str(imported), "check"]) == 0
    out = capsys.readouterr().out
    assert (
        f"{CHAPTER}:29:40: warning: '(Ross et al. 2010)' is a citation typed as text "
        "[citation-as-text]"
    ) in out
    assert "hint: Ross et al. 2010: [@ross2010den] or [@ross2010dena]" in out
    assert main(["-C", str(imported), "build", "--pdf"]) == 0
    offprint = imported / "build" / "pdf" / "offprints" / f"{SLUG}.pdf"
    text = " ".join(
        " ".join(page.extract_text() for page in pypdf.PdfReader(offprint).pages).split()
    )
    assert "Fig. 1. Locations of the 42 dens found in 2019." in text
    assert "Table 1. Den types by season." in text
    assert "Dens are shown in Fig. 1 and Fig. 2; sizes are in Table 1." in text
    assert "(Barashkova et al. 2017; Ross et al. 2012, p. 1295)" in text
    assert "Ross S., Munkhtsog B. & Harris S. 2010. Den site selection by Pallas" in text
    assert "Counts include reused dens." in text


def test_a_typed_citation_that_fits_one_entry_is_linked(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    manuscript = write_manuscript(tmp_path / "plain.docx", zotero=False, mendeley=False)
    assert _import(project, manuscript) == 0
    assert "linked   1 author-year citation(s) typed as text" in capsys.readouterr().out
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert "similar patterns [@ross2010den] and others disagreed (Smith 1999)." in flat


def test_tracked_changes_and_comments_are_refused_and_nothing_is_written(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    manuscript = write_manuscript(tmp_path / "review.docx", tracked_changes=True, comment=True)
    manifest = (project / "issue.yml").read_text("utf-8")
    assert _import(project, manuscript) == 1
    err = capsys.readouterr().err
    assert "review.docx: error: review.docx has 2 tracked change(s) and 1 comment(s):" in err
    assert re.search(r"paragraph \d+: insertion by Reviewer 2: 'in winter'", err), err
    assert re.search(r"paragraph \d+: deletion by Reviewer 2: 'always'", err), err
    assert re.search(r"paragraph \d+: comment: 'Please give the survey year\.'", err), err
    assert "--accept-changes" in err
    assert (project / "issue.yml").read_text("utf-8") == manifest
    assert not (project / CHAPTER).exists()
    assert not (project / "chapters" / "figures" / SLUG).exists()

    assert _import(project, manuscript, "--accept-changes") == 0
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert "Females returned to the same den in winter." in flat
    assert "always" not in flat and "survey year" not in flat


def test_equations_become_math_and_charts_are_marked_for_check(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    manuscript = write_manuscript(
        tmp_path / "objects.docx", equation=True, chart=True, smartart=True
    )
    assert _import(project, manuscript) == 0
    err = capsys.readouterr().err
    assert re.search(r"objects.docx: warning: paragraph \d+: chart left out", err), err
    assert re.search(r"objects.docx: warning: paragraph \d+: SmartArt left out", err), err
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert "Density was computed as $d = \\frac{n}{A}$ per square kilometre." in flat
    chart = flat.index("Monthly den use is charted below.")
    assert flat.index("TODO(import): an embedded chart stood here", chart) > chart
    assert "TODO(import): a SmartArt diagram stood here" in flat
    capsys.readouterr()
    assert main(["-C", str(project), "check"]) == 1
    out = capsys.readouterr().out
    assert out.count("[import-todo]") == 2
    assert "error: left by `pica-publish import`: an embedded chart stood here" in out


def test_what_is_not_a_manuscript_is_refused_with_a_reason(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert _import(project, broken) == 1
    assert "broken.docx: error: broken.docx cannot be read as a Word" in capsys.readouterr().err
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    assert _import(project, legacy) == 1
    assert "hint: save the manuscript from Word or LibreOffice as .docx" in capsys.readouterr().err
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<w/>" + b" " * 4096)
    monkeypatch.setattr(word_package, "MAX_PACKAGE_BYTES", 1024)
    assert _import(project, bomb) == 1
    assert "unpacks to more than" in capsys.readouterr().err
    assert not list((project / "chapters").glob("03-*"))


def test_export_docx_writes_the_chapter_in_house_styles(
    imported: Path, capsys: pytest.CaptureFixture[str]
):
    capsys.readouterr()
    assert main(["-C", str(imported), "export", "docx", CHAPTER]) == 0
    target = imported / "build" / "docx" / f"{SLUG}.docx"
    assert f"wrote build/docx/{SLUG}.docx" in capsys.readouterr().out
    document = docx.Document(str(target))
    styles = [p.style.name for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Pallas’s cat dens in the Daurian steppe" and styles[0] == "Title"
    assert any(
        t.startswith("Ross S., Munkhtsog B. & Harris S. 2010. Den site selection") for t in texts
    )
    assert any("(Barashkova et al. 2017; Ross et al. 2012, p. 1295)" in t for t in texts)
    assert len(document.inline_shapes) == 2  # both figures embedded
    assert document.styles["Normal"].font.name == "Noto Serif"
    assert document.styles["Heading 1"].font.name == "Noto Sans"


def test_a_chapter_exported_to_word_is_imported_back_whole(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """The reviewer's round trip: mini's dens chapter exported to Word, then imported into a
    fresh copy of the issue. The title page comes back field by field (byline marks,
    affiliations, the corresponding author's e-mail, the abstract with its italics, the
    keywords); the reference list is left out; links to figures, tables and a section become
    cross-references again; a citation Word shows in the sentence is cited in the text."""
    assert main(["-C", str(project), "export", "docx", "chapters/01-dens.md"]) == 0
    exported = project / "build" / "docx" / "dens.docx"
    with zipfile.ZipFile(exported) as package:  # the SVG figure drawn as a PNG, for every reader
        media = sorted(n.rsplit(".", 1)[1] for n in package.namelist() if "/media/" in n)
    assert media == ["png", "png"]
    document = docx.Document(str(exported))
    styles = {p.style.name: p.text for p in document.paragraphs if p.text.strip()}
    assert styles["Byline"] == "Анна Сергеевна Петрова1, Batbayar Tsend1,2,*, Gülşen Öztürk2"
    assert styles["Correspondence"] == "*Correspondence: b.tsend@example.org"
    again = tmp_path / "again"
    shutil.copytree(PROJECTS / "mini", again, ignore=shutil.ignore_patterns("build"))
    capsys.readouterr()
    assert main(["-C", str(again), "import", str(exported)]) == 0
    assert "linked   2 author-year citation(s) typed as text" in capsys.readouterr().out
    front, body = _front_and_body(again / "chapters" / "03-dens-home-ranges-pallass-cat.md")
    assert (
        "authors:\n  - name: Анна Сергеевна Петрова\n    affiliations: [aff1]\n"
        "  - name: Batbayar Tsend\n    affiliations: [aff1, aff2]\n    corresponding: true\n"
        "    email: b.tsend@example.org\n  - name: Gülşen Öztürk\n    affiliations: [aff2]\n"
    ) in front
    assert "aff2: Institute of Biology, Mongolian Academy of Sciences, Ulaanbaatar" in front
    assert "abstract: |\n  A short abstract about *Otocolobus manul* that" in front
    assert "keywords: [Otocolobus manul, dens, home range]" in front
    flat = " ".join(body.split())
    assert "## Dens {#sec:dens}" in body
    assert "for shelter [@ross2010den]. @ross2012spatial related home-range size" in flat
    assert "Den use is shown in @fig:dens-used-per" in flat
    assert "listed in @tbl:radio-collared-cats and their dens in @tbl:den-types-by" in flat
    assert "see also @sec:dens." in flat
    assert "References" not in body and "Munkhtsog B." not in body  # the list is not text
    capsys.readouterr()
    assert main(["-C", str(again), "check"]) == 0
    assert "citation-as-text" not in capsys.readouterr().out


def _odt(docx_path: Path, target: Path) -> Path:
    """The manuscript as LibreOffice's format (written by pandoc: no citation fields, captions
    as plain paragraphs after the pictures)."""
    import pypandoc

    pypandoc.convert_file(str(docx_path), "odt", format="docx", outputfile=str(target))
    return target


def test_an_odt_manuscript_is_imported_with_its_figures_paired(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    manuscript = _odt(write_manuscript(tmp_path / "m.docx"), tmp_path / "manuscript.odt")
    assert _import(project, manuscript) == 0
    assert "figures  2 in" in capsys.readouterr().out
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert (
        f"![Locations of the 42 dens found in 2019.](figures/{SLUG}/locations-42-dens.png)" in flat
    )
    assert "marmot burrows [@ross2010den]." in flat  # typed (no fields in .odt), one entry fits
    assert "@fig:den-under-granite" in flat and ": Den types by season. {#tbl:" in flat
    assert "/tmp/" not in body  # every picture copied into the project


def test_an_odt_with_tracked_changes_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    plain = _odt(write_manuscript(tmp_path / "m.docx"), tmp_path / "plain.odt")
    changed = tmp_path / "changed.odt"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content.xml":
                region = (
                    b'<text:tracked-changes><text:changed-region text:id="ct1">'
                    b"<text:insertion><office:change-info><dc:creator>Reviewer 2</dc:creator>"
                    b"</office:change-info></text:insertion></text:changed-region>"
                    b"</text:tracked-changes>"
                )
                opening = re.search(rb"<office:text[^>]*>", data)
                assert opening is not None
                data = data[: opening.end()] + region + data[opening.end() :]
                if b"xmlns:dc=" not in data:
                    data = data.replace(
                        b"<office:document-content ",
                        b'<office:document-content xmlns:dc="http://purl.org/dc/elements/1.1/" ',
                        1,
                    )
            target.writestr(item, data)
    assert _import(project, changed) == 1
    assert "insertion by Reviewer 2" in capsys.readouterr().err
    assert not (project / CHAPTER).exists()


def test_a_citation_field_without_its_works_data_is_kept_as_text_and_linked(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """A Zotero field whose JSON lost its item data (pandoc cannot read the work) becomes the
    text Word showed; that text is linked where one entry fits, as typed citations are."""
    import json

    from lxml import etree

    source = write_manuscript(tmp_path / "m.docx", mendeley=False)
    stripped = tmp_path / "stripped.docx"
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(stripped, "w") as target:
        for item in package.infolist():
            data = package.read(item.filename)
            if item.filename == "word/document.xml":
                tree = etree.fromstring(data)
                fields: list[list[etree._Element]] = []  # each field's instruction runs
                for node in tree.iter(f"{w}fldChar", f"{w}instrText"):
                    if node.get(f"{w}fldCharType") == "begin":
                        fields.append([])
                    elif node.tag == f"{w}instrText":
                        fields[-1].append(node)
                for first, *rest in filter(None, fields):
                    code = "".join(n.text or "" for n in [first, *rest])
                    head, _, payload = code.partition("CSL_CITATION ")
                    if "ZOTERO_ITEM" in head and "(Ross et al. 2010)" in payload:
                        field = json.loads(payload)
                        for cited in field["citationItems"]:
                            del cited["itemData"]
                        first.text = f"{head}CSL_CITATION {json.dumps(field)} "
                        for node in rest:
                            node.text = ""
                data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
            target.writestr(item, data)
    assert _import(project, stripped) == 0
    captured = capsys.readouterr()
    assert "1 citation field(s) hold no data of the works they cite" in captured.err
    _, body = _front_and_body(project / CHAPTER)
    assert "marmot burrows [@ross2010den]." in " ".join(body.split())  # mini.bib's one Ross 2010


def test_a_work_already_in_references_without_a_doi_keeps_its_key(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Same title (capitals, braces and punctuation aside), year and first author: the same
    work, whatever its key; the import cites that key and adds no duplicate."""
    (project / "references" / "field.bib").write_text(
        "@article{manulhomerange,\n"
        "  author = {Munkhtsog, B. and Ross, S.},\n"
        "  title = {Home Range of {Pallas's} Cats},\n"
        "  journal = {Mammalia},\n  year = {2007}\n}\n",
        "utf-8",
    )
    assert _import(project, write_manuscript(tmp_path / "m.docx")) == 0
    assert "2 already in references/ (manulhomerange, ross2012spatial)" in capsys.readouterr().out
    _, body = _front_and_body(project / CHAPTER)
    assert "collared cats [@manulhomerange]." in " ".join(body.split())
    bib = (project / "references" / f"{SLUG}.bib").read_text("utf-8")
    assert "munkhtsog2007home" not in bib and "Home range" not in bib


def test_a_tiff_picture_becomes_a_png_without_loss(tmp_path: Path):
    from PIL import Image

    source = tmp_path / "media" / "image3.tiff"
    source.parent.mkdir()
    Image.new("RGB", (30, 20), (120, 80, 40)).save(source)
    image = {"t": "Image", "c": [["", [], [["width", "3in"]]], [], [str(source), ""]]}
    name, found = word_images.place_image(image, "den-map", SLUG, [])
    assert image["c"][2][0] == f"figures/{SLUG}/den-map.png" and image["c"][0][2] == []
    from pica_publish.scaffold import Staged

    with Staged(tmp_path) as staged:
        assert word_images.copy_image(found, tmp_path / name, staged) == tmp_path / name
        assert not (tmp_path / name).exists()  # written beside it until the block ends
    assert sorted(p.name for p in tmp_path.iterdir()) == ["den-map.png", "media"]
    assert (tmp_path / "den-map.png").stat().st_mode & 0o777 == 0o666 & ~_umask()
    with Image.open(tmp_path / "den-map.png") as converted:
        assert converted.format == "PNG" and converted.getpixel((3, 3)) == (120, 80, 40)


FIELD_NS = "urn:openoffice:names:experimental:ooo-ms-interop:xmlns:field:1.0"


@pytest.mark.parametrize("mark", ["reference mark", "field mark"])
def test_zotero_citation_marks_in_an_odt_become_citations(
    mark: str, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """LibreOffice's Zotero plugin keeps a citation as a reference mark named by the field's
    CSL JSON; a Word manuscript saved by LibreOffice keeps it as a field mark holding the Word
    field's code. pandoc reads only their text. The mark settles which work the text means:
    here not mini.bib's Ross 2010 but the one the mark carries (a new entry), with its page;
    the picture's description (LibreOffice's alt text) is kept."""
    import json
    from xml.sax.saxutils import quoteattr

    plain = _odt(write_manuscript(tmp_path / "m.docx", mendeley=False), tmp_path / "plain.odt")
    field = {
        "citationID": "x1",
        "properties": {
            "formattedCitation": "(Ross et al. 2010)",
            "plainCitation": "(Ross et al. 2010)",
        },
        "citationItems": [
            {
                "id": 101,
                "itemData": {
                    "id": 101,
                    "type": "article-journal",
                    "title": "Den site selection by Pallas's cats in Mongolia",
                    "container-title": "Journal of Zoology",
                    "DOI": "10.1111/j.1469-7998.2009.00653.x",
                    "author": [{"family": "Ross", "given": "Steven"}],
                    "issued": {"date-parts": [[2010]]},
                },
            }
        ],
    }
    field["citationItems"][0].update(locator="252", label="page")
    if mark == "reference mark":
        name = quoteattr(f"ZOTERO_ITEM CSL_CITATION {json.dumps(field)} RNDk2Jd0sPx").encode()
        start = b"<text:reference-mark-start text:name=" + name + b"/>"
        end = b"<text:reference-mark-end text:name=" + name + b"/>"
    else:
        code = quoteattr(f"ADDIN ZOTERO_ITEM CSL_CITATION {json.dumps(field)}").encode()
        start = (
            (
                f'<field:fieldmark-start xmlns:field="{FIELD_NS}" text:name="__Fieldmark__7_1" '
                'field:type="vnd.oasis.opendocument.field.UNHANDLED"><field:param '
                'field:name="vnd.oasis.opendocument.field.code" field:value='
            ).encode()
            + code
            + f'/></field:fieldmark-start><field:fieldmark-separator xmlns:field="{FIELD_NS}"/>'.encode()
        )
        end = f'<field:fieldmark-end xmlns:field="{FIELD_NS}"/>'.encode()
    marked = tmp_path / "marked.odt"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(marked, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "content.xml":
                assert b"(Ross et al. 2010)" in data and b"<draw:image " in data
                data = data.replace(b"(Ross et al. 2010)", start + b"(Ross et al. 2010)" + end, 1)
                data = data.replace(
                    b"<draw:image ", b"<svg:desc>Map of the dens</svg:desc><draw:image ", 1
                )
            target.writestr(item, data)
    assert _import(project, marked) == 0
    assert "cited    1 work(s) from citation fields: 1 new" in capsys.readouterr().out
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert "marmot burrows [@ross2010dena, p. 252]." in flat
    assert 'alt="Map of the dens"' in flat
    bib = (project / "references" / f"{SLUG}.bib").read_text("utf-8")
    assert "@article{ross2010dena," in bib and "10.1111/j.1469-7998.2009.00653.x" in bib


MANAGER_CHAPTER = "chapters/03-winter-dens-pallas-cats.md"
MANAGER_BIB = "references/winter-dens-pallas-cats.bib"


def test_mendeley_cite_content_controls_become_citations(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Mendeley Reference Manager's add-in keeps citations in content controls (base64 CSL
    JSON in the tag), which pandoc reads as plain text: they become citations by key, the work
    already in mini.bib keeps its key, a rich-text title is written as LaTeX and printed in
    italics, the add-in's reference list is left out, and an unreadable control is said."""
    manuscript = write_reference_manager_manuscript(tmp_path / "m.docx", "mendeley-cite")
    assert _import(project, manuscript) == 0
    captured = capsys.readouterr()
    assert "2 work(s) from citation fields: 1 new" in captured.out
    assert "1 already in references/ (ross2012spatial)" in captured.out
    assert "warning: 1 Mendeley Cite citation(s) hold no data that can be read" in captured.err
    _, body = _front_and_body(project / MANAGER_CHAPTER)
    flat = " ".join(body.split())
    assert "warmer than the air [@petrova2021winter; @ross2012spatial, p. 1295]." in flat
    assert "used most [@ross2012spatial]." in flat  # the unreadable one: its text, linked
    assert "Dorj, B. (2019)" not in flat and "Spatial ecology" not in flat  # the list is gone
    bib = (project / MANAGER_BIB).read_text("utf-8")
    assert "title = {Winter den temperatures of \\textit{{Otocolobus} manul} in {Dauria}}" in bib
    assert "doi = {10.5555/smn.2021.033}" in bib and "abstract" not in bib

    assert main(["-C", str(project), "build", "--html"]) == 0
    page = (project / "build" / "html" / "winter-dens-pallas-cats" / "index.html").read_text()
    assert "Winter den temperatures of <em>Otocolobus manul</em> in Dauria" in page


def test_endnote_fields_become_citations(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """EndNote's fields hold EndNote XML: in the instruction, or base64 in a nested
    EN.CITE.DATA field. Each record becomes a CSL item (a book section with its editor, an
    italic run of its title, LaTeX's special characters escaped); a citation Word shows in the
    sentence is cited in the text with its page; the EN.REFLIST list is left out."""
    manuscript = write_reference_manager_manuscript(tmp_path / "m.docx", "endnote")
    assert _import(project, manuscript) == 0
    captured = capsys.readouterr()
    assert "2 work(s) from citation fields: 1 new" in captured.out and not captured.err
    _, body = _front_and_body(project / MANAGER_CHAPTER)
    flat = " ".join(body.split())
    assert "As @ross2012spatial [p. 1295] found, dens stay warmer than the air." in flat
    assert "Rock dens were used most [@dorj2019dens]." in flat
    assert "Steppe Press" not in flat and "Dorj, B. (2019)" not in flat
    bib = (project / MANAGER_BIB).read_text("utf-8")
    for line in (
        "@incollection{dorj2019dens,",
        "author = {Dorj, Batbayar},",
        "editor = {Petrova, Anna},",
        "title = {Dens of \\textit{{Otocolobus} manul} in rock \\& scree: 50\\% of records},",
        "booktitle = {Small Cats of the Steppe},",
        "address = {Ulaanbaatar},",
        "pages = {101--120},",
    ):
        assert line in bib, line
    assert main(["-C", str(project), "check"]) == 0
    assert main(["-C", str(project), "build", "--html"]) == 0
    page = (project / "build" / "html" / "winter-dens-pallas-cats" / "index.html").read_text()
    assert "Dens of <em>Otocolobus manul</em> in rock &amp; scree: 50% of records" in page
    assert re.search(
        r'As <span class="citation"[^>]*>Ross et al\. \(<a [^>]*>2012, p\. 1295</a>\)', page
    )


def test_unformatted_endnote_citations_are_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    manuscript = write_reference_manager_manuscript(tmp_path / "m.docx", "endnote", temporary=True)
    manifest = (project / "issue.yml").read_text("utf-8")
    assert _import(project, manuscript) == 1
    err = capsys.readouterr().err
    assert "has 1 unformatted EndNote citation(s): {Dorj, 2019 #12}" in err
    assert "Update Citations and Bibliography" in err
    assert (project / "issue.yml").read_text("utf-8") == manifest
    assert not (project / MANAGER_CHAPTER).exists()


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_an_import_that_fails_while_writing_leaves_the_project_as_it_was(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """An attack and a failure at once: references/ is a symbolic link out of the project (as
    a pull request could make it). The import refuses to write there; the figures it had
    already written are taken back, issue.yml is unchanged, nothing lands outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project / "references")
    (project / "references").symlink_to(outside, target_is_directory=True)
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    manifest = (project / "issue.yml").read_text("utf-8")
    assert _import(project, write_manuscript(tmp_path / "m.docx")) == 1
    err = capsys.readouterr().err
    assert "error: cannot write the chapter:" in err and "leads outside the project" in err
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before
    assert (project / "issue.yml").read_text("utf-8") == manifest
    assert list(outside.iterdir()) == []


def test_an_existing_bibliography_file_is_never_overwritten(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    mine = project / "references" / f"{SLUG}.bib"
    mine.write_text("@misc{kept, title = {Mine}}\n", "utf-8")
    assert _import(project, write_manuscript(tmp_path / "m.docx")) == 0
    assert f"in references/{SLUG}-2.bib" in capsys.readouterr().out
    assert mine.read_text("utf-8") == "@misc{kept, title = {Mine}}\n"


def test_csl_rich_text_becomes_latex_in_the_bibliography():
    item = {
        "id": "k",
        "type": "article-journal",
        "title": 'CO<sub>2</sub> at 50% of <i>Otocolobus manul</i> dens & <span class="nocase">'
        'eDNA</span>: <span style="font-variant: small-caps;">Mongolia</span> p < 0.05 #1',
        "container-title": "Ecology & Evolution",
        "URL": "https://example.org/a_b?x=1&y=2",
    }
    bib = word_bibtex.bibtex([item], "m.docx")
    assert (
        "title = {CO\\textsubscript{2} at 50\\% of \\textit{{Otocolobus} manul} dens \\& "
        "{eDNA}: \\textsc{{Mongolia}} p < 0.05 \\#1}"
    ) in bib
    assert "journal = {Ecology \\& Evolution}" in bib
    assert "url = {https://example.org/a_b?x=1&y=2}" in bib


def test_words_own_citations_become_citations(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Word's References > Insert Citation: CITATION fields (complex or simple) naming the
    sources Word keeps in the package's bibliography part; ``\\m`` adds a work, ``\\p`` its
    page; a tag with no source is kept as its text and said; the BIBLIOGRAPHY field's list is
    left out."""
    manuscript = write_reference_manager_manuscript(tmp_path / "m.docx", "word")
    assert _import(project, manuscript) == 0
    captured = capsys.readouterr()
    assert "2 work(s) from citation fields: 1 new" in captured.out
    assert "warning: 1 Word citation(s) hold no data that can be read" in captured.err
    _, body = _front_and_body(project / MANAGER_CHAPTER)
    flat = " ".join(body.split())
    assert "warmer than the air [@petrova2021winter; @ross2012spatial, p. 1295]." in flat
    assert "used most [@ross2012spatial]." in flat and "Steppe Press" not in flat
    bib = (project / MANAGER_BIB).read_text("utf-8")
    assert (
        "@article{petrova2021winter," in bib
        and "author = {Petrova, Anna and Dorj, Batbayar}" in bib
    )
    assert main(["-C", str(project), "check"]) == 0


def test_endnote_and_word_records_as_csl_items():
    from lxml import etree

    from pica_publish.word_records import csl_item, word_item

    record = etree.fromstring(
        '<record><rec-number>3</rec-number><ref-type name="Edited Book">28</ref-type>'
        "<contributors><authors><author>Barashkova, Anna</author></authors></contributors>"
        "<titles><title>Small cats</title></titles><dates><year>c. 2016</year></dates>"
        "<electronic-resource-num>https://doi.org/10.5555/X.1</electronic-resource-num>"
        "</record>"
    )
    assert csl_item(record) == {
        "id": "EN-3",
        "type": "book",
        "editor": [{"family": "Barashkova", "given": "Anna"}],
        "title": "Small cats",
        "DOI": "10.5555/X.1",
        "issued": {"date-parts": [[2016]]},
    }
    corporate = etree.fromstring(
        '<record><ref-type name="Report">27</ref-type><contributors><authors>'
        "<author>IUCN,</author></authors></contributors><titles><title>Red List</title>"
        "</titles><number>7</number></record>"
    )
    assert csl_item(corporate)["author"] == [{"literal": "IUCN"}]
    assert csl_item(corporate)["number"] == "7"
    b = "http://schemas.openxmlformats.org/officeDocument/2006/bibliography"
    source = etree.fromstring(
        f'<b:Source xmlns:b="{b}"><b:Tag>IUC20</b:Tag><b:SourceType>Report</b:SourceType>'
        "<b:Author><b:Author><b:Corporate>IUCN SSC Cat Specialist Group</b:Corporate>"
        "</b:Author></b:Author><b:Title>Manul assessment</b:Title><b:Year>2020</b:Year>"
        "</b:Source>"
    )
    assert word_item(source) == {
        "id": "IUC20",
        "type": "report",
        "author": [{"literal": "IUCN SSC Cat Specialist Group"}],
        "title": "Manul assessment",
        "issued": {"date-parts": [[2020]]},
    }


def test_a_citation_typed_in_the_sentence_is_reported_with_its_candidates(
    project: Path, capsys: pytest.CaptureFixture[str]
):
    chapter = project / "chapters" / "01-dens.md"
    chapter.write_text(
        chapter.read_text("utf-8")
        + "\nAs Ross et al. (2012) showed, Munkhtsog and Ross (2007) agreed; Mongolia (2019) "
        "and [Ross et al. (2012)](https://example.org) are not citations.\n",
        "utf-8",
    )
    line = len(chapter.read_text("utf-8").splitlines())
    assert main(["-C", str(project), "check"]) == 0
    out = capsys.readouterr().out
    assert (
        f"chapters/01-dens.md:{line}:4: warning: 'Ross et al. (2012)' is a citation typed as text"
    ) in out
    assert "hint: Ross et al. 2012: @ross2012spatial" in out
    assert "'Munkhtsog and Ross (2007)' is a citation typed as text" in out
    assert "hint: Munkhtsog and Ross 2007: no entry fits (add it)" in out
    assert out.count("[citation-as-text]") == 2


def test_a_typed_citation_of_an_organisation_finds_its_entry(project: Path):
    (project / "references" / "groups.bib").write_text(
        "@online{cincinnati2011pallas,\n  author = {{Cincinnati Zoo \\& Botanical Garden}},\n"
        "  title = {Pallas' cats born},\n  year = {2011},\n  url = {https://example.org}\n}\n",
        "utf-8",
    )
    candidates = word_typed.works(word_works.known_entries(project), [])
    found = word_typed.matching_works("Cincinnati Zoo & Botanical Garden", "2011", candidates)
    assert [w.key for w in found] == ["cincinnati2011pallas"]
    assert [w.key for w in word_typed.matching_works("Ross et al.", "2012", candidates)] == [
        "ross2012spatial"
    ]


def test_a_picture_that_cannot_be_read_keeps_its_own_name(tmp_path: Path):
    """A damaged TIFF cannot become a PNG: it is copied as it is and the chapter names that
    file (``check`` then says what is wrong with it), never a PNG that was not written."""
    from pica_publish.scaffold import Staged

    source = tmp_path / "media" / "image4.tif"
    source.parent.mkdir()
    source.write_bytes(b"II*\x00not really a tiff")
    image = {"t": "Image", "c": [["", [], []], [], [str(source), ""]]}
    name, found = word_images.place_image(image, "den-map", SLUG, [])
    assert image["c"][2][0] == f"figures/{SLUG}/den-map.tif"
    with Staged(tmp_path) as staged:
        assert word_images.copy_image(found, tmp_path / name, staged) == tmp_path / name
    assert (tmp_path / "den-map.tif").read_bytes() == source.read_bytes()


def test_citations_of_other_reference_managers_are_counted_not_lost(tmp_path: Path):
    """Citavi's content controls and RefWorks' or Papers' fields carry no data this import
    reads: their text stays, and each is counted for the import's warning."""
    from pica_publish.word_fields import normalise_docx
    from tests.word_manuscripts import _complex_field, _content_control, _run, _text

    document = docx.Document()
    paragraph = document.add_paragraph("Dens were reused ")
    _complex_field(paragraph, " ADDIN RW.CITE{{12 Ross 2010}} ", "(Ross et al. 2010)")
    paragraph.add_run(" and shared ")
    paragraph._p.append(
        _content_control("CitaviPlaceholder#4c1d", _run(_text("w:t", "(Smith 1999)")))
    )
    _complex_field(paragraph, " ADDIN PAPERS2_CITATIONS <citation/> ", "(Lee 2001)")
    document.save(str(tmp_path / "m.docx"))
    found = normalise_docx(tmp_path / "m.docx", tmp_path / "out.docx")
    assert dict(found.unreadable) == {"RefWorks": 1, "Citavi": 1, "Papers": 1}
    text = " ".join(p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs)
    assert "(Ross et al. 2010)" in text and "(Smith 1999)" in text and "(Lee 2001)" in text


def test_the_manuscripts_reference_list_settles_which_work_a_typed_citation_means(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """Two entries fit "(Ross et al. 2010)"; the manuscript's own typed reference list names
    one of them by its title, so that one is cited (and "2010a"/"2010b" follow the list)."""
    (project / "references" / "more.bib").write_text(
        "@article{ross2010site,\n  author = {Ross, Steven and Munkhtsog, Bariushaa},\n"
        "  title = {Den site selection by Pallas's cats in Mongolia},\n"
        "  journal = {Journal of Zoology},\n  year = {2010}\n}\n",
        "utf-8",
    )
    manuscript = write_manuscript(tmp_path / "m.docx", zotero=False, mendeley=False)
    assert _import(project, manuscript) == 0
    assert "linked   1 author-year citation(s) typed as text" in capsys.readouterr().out
    _, body = _front_and_body(project / CHAPTER)
    assert "similar patterns [@ross2010site] and" in " ".join(body.split())
    listed = word_typed.listed_works(
        [
            {"t": "Para", "c": word_ast.plain_inlines(text)}
            for text in (
                (
                    "Ross S. et al. 2010a. Den-site selection is critical for Pallas's cats "
                    "(Otocolobus manul). Canadian Journal of Zoology 88: 905-913."
                ),
                "Ross S. & Munkhtsog B. 2010b. Den site selection by Pallas's cats in Mongolia.",
            )
        ],
        word_typed.works(word_works.known_entries(project), []),
    )
    assert listed == {("ross", "2010a"): "ross2010den", ("ross", "2010b"): "ross2010site"}


def test_a_word_file_from_r_markdown_or_quarto_keeps_its_authors_and_abstract(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """R Markdown's and Quarto's Word output (pandoc's) puts each author in Word's Author
    style and the abstract under a plain "Abstract" paragraph: the names are the authors, and
    "Abstract" is never taken for one."""
    import pypandoc

    source = tmp_path / "paper.md"
    source.write_text(
        '---\ntitle: "Manul density in the Altai"\nauthor:\n  - Anna Petrova\n'
        "  - Batbayar Dorj\nabstract: |\n  We counted *Otocolobus manul* in two valleys.\n---\n\n"
        "# Introduction\n\nManuls are rare.\n",
        "utf-8",
    )
    manuscript = tmp_path / "paper.docx"
    pypandoc.convert_file(str(source), "docx", outputfile=str(manuscript))
    assert _import(project, manuscript) == 0
    assert "to do    3: the corresponding author's e-mail; the affiliations; the keywords" in (
        capsys.readouterr().out
    )
    front, body = _front_and_body(project / "chapters" / "03-manul-density-altai.md")
    assert "  - name: Anna Petrova\n" in front and "  - name: Batbayar Dorj\n" in front
    assert "Abstract" not in front
    assert "abstract: |\n  We counted *Otocolobus manul* in two valleys.\n" in front
    assert body.lstrip().startswith("## Introduction")


def test_a_text_box_is_kept_with_the_paragraph_that_holds_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """pandoc keeps a text box's text but drops the rest of its paragraph: the import sets
    the box after the paragraph (once, not its VML copy too) and says where."""
    manuscript = write_manuscript(tmp_path / "m.docx", text_box=True)
    assert _import(project, manuscript) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: paragraph \d+: its text box is set as paragraphs after it", err)
    _, body = _front_and_body(project / CHAPTER)
    flat = " ".join(body.split())
    assert "Most dens had two entrances. Entrances faced south. Box 1. A den is reused" in flat
    assert flat.count("Box 1.") == 1


def test_an_uncaptioned_table_with_merged_cells_keeps_them_and_gets_a_label(
    project: Path, tmp_path: Path
):
    document = docx.Document()
    document.add_paragraph("Den counts")
    document.add_paragraph("Anna Petrova")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Merged header"
    table.cell(1, 2).merge(table.cell(2, 2)).text = "Tall cell"
    document.save(str(tmp_path / "m.docx"))
    assert _import(project, tmp_path / "m.docx") == 0
    _, body = _front_and_body(project / "chapters" / "03-den-counts.md")
    assert ": TODO(import): write the caption of this table {#tbl:table-1}" in body
    assert "| Merged header" in body and "| Tall cell" in body  # a grid table, spans kept


@pytest.mark.parametrize("marks", ["typed", "letters"])
def test_affiliation_marks_typed_plain_or_as_letters(marks: str, project: Path, tmp_path: Path):
    """ "Anna Petrova1,2, Batbayar Dorj2*" with "1 Institute…" lines (no superscript), or
    superscript letters "a", "b": the same byline as superscript numbers give."""
    document = docx.Document()
    document.add_paragraph("Den counts in Dauria", style="Title")
    byline = document.add_paragraph()
    first, second = ("1", "2") if marks == "typed" else ("a", "b")
    for text, mark in (("Anna Petrova", f"{first},{second}"), (", Batbayar Dorj", f"{second}*")):
        byline.add_run(text)
        byline.add_run(mark).font.superscript = marks == "letters"
    for mark, place in ((first, "Institute of Steppe Ecology, Chita"), (second, "Cat Survey")):
        line = document.add_paragraph()
        line.add_run(mark).font.superscript = marks == "letters"
        line.add_run(f" {place}")
    document.add_paragraph("*Correspondence: b.dorj@example.org")
    document.add_heading("Introduction", level=1)
    document.add_paragraph("Dens were counted.")
    document.save(str(tmp_path / "m.docx"))
    assert _import(project, tmp_path / "m.docx") == 0
    front, _ = _front_and_body(project / "chapters" / "03-den-counts-dauria.md")
    assert (
        "  - name: Anna Petrova\n    affiliations: [aff1, aff2]\n"
        "  - name: Batbayar Dorj\n    affiliations: [aff2]\n    corresponding: true\n"
        "    email: b.dorj@example.org\n"
    ) in front
    assert "aff1: Institute of Steppe Ecology, Chita\n  aff2: Cat Survey\n" in front


def test_a_tracked_change_in_a_footnote_is_refused_too(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    source = write_manuscript(tmp_path / "m.docx")
    changed = tmp_path / "changed.docx"
    deletion = (
        '<w:del w:id="90" w:author="Reviewer 2" w:date="2024-05-01T10:00:00Z">'
        '<w:r><w:delText xml:space="preserve"> and burrows</w:delText></w:r></w:del>'
    )
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(changed, "w") as target:
        for item in package.infolist():
            data = package.read(item.filename)
            if item.filename == "word/footnotes.xml":
                data = data.replace(
                    b"</w:t></w:r></w:p>", b"</w:t></w:r>" + deletion.encode() + b"</w:p>", 1
                )
                assert b"w:delText" in data
            target.writestr(item, data)
    assert _import(project, changed) == 1
    err = capsys.readouterr().err
    assert "has 1 tracked change(s) and 0 comment(s):" in err
    assert "footnotes: deletion by Reviewer 2: 'and burrows'" in err
    assert not (project / CHAPTER).exists()
