"""Stage 5, *typeset*: lay out every print part once; write the issue PDF and the offprints.

Consumes ``state.print_plan``; produces ``state.page_map`` and, in ``state.files``, the issue
PDF, one offprint per article and ``pagemap.json``. Articles are laid out one after another,
each starting at its real page number, so the page map comes from the page counts; the contents
page is laid out first with placeholder numbers (to learn how long it is) and again with the real
ones. Offprints are the cover, the masthead and the article's pages of the same layout.

The steps, in order (:func:`typeset` reads top to bottom): :func:`prepare` the stylesheet, PDF
options and cache key; :func:`reuse_cached_layout` when nothing changed; :func:`lay_out_front`;
:func:`lay_out_issue` (the contents and every article, :func:`lay_out_article` with placement,
until the contents page count settles) or, for a chapter preview, :func:`typeset_preview`;
:func:`run_preflight`; :func:`write_pdfs`; :func:`store_cache`. They share a
:class:`Typesetting`: the typesetter, the report and the layouts of the current article.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish import rules
from pica_publish.diagnostics import Diagnostic, Location, Report, Severity
from pica_publish.fonts import print_faces
from pica_publish.layout_cache import layout_digest, load_layout, store_layout
from pica_publish.model import Chapter, Issue
from pica_publish.pagemap import (
    PageMap,
    issue_pdf_name,
    last_first_page,
    page_map_json,
    read_page_map,
)
from pica_publish.pages import hole_total, read_pages
from pica_publish.part_cache import PartCache, PartPdf, engine_digest, part_digest
from pica_publish.placement import Placement, Score, place
from pica_publish.preflight import Fault, preflight, preflight_json, read_preflight, report_faults
from pica_publish.print_html import cross_part_links, print_body
from pica_publish.products import PrintPart, PrintPlan
from pica_publish.state import BuildState
from pica_publish.theme import css_string, render, theme_path

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut, PdfOptions, Typesetter
    from pica_publish.pdfjoin import JoinMetadata

LOGGER = logging.getLogger("pica_publish")
PLACEHOLDER_PAGE = 888
PREFLIGHT = "preflight.json"
CONTENTS_ATTEMPTS = 3
"""How often the articles are laid out again because the contents grew by a page."""


@dataclass(frozen=True)
class LayoutKey:
    """What one layout of the issue depends on, and where the last one is kept
    (:func:`prepare`)."""

    stylesheet: str
    """The print CSS with the ``@font-face`` rules of the print fonts."""
    pdf_options: PdfOptions
    """How the issue PDF is written; offprints derive theirs from it."""
    cache: Path
    """The layout cache folder, ``build/.cache/print/``."""
    digest: str
    """The digest of the plan and of :attr:`engine`: the layout cache key."""
    engine: str
    """What every part's pages depend on besides its HTML (:func:`engine_digest`: code,
    templates, stylesheet, engine version, PDF options, images), computed once a build."""


@dataclass
class Typesetting:
    """What the steps of one layout of the issue share (in place of closures over ``typeset``)."""

    issue: Issue
    report: Report
    """Where layout problems and make-up faults are reported."""
    typesetter: Typesetter
    """The WeasyPrint front end, with one font configuration for every part."""
    as_parts: bool = False
    """Each part is laid out and written alone (links to other parts become addresses)."""
    parts: PartCache | None = None
    """Laid-out parts across builds (:mod:`pica_publish.part_cache`); None: lay out everything
    in one document (an archive or a preview, which write one PDF of all their parts)."""
    engine: str = ""
    """What every part's pages depend on besides its HTML (:func:`engine_digest`)."""
    part_options: PdfOptions | None = None
    """How each part's own PDF is written (the join sets the metadata)."""
    workers: Workers | None = None
    """The processes that lay out articles in parallel (``--jobs``); None: here, one by one."""
    build_path: Path | None = None
    """The build folder, whose ``pagemap.json`` gives the articles' provisional folios."""
    laid_out: dict[tuple[str, str], LaidOut] = field(default_factory=dict)
    """The layouts of the current article's placement by (HTML, placement CSS): a move that
    yields the same HTML returns the same layout, and costs no layout and no try
    (:func:`pica_publish.placement.place` relies on it). Cleared for each article (memory)."""


@dataclass(frozen=True)
class LaidIssue:
    """The contents and the articles, laid out with the final page map (:func:`lay_out_issue`)."""

    contents: LaidOut
    articles: list[LaidOut]
    page_map: PageMap


def typeset(state: BuildState) -> BuildState:
    """Lay out the print plan (or reuse its last layout) and add the PDFs, ``pagemap.json`` and
    ``preflight.json`` to the outputs; the state unchanged, with the problems reported, when a
    part cannot be laid out or written."""
    plan, issue = state.print_plan, state.issue
    if plan is None or issue is None or state.report.has_errors:
        return state
    # WeasyPrint is imported here, not at module level: `check` never pays for it.
    from pica_publish.layout import Typesetter

    key = prepare(state, plan, issue)
    if key is None:
        return state
    reused = reuse_cached_layout(state, key)
    if reused is not None:
        return reused
    run = Typesetting(issue, state.report, Typesetter(allowed_roots(issue.root), key.stylesheet))
    front = [p for p in plan.parts if p.kind in ("cover", "masthead")]
    contents_part = next((p for p in plan.parts if p.kind == "contents"), None)
    articles = [p for p in plan.parts if p.kind == "article"]
    if contents_part is not None and not state.options.archive:
        return typeset_parts(state, run, key, plan, (front, contents_part, articles))
    laid_front = lay_out_front(run, front)
    if laid_front is None:
        return state
    folio = issue.manifest.first_page + sum(laid.page_count for laid in laid_front)
    if contents_part is None:  # a preview: cover, masthead, and the article at its last folio
        return typeset_preview(state, run, key, laid_front, articles[0], folio)
    laid = lay_out_issue(run, contents_part, articles, folio, len(laid_front))
    if laid is None:
        return state
    faults = run_preflight(
        issue,
        [(p, a, laid.page_map[p.slug][0]) for p, a in zip(articles, laid.articles, strict=True)],
    )
    report_faults(run.report, faults)
    files = write_pdfs(run, key, plan, laid_front, laid)
    if files is None:
        return state
    files[PREFLIGHT] = preflight_json(faults)
    store_cache(run, key, files, laid.page_map)
    return _with_outputs(state, files, laid.page_map)


class Workers:
    """A pool of processes that lay out articles (``--jobs N``). A laid-out WeasyPrint document
    cannot leave its process, so each worker lays out, writes the part's PDF and returns it with
    what it reported. Started on first use (``spawn``: no Pango or fontconfig state is copied
    from this process); each worker builds its typesetter once."""

    def __init__(self, run: Typesetting, jobs: int, stylesheet: str) -> None:
        self.run, self.jobs, self.stylesheet = run, jobs, stylesheet
        self.pool: ProcessPoolExecutor | None = None

    def lay_out(self, requests: list[Request]) -> list[tuple[PartPdf | None, list[Diagnostic]]]:
        if self.pool is None:
            run = self.run
            self.pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(
                    run.issue,
                    self.stylesheet,
                    run.part_options,
                    dict(run.report.overrides),
                    LOGGER.getEffectiveLevel(),
                ),
            )
        try:
            return list(self.pool.map(_lay_out_in_worker, requests))
        except BrokenProcessPool:  # a worker was killed (out of memory, a signal)
            self.close()
            problem = Diagnostic(
                Severity.ERROR,
                rules.LAYOUT_RESOURCE.id,
                "cannot lay out: a layout worker process stopped (out of memory?)",
                Location("issue.yml"),
                "try `--jobs 1`, or give the machine more memory",
            )
            return [(None, [problem]) for _request in requests]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None


_WORKER: Typesetting | None = None
"""The worker process's own :class:`Typesetting` (:func:`_start_worker`)."""


def _start_worker(
    issue: Issue,
    stylesheet: str,
    part_options: PdfOptions | None,
    overrides: dict[str, Any],
    level: int,
) -> None:
    from pica_publish.layout import Typesetter

    global _WORKER
    _die_with_parent()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.handlers = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    typesetter = Typesetter(allowed_roots(issue.root), stylesheet)
    _WORKER = Typesetting(issue, Report(overrides=overrides), typesetter, as_parts=True)
    _WORKER.part_options = part_options


def _die_with_parent() -> None:
    """A worker ends when the build that started it is killed (Linux ``PR_SET_PDEATHSIG``):
    an orphaned worker would go on laying out, and hold the build's output pipe open."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the build was gone before the request took effect
        os._exit(1)


def _lay_out_in_worker(request: Request) -> tuple[PartPdf | None, list[Diagnostic]]:
    run = _WORKER
    assert run is not None
    run.report.diagnostics.clear()
    part, folio, known = request
    result = lay_out_part(run, part, folio, {}, known=known)
    return result, list(run.report.diagnostics)


def typeset_parts(
    state: BuildState,
    run: Typesetting,
    key: LayoutKey,
    plan: PrintPlan,
    parts: tuple[list[PrintPart], PrintPart, list[PrintPart]],
) -> BuildState:
    """The reading PDFs from parts: each part laid out alone (or reused from the part cache),
    written as its own tagged PDF, and the issue and offprints joined from them."""

    run.parts = PartCache(state.options.cache_path / "parts")
    run.as_parts = True
    run.build_path = state.options.build_path
    articles = parts[2]
    if state.options.jobs > 1 and len(articles) > 1:
        run.workers = Workers(run, min(state.options.jobs, len(articles)), key.stylesheet)
    run.engine = key.engine
    run.part_options = key.pdf_options
    try:
        laid = lay_out_parts(run, *parts)
    finally:
        if run.workers is not None:
            run.workers.close()
    if laid is None:
        return state
    faults = [fault for done in laid.articles for fault in done.faults]
    report_faults(run.report, faults)
    files = join_parts(run, key, plan, laid)
    files[PREFLIGHT] = preflight_json(faults)
    if not run.report.has_errors:
        run.parts.prune()  # keep this issue's parts, drop older versions
    store_cache(run, key, files, laid.page_map)
    return _with_outputs(state, files, laid.page_map)


def prepare(state: BuildState, plan: PrintPlan, issue: Issue) -> LayoutKey | None:
    """The stylesheet, the PDF options and the layout cache key, or None (reported) when the
    print fonts cannot be prepared."""
    from pica_publish.layout import PdfOptions, layout_engine_version

    options = state.options
    try:
        stylesheet = print_stylesheet()
    except OSError as error:  # the font cache cannot be written
        state.report.add(
            rules.FONTS_UNAVAILABLE,
            f"cannot prepare the print fonts: {error}",
            Location("issue.yml"),
        )
        return None
    pdf_options = PdfOptions.for_build(issue, options.archive, options.source_date_epoch)
    engine = engine_digest(
        stylesheet, tuple(sorted(plan.assets)), layout_engine_version(), repr(pdf_options)
    )
    digest = layout_digest(plan, engine)
    return LayoutKey(stylesheet, pdf_options, options.cache_path / "print", digest, engine)


def reuse_cached_layout(state: BuildState, key: LayoutKey) -> BuildState | None:
    """The outputs of the last layout when nothing it depends on changed, with its make-up
    faults reported again; None when there is none, and always for a chapter preview."""
    if state.options.preview is not None:
        return None
    cached = load_layout(key.cache, key.digest)
    if cached is None:
        return None
    LOGGER.info("Step 5.1 - Print edition unchanged: reusing its layout")
    report_faults(state.report, read_preflight(cached[0].get(PREFLIGHT, b"")))
    return _with_outputs(state, *cached)


def lay_out(
    run: Typesetting,
    part: PrintPart,
    folio: int,
    page_map: PageMap,
    placement: Placement | None = None,
    *,
    single_page: bool = False,
) -> LaidOut | None:
    """One print part rendered and laid out from ``folio``, its floats placed by ``placement``;
    None when it cannot be laid out (reported). Remembered in ``run.laid_out``."""
    from pica_publish.layout import LayoutError

    placement = placement or Placement()
    html = render_part(run, part, folio, page_map, placement, single_page=single_page)
    css = placement.css()
    if (html, css) in run.laid_out:  # a move that changed nothing (a float already last)
        return run.laid_out[html, css]
    where = _part_location(run.issue, part)
    try:
        laid = run.typesetter.lay_out(html, Path(part.base_path or run.issue.root), css)
    except LayoutError as error:
        for problem in error.problems:
            run.report.add(rules.LAYOUT_RESOURCE, f"cannot lay out: {problem}", where)
        return None
    for warning in laid.warnings:
        run.report.add(rules.LAYOUT_WARNING, warning, where)
    run.laid_out[html, css] = laid
    return laid


def render_part(
    run: Typesetting,
    part: PrintPart,
    folio: int,
    page_map: PageMap,
    placement: Placement,
    *,
    single_page: bool = False,
) -> str:
    """A print part's HTML page from ``folio``, its floats placed by ``placement``. Laid out
    as a part of its own (:attr:`Typesetting.parts`), links to other parts become addresses
    the join turns back into links (:func:`pica_publish.print_html.cross_part_links`)."""
    context = {**part.context, "single_page": single_page}
    if part.kind == "article":
        article = context["article"]
        segments = print_body(article.body_html, article.notes_html, placement.deferral_map)
        context = {**context, "article": dataclasses.replace(article, segments=tuple(segments))}
    html = render(part.template, folio=folio, page_map=page_map, **context)
    if run.as_parts:
        from pica_publish.pdfjoin import CROSS_PART_PREFIX

        html = cross_part_links(html, CROSS_PART_PREFIX)
    return html


def lay_out_front(run: Typesetting, front: list[PrintPart]) -> list[LaidOut] | None:
    """The cover and the masthead, one after the other from the issue's first page."""
    folio = run.issue.manifest.first_page
    laid_front: list[LaidOut] = []
    for number, part in enumerate(front, start=1):
        LOGGER.info("Step 5.%d - Laying out the %s", number + 1, part.kind)
        laid = lay_out(run, part, folio, {})
        if laid is None:
            return None
        laid_front.append(laid)
        folio += laid.page_count
    return laid_front


def lay_out_article(
    run: Typesetting,
    part: PrintPart,
    start: int,
    page_map: PageMap,
    known: Placement | None = None,
) -> LaidOut | None:
    """One article from page ``start``, its floats placed (:func:`pica_publish.placement.place`)
    to leave the fewest make-up faults; laid out once more when it fits on one page. ``known``:
    the placement this article got at another folio (its pages are the same but for the
    folios and running heads), laid out once instead of searched for. The layout carries its
    placement (``LaidOut.placement``)."""
    run.laid_out.clear()  # the layouts of one article's placement only (memory)
    laid = lay_out(run, part, start, page_map, known)
    if laid is None:
        return None
    chapter = next((c for c in run.issue.chapters if c.slug == part.slug), None)
    if known is not None:
        placement = known
    elif chapter is not None:
        laid, placement = place(
            laid,
            functools.partial(lay_out, run, part, start, page_map),
            functools.partial(judge, chapter=chapter, start=start),
        )
    else:
        placement = Placement()
    if laid.page_count == 1:
        # "CATnews Special Issue 13, 4." rather than "4–4": the one case where the printed
        # range needs to know the page count; a one-page layout is cheap.
        again = lay_out(run, part, start, page_map, placement, single_page=True)
        if again is not None and again.page_count == 1:
            return dataclasses.replace(again, placement=placement)
    return dataclasses.replace(laid, placement=placement)


def lay_out_issue(
    run: Typesetting,
    contents_part: PrintPart,
    articles: list[PrintPart],
    folio: int,
    front_count: int,
) -> LaidIssue | None:
    """The contents from ``folio`` and the articles after it, until the contents page count
    settles: the contents is laid out with placeholder page numbers to learn its length, then
    again with the page map; if it grew, the articles move and are laid out again."""
    placeholder = {p.slug: (PLACEHOLDER_PAGE, PLACEHOLDER_PAGE) for p in articles}
    contents = lay_out(run, contents_part, folio, placeholder)
    if contents is None:
        return None
    for _attempt in range(CONTENTS_ATTEMPTS):
        start = folio + contents.page_count
        page_map: PageMap = {}
        laid_articles: list[LaidOut] = []
        for part in articles:
            LOGGER.info(
                "Step 5.%d - Laying out %s from page %d",
                front_count + len(laid_articles) + 3,
                part.slug,
                start,
            )
            laid = lay_out_article(run, part, start, page_map)
            if laid is None:
                return None
            laid_articles.append(laid)
            page_map[part.slug] = (start, start + laid.page_count - 1)
            start += laid.page_count
        final_contents = lay_out(run, contents_part, folio, page_map)
        if final_contents is None:
            return None
        if final_contents.page_count == contents.page_count:
            return LaidIssue(final_contents, laid_articles, page_map)
        contents = final_contents  # the contents grew: lay the articles out again from a new folio
    run.report.add(
        rules.LAYOUT_CONTENTS, "the contents page count does not settle", Location("issue.yml")
    )
    return None


# --- the issue as parts: each laid out and written alone, cached, then joined ------------------


@dataclass(frozen=True)
class IssueParts:
    """The parts of the issue as PDFs, in order, with the final page map (:func:`lay_out_parts`)."""

    front: list[PartPdf]
    contents: PartPdf
    articles: list[PartPdf]
    page_map: PageMap


def part_pdf(
    run: Typesetting,
    part: PrintPart,
    folio: int,
    page_map: PageMap,
    *,
    write: bool = True,
) -> PartPdf | None:
    """One part laid out from ``folio`` (an article with its floats placed and its make-up
    faults) and written as its own PDF; read from the part cache when its HTML and everything
    else it depends on are unchanged. ``write=False``: only its page count is wanted."""
    assert run.parts is not None
    digest = _digest(run, part, folio, page_map)
    cached = run.parts.get(digest)
    if cached is not None and (cached.pdf or not write):
        LOGGER.info("    %s from page %d: unchanged (laid out before)", _name(part), folio)
        return cached
    LOGGER.info("    %s from page %d: laying out", _name(part), folio)
    result = lay_out_part(run, part, folio, page_map, write=write)
    if result is not None:
        run.parts.put(digest, result)
    return result


def _name(part: PrintPart) -> str:
    return part.slug or part.kind


def _digest(run: Typesetting, part: PrintPart, folio: int, page_map: PageMap) -> str:
    html = render_part(run, part, folio, page_map, Placement())
    return part_digest(run.engine, part.kind, part.slug, folio, html)


def lay_out_part(
    run: Typesetting,
    part: PrintPart,
    folio: int,
    page_map: PageMap,
    *,
    write: bool = True,
    known: Placement | None = None,
) -> PartPdf | None:
    """:func:`part_pdf` without the cache: here or in a worker process (:func:`part_pdfs`);
    ``known`` as for :func:`lay_out_article`."""
    from pica_publish.layout import LayoutError, PdfOptions, Typesetter

    if part.kind == "article":
        laid = lay_out_article(run, part, folio, page_map, known)
    else:
        laid = lay_out(run, part, folio, page_map)
    if laid is None:
        return None
    chapter = next((c for c in run.issue.chapters if c.slug == part.slug), None)
    faults = preflight(laid, chapter, folio) if part.kind == "article" and chapter else []
    pdf = b""
    if write:
        try:
            laid = dataclasses.replace(laid, kind=part.kind, folio=folio)
            pdf = Typesetter.join([laid], run.part_options or PdfOptions())
        except LayoutError as error:
            run.report.add(
                rules.LAYOUT_WRITE,
                f"cannot write the PDF: {error}",
                _part_location(run.issue, part),
            )
            return None
    run.laid_out.clear()  # this part's layouts are done with (memory)
    placement = laid.placement if isinstance(laid.placement, Placement) else None
    return PartPdf(pdf, laid.page_count, tuple(faults), placement)


Request = tuple[PrintPart, int, "Placement | None"]
"""An article to lay out: the part, its first folio, and the placement it got elsewhere."""


def part_pdfs(run: Typesetting, requests: list[Request]) -> list[PartPdf] | None:
    """Articles, each from its folio: read from the part cache, or laid out — in the worker
    processes when more than one must be (:class:`Workers`), else here. None when one cannot be
    laid out (reported)."""
    assert run.parts is not None
    digests = [_digest(run, part, folio, {}) for part, folio, _known in requests]
    results: list[PartPdf | None] = [run.parts.get(digest) for digest in digests]
    missing = [i for i, result in enumerate(results) if result is None or not result.pdf]
    for index, (part, folio, known) in enumerate(requests):
        state = "unchanged (laid out before)"
        if index in missing:
            state = "laying out" + (" with its placement from before" if known else "")
        LOGGER.info("    %s from page %d: %s", _name(part), folio, state)
    if len(missing) > 1 and run.workers is not None:
        done = run.workers.lay_out([requests[i] for i in missing])
        for index, (result, diagnostics) in zip(missing, done, strict=True):
            run.report.extend(diagnostics)
            results[index] = result
    else:
        for index in missing:
            part, folio, known = requests[index]
            results[index] = lay_out_part(run, part, folio, {}, known=known)
    complete: list[PartPdf] = []
    for index, result in enumerate(results):
        if result is None:
            return None
        if index in missing:
            run.parts.put(digests[index], result)
        complete.append(result)
    return complete


def lay_out_parts(
    run: Typesetting, front: list[PrintPart], contents_part: PrintPart, articles: list[PrintPart]
) -> IssueParts | None:
    """Every part from its first folio: the cover and the masthead, the contents (first with
    placeholder page numbers, to learn its length), the articles, and the contents again with
    the page map, until its page count settles (as :func:`lay_out_issue`).

    The articles are laid out together (in parallel, :func:`part_pdfs`) from provisional folios:
    the last build's, else an estimate. An article's page count does not depend on its folio
    (only its running heads and page numbers do), so once the counts are known the articles
    whose folio was wrong are laid out once more, together; the cache keeps the right ones."""
    folio = run.issue.manifest.first_page
    front_pdfs: list[PartPdf] = []
    for part in front:
        done = part_pdf(run, part, folio, {})
        if done is None:
            return None
        front_pdfs.append(done)
        folio += done.page_count
    placeholder = {p.slug: (PLACEHOLDER_PAGE, PLACEHOLDER_PAGE) for p in articles}
    contents = part_pdf(run, contents_part, folio, placeholder, write=False)
    if contents is None:
        return None
    for _attempt in range(CONTENTS_ATTEMPTS):
        start = folio + contents.page_count
        laid = lay_out_articles(run, articles, start)
        if laid is None:
            return None
        article_pdfs, page_map = laid
        final = part_pdf(run, contents_part, folio, page_map)
        if final is None:
            return None
        if final.page_count == contents.page_count:
            return IssueParts(front_pdfs, final, article_pdfs, page_map)
        contents = final
    run.report.add(
        rules.LAYOUT_CONTENTS, "the contents page count does not settle", Location("issue.yml")
    )
    return None


ARTICLE_ROUNDS = 4
"""Rounds of :func:`lay_out_articles` before giving up: the first from provisional folios, the
second with the folios the page counts gave; more only if a page count depended on its folio."""


def lay_out_articles(
    run: Typesetting, articles: list[PrintPart], start: int
) -> tuple[list[PartPdf], PageMap] | None:
    """The articles from ``start``, one after another, and their page map. With worker
    processes, together from provisional folios (then again where a folio was wrong); in one
    process, one after another, each from the folio the one before it ends at."""
    if run.workers is None:
        one_by_one: list[PartPdf] = []
        placed: PageMap = {}
        at = start
        for part in articles:
            single = part_pdfs(run, [(part, at, None)])
            if single is None:
                return None
            one_by_one.append(single[0])
            placed[part.slug] = (at, at + single[0].page_count - 1)
            at += single[0].page_count
        return one_by_one, placed
    folios = provisional_folios(run, articles, start)
    known: dict[str, Placement | None] = {}
    for _round in range(ARTICLE_ROUNDS):
        done = part_pdfs(run, [(p, folios[p.slug], known.get(p.slug)) for p in articles])
        if done is None:
            return None
        known = {p.slug: result.placement for p, result in zip(articles, done, strict=True)}
        page_map: PageMap = {}
        folio = start
        for part, result in zip(articles, done, strict=True):
            page_map[part.slug] = (folio, folio + result.page_count - 1)
            folio += result.page_count
        if all(page_map[p.slug][0] == folios[p.slug] for p in articles):
            return done, page_map
        folios = {slug: first for slug, (first, _last) in page_map.items()}
    run.report.add(
        rules.LAYOUT_CONTENTS, "the articles' page numbers do not settle", Location("issue.yml")
    )
    return None


def provisional_folios(run: Typesetting, articles: list[PrintPart], start: int) -> dict[str, int]:
    """Where each article will probably start: after the others' page counts of the last build
    (``pagemap.json``), or an estimate from their length where there is none."""
    last = read_page_map(run.build_path) if run.build_path else {}
    folios: dict[str, int] = {}
    folio = start
    for part in articles:
        folios[part.slug] = folio
        if part.slug in last:
            first, final = last[part.slug]
            folio += final - first + 1
        else:
            folio += estimated_pages(run, part)
    return folios


CHARACTERS_A_PAGE = 7000
"""About what a two-column page of the house style holds, for a first guess of page counts."""


def estimated_pages(run: Typesetting, part: PrintPart) -> int:
    chapter = next((c for c in run.issue.chapters if c.slug == part.slug), None)
    length = len(chapter.body) if chapter else 0
    return max(1, round(length / CHARACTERS_A_PAGE + 0.5))


def first_part_metadata(pdf: bytes) -> JoinMetadata:
    """The issue's title, editors and keywords, as the cover's HTML gave them to WeasyPrint."""
    import io

    import pikepdf

    from pica_publish.pdfjoin import JoinMetadata

    with pikepdf.open(io.BytesIO(pdf)) as first:
        info = first.docinfo

        def field(name: str) -> str:
            return str(info.get(name, "")) if name in info else ""

        return JoinMetadata(
            title=field("/Title"),
            authors=tuple(a for a in field("/Author").split(", ") if a),
            keywords=tuple(k for k in field("/Keywords").split(", ") if k),
        )


def join_parts(
    run: Typesetting, key: LayoutKey, plan: PrintPlan, laid: IssueParts
) -> dict[str, bytes]:
    """The issue PDF and one offprint per article (cover, masthead, the article), joined from
    the part PDFs (:func:`pica_publish.pdfjoin.join_pdfs`): structure tree, outline, links,
    named destinations and page labels kept."""
    from pica_publish.pdfjoin import JoinMetadata, Part, join_pdfs

    articles = [p for p in plan.parts if p.kind == "article"]
    LOGGER.info("    joining the issue PDF and %d offprints", len(articles))
    first = run.issue.manifest.first_page
    front: list[Part] = []
    folio = first
    for done in laid.front:
        front.append(Part(done.pdf, folio))
        folio += done.page_count
    contents = Part(laid.contents.pdf, folio)
    options = key.pdf_options
    lang = run.issue.manifest.language
    issue_meta = first_part_metadata(laid.front[0].pdf if laid.front else laid.contents.pdf)
    issue_meta = dataclasses.replace(issue_meta, lang=lang, created=options.created)
    pieces = [
        Part(done.pdf, laid.page_map[part.slug][0])
        for part, done in zip(articles, laid.articles, strict=True)
    ]
    files = {f"pdf/{issue_pdf_name(run.issue)}": join_pdfs([*front, contents, *pieces], issue_meta)}
    for part, piece in zip(articles, pieces, strict=True):
        offprint = options.for_article(run.issue, part.slug)
        meta = JoinMetadata(
            title=offprint.title or issue_meta.title,
            authors=offprint.authors or (),
            keywords=offprint.keywords or (),
            lang=lang,
            created=options.created,
        )
        files[f"pdf/offprints/{part.slug}.pdf"] = join_pdfs([*front, piece], meta)
    return files


def typeset_preview(
    state: BuildState,
    run: Typesetting,
    key: LayoutKey,
    laid_front: list[LaidOut],
    part: PrintPart,
    folio: int,
) -> BuildState:
    """A chapter preview: the cover, the masthead and the one article, from its first page in
    the last full build (else right after the masthead), as ``preview/SLUG.pdf`` with its
    ``preview/preflight.json``. Not cached."""
    from pica_publish.layout import LayoutError, Typesetter

    start = last_first_page(state.options.build_path, part.slug) or folio
    LOGGER.info("Step 5.3 - Laying out %s from page %d", part.slug, start)
    laid = lay_out_article(run, part, start, {})
    if laid is None:
        return state
    faults = run_preflight(run.issue, [(part, laid, start)])
    report_faults(run.report, faults)
    try:
        pdf = Typesetter.join(
            [*laid_front, laid], key.pdf_options.for_article(run.issue, part.slug)
        )
    except LayoutError as error:
        run.report.add(
            rules.LAYOUT_WRITE, f"cannot write the PDF: {error}", _part_location(run.issue, part)
        )
        return state
    files = {f"preview/{part.slug}.pdf": pdf, "preview/preflight.json": preflight_json(faults)}
    return dataclasses.replace(state, files={**state.files, **files})


def write_pdfs(
    run: Typesetting,
    key: LayoutKey,
    plan: PrintPlan,
    laid_front: list[LaidOut],
    laid: LaidIssue,
) -> dict[str, bytes] | None:
    """The issue PDF and one offprint per article (cover, masthead, the article's pages), all
    from the one layout; None when a PDF cannot be written (reported)."""
    from pica_publish.layout import LayoutError, Typesetter

    articles = [p for p in plan.parts if p.kind == "article"]
    LOGGER.info(
        "Step 5.%d - Writing the issue PDF and %d offprints", len(plan.parts) + 2, len(articles)
    )
    try:
        files = {
            f"pdf/{issue_pdf_name(run.issue)}": Typesetter.join(
                [*laid_front, laid.contents, *laid.articles], key.pdf_options
            )
        }
        for part, article in zip(articles, laid.articles, strict=True):
            files[f"pdf/offprints/{part.slug}.pdf"] = Typesetter.join(
                [*laid_front, article], key.pdf_options.for_article(run.issue, part.slug)
            )
    except LayoutError as error:
        run.report.add(rules.LAYOUT_WRITE, f"cannot write the PDF: {error}", Location("issue.yml"))
        return None
    return files


def store_cache(
    run: Typesetting, key: LayoutKey, files: dict[str, bytes], page_map: PageMap
) -> None:
    """Keep this layout's outputs for the next build with the same inputs, unless an error was
    reported: a reused layout replays only its preflight faults, so it would hide the error."""
    if not run.report.has_errors:
        store_layout(key.cache, key.digest, files, page_map)


def _with_outputs(state: BuildState, files: dict[str, bytes], page_map: PageMap) -> BuildState:
    return dataclasses.replace(
        state,
        files={**state.files, **files, "pagemap.json": page_map_json(page_map)},
        page_map=page_map,
    )


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
    reading = read_pages(laid.document, start)  # once, for both measures
    faults = preflight(laid, chapter, start, reading)
    return (len(faults), laid.page_count, round(hole_total(reading)))


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
