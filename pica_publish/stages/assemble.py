"""Stage 4, *assemble*: converted chapters + metadata → the print plan.

Consumes ``state.issue`` and ``state.converted``; produces ``state.print_plan``: the print
documents in order, each a template and its context, rendered by *typeset* once its first page
number is known. The articles' view contexts come from :mod:`pica_publish.views`, shared with
the *web* stage; the plan's types from :mod:`pica_publish.products`.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from pica_publish.citation import suggested_citations
from pica_publish.model import Chapter
from pica_publish.products import PrintPart, PrintPlan
from pica_publish.state import BuildState
from pica_publish.views import ArticleView, article_context


def assemble(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None or state.report.has_errors:
        return state
    # A preview converts one chapter: everything below works on the chapters converted.
    chapters = [c for c in issue.chapters if c.slug in state.converted]
    leads = suggested_citations(issue, None, state.options.cache_path, {c.slug for c in chapters})
    articles = [
        article_context(
            issue,
            c,
            state.converted[c.slug],
            citation_lead=leads[c.slug].lead_html if c.slug in leads else "",
        )
        for c in chapters
    ]
    shared = {"issue": issue.manifest, "articles": articles}
    preview = state.options.preview is not None
    files: dict[str, bytes] = dict(state.files)
    plan = None
    if "pdf" in state.options.outputs:
        plan = print_plan(
            chapters, shared, articles, state.options.source_date_epoch, contents=not preview
        )
        assets = sorted(
            {p for c in chapters for p in state.images.get(c.slug, {}).values()}
            | set(state.frame_files.values())
        )
        plan = dataclasses.replace(plan, assets=tuple(assets))
    return dataclasses.replace(state, print_plan=plan, files=files)


def print_plan(
    chapters: list[Chapter],
    shared: dict[str, Any],
    articles: list[ArticleView],
    epoch: int | None,
    *,
    contents: bool = True,
) -> PrintPlan:
    keywords = sorted({k for a in articles for k in a.keywords}, key=str.lower)
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
    if contents:  # the pages that round the issue up to a multiple of four (typeset: back_pages)
        parts.append(PrintPart("back", "back", "print/back.html", {**shared, "notes_pages": 0}))
    return PrintPlan(tuple(parts))
