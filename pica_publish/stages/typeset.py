"""Stage 5, *typeset*: lay out every print part once; write the issue PDF and the offprints.

Consumes ``state.print_plan``; produces ``state.page_map`` and, in ``state.files``, the issue
PDF, one offprint per article, ``pagemap.json`` and ``preflight.json``. Each print part (cover,
masthead, contents, each article) is laid out alone from its real first folio and written as its
own tagged PDF; the issue PDF and every offprint are joined from these
(:mod:`pica_publish.pdfjoin`), so that parts can be laid out in worker processes (``--jobs``)
and kept across builds (:mod:`pica_publish.part_cache`): an edit lays out only what it changed.

The steps, in order (:func:`typeset` reads top to bottom): :func:`prepare` the stylesheet, PDF
options and cache key; :func:`reuse_cached_layout` when nothing changed; then
:func:`typeset_parts` — :func:`lay_out_parts` (the front, the contents with placeholder page
numbers to learn its length, the articles by :func:`lay_out_articles`, the contents again until
its page count settles), :func:`join_parts`, :func:`store_cache` — or, for a chapter preview,
:func:`typeset_preview`. They share a :class:`Typesetting`: the typesetter, the report, the part
cache and the worker processes.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from pica_publish import ahead, print_sources, rules
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
from pica_publish.part_cache import (
    JoinedCache,
    MergedFonts,
    PartCache,
    PartPdf,
    engine_digest,
    part_digest,
    read_searches,
    write_searches,
)
from pica_publish.placement import (
    MAX_RUN_TRIES,
    MAX_TRIES,
    Placement,
    Score,
    Search,
    Trial,
    place,
    summarise,
)
from pica_publish.preflight import (
    Fault,
    preflight,
    preflight_json,
    read_preflight,
    report_faults,
)
from pica_publish.print_html import cross_part_links, print_body
from pica_publish.products import PrintPart, PrintPlan
from pica_publish.progress import reporter
from pica_publish.state import BuildState
from pica_publish.theme import css_string, render, theme_path

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut, PdfOptions, Typesetter
    from pica_publish.pdfjoin import JoinMetadata, Part

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
    as_parts: bool = True
    """Each part is laid out and written alone: links to other parts become addresses that
    the join turns back into links. False only to lay the whole issue out as one document
    (``make bench`` measures the size of that PDF)."""
    parts: PartCache | None = None
    """Laid-out parts across builds (:mod:`pica_publish.part_cache`)."""
    joined: JoinedCache | None = None
    """Joined PDFs across builds, by their parts and metadata."""
    fonts: MergedFonts | None = None
    """Font merges of joined PDFs across builds, by the subsets they merge."""
    engine: str = ""
    """What every part's pages depend on besides its HTML (:func:`engine_digest`)."""
    part_options: PdfOptions | None = None
    """How each part's own PDF is written (the join sets the metadata)."""
    workers: Workers | None = None
    """The processes that lay out articles in parallel (``--jobs``); None: here, one by one."""
    build_path: Path | None = None
    """The build folder, whose ``pagemap.json`` gives the articles' provisional folios."""
    provisional: bool = False
    """The page numbers are not known for certain (a preview without a current full build):
    the pages say so (:mod:`pica_publish.print_sources`)."""
    laid_out: dict[tuple[str, str], LaidOut] = field(default_factory=dict)
    """The layouts of the current part by (HTML, placement CSS). Cleared for each part
    (memory)."""
    ahead: bool = False
    """An article laid out here may have the placements its search will likely try laid out
    meanwhile on another core (:mod:`pica_publish.ahead`): the build may use more than one
    (``--jobs``), and nothing else is laid out meanwhile."""
    searches: dict[str, tuple[Placement, ...]] = field(default_factory=dict)
    """Slug → the placements the last search of that article tried (:data:`pica_publish.part_cache.SEARCHES`)."""


def typeset(state: BuildState) -> BuildState:
    """Lay out the print plan (or reuse its last layout) and add the PDFs, ``pagemap.json`` and
    ``preflight.json`` to the outputs; the state unchanged, with the problems reported, when a
    part cannot be laid out or written."""
    plan, issue = state.print_plan, state.issue
    if plan is None or issue is None or state.report.has_errors:
        return state
    # WeasyPrint is imported only once there is something to lay out (shared_typesetter).
    key = prepare(state, plan, issue)
    if key is None:
        return state
    reused = reuse_cached_layout(state, key)
    if reused is not None:
        return reused
    run = Typesetting(
        issue, state.report, shared_typesetter(allowed_roots(issue.root), key.stylesheet)
    )
    run.parts = PartCache(state.options.cache_path / "parts")
    run.joined = JoinedCache(state.options.cache_path / "joined")
    run.fonts = MergedFonts(state.options.cache_path / "merged-fonts")
    run.build_path = state.options.build_path
    run.engine = key.engine
    run.ahead = state.options.jobs > 1 and ahead.available()
    run.searches = read_searches(run.parts.folder)
    # Each part is written in the build's variant; the join adds the sources and metadata.
    run.part_options = dataclasses.replace(key.pdf_options, attachments=())
    front = [p for p in plan.parts if p.kind in ("cover", "masthead")]
    contents_part = next((p for p in plan.parts if p.kind == "contents"), None)
    back_part = next((p for p in plan.parts if p.kind == "back"), None)
    articles = [p for p in plan.parts if p.kind == "article"]
    if contents_part is None:  # a preview: cover, masthead, and the article at its last folio
        return typeset_preview(state, run, key, front, articles[0])
    return typeset_parts(state, run, key, plan, (front, contents_part, articles, back_part))


class Workers:
    """A pool of processes that lay out articles (``--jobs N``). A laid-out WeasyPrint document
    cannot leave its process, so each worker lays out, writes the part's PDF and returns it with
    what it reported. Started on first use (``spawn``: no Pango or fontconfig state is copied
    from this process); each worker builds its typesetter once."""

    def __init__(self, run: Typesetting, jobs: int, stylesheet: str) -> None:
        self.run, self.jobs, self.stylesheet = run, jobs, stylesheet
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the processes now: each imports WeasyPrint and builds its typesetter while
        this process lays out the cover, the masthead and the contents."""
        pool = self._pool()
        for _worker in range(self.jobs):
            pool.submit(_warm_up)

    @property
    def started(self) -> bool:
        return self.pool is not None

    def submit(self, request: Request) -> Future[tuple[PartPdf | None, list[Diagnostic]]]:
        return self._pool().submit(_lay_out_in_worker, request)

    def _pool(self) -> ProcessPoolExecutor:
        from pica_publish import layout

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
                    layout.LAYOUT_SECONDS,
                    layout.LAYOUT_MEMORY,
                ),
            )
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def stopped_worker() -> Diagnostic:
    """A worker was killed (out of memory, a signal): the pool is broken."""
    return Diagnostic(
        Severity.ERROR,
        rules.LAYOUT_RESOURCE.id,
        "cannot lay out: a layout worker process stopped (out of memory?)",
        Location("issue.yml"),
        "try `--jobs 1`, or give the machine more memory",
    )


def _warm_up() -> None:
    """Nothing: submitted once per worker so that the pool starts its processes."""


_WORKER: Typesetting | None = None
"""The worker process's own :class:`Typesetting` (:func:`_start_worker`)."""


def _start_worker(
    issue: Issue,
    stylesheet: str,
    part_options: PdfOptions | None,
    overrides: dict[str, Any],
    level: int,
    layout_seconds: float,
    layout_memory: int,
) -> None:
    from pica_publish import layout
    from pica_publish.layout import Typesetter

    global _WORKER
    layout.LAYOUT_SECONDS = layout_seconds  # the build's watchdog limit, in this process too
    _die_with_parent()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.handlers = [handler]
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    typesetter = Typesetter(allowed_roots(issue.root), stylesheet)
    _WORKER = Typesetting(issue, Report(overrides=overrides), typesetter, as_parts=True)
    _WORKER.part_options = part_options
    # What laying out and writing a part imports on first use, imported now: once memory is
    # bounded, loading a library could fail for want of memory that the input did not take.
    import lxml.html  # noqa: F401
    import pikepdf  # noqa: F401

    import pica_publish.mathtex
    import pica_publish.pdfjoin
    import pica_publish.svg  # noqa: F401

    layout.limit_memory(layout_memory)


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
    try:
        result = lay_out_part(run, part, folio, {}, known=known)
    except (MemoryError, ImportError):  # past the worker's bound outside the layout itself
        run.laid_out.clear()
        run.report.add(
            rules.LAYOUT_RESOURCE,
            "cannot lay out: the part needs more memory than a part may use",
            _part_location(run.issue, part),
        )
        result = None
    return result, list(run.report.diagnostics)


def typeset_parts(
    state: BuildState,
    run: Typesetting,
    key: LayoutKey,
    plan: PrintPlan,
    parts: tuple[list[PrintPart], PrintPart, list[PrintPart], PrintPart | None],
) -> BuildState:
    """The reading PDFs from parts: each part laid out alone (or reused from the part cache),
    written as its own tagged PDF, and the issue and offprints joined from them."""

    assert run.parts is not None
    articles = parts[2]
    if state.options.jobs > 1 and len(articles) > 1:
        run.workers = Workers(run, min(state.options.jobs, len(articles)), key.stylesheet)
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
    if files is None:
        return state
    files[PREFLIGHT] = preflight_json(faults)
    if not run.report.has_errors:
        run.parts.prune()  # keep this issue's parts, drop older versions
        record_searches(run, [p.slug for p in articles], laid.articles)
        if run.joined is not None:
            run.joined.prune()
        if run.fonts is not None:
            run.fonts.prune()
        print_sources.record(state.options.cache_path, run.issue)
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
    if options.print_master:
        stylesheet += PRINT_MASTER_CSS
    pdf_options = PdfOptions.for_build(
        issue, options.archive, options.source_date_epoch, print_master=options.print_master
    )
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
    if state.issue is not None:
        print_sources.record(state.options.cache_path, state.issue)
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
    context = {**part.context, "single_page": single_page, "provisional": run.provisional}
    if part.kind == "article":
        article = context["article"]
        segments = print_body(article.body_html, article.notes_html, placement.deferral_map)
        context = {**context, "article": dataclasses.replace(article, segments=tuple(segments))}
    html = render(part.template, folio=folio, page_map=page_map, **context)
    if run.as_parts:
        from pica_publish.pdfjoin import CROSS_PART_PREFIX

        html = cross_part_links(html, CROSS_PART_PREFIX)
    return html


def lay_out_article(
    run: Typesetting,
    part: PrintPart,
    start: int,
    page_map: PageMap,
    known: Placement | None = None,
) -> tuple[LaidOut | LaidOutAhead, Placement, tuple[Placement, ...] | None] | None:
    """One article from page ``start``, its floats placed (:func:`pica_publish.placement.place`)
    to leave the fewest make-up faults; laid out once more when it fits on one page. ``known``:
    the placement this article got at another folio (its pages are the same but for the
    folios and running heads), laid out once instead of searched for.

    Returns the best layout (made here, or ahead in another process: :class:`ArticleSearch`),
    its placement, and the placements the search tried (None when there was no search)."""
    run.laid_out.clear()
    chapter = next((c for c in run.issue.chapters if c.slug == part.slug), None)
    if known is not None or chapter is None:
        laid = lay_out(run, part, start, page_map, known)
        if laid is None:
            return None
        best: LaidOut | LaidOutAhead = laid
        placement, tried = known or Placement(), None
    else:
        with ArticleSearch(run, part, start, page_map, chapter) as search:
            found = search.search()
        if found is None:
            return None
        best, placement, tried = found.best.layout, found.placement, found.tried
    if best.page_count == 1:
        # "CATnews Special Issue 13, 4." rather than "4–4": the one case where the printed
        # range needs to know the page count; a one-page layout is cheap.
        again = lay_out(run, part, start, page_map, placement, single_page=True)
        if again is not None and again.page_count == 1:
            best = again
    if isinstance(best, LaidOutAhead):
        return best, placement, tried
    return dataclasses.replace(best, placement=placement), placement, tried


@dataclass(frozen=True)
class LaidOutAhead:
    """An article's layout made ahead in another process (:mod:`pica_publish.ahead`): all that
    the search and the part need of it, its PDF written there."""

    pdf: bytes
    page_count: int
    faults: tuple[Fault, ...]
    warnings: tuple[str, ...]
    score: Score
    culprits: tuple[int, ...]
    holes: bool
    long_runs: tuple[str, ...]


class ArticleSearch:
    """The search for an article's placement (:func:`pica_publish.placement.place`), each
    placement it tries laid out once. When the build may use another core
    (:attr:`Typesetting.ahead`), the placements that this article's last search tried
    (:attr:`Typesetting.searches`) are laid out there meanwhile, while the first layout is
    made here; a placement the search asks for is then taken from there, if it is one of them.
    The result is the same either way: the same code lays out the same HTML."""

    def __init__(
        self, run: Typesetting, part: PrintPart, start: int, page_map: PageMap, chapter: Chapter
    ) -> None:
        from pica_publish import layout

        self.run, self.part, self.start, self.page_map = run, part, start, page_map
        self.chapter = chapter
        self.trials: dict[tuple[str, str], Trial] = {}
        self.ahead: ahead.Ahead[Placement, LaidOutAhead | None] | None = None
        hints = [p for p in dict.fromkeys(run.searches.get(part.slug, ())) if p != Placement()]
        if run.ahead and hints:
            LOGGER.info("    %s: laying out %d placement(s) ahead", _name(part), len(hints))
            self.ahead = ahead.Ahead(
                self.lay_out_here,
                hints[: MAX_TRIES + MAX_RUN_TRIES],
                seconds=layout.LAYOUT_SECONDS + 60,
                memory=layout.LAYOUT_MEMORY,
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.ahead is not None:
            self.ahead.stop()

    def search(self) -> Search | None:
        first = self.trial(Placement())
        if first is None:
            return None
        return place(first, self.trial)

    def trial(self, placement: Placement) -> Trial | None:
        """The layout of ``placement``, once for the same HTML and style (a move that changes
        nothing costs no layout and no try: ``place`` relies on it)."""
        run = self.run
        html = render_part(run, self.part, self.start, self.page_map, placement)
        key = (html, placement.css())
        if key in self.trials:
            return self.trials[key]
        made = None
        if self.ahead is not None and placement in self.ahead:
            made = self.ahead.take(placement)
        if made is not None:
            LOGGER.info("    %s: took a layout made ahead", _name(self.part))
            where = _part_location(run.issue, self.part)
            for warning in made.warnings:
                run.report.add(rules.LAYOUT_WARNING, warning, where)
            found = Trial(made, made.score, made.culprits, made.holes, made.long_runs)
        else:
            laid = lay_out(run, self.part, self.start, self.page_map, placement)
            if laid is None:
                return None
            found = summarise(laid, judge(laid, chapter=self.chapter, start=self.start))
        self.trials[key] = found
        return found

    def lay_out_here(self, placement: Placement) -> LaidOutAhead | None:
        """``placement`` laid out, judged and written (in the process laying out ahead); None
        when it cannot be (the search lays it out itself, and reports why)."""
        from pica_publish.layout import LayoutError, PdfOptions, Typesetter

        run, part = self.run, self.part
        html = render_part(run, part, self.start, self.page_map, placement)
        try:
            laid = run.typesetter.lay_out(
                html, Path(part.base_path or run.issue.root), placement.css()
            )
            laid = dataclasses.replace(laid, kind=part.kind, folio=self.start, placement=placement)
            score, faults = judged(laid, chapter=self.chapter, start=self.start)
            trial = summarise(laid, score)
            pdf = Typesetter.join([laid], run.part_options or PdfOptions())
        except LayoutError:
            return None
        return LaidOutAhead(
            pdf,
            laid.page_count,
            tuple(faults),
            tuple(laid.warnings),
            score,
            trial.culprits,
            trial.holes,
            trial.long_runs,
        )


# --- the issue as parts: each laid out and written alone, cached, then joined ------------------


@dataclass(frozen=True)
class IssueParts:
    """The parts of the issue as PDFs, in order, with the final page map (:func:`lay_out_parts`)."""

    front: list[PartPdf]
    contents: PartPdf
    articles: list[PartPdf]
    page_map: PageMap
    back: PartPdf | None = None
    """The pages after the last article (:func:`back_pages`), None for a preview."""


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
    """:func:`part_pdf` without the cache: here or in a worker process (:class:`Pipeline`);
    ``known`` as for :func:`lay_out_article`."""
    from pica_publish.layout import LayoutError, PdfOptions, Typesetter

    tried = None
    if part.kind == "article":
        article = lay_out_article(run, part, folio, page_map, known)
        if article is None:
            return None
        made, placement, tried = article
        if isinstance(made, LaidOutAhead):  # laid out, judged and written on another core
            run.laid_out.clear()
            pdf = made.pdf if write else b""
            return PartPdf(pdf, made.page_count, made.faults, placement, tried)
        laid: LaidOut | None = made
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
    kept = laid.placement if isinstance(laid.placement, Placement) else None
    return PartPdf(pdf, laid.page_count, tuple(faults), kept, tried)


Request = tuple[PrintPart, int, "Placement | None"]
"""An article to lay out: the part, its first folio, and the placement it got elsewhere."""


def cached_or_laid_out(run: Typesetting, part: PrintPart, folio: int) -> PartPdf | None:
    """An article from ``folio``, here: read from the part cache, or laid out and kept there.
    None when it cannot be laid out (reported)."""
    assert run.parts is not None
    digest = _digest(run, part, folio, {})
    cached = run.parts.get(digest)
    if cached is not None and cached.pdf:
        LOGGER.info("    %s from page %d: unchanged (laid out before)", _name(part), folio)
        reporter().advance(_name(part), "unchanged")
        return cached
    last = read_page_map(run.build_path) if run.build_path else {}
    known = placement_from_before(run, part, last)
    how = " with its placement from before" if known else ""
    LOGGER.info("    %s from page %d: laying out%s", _name(part), folio, how)
    result = lay_out_part(run, part, folio, {}, known=known)
    if result is not None:
        run.parts.put(digest, result)
        reporter().advance(_name(part), "laid out")
    return result


def lay_out_parts(
    run: Typesetting,
    front: list[PrintPart],
    contents_part: PrintPart,
    articles: list[PrintPart],
    back_part: PrintPart | None = None,
) -> IssueParts | None:
    """Every part from its first folio: the cover and the masthead, the contents (first with
    placeholder page numbers, to learn its length), the articles, and the contents again with
    the page map, until its page count settles.

    The articles are laid out by :func:`lay_out_articles`: in parallel from the best folios
    known (:class:`Pipeline`), or one after another with one job."""
    if run.workers is not None and likely_to_lay_out(run, articles) > 1:
        run.workers.start()  # the workers get ready while the front is laid out here
    front_pdfs = front_parts(run, front)
    if front_pdfs is None:
        return None
    folio = front_end(run, front_pdfs)
    placeholder = {p.slug: (PLACEHOLDER_PAGE, PLACEHOLDER_PAGE) for p in articles}
    contents = part_pdf(run, contents_part, folio, placeholder, write=False)
    if contents is None:
        return None
    for _attempt in range(CONTENTS_ATTEMPTS):
        start = folio + contents.page_count
        reporter().items("articles laid out", len(articles))
        laid = lay_out_articles(run, articles, start)
        if laid is None:
            return None
        article_pdfs, page_map = laid
        final = part_pdf(run, contents_part, folio, page_map)
        if final is None:
            return None
        if final.page_count == contents.page_count:
            back = None
            if back_part is not None:
                back = lay_out_back(run, back_part, page_map, start, article_pdfs)
                if back is None:
                    return None
            return IssueParts(front_pdfs, final, article_pdfs, page_map, back)
        contents = final
    run.report.add(
        rules.LAYOUT_CONTENTS, "the contents page count does not settle", Location("issue.yml")
    )
    return None


def back_pages(first_page: int, next_folio: int) -> int:
    """How many pages follow the last article (which ends before ``next_folio``): a printed
    issue has a multiple of four pages, the last two the inside back cover and the back
    cover; the pages between them and the articles are notes pages."""
    printed = next_folio - first_page
    return (-(printed + 2)) % 4 + 2


def lay_out_back(
    run: Typesetting,
    back_part: PrintPart,
    page_map: PageMap,
    start: int,
    article_pdfs: list[PartPdf],
) -> PartPdf | None:
    """The back pages from the folio after the last article, as many as :func:`back_pages`
    says; None (reported) if they do not come out as that many pages."""
    folio = start + sum(done.page_count for done in article_pdfs)
    count = back_pages(run.issue.manifest.first_page, folio)
    part = dataclasses.replace(back_part, context={**back_part.context, "notes_pages": count - 2})
    back = part_pdf(run, part, folio, page_map)
    if back is not None and back.page_count != count:
        run.report.add(
            rules.LAYOUT_CONTENTS,
            f"the back pages came out as {back.page_count} pages, not {count}: the issue would "
            "not be a multiple of four pages",
            Location("issue.yml"),
        )
        return None
    return back


def likely_to_lay_out(run: Typesetting, articles: list[PrintPart]) -> int:
    """How many articles are not in the part cache at their folio of the last build: none
    after an edit of the front matter, one after an edit of one article. With one or none,
    no worker process starts unless more turn out to need a layout (:class:`Pipeline`)."""
    assert run.parts is not None
    last = read_page_map(run.build_path) if run.build_path else {}
    return sum(
        1
        for part in articles
        if part.slug not in last
        or (found := run.parts.get(_digest(run, part, last[part.slug][0], {}))) is None
        or not found.pdf
    )


def placement_from_before(run: Typesetting, part: PrintPart, last: PageMap) -> Placement | None:
    """The placement an article got in the last build, when its text is unchanged and only its
    folio moved (an article before it grew): in the part cache at its folio of that build. Its
    pages are the same but for their numbers and running heads, so that placement is the one a
    search would find again; one layout instead of a search."""
    assert run.parts is not None
    if part.kind != "article" or part.slug not in last:
        return None
    before = run.parts.get(_digest(run, part, last[part.slug][0], {}))
    return before.placement if before is not None else None


ARTICLE_ROUNDS = 4
"""How often one article may be laid out in one build before its page numbers are said not to
settle: once from a provisional folio, once from its real one; more only if its page count
depended on its folio."""


def lay_out_articles(
    run: Typesetting, articles: list[PrintPart], start: int
) -> tuple[list[PartPdf], PageMap] | None:
    """The articles from ``start``, one after another, and their page map. In one process, each
    from the folio the one before it ends at; with worker processes, pipelined
    (:class:`Pipeline`)."""
    if run.workers is None:
        one_by_one: list[PartPdf] = []
        placed: PageMap = {}
        at = start
        for part in articles:
            single = cached_or_laid_out(run, part, at)
            if single is None:
                return None
            one_by_one.append(single)
            placed[part.slug] = (at, at + single.page_count - 1)
            at += single.page_count
        return one_by_one, placed
    return Pipeline(run, run.workers, articles, start).lay_out()


@dataclass
class Pipeline:
    """The articles laid out by the worker processes, in issue order, never more at once than
    there are workers, so that each article starts from the best folio known when a worker
    takes it: its real one when every article before it is done, else a provisional one (the
    articles still being laid out counted at their last build's length, or estimated from
    their text, :func:`estimated_pages`). An article's page count does not depend on its folio
    (only its page numbers and running heads do), so one laid out from a wrong folio is laid
    out once more from its real one with the placement it got (one layout, no search), as soon
    as that folio is known, ahead of the articles not yet started. The part cache answers for
    any article unchanged at that folio."""

    run: Typesetting
    workers: Workers
    articles: list[PrintPart]
    start: int
    last: PageMap = field(default_factory=dict)
    """The last build's page map (``pagemap.json``): page counts to expect."""
    done: dict[str, tuple[int, PartPdf]] = field(default_factory=dict)
    """Slug → (the folio it was laid out from, the result)."""
    running: dict[Future[tuple[PartPdf | None, list[Diagnostic]]], tuple[int, int, str]] = field(
        default_factory=dict
    )
    """A job → (article index, folio, cache digest)."""
    attempts: dict[str, int] = field(default_factory=dict)
    taken: set[int] = field(default_factory=set)
    """The articles given to a worker (or found in the cache) so far."""
    here: bool = True
    """The first article to lay out may be laid out in this process (when the workers were
    not started: see :func:`likely_to_lay_out`)."""

    def next_article(self) -> int:
        """The costliest article first (it would otherwise end the build alone on one core:
        the strategy chapter, with its tables, is laid out last), then the others in order,
        each from the best folio known by then."""
        if not self.taken:
            costs = [expected_cost(part) for part in self.articles]
            return costs.index(max(costs))
        return min(set(range(len(self.articles))) - self.taken)

    def lay_out(self) -> tuple[list[PartPdf], PageMap] | None:
        if self.run.build_path is not None:
            self.last = read_page_map(self.run.build_path)
        failed = False
        try:
            while failed or not self.settled():
                if not failed and not self.fill(self.real_folios()):
                    failed = True
                if not self.running:
                    if failed:
                        return None
                    continue  # a cached result moved the folios after it: fill again
                finished, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for job in sorted(finished, key=lambda job: self.running[job][0]):
                    # After a failure, the jobs running still report their problems.
                    failed = not self.collect(job) or failed
        finally:
            for job in self.running:
                job.cancel()
        real = self.real_folios()
        page_map = {
            p.slug: (real[p.slug], real[p.slug] + self.done[p.slug][1].page_count - 1)
            for p in self.articles
        }
        return [self.done[p.slug][1] for p in self.articles], page_map

    def settled(self) -> bool:
        """Every article laid out from its real folio, and nothing running."""
        real = self.real_folios()
        return not self.running and all(
            part.slug in self.done and self.done[part.slug][0] == real[part.slug]
            for part in self.articles
        )

    def real_folios(self) -> dict[str, int]:
        """The folios known for certain: every article up to the first whose page count is
        not known yet (that one included)."""
        real: dict[str, int] = {}
        folio = self.start
        for part in self.articles:
            real[part.slug] = folio
            if part.slug not in self.done:
                break
            folio += self.done[part.slug][1].page_count
        return real

    def provisional(self, index: int, real: dict[str, int]) -> int:
        """The best guess of article ``index``'s first folio."""
        known = [i for i, p in enumerate(self.articles[:index]) if p.slug in real]
        anchor = known[-1] if known else 0
        folio = real.get(self.articles[anchor].slug, self.start)
        for part in self.articles[anchor:index]:
            folio += self.expected_pages(part)
        return folio

    def expected_pages(self, part: PrintPart) -> int:
        if part.slug in self.done:
            return self.done[part.slug][1].page_count
        if part.slug in self.last:
            first, final = self.last[part.slug]
            return final - first + 1
        return estimated_pages(self.run, part, self.measured())

    def measured(self) -> list[tuple[int, int]]:
        """(characters, pages) of the articles laid out so far in this build."""
        return [
            (_body_length(self.run, part), self.done[part.slug][1].page_count)
            for part in self.articles
            if part.slug in self.done
        ]

    def fill(self, real: dict[str, int]) -> bool:
        """Give the free workers work: first the articles laid out from a wrong folio whose
        real one is now known, then the next articles in order. False when an article does
        not settle (reported)."""
        busy = {self.running[job][0] for job in self.running}
        for index, part in enumerate(self.articles):
            if len(self.running) >= self.workers.jobs:
                return True
            folio = real.get(part.slug)
            if folio is None or part.slug not in self.done or index in busy:
                continue
            laid_from, result = self.done[part.slug]
            if laid_from != folio and not self.request(index, folio, result.placement):
                return False
        while len(self.running) < self.workers.jobs and len(self.taken) < len(self.articles):
            index = self.next_article()
            self.taken.add(index)
            part = self.articles[index]
            folio = real.get(part.slug) or self.provisional(index, real)
            if not self.request(index, folio, None):
                return False
            real = self.real_folios()  # a cached article may have made the next one's known
        return True

    def request(self, index: int, folio: int, known: Placement | None) -> bool:
        """Article ``index`` from ``folio``: from the part cache when it is there, else sent
        to a worker. False when it was laid out too often already (reported)."""
        run, part = self.run, self.articles[index]
        assert run.parts is not None
        self.attempts[part.slug] = self.attempts.get(part.slug, 0) + 1
        if self.attempts[part.slug] > ARTICLE_ROUNDS:
            run.report.add(
                rules.LAYOUT_CONTENTS,
                f"the page numbers of {part.slug} do not settle",
                _part_location(run.issue, part),
            )
            return False
        digest = _digest(run, part, folio, {})
        cached = run.parts.get(digest)
        if cached is not None and cached.pdf:
            LOGGER.info("    %s from page %d: unchanged (laid out before)", _name(part), folio)
            self.finished(part, folio, cached, "unchanged")
            return True
        known = known or placement_from_before(run, part, self.last)
        how = " with its placement from before" if known else ""
        LOGGER.info("    %s from page %d: laying out%s", _name(part), folio, how)
        if self.here and not self.workers.started:
            # The workers were not started: the build expected one article at most to lay out
            # (an edit of one chapter). That one is laid out here, without their start-up;
            # any more go to the workers.
            self.here = False
            result = lay_out_part(run, part, folio, {}, known=known)
            if result is None:
                return False
            run.parts.put(digest, result)
            self.finished(part, folio, result, "laid out")
            return True
        self.running[self.workers.submit((part, folio, known))] = (index, folio, digest)
        return True

    def collect(self, job: Future[tuple[PartPdf | None, list[Diagnostic]]]) -> bool:
        """A finished job's result, kept (and cached); False when it failed (reported)."""
        index, folio, digest = self.running.pop(job)
        try:
            result, diagnostics = job.result()
        except BrokenProcessPool:  # every job still running fails the same way: say it once
            if self.workers.pool is not None:
                self.workers.close()
                self.run.report.extend([stopped_worker()])
            return False
        self.run.report.extend(diagnostics)
        if result is None:
            return False
        assert self.run.parts is not None
        self.run.parts.put(digest, result)
        self.finished(self.articles[index], folio, result, "laid out")
        return True

    def finished(self, part: PrintPart, folio: int, result: PartPdf, how: str) -> None:
        """Keep ``result``, laid out from ``folio``; the display counts each article once."""
        if part.slug not in self.done:
            reporter().advance(part.slug, how)
        self.done[part.slug] = (folio, result)


def expected_cost(part: PrintPart) -> int:
    """How long an article will probably take to lay out, in no unit: its length, times one
    more than its floats (each float is placed by trying where it goes, and tables are laid
    out again at each try of column balancing)."""
    article = part.context.get("article")
    html = str(getattr(article, "body_html", ""))
    return len(html) * (1 + html.count("<table") + html.count("<figure"))


CHARACTERS_A_PAGE = 3000
"""About what a two-column page of the house style holds (the sample issue: 2,400 to 4,100),
for a first guess of page counts before any article of the build is laid out."""
FIXED_PAGES = 0.5
"""What an article takes besides its text: the title block, the references."""


def estimated_pages(
    run: Typesetting, part: PrintPart, measured: Sequence[tuple[int, int]] = ()
) -> int:
    """A guess of an article's page count from the length of its text, at the characters a
    page of the articles ``measured`` so far (characters, pages) held, else at
    :data:`CHARACTERS_A_PAGE`."""
    text = sum(length for length, _pages in measured)
    pages = sum(count - FIXED_PAGES for _length, count in measured)
    per_page = text / pages if text and pages > 0 else CHARACTERS_A_PAGE
    return max(1, round(FIXED_PAGES + _body_length(run, part) / per_page))


def _body_length(run: Typesetting, part: PrintPart) -> int:
    chapter = next((c for c in run.issue.chapters if c.slug == part.slug), None)
    return len(chapter.body) if chapter else 0


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
) -> dict[str, bytes] | None:
    """The issue PDF and one offprint per article (cover, masthead, the article), joined from
    the part PDFs (:func:`pica_publish.pdfjoin.join_pdfs`): structure tree, outline, links,
    named destinations and page labels kept. None when one cannot be joined (reported)."""
    from pica_publish.pdfjoin import Part

    articles = [p for p in plan.parts if p.kind == "article"]
    LOGGER.info("    joining the issue PDF and %d offprints", len(articles))
    front = _front_pieces(run, laid.front)
    contents = Part(laid.contents.pdf, front_end(run, laid.front))
    meta = issue_metadata(run, key, laid.front[0].pdf if laid.front else laid.contents.pdf)
    if meta is None:
        return None
    pieces = [
        Part(done.pdf, laid.page_map[part.slug][0])
        for part, done in zip(articles, laid.articles, strict=True)
    ]
    back = []
    if laid.back is not None:
        last_article = articles[-1].slug
        back = [Part(laid.back.pdf, laid.page_map[last_article][1] + 1)]
    issue = _join(run, [*front, contents, *pieces, *back], meta, Location("issue.yml"))
    if issue is None:
        return None
    if key.pdf_options.variant == "pdf/x-4":  # the print master: the issue alone
        return {f"print/{print_master_name(run.issue)}": issue}
    files = {f"pdf/{issue_pdf_name(run.issue)}": issue}
    for part, piece in zip(articles, pieces, strict=True):
        offprint_meta = offprint_metadata(run, key, part.slug)
        where = _part_location(run.issue, part)
        offprint = (
            None if offprint_meta is None else _join(run, [*front, piece], offprint_meta, where)
        )
        if offprint is None:
            return None
        files[f"pdf/offprints/{part.slug}.pdf"] = offprint
    return files


def front_end(run: Typesetting, front: list[PartPdf]) -> int:
    """The folio after the cover and the masthead."""
    return run.issue.manifest.first_page + sum(done.page_count for done in front)


def _front_pieces(run: Typesetting, front: list[PartPdf]) -> list[Part]:
    from pica_publish.pdfjoin import Part

    pieces: list[Part] = []
    folio = run.issue.manifest.first_page
    for done in front:
        pieces.append(Part(done.pdf, folio))
        folio += done.page_count
    return pieces


def issue_metadata(run: Typesetting, key: LayoutKey, first: bytes) -> JoinMetadata | None:
    """The issue PDF's metadata: title, editors and keywords as the cover's HTML gave them,
    the language, the date, and for an archive the PDF/A-3u identification and the sources.
    None when a source cannot be attached (reported)."""
    meta = first_part_metadata(first)
    return _with_build_metadata(run, key, meta)


def offprint_metadata(run: Typesetting, key: LayoutKey, slug: str) -> JoinMetadata | None:
    """An offprint's metadata: the article's own title, authors and keywords."""
    from pica_publish.pdfjoin import JoinMetadata

    offprint = key.pdf_options.for_article(run.issue, slug)
    meta = JoinMetadata(
        title=offprint.title or slug,
        authors=offprint.authors or (),
        keywords=offprint.keywords or (),
    )
    return _with_build_metadata(run, key, meta)


def _with_build_metadata(
    run: Typesetting, key: LayoutKey, meta: JoinMetadata
) -> JoinMetadata | None:
    from pica_publish.layout import LayoutError, source_bytes
    from pica_publish.pdfjoin import Attachment

    options = key.pdf_options
    try:
        attachments = tuple(
            Attachment(name, source_bytes(name, path, options.source_root))
            for name, path in options.attachments
        )
    except LayoutError as error:
        for problem in error.problems:
            run.report.add(
                rules.LAYOUT_WRITE, f"cannot write the PDF: {problem}", Location("issue.yml")
            )
        return None
    created = options.created
    if options.variant == "pdf/x-4" and created is None:
        # PDF/X dates every master; SOURCE_DATE_EPOCH keeps two builds identical
        created = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dataclasses.replace(
        meta,
        lang=run.issue.manifest.language,
        created=created,
        archival=options.variant == "pdf/a-3u",
        print_master=options.variant == "pdf/x-4",
        attachments=attachments,
    )


def _join(
    run: Typesetting, pieces: list[Part], meta: JoinMetadata, where: Location
) -> bytes | None:
    """One joined PDF (from the join cache when its parts and metadata are unchanged), or None
    when the parts cannot be joined (reported at ``where``)."""
    from pica_publish.pdfjoin import JoinError, join_pdfs

    # The sources attached to an archive count by their digest, not by a repr of their bytes.
    sources = [
        (a.name, a.mime_type, a.description, hashlib.sha256(a.data).hexdigest())
        for a in meta.attachments
    ]
    described = repr((dataclasses.replace(meta, attachments=()), sources))
    key = JoinedCache.key([p.pdf for p in pieces], [p.first_folio for p in pieces], described)
    if run.joined is not None and (cached := run.joined.get(key)) is not None:
        return cached
    try:
        joined = join_pdfs(pieces, meta, fonts=run.fonts)
    except JoinError as error:
        run.report.add(rules.LAYOUT_WRITE, f"cannot write the PDF: {error}", where)
        return None
    if run.joined is not None:
        run.joined.put(key, joined)
    return joined


def typeset_preview(
    state: BuildState,
    run: Typesetting,
    key: LayoutKey,
    front: list[PrintPart],
    part: PrintPart,
) -> BuildState:
    """A chapter preview: the cover, the masthead and the one article, from its first page in
    the last full build (else right after the masthead), as ``preview/SLUG.pdf`` with its
    ``preview/preflight.json``. Its parts come from (and go to) the part cache that full builds
    use: the preview of an article unchanged since the last build lays nothing out."""
    from pica_publish.pdfjoin import Part

    front_pdfs = front_parts(run, front)
    if front_pdfs is None:
        return state
    folio = front_end(run, front_pdfs)
    start = last_first_page(state.options.build_path, part.slug) or folio
    if not print_sources.first_page_certain(state.options.cache_path, run.issue, part.slug):
        run.provisional = True
        run.report.add(
            rules.PAGES_PROVISIONAL,
            f"page numbers are provisional: the preview starts at page {start}, which no "
            "full build of the issue as it is now confirms",
            _part_location(run.issue, part),
        )
    article = cached_or_laid_out(run, part, start)
    if article is None:
        return state
    report_faults(run.report, list(article.faults))
    meta = offprint_metadata(run, key, part.slug)
    pieces = [*_front_pieces(run, front_pdfs), Part(article.pdf, start)]
    pdf = None if meta is None else _join(run, pieces, meta, _part_location(run.issue, part))
    if pdf is None:
        return state
    files = {
        f"preview/{part.slug}.pdf": pdf,
        "preview/preflight.json": preflight_json(list(article.faults)),
    }
    return dataclasses.replace(state, files={**state.files, **files})


def front_parts(run: Typesetting, front: list[PrintPart]) -> list[PartPdf] | None:
    """The cover and the masthead, one after the other from the issue's first page."""
    folio = run.issue.manifest.first_page
    done: list[PartPdf] = []
    for part in front:
        result = part_pdf(run, part, folio, {})
        if result is None:
            return None
        done.append(result)
        folio += result.page_count
    return done


def record_searches(run: Typesetting, slugs: list[str], done: list[PartPdf]) -> None:
    """Keep what each article's search tried in this build (:data:`pica_publish.part_cache.SEARCHES`), for the next;
    an article laid out without a search keeps what its last search tried."""
    assert run.parts is not None
    searches = {s: run.searches[s] for s in slugs if s in run.searches}
    searches.update({s: p.tried for s, p in zip(slugs, done, strict=True) if p.tried is not None})
    if searches != run.searches:
        write_searches(run.parts.folder, searches)


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


PRINT_MASTER_CSS = """
/* The print master (make print): crop marks on every page, in an 8 mm margin around the page;
   the join sets the BleedBox 3 mm out (pdfjoin.set_bleed_boxes), the bleed the photographs run
   into. The page boxes keep their size, so every page is laid out as in the reading PDF. */
@page { bleed: 8mm; marks: crop; }
"""


def print_master_name(issue: Issue) -> str:
    """``catnews-special-issue-13-print.pdf``."""
    return issue_pdf_name(issue).removesuffix(".pdf") + "-print.pdf"


_TYPESETTERS: dict[tuple[tuple[Path, ...], str], Typesetter] = {}


def shared_typesetter(roots: Sequence[Path], stylesheet: str) -> Typesetter:
    """The typesetter of the last build in this process if its files and stylesheet are the
    same (``serve`` and the benchmark build again and again: the fonts and the stylesheet are
    loaded once), else a new one, kept instead."""
    key = (tuple(roots), stylesheet)
    from pica_publish.layout import Typesetter  # WeasyPrint: only when something is laid out

    if key not in _TYPESETTERS:
        _TYPESETTERS.clear()
        _TYPESETTERS[key] = Typesetter(roots, stylesheet)
    return _TYPESETTERS[key]


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
    return judged(laid, chapter=chapter, start=start)[0]


def judged(laid: LaidOut, *, chapter: Chapter, start: int) -> tuple[Score, list[Fault]]:
    """:func:`judge`'s score, and the make-up faults it counted."""
    reading = read_pages(laid.document, start)  # once, for both measures
    faults = preflight(laid, chapter, start, reading)
    return (len(faults), laid.page_count, round(hole_total(reading))), faults


def _part_location(issue: Issue, part: PrintPart) -> Location:
    chapter = next(
        (c for c in issue.chapters if c.slug == part.slug and part.kind == "article"), None
    )
    return Location(chapter.display_path) if chapter else Location("issue.yml")
