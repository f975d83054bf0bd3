"""View models: what the templates see of an article, typed, shared by the print and web
editions.

:func:`article_context` turns a chapter, its converted HTML and the issue into an
:class:`ArticleView` (frozen) that the print templates (*assemble*, *typeset*) and the web pages
(*web*) render; each edition adds its own fields with :func:`dataclasses.replace`. It lives
here, not in a stage, so that neither stage imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pica_publish.citation import article_doi, title_of
from pica_publish.markdown import render_inline
from pica_publish.model import Chapter, Issue
from pica_publish.products import ConvertedChapter
from pica_publish.sanitize import sanitize


@dataclass(frozen=True)
class BylineAuthor:
    """One author as bylines and the authors' index show them."""

    name: str
    family: str
    """The family name with its particles (sorting, the authors' index)."""
    numbers: tuple[int, ...]
    """Affiliation numbers, in the article's order."""
    corresponding: bool
    orcid: str | None
    email: str | None


@dataclass(frozen=True)
class ArticleView:
    """An article as its templates render it (HTML fields are sanitised inline HTML)."""

    slug: str
    anchor: str
    role: str
    label: str
    number: int | None
    title: str
    """Plain text: ``<title>``, bookmarks, PDF metadata."""
    title_html: str
    short_title: str
    short_title_html: str
    short_authors: str
    authors_text: str
    byline: tuple[BylineAuthor, ...]
    affiliations: tuple[tuple[int, str], ...]
    corresponding_email: str | None
    abstract_html: str
    keywords: tuple[str, ...]
    keywords_html: str
    body_html: str
    references_html: str
    notes_html: str
    doi: str | None
    citation_lead: str
    """The suggested citation up to its page range, inline HTML (citeproc, the house CSL); the
    print edition adds the range from the layout."""
    # print edition (typeset)
    segments: tuple[Any, ...] = ()
    """The body cut into column and wide segments (``print_html.Segment``)."""
    # web edition (web)
    pages: tuple[int, int] | None = None
    citation_text: str = ""
    citation_html: str = ""
    citation_downloads: tuple[tuple[str, str, str, str], ...] = ()
    """The article's citation files: (label, href, file name to save as, media type)."""
    offprint: str | None = None
    meta_tags: tuple[tuple[str, str, str], ...] = ()
    jsonld: str = ""
    canonical: str = ""


@dataclass
class IndexedAuthor:
    """One person in the web edition's authors' index, with the articles they wrote."""

    name: str
    family: str
    orcid: str | None
    articles: list[ArticleView] = field(default_factory=list)


def byline(chapter: Chapter) -> tuple[BylineAuthor, ...]:
    numbers = {key: n for n, key in enumerate(chapter.affiliation_order, start=1)}
    return tuple(
        BylineAuthor(
            name=author.name,
            family=author.family_name,
            numbers=tuple(sorted(numbers[k] for k in author.affiliations if k in numbers)),
            corresponding=author.corresponding,
            orcid=author.orcid,
            email=author.email,
        )
        for author in chapter.meta.authors
    )


def author_list(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (the contents page and web pages)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def article_context(
    issue: Issue, chapter: Chapter, converted: ConvertedChapter, *, citation_lead: str = ""
) -> ArticleView:
    meta = chapter.meta
    corresponding = next((a for a in meta.authors if a.corresponding), None)
    terms = issue.manifest.italic_terms

    def inline_html(text: str) -> str:
        return sanitize(render_inline(text, terms))

    return ArticleView(
        slug=chapter.slug,
        anchor=f"article-{chapter.slug}",
        role=chapter.role,
        label=chapter.label,
        number=chapter.number,
        title=title_of(meta.title, terms).text,
        title_html=inline_html(meta.title),
        short_title=title_of(meta.short_title or meta.title, terms).text,
        short_title_html=inline_html(meta.short_title or meta.title),
        short_authors=chapter.short_authors,
        authors_text=author_list([a.name for a in meta.authors]),
        byline=byline(chapter),
        affiliations=tuple(
            (n, meta.affiliations[key])
            for n, key in enumerate(chapter.affiliation_order, 1)
            if key in meta.affiliations
        ),
        corresponding_email=corresponding.email if corresponding else None,
        abstract_html=inline_html(meta.abstract) if meta.abstract else "",
        keywords=tuple(meta.keywords),
        keywords_html=", ".join(inline_html(keyword) for keyword in meta.keywords),
        body_html=converted.body_html,
        references_html=converted.references_html,
        notes_html=converted.notes_html,
        doi=article_doi(issue.manifest, chapter),
        citation_lead=citation_lead,
    )
