"""Stage 5, *typeset*: lay out every print part once; write the issue PDF and the offprints.

Consumes ``state.print_plan``; produces ``state.page_map`` and, in ``state.files``, the issue
PDF, one offprint per article and ``pagemap.json``. Articles are laid out one after another,
each starting at its real page number, so the page map comes from the page counts; the contents
page is laid out first with placeholder numbers (to learn how long it is) and again with the real
ones. Offprints are the cover, the masthead and the article's pages of the same layout.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish import rules
from pica_publish.diagnostics import Location
from pica_publish.fonts import print_faces
from pica_publish.layout_cache import layout_digest, load_layout, store_layout
from pica_publish.model import Chapter, Issue
from pica_publish.pages import hole_total, read_pages
from pica_publish.placement import Placement, Score, place
from pica_publish.preflight import Fault, preflight, preflight_json, read_preflight, report_faults
from pica_publish.print_html import print_body
from pica_publish.stages.assemble import PrintPart
from pica_publish.state import BuildState
from pica_publish.theme import css_string, render, theme_path

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

LOGGER = logging.getLogger("pica_publish")
PLACEHOLDER_PAGE = 888
PageMap = dict[str, tuple[int, int]]
PREFLIGHT = "preflight.json"


def issue_pdf_name(issue: Issue) -> str:
    config = issue.manifest
    stem = re.sub(
        r"[^a-z0-9]+", "-", f"{config.series} {config.issue_label} {config.number}".lower()
    )
    return f"{stem.strip('-')}.pdf"


def typeset(state: BuildState) -> BuildState:
    plan, issue = state.print_plan, state.issue
    if plan is None or issue is None or state.report.has_errors:
        return state
    # WeasyPrint is imported here, not at module level: `check` never pays for it.
    from pica_publish.layout import LayoutError, PdfOptions, Typesetter, layout_engine_version

    report = state.report
    options = state.options
    try:
        stylesheet = print_stylesheet()
    except OSError as error:  # the font cache cannot be written
        report.add(
            rules.FONTS_UNAVAILABLE,
            f"cannot prepare the print fonts: {error}",
            Location("issue.yml"),
        )
        return state
    pdf_options = PdfOptions.for_build(issue, options.archive, options.source_date_epoch)
    cache = options.cache_path / "print"
    key = layout_digest(plan, stylesheet, layout_engine_version(), repr(pdf_options))
    preview = options.preview is not None
    cached = None if preview else load_layout(cache, key)
    if cached is not None:
        LOGGER.info("Step 5.1 - Print edition unchanged: reusing its layout")
        report_faults(report, read_preflight(cached[0].get(PREFLIGHT, b"")))
        return _with_outputs(state, *cached)
    typesetter = Typesetter(allowed_roots(issue.root), stylesheet)

    laid_out: dict[tuple[str, str], LaidOut] = {}

    def lay_out(
        part: PrintPart,
        folio: int,
        page_map: PageMap,
        placement: Placement | None = None,
        *,
        single_page: bool = False,
    ) -> LaidOut | None:
        placement = placement or Placement()
        context = {**part.context, "single_page": single_page}
        if part.kind == "article":
            article = context["article"]
            segments = print_body(
                article["body_html"], article["notes_html"], placement.deferral_map
            )
            context = {**context, "article": {**article, "segments": segments}}
        html = render(part.template, folio=folio, page_map=page_map, **context)
        css = placement.css()
        if (html, css) in laid_out:  # a move that changed nothing (a float already last)
            return laid_out[html, css]
        where = _part_location(issue, part)
        try:
            laid = typesetter.lay_out(html, Path(part.base_path or issue.root), css)
        except LayoutError as error:
            for problem in error.problems:
                report.add(rules.LAYOUT_RESOURCE, f"cannot lay out: {problem}", where)
            return None
        for warning in laid.warnings:
            report.add(rules.LAYOUT_WARNING, warning, where)
        laid_out[html, css] = laid
        return laid

    front = [p for p in plan.parts if p.kind in ("cover", "masthead")]
    contents_part = next((p for p in plan.parts if p.kind == "contents"), None)
    articles = [p for p in plan.parts if p.kind == "article"]
    folio = issue.manifest.first_page
    laid_front: list[LaidOut] = []
    for number, part in enumerate(front, start=1):
        LOGGER.info("Step 5.%d - Laying out the %s", number + 1, part.kind)
        laid = lay_out(part, folio, {})
        if laid is None:
            return state
        laid_front.append(laid)
        folio += laid.page_count

    def lay_out_article(part: PrintPart, start: int, page_map: PageMap) -> LaidOut | None:
        laid_out.clear()  # the layouts of one article's placement only (memory)
        laid = lay_out(part, start, page_map)
        if laid is None:
            return None
        chapter = next((c for c in issue.chapters if c.slug == part.slug), None)
        if chapter is not None:
            laid, placement = place(
                laid,
                functools.partial(lay_out, part, start, page_map),
                functools.partial(judge, chapter=chapter, start=start),
            )
        else:
            placement = Placement()
        if laid.page_count == 1:
            # "CATnews Special Issue 13, 4." rather than "4–4": the one case where the printed
            # range needs to know the page count; a one-page layout is cheap.
            again = lay_out(part, start, page_map, placement, single_page=True)
            if again is not None and again.page_count == 1:
                return again
        return laid

    if contents_part is None:  # a preview: cover, masthead, and the article at its last folio
        part = articles[0]
        start = last_first_page(options.build_path, part.slug) or folio
        LOGGER.info("Step 5.3 - Laying out %s from page %d", part.slug, start)
        laid = lay_out_article(part, start, {})
        if laid is None:
            return state
        faults = run_preflight(issue, [(part, laid, start)])
        report_faults(report, faults)
        try:
            pdf = Typesetter.join([*laid_front, laid], pdf_options.for_article(issue, part.slug))
        except LayoutError as error:
            report.add(
                rules.LAYOUT_WRITE, f"cannot write the PDF: {error}", _part_location(issue, part)
            )
            return state
        files = {f"preview/{part.slug}.pdf": pdf, "preview/preflight.json": preflight_json(faults)}
        return dataclasses.replace(state, files={**state.files, **files})

    placeholder = {p.slug: (PLACEHOLDER_PAGE, PLACEHOLDER_PAGE) for p in articles}
    contents = lay_out(contents_part, folio, placeholder)
    if contents is None:
        return state
    for _attempt in range(3):
        start = folio + contents.page_count
        page_map: PageMap = {}
        laid_articles: list[LaidOut] = []
        for part in articles:
            LOGGER.info(
                "Step 5.%d - Laying out %s from page %d",
                len(laid_front) + len(laid_articles) + 3,
                part.slug,
                start,
            )
            laid = lay_out_article(part, start, page_map)
            if laid is None:
                return state
            laid_articles.append(laid)
            page_map[part.slug] = (start, start + laid.page_count - 1)
            start += laid.page_count
        final_contents = lay_out(contents_part, folio, page_map)
        if final_contents is None:
            return state
        if final_contents.page_count == contents.page_count:
            break
        contents = final_contents  # the contents grew: lay the articles out again from a new folio
    else:
        report.add(
            rules.LAYOUT_CONTENTS, "the contents page count does not settle", Location("issue.yml")
        )
        return state

    faults = run_preflight(
        issue,
        [(p, laid, page_map[p.slug][0]) for p, laid in zip(articles, laid_articles, strict=True)],
    )
    report_faults(report, faults)
    LOGGER.info(
        "Step 5.%d - Writing the issue PDF and %d offprints", len(plan.parts) + 2, len(articles)
    )
    try:
        files = {
            f"pdf/{issue_pdf_name(issue)}": Typesetter.join(
                [*laid_front, final_contents, *laid_articles], pdf_options
            )
        }
        for part, laid in zip(articles, laid_articles, strict=True):
            files[f"pdf/offprints/{part.slug}.pdf"] = Typesetter.join(
                [*laid_front, laid], pdf_options.for_article(issue, part.slug)
            )
    except LayoutError as error:
        report.add(rules.LAYOUT_WRITE, f"cannot write the PDF: {error}", Location("issue.yml"))
        return state
    files[PREFLIGHT] = preflight_json(faults)
    if not report.has_errors:
        store_layout(cache, key, files, page_map)
    return _with_outputs(state, files, page_map)


def _with_outputs(state: BuildState, files: dict[str, bytes], page_map: PageMap) -> BuildState:
    page_map_json = {
        slug: {"first": first, "last": last} for slug, (first, last) in page_map.items()
    }
    return dataclasses.replace(
        state,
        files={
            **state.files,
            **files,
            "pagemap.json": (json.dumps(page_map_json, indent=2) + "\n").encode("utf-8"),
        },
        page_map=page_map,
    )


def last_first_page(build: Path, slug: str) -> int | None:
    """The article's first page in the last full build (``build/pagemap.json``), if any."""
    page_map = read_page_map(build)
    return page_map[slug][0] if slug in page_map else None


def read_page_map(build: Path) -> PageMap:
    """``build/pagemap.json`` of the last full build, or {} when there is none."""
    try:
        data: Any = json.loads((build / "pagemap.json").read_text("utf-8"))
        return {slug: (int(v["first"]), int(v["last"])) for slug, v in data.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def print_stylesheet() -> str:
    """The theme's print CSS with ``@font-face`` rules for the static print faces."""
    rules = [
        "@font-face {\n"
        f"  font-family: {css_string(face.family)};\n"
        f"  src: url({css_string(face.path.as_uri())});\n"
        f"  font-style: {face.style};\n"
        f"  font-weight: {face.weight};\n"
        "}\n"
        for face in print_faces()
    ]
    return "".join(rules) + theme_path("css", "print.css").read_text("utf-8")


def allowed_roots(project: Path) -> list[Path]:
    """What the layout may read: the project, the theme and the print fonts."""
    return [project, theme_path(), *sorted({face.path.parent for face in print_faces()})]


def judge(laid: LaidOut, *, chapter: Chapter, start: int) -> Score:
    """How good an article's layout is, for :func:`pica_publish.placement.place`: fewer make-up
    faults, then fewer pages, then less empty space at column feet."""
    holes = hole_total(read_pages(laid.document, start))
    return (len(preflight(laid, chapter, start)), laid.page_count, round(holes))


def run_preflight(issue: Issue, articles: list[tuple[PrintPart, LaidOut, int]]) -> list[Fault]:
    """The make-up faults of the laid-out articles, each (part, layout, first folio)."""
    chapters = {c.slug: c for c in issue.chapters}
    LOGGER.info("    preflight of %d article(s)", len(articles))
    return [
        fault
        for part, laid, start in articles
        if part.slug in chapters
        for fault in preflight(laid, chapters[part.slug], start)
    ]


def _part_location(issue: Issue, part: PrintPart) -> Location:
    chapter = next(
        (c for c in issue.chapters if c.slug == part.slug and part.kind == "article"), None
    )
    return Location(chapter.display_path) if chapter else Location("issue.yml")
