"""Scanning chapter Markdown with markdown-it-py and its source line maps.

markdown-it gives block tokens with line ranges; we scan the source lines of prose blocks for
pandoc citations and images, so every finding has an exact line and column. Code (fenced,
indented and inline) is never scanned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
CITATION_RE = re.compile(
    rf"(?<![\w@.:/\\])-?@(?:\{{(?P<braced>[^{{}}\s]+)\}}|(?P<key>{CITATION_KEY}))"
)
EXAMPLE_MARKER_RE = re.compile(r"^\s*\(@[\w-]*\)")
CODE_SPAN_RE = re.compile(r"(`+)(?:.|\n)*?\1")
CROSS_REF_PREFIXES = ("fig:", "tbl:", "sec:")
LABEL_RE = re.compile(r"\{[^}]*?#((?:fig|tbl|sec):[^\s}]+)")
TYPED_REF_RE = re.compile(r"\b(Figs?\.|Figures?|Tables?)[\s\u00a0]+([A-Z]?\d+)\b")
TABLE_CAPTION_RE = re.compile(r"^\s*(?:Table)?:\s")


@dataclass(frozen=True)
class Found:
    """A finding in a chapter body: 1-based line and column relative to the body."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class ImageRef:
    src: str
    alt: str
    line: int
    column: int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass(frozen=True)
class RawHtml:
    text: str
    line: int


@dataclass(frozen=True)
class BodyScan:
    citations: tuple[Found, ...]
    """Literature citations (``@key``)."""
    cross_refs: tuple[Found, ...]
    """References to labels (``@fig:map``, ``@tbl:x``, ``@sec:x``)."""
    labels: tuple[Found, ...]
    """Label definitions (``{#fig:map}``) in source order."""
    typed_refs: tuple[Found, ...]
    """Hand-typed 'Fig. 3' / 'Table 2' in prose; ``text`` is e.g. 'fig 3'."""
    figures: int
    """Figures (images alone in a paragraph), which pandoc numbers in this order."""
    tables: int
    images: tuple[ImageRef, ...]
    headings: tuple[Heading, ...]
    raw_html: tuple[RawHtml, ...]


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").use(footnote_plugin)


@cache
def _inline_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["replacements", "smartquotes"]
    )


def render_inline(text: str) -> str:
    """Inline Markdown of a front-matter field (abstract: *italics* for species names) as HTML;
    raw HTML is escaped, not passed through."""
    return str(_inline_renderer().renderInline(text.strip()))


def scan_body(body: str) -> BodyScan:
    """Find citations, images, headings and raw HTML in a chapter body."""
    tokens = _parser().parse(body)
    lines = body.split("\n")
    citations: list[Found] = []
    cross_refs: list[Found] = []
    labels: list[Found] = []
    typed_refs: list[Found] = []
    figures = tables = 0
    images: list[ImageRef] = []
    headings: list[Heading] = []
    raw_html: list[RawHtml] = []
    scanned: set[int] = set()
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            headings.append(Heading(int(token.tag[1]), inline.content, token.map[0] + 1))
        elif token.type == "html_block" and token.map:
            raw_html.append(RawHtml(token.content.strip().split("\n")[0], token.map[0] + 1))
        elif token.type == "table_open":
            tables += 1
        elif token.type == "inline" and token.map:
            start, end = token.map
            block_lines = [n for n in range(start, end) if n not in scanned]
            scanned.update(block_lines)
            for found in _citations_in(lines, block_lines):
                (cross_refs if found.text.startswith(CROSS_REF_PREFIXES) else citations).append(
                    found
                )
            labels.extend(_matches_in(LABEL_RE, lines, block_lines, group=1))
            typed_refs.extend(_typed_refs_in(lines, block_lines))
            images.extend(_images_in(token, lines, start, end))
            if tokens[index - 1].type == "paragraph_open" and _is_figure(token):
                figures += 1
            raw_html.extend(
                RawHtml(child.content, start + 1)
                for child in token.children or ()
                if child.type == "html_inline"
            )
    return BodyScan(
        tuple(citations),
        tuple(cross_refs),
        tuple(labels),
        tuple(typed_refs),
        figures,
        tables,
        tuple(images),
        tuple(headings),
        tuple(raw_html),
    )


def _is_figure(token: Token) -> bool:
    """pandoc's implicit figure: a paragraph holding one image and nothing else but attributes."""
    children = [c for c in token.children or () if not (c.type == "text" and not c.content.strip())]
    if not children or children[0].type != "image":
        return False
    rest = "".join(c.content for c in children[1:] if c.type == "text")
    return len(children) == 1 or (
        all(c.type == "text" for c in children[1:])
        and rest.strip().startswith("{")
        and rest.strip().endswith("}")
    )


def _matches_in(
    pattern: re.Pattern[str], lines: list[str], numbers: list[int], *, group: int
) -> Iterator[Found]:
    for number in numbers:
        for match in pattern.finditer(lines[number]):
            yield Found(match[group], number + 1, match.start(group) + 1)


def _typed_refs_in(lines: list[str], numbers: list[int]) -> Iterator[Found]:
    for number in numbers:
        text = lines[number]
        if TABLE_CAPTION_RE.match(text):
            continue
        for match in TYPED_REF_RE.finditer(CODE_SPAN_RE.sub(lambda m: " " * len(m[0]), text)):
            kind = "tbl" if match[1].startswith("Table") else "fig"
            yield Found(f"{kind} {match[2]}", number + 1, match.start() + 1)


def _citations_in(lines: list[str], numbers: list[int]) -> Iterator[Found]:
    if not numbers:
        return
    # Mask inline code across the block (code spans may wrap lines) keeping offsets intact.
    text = "\n".join(lines[n] for n in numbers)
    masked = CODE_SPAN_RE.sub(
        lambda m: (
            " " * len(m.group(0)) if "\n" not in m.group(0) else re.sub(r"[^\n]", " ", m.group(0))
        ),
        text,
    )
    for offset, line_text in enumerate(masked.split("\n")):
        line_number = numbers[offset]
        if EXAMPLE_MARKER_RE.match(line_text):
            continue
        for match in CITATION_RE.finditer(line_text):
            key = match["braced"] or match["key"]
            column = match.start() + (2 if match.group(0).startswith("-") else 1)
            yield Found(key, line_number + 1, column)


def _images_in(token: Token, lines: list[str], start: int, end: int) -> Iterator[ImageRef]:
    cursor = (start, 0)
    for child in _walk(token.children or []):
        if child.type != "image":
            continue
        src = str(child.attrs.get("src", ""))
        alt = child.content
        line, column = (
            _find(lines, f"]({src}", cursor, end) or _find(lines, src, cursor, end) or (start, 0)
        )
        cursor = (line, column + 1)
        yield ImageRef(src, alt, line + 1, column + 3 if column else 1)


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _find(
    lines: list[str], needle: str, cursor: tuple[int, int], end: int
) -> tuple[int, int] | None:
    line, column = cursor
    for number in range(line, end):
        found = lines[number].find(needle, column if number == line else 0)
        if found >= 0:
            return number, found
    return None
