"""One record per article with everything the exports share (names, pages, DOIs, URLs)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from pica_publish.citation import (
    SuggestedCitation,
    Title,
    article_doi,
    article_title,
    title_of,
)
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


XML_INVALID = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character that XML 1.0 does not allow anywhere, not even as a character reference."""
LINE_BREAKING = re.compile(r"[\x09-\x0d\x1c-\x20\x85\u2028\u2029]+")
"""A run of ASCII whitespace, or of anything a reader may take for the end of a line."""
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
"""Every other control character (C0, DEL, C1), and lone surrogates (not encodable)."""


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids; every XML export goes through it."""
    return XML_INVALID.sub("", text)


def one_line(text: str) -> str:
    """``text`` as a single line for line-based formats (RIS, BibTeX, YAML scalars): control
    characters dropped, every whitespace or line-break run folded into one space."""
    return LINE_BREAKING.sub(" ", CONTROL.sub("", text)).strip(" ")


@dataclass(frozen=True)
class ArticleRecord:
    chapter: Chapter
    authors: tuple[Author, ...]
    titles: Title
    """The title as HTML, plain text, face markup and Markdown (one source: the front matter)."""
    abstracts: Title
    """The abstract in the same forms as the title (Markdown inline in the front matter)."""
    keywords: tuple[str, ...]
    pages: tuple[int, int] | None
    doi: str | None
    url: str
    pdf_url: str
    citation: str
    """The suggested citation as plain text, with the DOI URL when there is one."""
    citation_html: str
    """The same with italics (and the DOI as a link)."""
    affiliations: dict[str, str]

    @property
    def title(self) -> str:
        """Plain text, for the formats without italics."""
        return self.titles.text

    @property
    def abstract(self) -> str:
        """Plain text ('' without an abstract)."""
        return self.abstracts.text


def publication_month(config: IssueConfig) -> int | None:
    return SEASON_MONTHS.get((config.season or "").lower())


def publication_date(config: IssueConfig) -> datetime.date:
    return datetime.date(config.year, publication_month(config) or 1, 1)


def article_records(
    issue: Issue,
    page_map: Mapping[str, tuple[int, int]],
    citations: Mapping[str, SuggestedCitation],
) -> list[ArticleRecord]:
    """One record per article; ``citations`` from :func:`pica_publish.citation.suggested_citations`
    (rendered once by citeproc, with the same page map)."""
    config = issue.manifest
    records = []
    for chapter in issue.chapters:
        meta = chapter.meta
        doi = article_doi(config, chapter)
        cited = citations.get(chapter.slug)
        text, html_text = (cited.text, cited.html) if cited else ("", "")
        if doi:
            url = f"https://doi.org/{doi}"
            text += f" {url}"
            html_text += f' <a href="{escape(url)}">{escape(url)}</a>'
        records.append(
            ArticleRecord(
                chapter=chapter,
                authors=meta.authors,
                titles=article_title(config, chapter),
                abstracts=title_of(" ".join((meta.abstract or "").split()), config.italic_terms),
                keywords=meta.keywords,
                pages=page_map.get(chapter.slug),
                doi=doi,
                url=f"{config.base_url}{chapter.slug}/",
                pdf_url=f"{config.base_url}pdf/offprints/{chapter.slug}.pdf",
                citation=text.strip(),
                citation_html=html_text.strip(),
                affiliations=dict(meta.affiliations),
            )
        )
    return records


__all__ = [
    "ArticleRecord",
    "article_records",
    "one_line",
    "publication_date",
    "xml_text",
]
