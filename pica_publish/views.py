"""View contexts: what the templates see of an article, shared by the print and web editions.

:func:`article_context` turns a chapter, its converted HTML and the issue into the plain dict
the print templates (*assemble*) and the web pages (*web*) render. It lives here, not in a
stage, so that neither stage imports the other.
"""

from __future__ import annotations

from typing import Any

from pica_publish.citation import article_doi, title_of
from pica_publish.markdown import render_inline
from pica_publish.model import Chapter, Issue
from pica_publish.products import ConvertedChapter
from pica_publish.sanitize import sanitize


def byline(chapter: Chapter) -> list[dict[str, Any]]:
    numbers = {key: n for n, key in enumerate(chapter.affiliation_order, start=1)}
    return [
        {
            "name": author.name,
            "family": author.family_name,
            "numbers": sorted(numbers[k] for k in author.affiliations if k in numbers),
            "corresponding": author.corresponding,
            "orcid": author.orcid,
            "email": author.email,
        }
        for author in chapter.meta.authors
    ]


def author_list(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (the contents page and web pages)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def article_context(
    issue: Issue, chapter: Chapter, converted: ConvertedChapter, *, citation_lead: str = ""
) -> dict[str, Any]:
    meta = chapter.meta
    corresponding = next((a for a in meta.authors if a.corresponding), None)
    terms = issue.manifest.italic_terms

    def inline_html(text: str) -> str:
        return sanitize(render_inline(text, terms))

    return {
        "slug": chapter.slug,
        "anchor": f"article-{chapter.slug}",
        "role": chapter.role,
        "label": chapter.label,
        "number": chapter.number,
        "title": title_of(meta.title, terms).text,  # plain: <title>, bookmarks, PDF metadata
        "title_html": inline_html(meta.title),
        "short_title": title_of(meta.short_title or meta.title, terms).text,
        "short_title_html": inline_html(meta.short_title or meta.title),
        "short_authors": chapter.short_authors,
        "authors_text": author_list([a.name for a in meta.authors]),
        "byline": byline(chapter),
        "affiliations": [
            (n, meta.affiliations[key])
            for n, key in enumerate(chapter.affiliation_order, 1)
            if key in meta.affiliations
        ],
        "corresponding_email": corresponding.email if corresponding else None,
        "abstract_html": inline_html(meta.abstract) if meta.abstract else "",
        "keywords": list(meta.keywords),
        "keywords_html": ", ".join(inline_html(keyword) for keyword in meta.keywords),
        "body_html": converted.body_html,
        "references_html": converted.references_html,
        "notes_html": converted.notes_html,
        "doi": article_doi(issue.manifest, chapter),
        # the suggested citation up to its page range, inline HTML (citeproc, the house CSL);
        # the print edition adds the range from the layout
        "citation_lead": citation_lead,
    }
