"""Part of stage 2, *check*: the syntax of other tools in a chapter body.

Authors come from LaTeX, R Markdown, Quarto and git; pandoc reads their constructs as text or
puts things in the wrong place (:mod:`pica_publish.dialects`). Each is refused here at its
exact line and column, with what to write instead. Consumes a :class:`BodyScan`; reports only.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from pica_publish import rules
from pica_publish.diagnostics import Location, Report
from pica_publish.dialects import SHORTCODE_RE, shortcode_hint, tex_hint
from pica_publish.markdown import BodyScan, Found
from pica_publish.model import ChapterSource

WINDOWS_PATH_RE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\)")
"""``C:\\figures\\map.png``, ``\\\\server\\share\\map.png`` (which Markdown reads as
``\\server\\share…``)."""


def is_local_file(target: str) -> bool:
    """A path on one computer (``file://``, ``C:\\…``, ``\\\\server\\…``), not a web address."""
    written = unquote(target).strip()
    return urlsplit(written).scheme.lower() == "file" or bool(WINDOWS_PATH_RE.match(written))


CALLOUT_TYPES = ("note", "tip", "warning", "important", "caution")
"""The callouts ``theme/filters/quarto.lua`` makes boxes of (its table ``CALLOUTS``)."""


def check_dialects(chapter: ChapterSource, scan: BodyScan, report: Report) -> None:
    """Raw TeX, knitr/Quarto chunks and shortcodes, misplaced ``::: {#refs}``, unbalanced
    fenced divs, merge-conflict markers and links to local files."""

    def where(found: Found | tuple[int, int]) -> Location:
        line, column = (found.line, found.column) if isinstance(found, Found) else found
        return chapter.location(line + chapter.body_line - 1, column)

    for marker in scan.conflict_markers:
        report.add(
            rules.BODY_MERGE_CONFLICT,
            f"merge-conflict marker '{marker.text}' (an unresolved git merge)",
            where(marker),
        )
    for tex in scan.raw_tex:
        report.add(
            rules.BODY_RAW_TEX,
            f"raw TeX '{tex.text}' would be printed as text",
            where(tex),
            tex_hint(tex.text),
        )
    for chunk in scan.chunks:
        report.add(
            rules.BODY_EXECUTABLE_CHUNK,
            f"'{chunk.text}' is a knitr/Quarto code chunk, which is not run here",
            where(chunk),
        )
    for shortcode in scan.shortcodes:
        match = SHORTCODE_RE.match(shortcode.text)
        report.add(
            rules.BODY_SHORTCODE,
            f"Quarto shortcode '{shortcode.text}' is not expanded here",
            where(shortcode),
            shortcode_hint(match["name"] if match else ""),
        )
    for div in scan.divs:
        fence = f"::: {div.attributes}"
        if div.end_line is None:
            report.add(
                rules.FENCED_DIV_UNBALANCED,
                f"'{fence}' is never closed: the rest of the chapter would be inside it",
                where((div.line, 1)),
                "close it with a line ':::' after its content",
            )
        elif unknown := [
            c for c in div.classes if c.startswith("callout-") and c[8:] not in CALLOUT_TYPES
        ]:
            report.add(
                rules.CALLOUT_UNKNOWN,
                f"'.{unknown[0]}' is not a callout type: the box would print as plain paragraphs",
                where((div.line, 1)),
            )
        if div.end_line is not None and div.identifier == "refs" and not (div.empty and div.last):
            report.add(
                rules.REFS_DIV_MISPLACED,
                f"'{fence}' would place the reference list "
                + ("inside this div" if not div.empty else "here, before the end of the article"),
                where((div.line, 1)),
            )
    for stray in scan.stray_fences:
        report.add(
            rules.FENCED_DIV_UNBALANCED,
            f"'{stray.text}' closes no div: pandoc would print it as text",
            where(stray),
            "delete it, or open the div with '::: {.class}' after a blank line",
        )
    for link in scan.links:
        if is_local_file(link.text):
            report.add(
                rules.LINK_LOCAL_FILE,
                f"link to '{unquote(link.text)}', a file on one computer",
                where(link),
            )
