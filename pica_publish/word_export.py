"""``pica-publish export docx chapters/NN-slug.md``: a chapter as a Word file, for authors who
review in Word.

The chapter is loaded and checked as a build does (an error stops the export: a Word file of a
chapter that does not build would show what will not be printed); its body is converted by
pandoc with the build's own filters and citation style, so figures, tables, cross-references
and references read as in the issue, in the house styles of ``theme/reference.docx`` (made by
``tools/make_reference_docx.py``). The file goes to ``build/docx/<slug>.docx`` (or ``-o``),
written whole or not at all.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pica_publish.build import run, select_stages
from pica_publish.filters import (
    csl_style_path,
    filter_settings,
    lua_filters,
    lua_filters_after_citeproc,
)
from pica_publish.model import Chapter
from pica_publish.pandoc import PandocError, markdown_to_docx
from pica_publish.state import BuildOptions, BuildState
from pica_publish.theme import theme_path


def docx_metadata(chapter: Chapter) -> dict[str, object]:
    """The title (pandoc's Title style), the keywords for the file's properties, and the title
    page that ``theme/filters/word_export.lua`` writes: the byline with superscript
    affiliation numbers (by first appearance) and ``*`` for the corresponding author, the
    affiliations, the correspondence address, the abstract and the keywords — as
    ``pica-publish import`` reads a manuscript's title page, so that a reviewed export can be
    imported again."""
    meta = chapter.meta
    numbers: dict[str, str] = {}
    for author in meta.authors:
        for key in author.affiliations:
            numbers.setdefault(key, str(len(numbers) + 1))
    authors = [
        {
            "name": author.name,
            "marks": ",".join(
                [numbers[k] for k in author.affiliations] + ["*"] * author.corresponding
            ),
        }
        for author in meta.authors
    ]
    email = next((a.email for a in meta.authors if a.corresponding and a.email), None)
    page: dict[str, object] = {
        "authors": authors,
        "affiliations": [
            {"mark": number, "text": meta.affiliations.get(key, key)}
            for key, number in numbers.items()
        ],
    }
    if email:
        page["correspondence"] = email
    if meta.keywords:
        page["keywords"] = ", ".join(meta.keywords)
    data: dict[str, object] = {"title": meta.title, "title-page": page}
    if meta.abstract:
        data["title-page-abstract"] = meta.abstract
    if meta.keywords:
        data["keywords"] = list(meta.keywords)
        data["subject"] = ", ".join(meta.keywords)
    return data


def main(root: Path, chapter_path: Path, output: Path | None) -> int:
    from pica_publish.reporting import write_human

    options = BuildOptions(root=root, build_dir=root / "build", outputs=frozenset())
    state = run(options, select_stages(only=("load", "check", "convert")), skip_if_current=False)
    issue = state.issue
    chapter = None
    if issue is not None:
        chapter = next((c for c in issue.chapters if c.path.resolve() == chapter_path), None)
    if state.report.has_errors or issue is None:
        write_human(state.report.diagnostics, sys.stderr, verbose=False)
        print(
            f"{chapter_path}: error: the issue has errors; fix them and export again",
            file=sys.stderr,
        )
        return 1
    if chapter is None:
        print(f"{chapter_path}: error: not a chapter listed in issue.yml", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="pica-word-") as scratch:
        drawn = svg_bitmaps(state.images.get(chapter.slug, {}), root, Path(scratch))
        if isinstance(drawn, str):
            print(f"{chapter_path}: error: {drawn}", file=sys.stderr)
            return 1
        return _write(root, chapter_path, output, chapter, state, drawn)


def svg_bitmaps(images: Mapping[str, Path], root: Path, folder: Path) -> dict[str, str] | str:
    """Each SVG figure (as written → its file) drawn as a PNG in ``folder``: the source as
    written → the PNG; or why one cannot be drawn."""
    from pica_publish.inputs import InputRefused
    from pica_publish.svg.raster import svg_png

    drawn: dict[str, str] = {}
    for number, (source, path) in enumerate(sorted(images.items())):
        if path.suffix.lower() != ".svg":
            continue
        try:
            png = svg_png(path, root)
        except (InputRefused, ValueError, OSError) as error:
            return f"the figure {source} cannot be drawn for Word: {error}"
        target = folder / f"figure{number}.png"
        target.write_bytes(png)
        drawn[source] = str(target)
    return drawn


def _write(
    root: Path,
    chapter_path: Path,
    output: Path | None,
    chapter: Chapter,
    state: BuildState,
    drawn: dict[str, str],
) -> int:
    issue = state.issue
    assert issue is not None
    try:
        data = markdown_to_docx(
            chapter.body,
            metadata={**docx_metadata(chapter), **filter_settings(issue), "word-images": drawn},
            references=list(state.cited_items.get(chapter.slug, [])),
            csl=csl_style_path(),
            filters=lua_filters(),
            filters_after=(  # the title page first: taxa's italics reach it too
                theme_path("filters", "word_export.lua"),
                *lua_filters_after_citeproc(),
            ),
            number_prefix=chapter.number_prefix,
            reference_doc=theme_path("reference.docx"),
            resource_path=chapter.path.parent,
        )
    except PandocError as error:
        print(
            f"{chapter_path}: error: pandoc could not write the Word file: {error}", file=sys.stderr
        )
        return 1
    target = output or root / "build" / "docx" / f"{chapter.slug}.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=".docx", dir=target.parent)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(name, target)
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    print(f"wrote {shown} ({len(data) // 1024} kB): {chapter.meta.title}")
    return 0
