"""JATS XML per article: pandoc's JATS (Publishing) writer, with the article's front matter filled
in from the manifest and the chapter's metadata (journal, issue, pages, DOI, authors with ORCIDs
and affiliations, abstract, keywords, licence)."""

from __future__ import annotations

from typing import Any

from pica_publish.citation import slugify_ascii
from pica_publish.exports.records import LICENCE_URLS, ArticleRecord, publication_month
from pica_publish.model import IssueConfig


def jats_metadata(config: IssueConfig, record: ArticleRecord) -> dict[str, Any]:
    chapter = record.chapter
    order = {key: f"aff{n}" for n, key in enumerate(chapter.affiliation_order, start=1)}
    authors = []
    for author in record.authors:
        entry: dict[str, Any] = {
            "affiliation": [order[k] for k in author.affiliations if k in order],
        }
        if author.organisation:
            entry["name"] = author.name  # <string-name>: no given or family name
        else:
            entry |= {"surname": author.family_name, "given-names": author.given_names}
        if author.orcid:
            entry["orcid"] = f"https://orcid.org/{author.orcid}"
        if author.email:
            entry["email"] = author.email
        if author.corresponding:
            entry["cor-id"] = "cor1"
        authors.append(entry)
    article: dict[str, Any] = {
        "type": "research-article" if chapter.role in ("chapter", "strategy") else "editorial",
        "heading": chapter.label,
        "issue": f"{config.issue_label} {config.number}",
        "publisher-id": chapter.slug,
    }
    if record.doi:
        article["doi"] = record.doi
    if record.pages:
        article["fpage"], article["lpage"] = str(record.pages[0]), str(record.pages[1])
    metadata: dict[str, Any] = {
        "title": record.titles.markdown,  # pandoc reads metadata as Markdown: *italics*
        "author": authors,
        "affiliation": [
            {"id": order[key], "organization": record.affiliations[key]}
            for key in chapter.affiliation_order
            if key in record.affiliations
        ],
        "journal": {
            "title": config.series,
            "publisher-id": slugify_ascii(config.series),
            "pissn": config.issn,
            "publisher-name": config.publisher,
        },
        "article": article,
        "date": {"year": config.year, "month": publication_month(config) or 1, "day": 1},
        "keywords": list(record.keywords),
        "lang": config.language,
        "link-citations": True,
    }
    if record.abstract:
        metadata["abstract"] = record.abstracts.markdown  # *italics* kept
    if config.licence in LICENCE_URLS:
        metadata["license"] = {
            "type": "open-access",
            "link": LICENCE_URLS[config.licence],
            "text": f"Published under {config.licence}.",
        }
    return metadata
