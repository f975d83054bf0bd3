"""Stage 4, *assemble*: converted chapters + metadata → the print plan.

Consumes ``state.issue`` and ``state.converted``; produces ``state.print_plan``: the print
documents in order, each a template and its context, rendered by *typeset* once its first page
number is known. :func:`article_context` is shared with the *web* stage.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pica_publish.citation import article_doi, citation_lead
from pica_publish.markdown import render_inline
from pica_publish.model import Chapter, Issue
from pica_publish.sanitize import sanitize
from pica_publish.stages.convert import ConvertedChapter
from pica_publish.state import BuildState


@dataclass(frozen=True)
class PrintPart:
    """One print document: the cover, the masthead, the contents, or one article."""

    kind: str
    slug: str
    template: str
    context: dict[str, Any] = field(hash=False)
    base_path: str = ""
    """Folder that relative URLs in this part resolve against (the chapter's folder)."""


@dataclass(frozen=True)
class PrintPlan:
    parts: tuple[PrintPart, ...]
    assets: tuple[Path, ...] = ()
    """Image files the print parts load (their content is part of the layout's inputs)."""


def assemble(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None or state.report.has_errors:
        return state
    # A preview converts one chapter: everything below works on the chapters converted.
    chapters = [c for c in issue.chapters if c.slug in state.converted]
    articles = [article_context(issue, c, state.converted[c.slug]) for c in chapters]
    shared = {"issue": issue.manifest, "articles": articles}
    preview = state.options.preview is not None
    files: dict[str, bytes] = dict(state.files)
    plan = None
    if "pdf" in state.options.outputs:
        plan = print_plan(
            chapters, shared, articles, state.options.source_date_epoch, contents=not preview
        )
        assets = sorted({p for c in chapters for p in state.images.get(c.slug, {}).values()})
        plan = dataclasses.replace(plan, assets=tuple(assets))
    return dataclasses.replace(state, print_plan=plan, files=files)


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


def article_context(issue: Issue, chapter: Chapter, converted: ConvertedChapter) -> dict[str, Any]:
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
        "title": meta.title,
        "title_html": inline_html(meta.title),
        "short_title": meta.short_title or meta.title,
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
        "citation_lead": citation_lead(issue.manifest, chapter),
    }


def print_plan(
    chapters: list[Chapter],
    shared: dict[str, Any],
    articles: list[dict[str, Any]],
    epoch: int | None,
    *,
    contents: bool = True,
) -> PrintPlan:
    keywords = sorted({k for a in articles for k in a["keywords"]}, key=str.lower)
    created = (
        datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if epoch is not None
        else None
    )
    parts = [
        PrintPart(
            "cover",
            "cover",
            "print/cover.html",
            {**shared, "keywords": keywords, "created": created},
        ),
        PrintPart("masthead", "masthead", "print/masthead.html", shared),
    ]
    if contents:
        parts.append(PrintPart("contents", "contents", "print/contents.html", shared))
    for chapter, article in zip(chapters, articles, strict=True):
        parts.append(
            PrintPart(
                "article",
                chapter.slug,
                "print/article.html",
                {**shared, "article": article},
                base_path=str(chapter.path.parent),
            )
        )
    return PrintPlan(tuple(parts))


# --- the HTML edition ---------------------------------------------------------------------------
