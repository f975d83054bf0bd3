"""Stage 5, *typeset*: lay out every print part once and join the pages into the issue PDF.

Consumes ``state.print_plan``; produces ``state.page_map`` and the PDF in ``state.files``.
Articles are laid out one after another, each starting at its real page number, so the page map
comes from the page counts; the contents page is laid out first with placeholder numbers (to
learn how many pages it takes) and again with the real ones, which costs one small page.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pica_publish.diagnostics import Location
from pica_publish.model import Issue
from pica_publish.print_html import print_body
from pica_publish.stages.assemble import PrintPart, PrintPlan
from pica_publish.state import BuildState
from pica_publish.theme import font_face_css, font_files, render, theme_path

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

LOGGER = logging.getLogger("pica_publish")
PLACEHOLDER_PAGE = 888
MAX_DEFERRALS = 6


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
    from pica_publish.layout import LayoutError, Typesetter, layout_engine_version

    report = state.report
    stylesheet = print_stylesheet()
    cache = state.options.cache_path / "print"
    key = layout_inputs_digest(plan, stylesheet, layout_engine_version())
    preview = state.options.preview is not None
    if not preview and (cache / f"{key}.pdf").is_file() and (cache / f"{key}.json").is_file():
        LOGGER.info("Step 5.1 - Print edition unchanged: reusing its layout")
        stored = json.loads((cache / f"{key}.json").read_text("utf-8"))
        cached_map = {slug: (int(v["first"]), int(v["last"])) for slug, v in stored.items()}
        return _with_pdf(state, issue, (cache / f"{key}.pdf").read_bytes(), cached_map)
    typesetter = Typesetter(allowed_roots(issue.root), stylesheet)

    def lay_out(
        part: PrintPart,
        folio: int,
        page_map: dict[str, tuple[int, int]],
        deferrals: dict[int, int] | None = None,
    ) -> LaidOut | None:
        context = part.context
        if part.kind == "article":
            article = context["article"]
            segments = print_body(article["body_html"], article["notes_html"], deferrals)
            context = {**context, "article": {**article, "segments": segments}}
        html = render(part.template, folio=folio, page_map=page_map, **context)
        where = _part_location(issue, part)
        try:
            laid = typesetter.lay_out(html, Path(part.base_path or issue.root))
        except LayoutError as error:
            for problem in error.problems:
                report.error("layout-resource", f"cannot lay out: {problem}", where)
            return None
        for warning in laid.warnings:
            report.warning("layout-warning", warning, where)
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

    if contents_part is None:  # a preview: cover, masthead, and the article at its last folio
        part = articles[0]
        start = last_first_page(state.options.build_path, part.slug) or folio
        LOGGER.info("Step 5.3 - Laying out %s from page %d", part.slug, start)
        laid = lay_out(part, start, {})
        if laid is None:
            return state
        laid = place_wide_blocks(laid, functools.partial(lay_out, part, start, {}))
        pdf = Typesetter.join([*laid_front, laid])
        return dataclasses.replace(state, files={**state.files, f"preview/{part.slug}.pdf": pdf})

    placeholder = {p.slug: (PLACEHOLDER_PAGE, PLACEHOLDER_PAGE) for p in articles}
    contents = lay_out(contents_part, folio, placeholder)
    if contents is None:
        return state
    for _attempt in range(3):
        start = folio + contents.page_count
        page_map: dict[str, tuple[int, int]] = {}
        laid_articles: list[LaidOut] = []
        for part in articles:
            LOGGER.info(
                "Step 5.%d - Laying out %s from page %d",
                len(laid_front) + len(laid_articles) + 3,
                part.slug,
                start,
            )
            laid = lay_out(part, start, page_map)
            if laid is None:
                return state
            laid = place_wide_blocks(laid, functools.partial(lay_out, part, start, page_map))
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
        report.error(
            "layout-contents", "the contents page count does not settle", Location("issue.yml")
        )
        return state

    LOGGER.info(
        "Step 5.%d - Joining %d pages into the issue PDF",
        len(plan.parts) + 2,
        start - issue.manifest.first_page,
    )
    pdf = Typesetter.join([*laid_front, final_contents, *laid_articles])
    if not report.has_errors:
        remember_layout(cache, key, pdf, page_map)
    return _with_pdf(state, issue, pdf, page_map)


def last_first_page(build: Path, slug: str) -> int | None:
    """The article's first page in the last full build (``build/pagemap.json``), if any."""
    try:
        entry = json.loads((build / "pagemap.json").read_text("utf-8")).get(slug)
        return int(entry["first"]) if entry else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def print_stylesheet() -> str:
    """The theme's print CSS with ``@font-face`` rules pointing at the font packages' files."""
    css = font_face_css(lambda face: face.path.as_uri(), ranges=False)
    return css + theme_path("css", "print.css").read_text("utf-8")


def allowed_roots(project: Path) -> list[Path]:
    """What the layout may read: the project, the theme and the font packages."""
    return [project, theme_path(), *sorted({face.path.parent for face in font_files()})]


def place_wide_blocks(laid: LaidOut, lay_out: Callable[..., LaidOut | None]) -> LaidOut:
    """Move wide figures and tables down past following paragraphs, like floats, while that
    closes a hole they leave at the foot of the columns on the page before them.

    Each try lays the article out again (only articles with such a hole pay for it).
    """
    deferrals: dict[int, int] = {}
    best, best_gap = laid, sum(g.gap for g in laid.wide_gaps)
    for _attempt in range(MAX_DEFERRALS):
        gaps = best.wide_gaps
        if not gaps:
            break
        deferrals = {**deferrals, gaps[0].index: deferrals.get(gaps[0].index, 0) + 1}
        candidate = lay_out(deferrals)
        if candidate is None:
            break
        gap = sum(g.gap for g in candidate.wide_gaps)
        if gap >= best_gap and candidate.page_count >= best.page_count:
            continue  # not better yet: a larger step may be; the loop is bounded
        best, best_gap = candidate, gap
        LOGGER.info(
            "    moved wide block %d down by %d block(s)",
            gaps[0].index + 1,
            deferrals[gaps[0].index],
        )
    return best


def _with_pdf(
    state: BuildState, issue: Issue, pdf: bytes, page_map: dict[str, tuple[int, int]]
) -> BuildState:
    files = dict(state.files)
    files[f"pdf/{issue_pdf_name(issue)}"] = pdf
    files["pagemap.json"] = (json.dumps(_page_map_json(page_map), indent=2) + "\n").encode("utf-8")
    return dataclasses.replace(state, files=files, page_map=page_map)


def _page_map_json(page_map: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    return {slug: {"first": first, "last": last} for slug, (first, last) in page_map.items()}


def layout_inputs_digest(plan: PrintPlan, stylesheet: str, engine: str) -> str:
    """Everything the layout depends on: page contexts, templates, stylesheet, engine version."""
    digest = hashlib.sha256()
    parts = [[p.kind, p.slug, p.template, p.base_path, p.context] for p in plan.parts]
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    package = Path(__file__).resolve().parent.parent
    for source in sorted([*package.rglob("*.py"), *theme_path("templates").rglob("*.html")]):
        digest.update(source.read_bytes())  # a new pica_publish lays the issue out anew
    digest.update(stylesheet.encode("utf-8"))
    digest.update(engine.encode("utf-8"))
    for images in sorted(str(p) for p in plan.assets):
        digest.update(images.encode("utf-8"))
        digest.update(Path(images).read_bytes())
    return digest.hexdigest()


def remember_layout(
    cache: Path, key: str, pdf: bytes, page_map: dict[str, tuple[int, int]]
) -> None:
    """Keep the last layout only: a changed issue is laid out anew, an unchanged one never."""
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.iterdir():
        old.unlink()
    (cache / f"{key}.json").write_text(json.dumps(_page_map_json(page_map)), "utf-8")
    tmp = cache / f".{key}.pdf.tmp"
    tmp.write_bytes(pdf)
    tmp.replace(cache / f"{key}.pdf")


def _part_location(issue: Issue, part: PrintPart) -> Location:
    chapter = next(
        (c for c in issue.chapters if c.slug == part.slug and part.kind == "article"), None
    )
    return Location(chapter.display_path) if chapter else Location("issue.yml")
