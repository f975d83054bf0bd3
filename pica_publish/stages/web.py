"""Stage 6, *web*: the HTML edition.

Consumes the converted chapters and, when the print edition exists, the page map (from this
build's layout, else from the last ``build/pagemap.json``) for page ranges in the suggested
citations; produces the site's files in ``state.files`` (``html/…``, or ``preview/html/…``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pica_publish.citation import suggested_citation
from pica_publish.model import Chapter
from pica_publish.stages.assemble import article_context
from pica_publish.stages.typeset import read_page_map
from pica_publish.state import BuildState
from pica_publish.theme import font_face_css, font_files, render, theme_path
from pica_publish.web_images import rewrite_img, web_image


def web(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None or state.report.has_errors or "html" not in state.options.outputs:
        return state
    chapters = [c for c in issue.chapters if c.slug in state.converted]
    page_map = dict(state.page_map) or read_page_map(state.options.build_path)
    articles = []
    for chapter in chapters:
        article = article_context(issue, chapter, state.converted[chapter.slug])
        pages = page_map.get(chapter.slug)
        article["pages"] = pages
        article["citation_text"] = suggested_citation(issue.manifest, chapter, pages)
        articles.append(article)
    shared = {"issue": issue.manifest, "articles": articles}
    preview = state.options.preview is not None
    site = "preview/html" if preview else "html"
    files = web_files(state, chapters, shared, articles, site=site, index=not preview)
    return dataclasses.replace(state, files={**state.files, **files})


def web_files(
    state: BuildState,
    chapters: list[Chapter],
    shared: dict[str, Any],
    articles: list[dict[str, Any]],
    *,
    site: str = "html",
    index: bool = True,
) -> dict[str, bytes]:
    """The web edition's files under ``site``: style, fonts, contents page, article pages."""
    files: dict[str, bytes] = {}
    fonts = {face.path.name: face for face in font_files()}
    css = font_face_css(lambda face: f"fonts/{face.path.name}", ranges=True)
    css += theme_path("css", "web.css").read_text("utf-8")
    files[f"{site}/assets/style.css"] = css.encode("utf-8")
    for name, face in fonts.items():
        files[f"{site}/assets/fonts/{name}"] = face.path.read_bytes()
    if index:
        files[f"{site}/index.html"] = render("web/index.html", root="", **shared).encode("utf-8")
    for number, (chapter, article) in enumerate(zip(chapters, articles, strict=True)):
        body = article["body_html"]
        for src, path in sorted(state.images.get(chapter.slug, {}).items()):
            image = web_image(path, f"figures/{path.name}")
            for name, data in image.files.items():
                files[f"{site}/{chapter.slug}/{name}"] = data
            body = rewrite_img(body, src, f"figures/{path.name}", image.attributes)
        page = render(
            "web/article.html",
            root="../",
            article={**article, "body_html": body},
            previous=articles[number - 1] if number > 0 else None,
            next=articles[number + 1] if number + 1 < len(articles) else None,
            **shared,
        )
        files[f"{site}/{chapter.slug}/index.html"] = page.encode("utf-8")
    return files
