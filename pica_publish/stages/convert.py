"""Stage 3, *convert*: one pandoc run per chapter, in parallel, cached by content.

Consumes ``state.issue`` and ``state.citations``; produces ``state.converted``: each chapter's
body and reference list as sanitised HTML fragments. Each chapter gets a CSL JSON bibliography
holding only the entries it cites, so it prints only its own references.
"""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from pica_publish import rules
from pica_publish.diagnostics import Location, Report, did_you_mean, display_path
from pica_publish.filters import (
    csl_style_path,
    filter_settings,
    lua_filters,
    lua_filters_after_citeproc,
)
from pica_publish.htmltree import parse, serialise, to_html
from pica_publish.model import Chapter, Issue
from pica_publish.pandoc import PandocError, bib_to_csl_json, markdown_to_html
from pica_publish.products import ConvertedChapter
from pica_publish.progress import reporter
from pica_publish.sanitize import sanitize
from pica_publish.state import BuildState


def convert(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None or state.report.has_errors:
        return state
    report = state.report
    cache = state.options.cache_path
    items = load_csl_items(issue, cache, report)
    if report.has_errors:
        return state

    def run(chapter: Chapter) -> tuple[Chapter, Any]:
        keys = dict.fromkeys(c.key for c in state.citations.get(chapter.slug, ()))
        references = [items[key] for key in keys if key in items]
        try:
            return chapter, markdown_to_html(
                chapter.body,
                references=references,
                csl=csl_style_path(),
                filters=lua_filters(),
                filters_after=lua_filters_after_citeproc(),
                id_prefix=f"{chapter.slug}-",
                number_prefix=chapter.number_prefix,
                language=issue.manifest.language,
                metadata=filter_settings(issue),
                cache_dir=cache,
            )
        except PandocError as error:
            return chapter, error

    chapters = selected_chapters(issue, state.options.preview, report)
    cited_items = {
        c.slug: [
            items[k]
            for k in dict.fromkeys(x.key for x in state.citations.get(c.slug, ()))
            if k in items
        ]
        for c in chapters
    }
    converted: dict[str, ConvertedChapter] = {}
    shown = reporter()
    shown.items("chapters converted", len(chapters))
    with ThreadPoolExecutor(max_workers=max(1, state.options.jobs)) as pool:
        for chapter, result in pool.map(run, chapters):
            shown.advance(chapter.slug, "converted")
            if isinstance(result, PandocError):
                report.add(
                    rules.PANDOC_FAILED,
                    f"pandoc could not convert this chapter: {result}",
                    Location(chapter.display_path),
                )
                continue
            for warning in result.warnings:
                report.add(rules.PANDOC_WARNING, warning, warning_location(chapter, warning))
            page_url = f"{issue.manifest.base_url}{chapter.slug}/"
            converted[chapter.slug] = sanitized(chapter.slug, result.html, page_url)
    return dataclasses.replace(state, converted=converted, cited_items=cited_items)


@lru_cache(maxsize=256)  # by pandoc's output: a rebuild converts only what changed
def sanitized(slug: str, html: str, page_url: str) -> ConvertedChapter:
    """pandoc's HTML of chapter ``slug`` sanitised and split into its parts."""
    return split_fragment(slug, sanitize(html, page_url=page_url, id_prefix=f"{slug}-"))


PANDOC_POSITION_RE = re.compile(r"\bat line (\d+) column (\d+)")
"""Where pandoc's warnings say they are ("Duplicate link reference '[a]' at line 15 column 1"):
a position in the body pandoc read, which starts at the chapter's line ``body_line``."""


def warning_location(chapter: Chapter, warning: str) -> Location:
    """A pandoc warning's place in the chapter file; the file alone when pandoc names none."""
    found = PANDOC_POSITION_RE.search(warning)
    if found is None:
        return Location(chapter.display_path)
    return chapter.location(int(found[1]) + chapter.body_line - 1, int(found[2]))


def selected_chapters(issue: Issue, preview: str | None, report: Report) -> list[Chapter]:
    """All chapters, or only the one being previewed."""
    if preview is None:
        return list(issue.chapters)
    chosen = [c for c in issue.chapters if c.display_path == preview]
    if not chosen:
        report.add(
            rules.PREVIEW_NOT_LISTED,
            f"'{preview}' is not a chapter listed in issue.yml",
            Location(preview),
            did_you_mean(preview, [c.display_path for c in issue.chapters]) or None,
        )
    return chosen


def load_csl_items(issue: Issue, cache: Path, report: Report) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for path in issue.bibliography.files:
        try:
            prelude = issue.bibliography.preludes.get(path, "")
            text = issue.bibliography.texts[path]
            for item in bib_to_csl_json(text, cache, prelude):
                items.setdefault(str(item.get("id")), item)
        except PandocError as error:
            report.add(
                rules.BIB_PANDOC_FAILED,
                f"pandoc could not read this bibliography: {error}",
                Location(display_path(path, issue.root)),
            )
    return items


def split_fragment(slug: str, html: str) -> ConvertedChapter:
    """Separate pandoc's reference list and endnotes from the body (on the parsed tree).

    pandoc appends them at the end of the fragment it writes, the reference list inside the last
    section when sections are divs; the templates place them where the house style wants them
    (references, then affiliations).
    """
    root = parse(html)
    parts = {}
    for ident in (f"{slug}-footnotes", f"{slug}-refs"):
        found = root.xpath("//*[@id=$ident]", ident=ident)
        parts[ident] = ""
        if found:
            node = found[0]
            parts[ident] = to_html(node)
            node.drop_tree()  # keeps its tail
    return ConvertedChapter(
        slug,
        serialise(root).strip(),
        parts[f"{slug}-refs"].strip(),
        parts[f"{slug}-footnotes"].strip(),
    )
