"""A Crossref deposit (schema 5.3.1) for the issue: the journal, the issue with its DOI, and a
``journal_article`` per article with contributors, ORCIDs, affiliations, abstract (JATS), pages,
licence, DOI and the reference list.

Element order follows the 5.3.1 XSD (``crossref5.3.1.xsd``); the tests check it. No package on
PyPI ships that XSD, and nothing here fetches it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree as ET

from pica_publish.citation import FACES, issue_doi, issue_source
from pica_publish.exports.records import (
    LICENCE_URLS,
    LINE_BREAKING,
    ArticleRecord,
    publication_month,
    xml_text,
)
from pica_publish.htmltree import parse
from pica_publish.model import IssueConfig

NS = "http://www.crossref.org/schema/5.3.1"
JATS = "http://www.ncbi.nlm.nih.gov/JATS1"
AI = "http://www.crossref.org/AccessIndicators.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.crossref.org/schemas/crossref5.3.1.xsd"

PREFIXES = {NS: "", JATS: "jats:", AI: "ai:"}


def _el(
    parent: ET.Element, tag: str, text: str | None = None, ns: str = NS, **attributes: str
) -> ET.Element:
    # Prefixed names are written literally (the root declares them), so that the Crossref
    # namespace can be the default one, as in Crossref's own examples. Every text and attribute
    # value goes through xml_text: whatever a front matter or a .bib holds, the XML is valid.
    element = ET.SubElement(
        parent, f"{PREFIXES[ns]}{tag}", {k: xml_text(v) for k, v in attributes.items()}
    )
    if text is not None:
        element.text = xml_text(text)
    return element


def _face_markup(element: ET.Element, html: str) -> None:
    """Fill ``element`` from inline HTML, as Crossref's face markup (``<i>`` for italics, see
    :data:`pica_publish.citation.FACES`) and only the text of anything else."""

    def copy(target: ET.Element, source: Any) -> None:
        if len(target):
            target[-1].tail = (target[-1].tail or "") + xml_text(source.text or "")
        else:
            target.text = (target.text or "") + xml_text(source.text or "")
        for child in source:
            if child.tag in FACES:
                kept = ET.SubElement(target, FACES[child.tag])
                copy(kept, child)
            else:
                copy(target, child)
            if len(target):
                target[-1].tail = (target[-1].tail or "") + xml_text(child.tail or "")
            else:
                target.text = (target.text or "") + xml_text(child.tail or "")

    copy(element, parse(html))
    # one line, as every other title in the deposit: whitespace runs folded, ends trimmed
    nodes = [element, *element.iter()]
    for node in nodes:
        node.text = LINE_BREAKING.sub(" ", node.text) if node.text else node.text
        node.tail = LINE_BREAKING.sub(" ", node.tail) if node.tail else node.tail
    element.text = (element.text or "").lstrip()
    last = element[-1] if len(element) else None
    if last is not None:
        last.tail = (last.tail or "").rstrip()
    else:
        element.text = element.text.rstrip()


def _publication_date(parent: ET.Element, config: IssueConfig) -> None:
    date = _el(parent, "publication_date", media_type="print")
    month = publication_month(config)
    if month:
        _el(date, "month", f"{month:02d}")
    _el(date, "year", str(config.year))


def crossref_deposit(
    config: IssueConfig,
    records: list[ArticleRecord],
    references: Mapping[str, list[dict[str, Any]]],
    *,
    timestamp: int,
) -> bytes:
    """The deposit XML; ``references`` are each article's cited CSL items, in order."""
    if not config.doi_prefix:
        raise ValueError("a Crossref deposit needs doi_prefix in issue.yml")
    batch = ET.Element(
        "doi_batch",
        {
            "xmlns": NS,
            "xmlns:xsi": XSI,
            "xmlns:jats": JATS,
            "xmlns:ai": AI,
            "version": "5.3.1",
            "xsi:schemaLocation": SCHEMA_LOCATION,
        },
    )
    head = _el(batch, "head")
    when = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    _el(head, "doi_batch_id", f"{config.series.lower()}-{config.number}-{when:%Y%m%d%H%M%S}")
    _el(head, "timestamp", when.strftime("%Y%m%d%H%M%S"))
    depositor = _el(head, "depositor")
    _el(depositor, "depositor_name", config.publisher)
    _el(
        depositor,
        "email_address",
        next((e.email for e in config.editors if e.email), "editor@example.org"),
    )
    _el(head, "registrant", config.publisher)

    journal = _el(_el(batch, "body"), "journal")
    metadata = _el(journal, "journal_metadata", language=config.language[:2])
    _el(metadata, "full_title", config.series)
    _el(metadata, "abbrev_title", config.series)
    _el(metadata, "issn", config.issn, media_type="print")

    issue = _el(journal, "journal_issue")
    _publication_date(issue, config)
    _el(issue, "issue", f"{config.issue_label} {config.number}")
    doi_data = _el(issue, "doi_data")
    _el(doi_data, "doi", issue_doi(config))
    _el(doi_data, "resource", config.base_url)

    licence = LICENCE_URLS.get(config.licence)
    for record in records:
        article = _el(
            journal, "journal_article", publication_type="full_text", language=config.language[:2]
        )
        _face_markup(_el(_el(article, "titles"), "title"), record.titles.html)
        contributors = _el(article, "contributors")
        for index, author in enumerate(record.authors):
            sequence = "first" if index == 0 else "additional"
            if author.organisation:
                _el(
                    contributors,
                    "organization",
                    author.name,
                    sequence=sequence,
                    contributor_role="author",
                )
                continue
            person = _el(contributors, "person_name", sequence=sequence, contributor_role="author")
            if author.given_names:
                _el(person, "given_name", author.given_names)
            _el(person, "surname", author.family_name)
            if author.affiliations:
                affiliations = _el(person, "affiliations")
                for key in author.affiliations:
                    institution = _el(affiliations, "institution")
                    _el(institution, "institution_name", record.affiliations.get(key, key))
            if author.orcid:
                _el(person, "ORCID", f"https://orcid.org/{author.orcid}", authenticated="false")
        if record.abstract:
            abstract = _el(article, "abstract", ns=JATS)
            _el(abstract, "p", record.abstract, ns=JATS)
        _publication_date(article, config)
        if record.pages:
            pages = _el(article, "pages")
            _el(pages, "first_page", str(record.pages[0]))
            _el(pages, "last_page", str(record.pages[1]))
        if licence:
            program = _el(article, "program", ns=AI, name="AccessIndicators")
            _el(program, "license_ref", licence, ns=AI, applies_to="vor")
        doi_data = _el(article, "doi_data")
        _el(doi_data, "doi", record.doi)
        _el(doi_data, "resource", record.url)
        cited = references.get(record.chapter.slug, [])
        if cited:
            citation_list = _el(article, "citation_list")
            for number, item in enumerate(cited, start=1):
                citation = _el(citation_list, "citation", key=f"ref{number}")
                if item.get("DOI"):
                    _el(citation, "doi", str(item["DOI"]))
                _el(citation, "unstructured_citation", unstructured(item))
    ET.indent(batch)
    xml: bytes = ET.tostring(batch, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def unstructured(item: Mapping[str, Any]) -> str:
    """A plain-text reference for Crossref's matching (authors, year, title, container)."""
    names = []
    for author in item.get("author", []) or []:
        names.append(
            author.get("literal")
            or " ".join(p for p in (author.get("family"), author.get("given")) if p)
        )
    year = ""
    issued = (
        item.get("issued", {}).get("date-parts") if isinstance(item.get("issued"), dict) else None
    )
    if issued and issued[0]:
        year = str(issued[0][0])
    parts = [
        ", ".join(names),
        year,
        str(item.get("title", "")),
        str(item.get("container-title", "") or item.get("publisher", "")),
    ]
    pages = " ".join(str(item[k]) for k in ("volume", "page") if item.get(k))
    return ". ".join(p for p in [*parts, pages] if p).strip() + "."


__all__ = ["crossref_deposit", "issue_source"]
