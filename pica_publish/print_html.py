"""Reshape an article's HTML for the print layout.

pandoc writes endnotes and nested ``<section>`` wrappers; the print edition wants footnotes at the
foot of the page (``float: footnote``) and a flat body that can be cut into column segments
around the figures and tables marked ``.wide`` (WeasyPrint's multi-column support is for simple
cases: wide blocks go *between* column boxes, never ``column-span`` inside them). These functions
work on pandoc's own, already sanitised, output, whose shape is regular.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NOTE_ITEM_RE = re.compile(r'<li id="(?P<id>[^"]+)">(?P<body>.*?)</li>', re.DOTALL)
NOTE_BACK_RE = re.compile(r'<a href="#[^"]*" class="footnote-back"[^>]*>.*?</a>', re.DOTALL)
NOTE_REF_RE = re.compile(
    r'<a href="#(?P<target>[^"]+)" class="footnote-ref" id="(?P<id>[^"]+)"[^>]*>\s*<sup>[^<]*</sup>\s*</a>'
)
SECTION_OPEN_RE = re.compile(
    r'<section id="(?P<id>[^"]*)" class="(?P<class>[^"]*)">\s*<h(?P<level>[1-6])(?P<rest>[^>]*)>'
)
WIDE_RE = re.compile(
    r'<(?P<tag>figure|table)\b[^>]*\bclass="[^"]*\bwide\b[^"]*"[^>]*>.*?</(?P=tag)>', re.DOTALL
)
CONTAINER_RE = re.compile(r"<(/?)(div|blockquote|ul|ol|dl|section|aside)\b[^>]*>")


@dataclass(frozen=True)
class Segment:
    kind: str
    """'columns' (flows in two columns) or 'wide' (a figure or table across the page)."""
    html: str


def inline_footnotes(body: str, notes: str) -> str:
    """Put each endnote's text where it is called, as ``<span class="footnote">``."""
    texts = {}
    for item in NOTE_ITEM_RE.finditer(notes):
        text = NOTE_BACK_RE.sub("", item["body"]).strip()
        paragraphs = re.findall(r"<p>(.*?)</p>", text, re.DOTALL)
        texts[item["id"]] = " ".join(p.strip() for p in paragraphs) if paragraphs else text

    def replace(match: re.Match[str]) -> str:
        text = texts.get(match["target"])
        if text is None:
            return match[0]
        return f'<span class="footnote" id="{match["id"]}">{text}</span>'

    return NOTE_REF_RE.sub(replace, body)


def unwrap_sections(body: str) -> str:
    """``<section id=x><h2>`` → ``<h2 id=x>``: a flat body, ids kept for links and bookmarks."""
    body = SECTION_OPEN_RE.sub(
        lambda m: f'<h{m["level"]} id="{m["id"]}" class="{m["class"]}"{m["rest"]}>', body
    )
    return body.replace("</section>", "")


def column_segments(body: str) -> list[Segment]:
    """Cut a flat body into column segments around top-level wide figures and tables."""
    segments: list[Segment] = []
    position = 0
    for match in WIDE_RE.finditer(body):
        if _depth(body[: match.start()]) > 0:
            continue  # inside a list or quotation: stays in the column
        before = body[position : match.start()]
        if before.strip():
            segments.append(Segment("columns", before))
        segments.append(Segment("wide", match[0]))
        position = match.end()
    rest = body[position:]
    if rest.strip() or not segments:
        segments.append(Segment("columns", rest))
    return segments


def _depth(html: str) -> int:
    depth = 0
    for match in CONTAINER_RE.finditer(html):
        depth += -1 if match[1] else 1
    return depth


def print_body(body: str, notes: str) -> list[Segment]:
    """The article body as the print template places it."""
    return column_segments(unwrap_sections(inline_footnotes(body, notes)))
