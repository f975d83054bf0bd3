"""What indexers read in each page's ``<head>``: Highwire Press ``citation_*`` tags (Google
Scholar), Dublin Core, Open Graph and schema.org JSON-LD (a ``ScholarlyArticle`` that
``isPartOf`` a ``PublicationIssue`` of a ``Periodical``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pica_publish.citation import issue_doi, issue_source
from pica_publish.exports.records import LICENCE_URLS, ArticleRecord, publication_date
from pica_publish.model import IssueConfig


def _meta(name: str, content: object, attribute: str = "name") -> tuple[str, str, str]:
    return (attribute, name, str(content))


def _reference(item: Mapping[str, Any]) -> str:
    parts = []
    if item.get("title"):
        parts.append(f"citation_title={item['title']}")
    for author in item.get("author", []) or []:
        name = author.get("literal") or ", ".join(
            p for p in (author.get("family"), author.get("given")) if p
        )
        parts.append(f"citation_author={name}")
    issued = item.get("issued", {})
    if isinstance(issued, dict) and issued.get("date-parts"):
        parts.append(f"citation_publication_date={issued['date-parts'][0][0]}")
    if item.get("container-title"):
        parts.append(f"citation_journal_title={item['container-title']}")
    for key, name in (("volume", "volume"), ("DOI", "doi")):
        if item.get(key):
            parts.append(f"citation_{name}={item[key]}")
    return "; ".join(parts)


def issue_jsonld(config: IssueConfig, cover_url: str | None = None) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "@type": "PublicationIssue",
        "issueNumber": f"{config.issue_label} {config.number}",
        "name": config.title,
        "datePublished": publication_date(config).isoformat(),
        "url": config.base_url,
        "isPartOf": {
            "@type": "Periodical",
            "name": config.series,
            "issn": config.issn,
            "publisher": {"@type": "Organization", "name": config.publisher},
        },
    }
    doi = issue_doi(config)
    if doi:
        issue["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi}
    if cover_url:
        issue["image"] = cover_url
    return issue


def article_head(
    config: IssueConfig,
    record: ArticleRecord,
    references: list[Mapping[str, Any]],
    *,
    pdf_available: bool,
    cover_url: str | None,
) -> dict[str, Any]:
    """Meta tags (attribute, name, content) and the JSON-LD object of an article page."""
    tags: list[tuple[str, str, str]] = [
        _meta("citation_title", record.title),
    ]
    for author in record.authors:
        tags.append(
            _meta("citation_author", f"{author.family_name}, {author.given_names}".rstrip(", "))
        )
        for key in author.affiliations:
            if key in record.affiliations:
                tags.append(_meta("citation_author_institution", record.affiliations[key]))
        if author.orcid:
            tags.append(_meta("citation_author_orcid", f"https://orcid.org/{author.orcid}"))
    date = publication_date(config)
    tags += [
        _meta("citation_journal_title", config.series),
        _meta("citation_issn", config.issn),
        _meta("citation_issue", f"{config.issue_label} {config.number}"),
        _meta("citation_publisher", config.publisher),
        _meta("citation_publication_date", date.strftime("%Y/%m/%d")),
        _meta("citation_language", config.language),
        _meta("citation_abstract_html_url", record.url),
    ]
    if record.pages:
        tags += [
            _meta("citation_firstpage", record.pages[0]),
            _meta("citation_lastpage", record.pages[1]),
        ]
    if pdf_available:
        tags.append(_meta("citation_pdf_url", record.pdf_url))
    if record.doi:
        tags.append(_meta("citation_doi", record.doi))
    if record.keywords:
        tags.append(_meta("citation_keywords", "; ".join(record.keywords)))
    tags += [_meta("citation_reference", _reference(item)) for item in references]
    tags += [_meta("DC.title", record.title)]
    tags += [_meta("DC.creator", a.name) for a in record.authors]
    tags += [
        _meta("DC.date", date.isoformat()),
        _meta("DC.publisher", config.publisher),
        _meta("DC.language", config.language),
        _meta("DC.rights", config.licence),
        _meta("DC.source", issue_source(config)),
    ]
    if record.doi:
        tags.append(_meta("DC.identifier", f"https://doi.org/{record.doi}"))
    description = record.abstract[:300]
    tags += [
        _meta("og:type", "article", "property"),
        _meta("og:title", record.title, "property"),
        _meta("og:url", record.url, "property"),
        _meta("og:site_name", f"{issue_source(config)}: {config.title}", "property"),
    ]
    if description:
        tags += [
            _meta("description", description),
            _meta("og:description", description, "property"),
        ]
    if cover_url:
        tags.append(_meta("og:image", cover_url, "property"))
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": record.title,
        "name": record.title,
        "url": record.url,
        "inLanguage": config.language,
        "datePublished": date.isoformat(),
        "author": [
            {"@type": "Organization", "name": a.name}
            if a.organisation
            else {
                "@type": "Person",
                "name": a.name,
                "familyName": a.family_name,
                "givenName": a.given_names,
                **({"identifier": f"https://orcid.org/{a.orcid}"} if a.orcid else {}),
                "affiliation": [
                    {"@type": "Organization", "name": record.affiliations[k]}
                    for k in a.affiliations
                    if k in record.affiliations
                ],
            }
            for a in record.authors
        ],
        "isPartOf": issue_jsonld(config),
        "publisher": {"@type": "Organization", "name": config.publisher},
    }
    if record.abstract:
        article["abstract"] = record.abstract
    if record.keywords:
        article["keywords"] = list(record.keywords)
    if record.pages:
        article["pageStart"], article["pageEnd"] = record.pages
    if record.doi:
        article["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": record.doi}
        article["sameAs"] = f"https://doi.org/{record.doi}"
    if config.licence in LICENCE_URLS:
        article["license"] = LICENCE_URLS[config.licence]
    return {"tags": tags, "jsonld": json_ld(article)}


def json_ld(data: Mapping[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: '<' escaped so text cannot end it."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).replace("<", "\\u003c")
