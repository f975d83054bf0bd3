"""One record per article with everything the exports share (names, pages, DOIs, URLs)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from pica_publish.citation import article_doi, house_name, suggested_citation
from pica_publish.model import Author, Chapter, Issue, IssueConfig

SEASON_MONTHS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
LICENCE_URLS = {
    "CC BY 4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC BY-NC 4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC0 1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
LICENCE_SPDX = {
    "CC BY 4.0": "CC-BY-4.0",
    "CC BY-SA 4.0": "CC-BY-SA-4.0",
    "CC BY-NC 4.0": "CC-BY-NC-4.0",
    "CC0 1.0": "CC0-1.0",
}


@dataclass(frozen=True)
class ArticleRecord:
    chapter: Chapter
    authors: tuple[Author, ...]
    title: str
    abstract: str
    keywords: tuple[str, ...]
    pages: tuple[int, int] | None
    doi: str | None
    url: str
    pdf_url: str
    citation: str
    affiliations: dict[str, str]


def publication_month(config: IssueConfig) -> int | None:
    return SEASON_MONTHS.get((config.season or "").lower())


def publication_date(config: IssueConfig) -> datetime.date:
    return datetime.date(config.year, publication_month(config) or 1, 1)


def article_records(issue: Issue, page_map: dict[str, tuple[int, int]]) -> list[ArticleRecord]:
    config = issue.manifest
    records = []
    for chapter in issue.chapters:
        meta = chapter.meta
        records.append(
            ArticleRecord(
                chapter=chapter,
                authors=meta.authors,
                title=meta.title,
                abstract=" ".join((meta.abstract or "").split()),
                keywords=meta.keywords,
                pages=page_map.get(chapter.slug),
                doi=article_doi(config, chapter),
                url=f"{config.base_url}{chapter.slug}/",
                pdf_url=f"{config.base_url}pdf/offprints/{chapter.slug}.pdf",
                citation=suggested_citation(config, chapter, page_map.get(chapter.slug)),
                affiliations=dict(meta.affiliations),
            )
        )
    return records


__all__ = ["ArticleRecord", "article_records", "house_name", "publication_date"]
