"""Stage 6, *web*: the HTML edition, a static site that needs no server and no other host.

Consumes the converted chapters and, when the print edition exists, the page map and PDFs (from
this build, else from the last one in ``build/``): page ranges, downloads and the cover image are
included only then. Produces ``html/``: the landing page, one page per article (with its
citation as BibTeX and RIS), the authors index, the search page and its Pagefind index, a 404
page, ``sitemap.xml``, ``robots.txt``, and the stylesheet with the fonts cut to the characters
of the pages (or, for a preview, one article under ``preview/html/``).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pica_publish import rules
from pica_publish.citation import suggested_citations
from pica_publish.diagnostics import Location
from pica_publish.exports.records import ArticleRecord, article_records
from pica_publish.htmltree import element, parse, serialise
from pica_publish.inputs import InputRefused
from pica_publish.model import Chapter, Issue
from pica_publish.pagemap import issue_pdf_name, read_page_map
from pica_publish.print_sources import page_numbers_current
from pica_publish.site.backlinks import add_backlinks
from pica_publish.site.cite import citation_downloads, citation_files
from pica_publish.site.cover import cover_jpeg
from pica_publish.site.headings import heading_ids
from pica_publish.site.math import MATH_FONT, MATH_FONT_FACE, has_math, math_font, mathml_body
from pica_publish.site.metadata import article_head, issue_jsonld, json_ld
from pica_publish.site.search import search_index
from pica_publish.state import BuildState
from pica_publish.theme import render, theme_path
from pica_publish.views import ArticleView, IndexedAuthor, article_context
from pica_publish.web_fonts import WebFonts, web_fonts
from pica_publish.web_images import rewrite_img, web_image

SCRIPTS = ("search.js", "cite.js")
"""The site's own scripts (``theme/js``), published under ``assets/``; every page works
without them."""
ROLE_GROUPS = (
    ("Front matter", ("editorial", "prologue")),
    ("Chapters", ("chapter", "strategy")),
    ("Back matter", ("appendix",)),
)


def web(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None or state.report.has_errors or "html" not in state.options.outputs:
        return state
    preview = state.options.preview is not None
    site = "preview/html" if preview else "html"
    chapters = [c for c in issue.chapters if c.slug in state.converted]
    pdfs = {} if preview else available_pdfs(state, issue)
    page_map = dict(state.page_map) or (read_page_map(state.options.build_path) if pdfs else {})
    if pdfs and not state.page_map and not page_numbers_current(state.options.cache_path, issue):
        # The PDFs and page ranges of the last print build are of other chapters than these.
        state.report.add(
            rules.PRINT_EDITION_STALE,
            "the print edition was built from other chapters than these: the web edition "
            "leaves out its PDFs and page ranges",
            Location("issue.yml"),
        )
        pdfs, page_map = {}, {}
    citations = suggested_citations(
        issue, page_map, state.options.cache_path, {c.slug for c in chapters}
    )
    records = {r.chapter.slug: r for r in article_records(issue, page_map, citations)}
    files: dict[str, bytes] = {}
    for name, data in pdfs.items():
        files[f"{site}/{name}"] = data
    cover = None
    issue_pdf = f"pdf/{issue_pdf_name(issue)}"
    if issue_pdf in pdfs:
        files[f"{site}/assets/cover.jpg"] = cover_jpeg(pdfs[issue_pdf])
        cover = "assets/cover.jpg"
    articles = [
        web_article(state, issue, chapter, records[chapter.slug], pdfs, cover)
        for chapter in chapters
    ]
    shared = {
        "issue": issue.manifest,
        "articles": articles,
        "groups": [
            (title, [a for a in articles if a.role in roles]) for title, roles in ROLE_GROUPS
        ],
        "issue_pdf": issue_pdf if issue_pdf in pdfs else None,
        "cover": cover,
        "search": not preview,
    }
    config = issue.manifest
    specs: dict[str, tuple[str, dict[str, Any]]] = {}  # page → template, its own context
    for number, (chapter, article) in enumerate(zip(chapters, articles, strict=True)):
        body = article.body_html
        for src, path in sorted(state.images.get(chapter.slug, {}).items()):
            try:
                image = web_image(path, root=issue.root)  # named by content: no collisions
            except InputRefused as refused:
                state.report.add(
                    rules.IMAGE_OUTSIDE,
                    f"image '{src}' {refused.reason}",
                    Location(chapter.display_path),
                )
                continue
            for name, data in image.files.items():
                files[f"{site}/{chapter.slug}/{name}"] = data
            body = rewrite_img(body, src, image.src, image.attributes)
        for name, data in citation_files(config, records[chapter.slug]).items():
            files[f"{site}/{chapter.slug}/{name}"] = data
        specs[f"{chapter.slug}/index.html"] = (
            "web/article.html",
            {
                "root": "../",
                "article": dataclasses.replace(article, body_html=body),
                "previous": articles[number - 1] if number > 0 else None,
                "next": articles[number + 1] if number + 1 < len(articles) else None,
            },
        )
    if not preview:
        landing_meta = json_ld(
            {
                "@context": "https://schema.org",
                **issue_jsonld(config, cover and config.base_url + cover),
            }
        )
        # an issue may have no editorial (any valid manifest builds)
        editorial = next((a for a in articles if a.role == "editorial"), None)
        specs["index.html"] = (
            "web/index.html",
            {"root": "", "jsonld": landing_meta, "editorial": editorial},
        )
        specs["authors/index.html"] = (
            "web/authors.html",
            {"root": "../", "authors": authors_index(articles)},
        )
        specs["search/index.html"] = ("web/search.html", {"root": "../"})
        specs["404.html"] = ("web/404.html", {"root": urlsplit(config.base_url).path})
    # The fonts are cut to the characters of the pages, and the pages name the fonts they
    # preload: the pages are rendered to read their text, with the fonts' names of the last
    # build of this site in this process (names change no text), and again if they changed.
    guess = _LAST_PRELOAD.get(site, ())
    pages = render_pages(specs, shared, preload=guess)
    fonts = web_fonts(pages.values())
    if fonts.preload != guess:
        pages = render_pages(specs, shared, preload=fonts.preload)
        _LAST_PRELOAD[site] = fonts.preload
    if not preview:
        indexed = {p: h for p, h in pages.items() if p not in ("404.html", "search/index.html")}
        kept = (
            published_index(state.options.build_path / site) if state.options.defer_search else {}
        )
        try:
            if kept:
                index = kept
            else:
                index = search_index(indexed, config.language)
        except (OSError, RuntimeError) as error:  # the pagefind binary could not run here
            state.report.add(
                rules.SEARCH_INDEX_FAILED,
                f"the search index could not be built: {error}",
                Location("issue.yml"),
            )
            return state
        files.update({f"{site}/{name}": data for name, data in index.items()})
        files[f"{site}/sitemap.xml"] = sitemap(config.base_url, pages).encode("utf-8")
        files[f"{site}/robots.txt"] = (
            f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n".encode()
        )
    for page_path, text in pages.items():
        files[f"{site}/{page_path}"] = text.encode("utf-8")
    files.update(site_assets(site, pages.values(), fonts))
    return dataclasses.replace(state, files={**state.files, **files})


def published_index(site: Path) -> dict[str, bytes]:
    """The search index of the site as published (``pagefind/`` path → bytes; {} if none)."""
    folder = site / "pagefind"
    if not folder.is_dir():
        return {}
    return {
        f"pagefind/{path.relative_to(folder).as_posix()}": path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


_LAST_PRELOAD: dict[str, tuple[str, ...]] = {}
"""The preloaded fonts of the last web edition built in this process, by site folder: the first
guess of :func:`web` (``serve`` renders each page once instead of twice)."""


def render_pages(
    specs: dict[str, tuple[str, dict[str, Any]]],
    shared: dict[str, Any],
    *,
    preload: tuple[str, ...],
) -> dict[str, str]:
    """Every page of ``specs`` rendered, with ``preload``: the fonts each page asks for first
    (paths under ``assets/``)."""
    return {
        path: render(template, **shared, **context, font_preloads=preload)
        for path, (template, context) in specs.items()
    }


def available_pdfs(state: BuildState, issue: Issue) -> dict[str, bytes]:
    """The issue PDF and offprints of this build, else of the last build, else nothing."""
    built = {k: v for k, v in state.files.items() if k.startswith("pdf/")}
    if built:
        return built
    folder = state.options.build_path / "pdf"
    main = folder / issue_pdf_name(issue)
    if not main.is_file():
        return {}
    found = {f"pdf/{main.name}": main.read_bytes()}
    for chapter in issue.chapters:
        offprint = folder / "offprints" / f"{chapter.slug}.pdf"
        if offprint.is_file():
            found[f"pdf/offprints/{offprint.name}"] = offprint.read_bytes()
    return found


def web_article(
    state: BuildState,
    issue: Issue,
    chapter: Chapter,
    record: ArticleRecord,
    pdfs: dict[str, bytes],
    cover: str | None,
) -> ArticleView:
    article = article_context(issue, chapter, state.converted[chapter.slug])
    body, notes, references = web_body(
        chapter.slug, article.body_html, article.notes_html, article.references_html
    )
    offprint = f"pdf/offprints/{chapter.slug}.pdf"
    config = issue.manifest
    head = article_head(
        config,
        record,
        list(state.cited_items.get(chapter.slug, [])),
        pdf_available=offprint in pdfs,
        cover_url=cover and config.base_url + cover,
    )
    return dataclasses.replace(
        article,
        body_html=body,
        references_html=references,
        notes_html=notes,
        pages=record.pages,
        citation_text=record.citation,
        citation_html=record.citation_html,
        citation_downloads=citation_downloads(config, record),
        offprint=offprint if offprint in pdfs else None,
        meta_tags=tuple(head["tags"]),
        jsonld=head["jsonld"],
        canonical=record.url,
    )


@lru_cache(maxsize=256)  # by the converted HTML: a rebuild changes the edited article's only
def web_body(slug: str, body: str, notes: str, references: str) -> tuple[str, str, str]:
    """An article's body, notes and reference list as its web page shows them: backlinks from
    each reference to its citations, scrollable tables, MathML, ids on the headings."""
    body, references = add_backlinks(slug, body, references)
    body = scrollable_tables(body)
    body = mathml_body(body)  # TeX → MathML (site/math.py)
    # section ids on the headings (links, search sub-results), no id twice on the page
    body, notes, references = heading_ids((body, notes, references), prefix=f"{slug}-")
    return body, notes, references


def scrollable_tables(body: str) -> str:
    """Wide tables scroll sideways on phones inside a focusable region (keyboard users too)."""
    root = parse(body)
    for table in list(root.iter("table")):
        region = element(
            "div",
            {"class": "table-scroll", "tabindex": "0", "role": "region", "aria-label": "Table"},
        )
        region.tail, table.tail = table.tail, None
        table.addprevious(region)
        region.append(table)
    return serialise(root)


def authors_index(articles: list[ArticleView]) -> list[IndexedAuthor]:
    """Every author once, sorted by family name, with the articles they wrote."""
    people: dict[tuple[str, str], IndexedAuthor] = {}
    for article in articles:
        for author in article.byline:
            key = (author.family.casefold(), author.name)
            entry = people.setdefault(key, IndexedAuthor(author.name, author.family, None))
            entry.articles.append(article)
            entry.orcid = entry.orcid or author.orcid
    return [people[key] for key in sorted(people)]


def sitemap(base_url: str, pages: dict[str, str]) -> str:
    urls = sorted(
        base_url + path.removesuffix("index.html") for path in pages if path not in ("404.html",)
    )
    entries = "".join(f"  <url><loc>{html.escape(url)}</loc></url>\n" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )


def site_assets(site: str, pages: Iterable[str], fonts: WebFonts) -> dict[str, bytes]:
    """The stylesheet (the fonts' rules, then web.css), the fonts, the scripts, the icon."""
    files: dict[str, bytes] = {}
    with_math = any(has_math(page) for page in pages)
    css = (
        fonts.css
        + (MATH_FONT_FACE if with_math else "")
        + theme_path("css", "web.css").read_text("utf-8")
    )
    files[f"{site}/assets/style.css"] = css.encode("utf-8")
    for name, data in fonts.files.items():
        files[f"{site}/assets/{name}"] = data
    for script in SCRIPTS:
        files[f"{site}/assets/{script}"] = theme_path("js", script).read_bytes()
    files[f"{site}/assets/favicon.svg"] = theme_path("favicon.svg").read_bytes()
    if with_math:  # the math font, only for an issue with math
        files[f"{site}/assets/fonts/{MATH_FONT}"] = math_font()
    return files
