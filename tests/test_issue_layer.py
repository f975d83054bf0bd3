"""The issue layer: page map, offprints, suggested citations, DOIs, registry exports, accessible
and archival PDFs, reproducible builds (the miniature project, real pandoc and WeasyPrint)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import bibtexparser
import pikepdf
import pypdf
import pytest
from ruamel.yaml import YAML

from pica_publish.cli import main
from tests.conftest import PROJECTS, edit, flat

CROSSREF = "{http://www.crossref.org/schema/5.3.1}"
DOI_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")
ORCID_URL_RE = re.compile(r"^https://orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# xsd:sequence of journal_article in crossref5.3.1.xsd (the elements we write, in order)
ARTICLE_SEQUENCE = [
    "titles",
    "contributors",
    "{http://www.ncbi.nlm.nih.gov/JATS1}abstract",
    "publication_date",
    "pages",
    "{http://www.crossref.org/AccessIndicators.xsd}program",
    "doi_data",
    "citation_list",
]


def page_map(built: Path) -> dict[str, tuple[int, int]]:
    data = json.loads((built / "build/pagemap.json").read_text())
    return {slug: (v["first"], v["last"]) for slug, v in data.items()}


def test_printed_citation_ranges_equal_the_page_map(built, pdf):
    for slug, (first, last) in page_map(built).items():
        text = flat(pdf.pages[first - 1].extract_text())
        expected = (
            f"CATnews Special Issue 99, {first}."
            if first == last
            else f"CATnews Special Issue 99, {first}–{last}."
        )
        assert expected in text, (slug, text[:400])
        assert f"https://doi.org/10.5555/catnews.si99.{slug}" in text.replace(" ", "")


def test_offprints_are_cover_masthead_and_the_article(built, pdf):
    for slug, (first, last) in page_map(built).items():
        offprint = pypdf.PdfReader(built / f"build/pdf/offprints/{slug}.pdf")
        assert len(offprint.pages) == last - first + 1 + 2
        assert "A miniature test issue" in offprint.pages[0].extract_text()
        for index, number in enumerate(range(first, last + 1), start=2):
            assert offprint.pages[index].extract_text() == pdf.pages[number - 1].extract_text()
        root = offprint.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
        titles = [i.title for i in offprint.outline if not isinstance(i, list)]
        assert titles[:2] == ["Cover", "Masthead"] and len(titles) == 3


def test_offprint_metadata_and_links(built):
    offprint = pypdf.PdfReader(built / "build/pdf/offprints/dens.pdf")
    assert offprint.metadata.title == "Dens and home ranges of the Pallas’s cat"
    # Separated by semicolons: a name may hold a comma ("Ross, S."); XMP has them as a list.
    assert offprint.metadata.author == "Анна Сергеевна Петрова; Batbayar Tsend; Gülşen Öztürk"
    assert offprint.metadata["/Keywords"] == "Otocolobus manul, dens, home range"
    destinations = set(offprint.named_destinations)
    links = [
        str(a.get_object()["/Dest"])
        for page in offprint.pages
        for a in page.get("/Annots", [])
        if "/Dest" in a.get_object()
    ]
    assert "dens-ref-ross2010den" in links and "dens-fig:dens" in links
    assert set(links) <= destinations  # every internal link of the offprint resolves


def test_issue_pdf_is_tagged_pdf_ua(pdf):
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en" and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert pdf.metadata.title.startswith("CATnews Special Issue 99")
    figures = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        if node.get("/S") == "/Figure":
            figures.append(node)
        if "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"])
    assert len(figures) >= 2
    assert all(str(f.get("/Alt", "")).strip() for f in figures)


def test_crossref_deposit_structure(built):
    tree = ET.parse(built / "build/metadata/crossref.xml").getroot()
    assert tree.tag == f"{CROSSREF}doi_batch" and tree.get("version") == "5.3.1"
    head = [child.tag.removeprefix(CROSSREF) for child in tree.find(f"{CROSSREF}head")]
    assert head == ["doi_batch_id", "timestamp", "depositor", "registrant"]
    journal = tree.find(f"{CROSSREF}body/{CROSSREF}journal")
    kinds = [child.tag.removeprefix(CROSSREF) for child in journal]
    assert kinds == ["journal_metadata", "journal_issue", *["journal_article"] * 3]
    issue_doi = journal.find(f"{CROSSREF}journal_issue/{CROSSREF}doi_data/{CROSSREF}doi").text
    assert issue_doi == "10.5555/catnews.si99"
    pages = page_map(built)
    for article in journal.findall(f"{CROSSREF}journal_article"):
        order = [child.tag.removeprefix(CROSSREF) for child in article]
        assert order == [tag for tag in ARTICLE_SEQUENCE if tag in order]  # the XSD's order
        doi = article.find(f"{CROSSREF}doi_data/{CROSSREF}doi").text
        assert DOI_RE.match(doi)
        slug = doi.rsplit(".", 1)[1]
        first = int(article.find(f"{CROSSREF}pages/{CROSSREF}first_page").text)
        last = int(article.find(f"{CROSSREF}pages/{CROSSREF}last_page").text)
        assert (first, last) == pages[slug]
        for orcid in article.iter(f"{CROSSREF}ORCID"):
            assert ORCID_URL_RE.match(orcid.text)
        for person in article.iter(f"{CROSSREF}person_name"):
            assert person.get("contributor_role") == "author"
            assert person.find(f"{CROSSREF}surname").text
        citations = article.findall(f"{CROSSREF}citation_list/{CROSSREF}citation")
        assert citations and all(
            DOI_RE.match(c.find(f"{CROSSREF}doi").text)
            for c in citations
            if c.find(f"{CROSSREF}doi") is not None
        )
    dens = next(
        a
        for a in journal.findall(f"{CROSSREF}journal_article")
        if a.find(f"{CROSSREF}doi_data/{CROSSREF}doi").text.endswith(".dens")
    )
    assert (
        dens.find(f"{CROSSREF}contributors/{CROSSREF}person_name/{CROSSREF}ORCID").text
        == "https://orcid.org/0000-0002-1825-0097"
    )


def test_jats_article_front_matter(built):
    xml = (built / "build/metadata/jats/dens.xml").read_text()
    tree = ET.fromstring(xml.split("\n", 3)[3])  # drop the XML declaration and DOCTYPE
    meta = tree.find("front/article-meta")
    assert meta.find("article-id[@pub-id-type='doi']").text == "10.5555/catnews.si99.dens"
    assert (meta.find("fpage").text, meta.find("lpage").text) == tuple(
        str(p) for p in page_map(built)["dens"]
    )
    assert len(meta.findall("contrib-group/contrib")) == 3
    assert meta.find("abstract") is not None
    assert tree.find("back/ref-list") is not None


def test_citation_cff_bibtex_and_ris(built):
    cff = YAML(typ="safe").load((built / "build/metadata/CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["doi"] == "10.5555/catnews.si99"
    assert cff["authors"] == [{"family-names": "Editor", "given-names": "Test"}]
    assert cff["license"] == "CC-BY-4.0"
    library = bibtexparser.parse_string((built / "build/metadata/issue.bib").read_text())
    assert not library.failed_blocks
    entries = {e.key: e.fields_dict for e in library.entries}
    dens = entries["catnews99dens"]
    first, last = page_map(built)["dens"]
    assert dens["pages"].value == f"{first}--{last}"
    assert dens["doi"].value == "10.5555/catnews.si99.dens"
    ris = (built / "build/metadata/issue.ris").read_bytes().decode("utf-8")
    assert ris.count("TY  - JOUR") == ris.count("ER  - ") == 3
    assert f"SP  - {first}\r\nEP  - {last}" in ris


def test_dois_do_not_change_when_chapters_are_reordered(mini, run_cli):
    (mini / "chapters/03-extra.md").write_text(
        "---\ntitle: Extra\nauthors: [{name: A Bee, corresponding: true, email: a@example.org}]\n---\n\nText.\n"
    )
    edit(
        mini / "issue.yml",
        "  - {file: chapters/01-dens.md, role: chapter}\n",
        "  - {file: chapters/03-extra.md, role: chapter}\n  - {file: chapters/01-dens.md, role: chapter}\n",
    )
    assert run_cli("-C", str(mini), "build", "--pdf").status == 0
    xml = (mini / "build/metadata/crossref.xml").read_text()
    assert "<doi>10.5555/catnews.si99.dens</doi>" in xml
    assert "<doi>10.5555/catnews.si99.extra</doi>" in xml


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1552000000")
    root = tmp_path / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))

    def build() -> dict[str, bytes]:
        shutil.rmtree(root / "build", ignore_errors=True)
        assert main(["-C", str(root), "build"]) == 0
        # The published release: build/pdf → build/current/pdf → build/.releases/N/pdf.
        release = (root / "build" / "current").resolve()
        return {
            p.relative_to(release).as_posix(): p.read_bytes()
            for p in sorted(release.rglob("*"))
            if p.is_file()
        }

    first, second = build(), build()
    assert sorted(first) == sorted(second)
    assert {
        "pdf/catnews-special-issue-99.pdf",
        "pdf/offprints/dens.pdf",
        "html/index.html",
        "metadata/crossref.xml",
        "pagemap.json",
    } <= set(first)
    for name in first:
        assert first[name] == second[name], name
    reader = pypdf.PdfReader(root / "build/pdf/catnews-special-issue-99.pdf")
    assert reader.metadata["/CreationDate"] == "D:20190307230640+00'00"  # SOURCE_DATE_EPOCH


def test_archive_is_pdf_a_3u_with_sources_attached(mini, run_cli):
    assert run_cli("-C", str(mini), "build", "--pdf", "--archive").status == 0
    reader = pypdf.PdfReader(mini / "build/pdf/catnews-special-issue-99.pdf")
    assert sorted(reader.attachments) == sorted(
        [
            "issue.yml",
            "chapters/00-editorial.md",
            "chapters/01-dens.md",
            "chapters/02-strategy.md",
            "references/mini.bib",
        ]
    )
    with pikepdf.open(mini / "build/pdf/catnews-special-issue-99.pdf") as pdf:
        xmp = pdf.open_metadata()
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("3", "U")
    attached = reader.attachments["chapters/01-dens.md"][0]
    assert attached == (mini / "chapters/01-dens.md").read_bytes()
    # Joined from parts written as PDF/A-3u: the sources are the document's associated files,
    # the first part's output intent is the document's, and the structure tree is kept.
    root = reader.trailer["/Root"]
    specs = [spec.get_object() for spec in root["/AF"]]
    assert sorted(str(spec["/F"]) for spec in specs) == sorted(reader.attachments)
    assert {str(spec["/AFRelationship"]) for spec in specs} == {"/Source"}
    assert all("/Subtype" in spec["/EF"]["/F"].get_object() for spec in specs)
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/ParentTree" in root["/StructTreeRoot"].get_object()
    offprint = pypdf.PdfReader(mini / "build/pdf/offprints/dens.pdf")
    assert sorted(offprint.attachments) == sorted(reader.attachments)


@pytest.mark.parametrize("pattern", ["{prefix}/x.{number}", "10.1/{slug}"])
def test_doi_pattern_must_keep_the_slug(mini, run_cli, pattern):
    edit(
        mini / "issue.yml",
        'doi_prefix: "10.5555"',
        f'doi_prefix: "10.5555"\ndoi_pattern: "{pattern}"',
    )
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1 and "[schema-invalid]" in result.output
