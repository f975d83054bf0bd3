"""One citation source: names (particles, family-first names) and a title with italics, through
every output of the HTML edition and the metadata exports (real pandoc, real build)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

FRONT_MATTER = """---
title: "Dens of *Otocolobus manul* in the Gobi"
authors:
  - name: Jan van der Berg
    affiliations: [kora]
    corresponding: true
    email: editor@example.org
  - name: Zhou Haoran
    family: Zhou
    affiliations: [kora]
  - name: Maria José Silva Santos
    affiliations: [kora]
  - name: IUCN SSC Cat Specialist Group
    organisation: true
affiliations:
  kora: "KORA, Talgut-Zentrum 5, 3063 Ittigen, Switzerland"
abstract: The strategy comes last.
---
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import shutil

    from pica_publish.cli import main

    root = tmp_path_factory.mktemp("cite") / "mini"
    shutil.copytree(Path(__file__).parent / "projects" / "mini", root)
    chapter = root / "chapters" / "02-strategy.md"
    body = chapter.read_text("utf-8").split("---\n", 2)[2]
    chapter.write_text(FRONT_MATTER + body, "utf-8")
    import contextlib
    import io

    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = main(["-C", str(root), "build"])  # both editions: exports need the pages
    assert status == 0, output.getvalue()
    return root / "build", output.getvalue()


def test_an_ambiguous_name_is_a_warning_at_its_line(built):
    _, output = built
    assert (
        "chapters/02-strategy.md:11:11: warning: which part of 'Maria José Silva Santos' is the "
        "family name? Taken as 'Santos'" in output
    )
    assert "[author-name-ambiguous]" in output


def page(built) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((built[0] / "html" / "strategy" / "index.html").read_bytes())


def test_the_web_page_cites_from_citeproc_with_italics(built):
    tree = page(built)
    (cite,) = tree.xpath("//section[@class='cite-as']/p")
    text = " ".join(cite.text_content().split())
    assert re.fullmatch(
        # an organisation's name ends in the style's full stop, as in the reference lists
        r"van der Berg J\., Zhou H\., Santos M\. J\. S\. & IUCN SSC Cat Specialist Group\. 2026\. "
        r"Dens of Otocolobus manul in the "
        r"Gobi\. CATnews Special Issue 99, \d+(–\d+)?\. https://doi\.org/10\.5555/catnews\.si99\.strategy",
        text,
    ), text
    assert cite.xpath(".//em")[0].text == "Otocolobus manul"
    assert "*" not in text
    assert tree.findtext(".//title").startswith("Dens of Otocolobus manul in the Gobi ·")


def test_head_metadata_has_plain_titles_and_family_names(built):
    tree = page(built)
    meta = {}
    for node in tree.xpath("//meta[@name or @property]"):
        meta.setdefault(node.get("name") or node.get("property"), []).append(node.get("content"))
    assert meta["citation_title"] == ["Dens of Otocolobus manul in the Gobi"]
    assert meta["citation_author"] == [
        "van der Berg, Jan",
        "Zhou, Haoran",
        "Santos, Maria José Silva",
        "IUCN SSC Cat Specialist Group",
    ]
    assert meta["DC.title"] == ["Dens of Otocolobus manul in the Gobi"]
    (jsonld,) = tree.xpath("//script[@type='application/ld+json']/text()")
    data = json.loads(jsonld)
    article = data if data.get("@type") == "ScholarlyArticle" else data["@graph"][0]
    assert article["headline"] == "Dens of Otocolobus manul in the Gobi"
    assert [(a.get("familyName"), a.get("givenName")) for a in article["author"][:3]] == [
        ("van der Berg", "Jan"),
        ("Zhou", "Haoran"),
        ("Santos", "Maria José Silva"),
    ]
    assert article["author"][3] == {
        "@type": "Organization",
        "name": "IUCN SSC Cat Specialist Group",
    }


def test_exports_agree_with_the_suggested_citation(built):
    metadata = built[0] / "metadata"
    ris = (metadata / "issue.ris").read_text("utf-8")
    record = ris.split("ER  -")[-2]
    assert "TI  - Dens of Otocolobus manul in the Gobi" in record
    assert re.findall(r"AU  - (.*?)\r?$", record, re.MULTILINE) == [
        "van der Berg, Jan",
        "Zhou, Haoran",
        "Santos, Maria José Silva",
        "IUCN SSC Cat Specialist Group",
    ]
    bib = (metadata / "issue.bib").read_text("utf-8")
    assert r"title = {{Dens of \emph{Otocolobus manul} in the Gobi}}" in bib
    assert (
        "author = {{van der Berg}, Jan and {Zhou}, Haoran and {Santos}, Maria José Silva and "
        "{IUCN SSC Cat Specialist Group}}" in bib
    )
    crossref = etree.parse(str(metadata / "crossref.xml"))
    ns = {"c": "http://www.crossref.org/schema/5.3.1"}
    title = crossref.xpath("//c:journal_article[last()]/c:titles/c:title", namespaces=ns)[0]
    assert etree.tostring(title, encoding="unicode", with_tail=False).endswith(
        "Dens of <i>Otocolobus manul</i> in the Gobi</title>"
    )
    names = crossref.xpath("//c:journal_article[last()]//c:person_name", namespaces=ns)
    assert [
        (n.findtext("c:given_name", namespaces=ns), n.findtext("c:surname", namespaces=ns))
        for n in names
    ] == [
        ("Jan", "van der Berg"),
        ("Haoran", "Zhou"),
        ("Maria José Silva", "Santos"),
    ]
    organisations = crossref.xpath("//c:journal_article[last()]//c:organization", namespaces=ns)
    assert [o.text for o in organisations] == ["IUCN SSC Cat Specialist Group"]
    jats = etree.parse(str(metadata / "jats" / "strategy.xml"))
    (jats_title,) = jats.xpath("//article-meta//article-title")
    written = unescape(etree.tostring(jats_title, encoding="unicode", with_tail=False))
    assert " ".join(written.split()).endswith(
        "Dens of <italic>Otocolobus manul</italic> in the Gobi</article-title>"
    )
    assert [n.text for n in jats.xpath("//article-meta//contrib//surname")] == [
        "van der Berg",
        "Zhou",
        "Santos",
    ]
    assert "IUCN SSC Cat Specialist Group" in [
        n.text for n in jats.xpath("//article-meta//contrib//string-name")
    ]


def test_every_sample_article_is_cited_alike_by_every_export(tmp_path: Path):
    """The sample issue's articles (load stage only, a made-up page map): the suggested
    citation (citeproc), Highwire tags, RIS and BibTeX name the same authors in the same order
    and carry the same plain title."""
    import bibtexparser

    from pica_publish.citation import suggested_citations
    from pica_publish.exports.citations import issue_bibtex, issue_ris
    from pica_publish.exports.records import article_records
    from pica_publish.site.metadata import article_head
    from pica_publish.stages.load import load
    from pica_publish.state import BuildOptions, BuildState

    root = Path(__file__).parents[1]
    state = load(BuildState(BuildOptions(root=root, build_dir=tmp_path / "build")))
    assert state.issue is not None and not state.report.has_errors
    issue = state.issue
    pages = {c.slug: (10 + 4 * n, 13 + 4 * n) for n, c in enumerate(issue.chapters)}
    records = article_records(issue, pages, suggested_citations(issue, pages, tmp_path / "cache"))
    ris_records = issue_ris(issue.manifest, records).decode("utf-8").split("ER  -")
    bib = bibtexparser.parse_string(issue_bibtex(issue.manifest, records).decode("utf-8"))
    assert len(records) == len(issue.chapters) == len(bib.entries) >= 13
    for record, ris, entry in zip(records, ris_records, bib.entries, strict=False):
        families = [a.family_name for a in record.authors]
        # the suggested citation lists the same family names, in order, then the same title
        cited = record.citation.replace("\u2019", "'")  # citeproc sets typographic apostrophes
        positions = [cited.index(f"{family} ") for family in families]
        assert positions == sorted(positions), record.citation
        assert f". {record.title}. " in record.citation
        head = article_head(issue.manifest, record, [], pdf_available=False, cover_url=None)
        authors = [c for _, name, c in head["tags"] if name == "citation_author"]
        assert [a.split(",")[0] for a in authors] == families
        assert re.findall(r"AU  - ([^,\r\n]+)", ris) == families
        assert re.findall(r"TI  - (.*?)\r?\n", ris) == [record.title]
        bib_families = [
            name.split(",")[0].strip("{}")
            for name in entry.fields_dict["author"].value.split(" and ")
        ]
        assert bib_families == families


def test_a_title_s_ampersand_and_raw_html_reach_the_citation_as_text(tmp_path: Path):
    """citeproc reads CSL rich text with no entity decoding: '&' is sent as it is (not '&amp;',
    which would print as '&amp;'), and markup an author typed is text, never a tag."""
    import shutil

    from pica_publish.citation import suggested_citations
    from pica_publish.stages.load import load
    from pica_publish.state import BuildOptions, BuildState

    root = tmp_path / "mini"
    shutil.copytree(Path(__file__).parent / "projects" / "mini", root)
    chapter = root / "chapters" / "02-strategy.md"
    title = 'title: "Cats & *dogs* <img src=x onerror=alert(1)> [link](http://evil.example/)"'
    text = chapter.read_text("utf-8")
    chapter.write_text(text.replace('title: "Conservation strategy for a miniature issue"', title))
    state = load(BuildState(BuildOptions(root=root)))
    assert state.issue is not None
    cited = suggested_citations(state.issue, None, tmp_path / "cache")["strategy"]
    assert "Cats & dogs <img src=x onerror=alert(1)> link. CATnews" in cited.text
    fragment = lxml_html.fragment_fromstring(cited.html, create_parent="div")
    assert [e.tag for e in fragment.iter()] == ["div", "em"]  # only the italics are markup
    assert fragment.find("em").text == "dogs"
