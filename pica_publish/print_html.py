"""Reshape an article's HTML for the print layout.

pandoc writes endnotes and nested ``<section>`` wrappers; the print edition wants footnotes at the
foot of the page (``float: footnote``) and a flat body that can be cut into column segments
around the figures and tables marked ``.wide`` (WeasyPrint's multi-column support is for simple
cases: wide blocks go *between* column boxes, never ``column-span`` inside them). These functions
work on pandoc's own, already sanitised, output, whose shape is regular.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

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
HEADING_RE = re.compile(r"<h[1-6]\b")
CONTAINER_RE = re.compile(r"<(/?)(div|blockquote|ul|ol|dl|section|aside)\b[^>]*>")
CODE_RE = re.compile(
    r"(?P<open><pre\b[^>]*>\s*<code\b[^>]*>)(?P<code>.*?)(?P<close></code>\s*</pre>)", re.DOTALL
)


@dataclass(frozen=True)
class Segment:
    kind: str
    """'columns' (flows in two columns) or 'wide' (a figure or table across the page)."""
    html: str
    float: int | None = None
    """A wide block's float number (see :func:`column_segments`)."""


FLOAT_RE = re.compile(r"<(figure|table)\b")


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


def column_segments(body: str, deferrals: Mapping[int, int] | None = None) -> list[Segment]:
    """Cut a flat body into column segments around top-level wide figures and tables.

    Every top-level figure and table is a *float*, numbered from 0 in source order: a wide one
    becomes a segment of its own (``<div class="wide-block" data-float="N">`` in the template),
    one in the columns is wrapped in ``<div class="float" data-float="N">``, so that the layout
    can tell which float left a hole. ``deferrals`` moves float *N* after that many of the
    top-level text blocks that follow it (never past another float), the way a float moves
    down: the layout asks for this when a float that did not fit leaves a column foot empty. A
    negative count moves it up before that many text blocks (a float last in its article, which
    cannot move down).
    """
    items: list[Segment] = []
    position = 0
    for match in WIDE_RE.finditer(body):
        if _depth(body[: match.start()]) > 0:
            continue  # inside a list or quotation: stays in the column
        items.extend(_column_items(body[position : match.start()]))
        items.append(Segment("wide", match[0]))
        position = match.end()
    items.extend(_column_items(body[position:]))
    items = _numbered(items)
    for index, steps in sorted((deferrals or {}).items(), reverse=True):
        at = next((i for i, item in enumerate(items) if item.float == index), None)
        if at is None:
            continue
        moving = items.pop(at)
        target = at
        for _ in range(steps):
            # a heading is never left alone above the float: it goes with the next block
            while target < len(items) and items[target].kind == "columns":
                target += 1
                if not HEADING_RE.match(items[target - 1].html.lstrip()):
                    break
        for _ in range(-steps):
            # moved up: past a text block, and past the heading above it too
            while target > 0 and items[target - 1].kind == "columns":
                target -= 1
                if not (target > 0 and HEADING_RE.match(items[target - 1].html.lstrip())):
                    break
        items.insert(target, moving)
    # A heading right above a wide block introduces it: it goes with the block, across the page,
    # instead of staying alone at the foot of the columns when the block moves on.
    for at in range(len(items) - 1, 0, -1):
        before, item = items[at - 1], items[at]
        if (
            item.kind == "wide"
            and before.kind == "columns"
            and HEADING_RE.match(before.html.lstrip())
        ):
            items[at - 1 : at + 1] = [Segment("wide", before.html + item.html, item.float)]
    segments: list[Segment] = []
    for item in items:
        html = item.html
        if item.kind == "float":
            html = f'<div class="float" data-float="{item.float}">{html}</div>'
        if item.kind != "wide" and segments and segments[-1].kind == "columns":
            segments[-1] = Segment("columns", segments[-1].html + html)
        elif item.kind != "wide":
            segments.append(Segment("columns", html))
        else:
            segments.append(item)
    if not segments or segments[-1].kind == "wide":
        segments.append(Segment("columns", ""))
    return segments


def _column_items(html: str) -> list[Segment]:
    """The top-level blocks of a stretch of columns: figures and tables are floats."""
    return [
        Segment("float" if FLOAT_RE.match(block.lstrip()) else "columns", block)
        for block in top_level_blocks(html)
    ]


def _numbered(items: list[Segment]) -> list[Segment]:
    """The floats (wide or in the columns) numbered in source order."""
    numbered, count = [], 0
    for item in items:
        if item.kind == "columns":
            numbered.append(item)
        else:
            numbered.append(Segment(item.kind, item.html, count))
            count += 1
    return numbered


class _TopLevel(HTMLParser):
    VOID = frozenset(
        {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.depth = 0
        self.starts: list[tuple[int, int]] = []
        self.ends: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if self.depth == 0:
            self.starts.append(self.getpos())
        if tag not in self.VOID:
            self.depth += 1
        elif self.depth == 0:
            self.ends.append(self.getpos())

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        self.depth -= 1
        if self.depth == 0:
            self.ends.append(self.getpos())


def top_level_blocks(html: str) -> list[str]:
    """Split a flat fragment into its top-level elements (text between them stays attached)."""
    parser = _TopLevel()
    parser.feed(html)
    parser.close()
    line_starts = [0]
    for line in html.split("\n")[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    cuts = [line_starts[line - 1] + column for line, column in parser.starts[1:]]
    blocks, previous = [], 0
    for cut in cuts:
        blocks.append(html[previous:cut])
        previous = cut
    blocks.append(html[previous:])
    return [b for b in blocks if b.strip()] or ([html] if html.strip() else [])


def _depth(html: str) -> int:
    depth = 0
    for match in CONTAINER_RE.finditer(html):
        depth += -1 if match[1] else 1
    return depth


def code_lines(body: str) -> str:
    """Wrap each source line of a code block in ``<span class="code-line">``.

    A line longer than the column wraps; the hanging indent of ``.code-line`` (print.css) marks
    the wrapped part as a continuation. pandoc writes one ``<code>`` with newlines, and its
    highlighting spans never cross a newline, so cutting at newlines keeps the markup balanced.
    """

    def replace(match: re.Match[str]) -> str:
        lines = match["code"].split("\n")
        wrapped = "".join(f'<span class="code-line">{line}</span>' for line in lines)
        return match["open"] + wrapped + match["close"]

    return CODE_RE.sub(replace, body)


def print_body(body: str, notes: str, deferrals: Mapping[int, int] | None = None) -> list[Segment]:
    """The article body as the print template places it."""
    return column_segments(code_lines(unwrap_sections(inline_footnotes(body, notes))), deferrals)
