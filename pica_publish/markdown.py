"""Scanning chapter Markdown with markdown-it-py and its source line maps.

markdown-it gives block tokens with line ranges; we scan the source lines of prose blocks for
pandoc citations and images, so every finding has an exact line and column. Code (fenced,
indented and inline) is never scanned.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
CITATION_RE = re.compile(
    rf"(?<![\w@.:/\\])-?@(?:\{{(?P<braced>[^{{}}\s]+)\}}|(?P<key>{CITATION_KEY}))"
)
EXAMPLE_MARKER_RE = re.compile(r"^\s*\(@[\w-]*\)")
BACKTICKS_RE = re.compile(r"`+")
CROSS_REF_PREFIXES = ("fig:", "tbl:", "sec:")
# [^{}] (not [^}]): a line of 60,000 '{' must cost linear time, not quadratic.
LABEL_RE = re.compile(r"\{[^{}]*?#((?:fig|tbl|sec):[^\s{}]+)")
METADATA_KEY_RE = re.compile(r"^[A-Za-z0-9_][\w -]*:(\s|$)")
METADATA_FENCE_RE = re.compile(r"^(---|\.\.\.)[ \t]*$")
RAW_FORMAT_RE = re.compile(r"\{=[\w-]+\}")
RAW_IMAGE_RE = re.compile(
    r"<\s*(img|image|picture|source|video|audio|svg|object|embed)\b", re.IGNORECASE
)
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
    metadata_blocks: tuple[Found, ...] = ()
    """YAML metadata blocks in the body (``---`` / ``key: value`` / ``---``); ``text``: the key."""
    raw_formats: tuple[Found, ...] = ()
    """Raw ``{=format}`` code blocks and spans; ``text``: the attribute."""
    raw_images: tuple[Found, ...] = ()
    """Images and other embedded media in raw HTML; ``text``: the tag name."""
    too_deep: Found | None = None
    """The first block or inline element nested deeper than :data:`MAX_NESTING`."""


MAX_NESTING = 24
"""Deepest nesting of quotes, lists and emphasis a chapter may use. Real prose needs 4; the
layout engine recurses per level and fails (RecursionError) on ~100."""


@cache
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING + 2})
        .enable("table")
        .use(footnote_plugin)
    )


@cache
def _inline_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["replacements", "smartquotes"]
    )


def render_inline(text: str, italic_terms: Sequence[str] = ()) -> str:
    """Inline Markdown of a front-matter field (abstract: *italics* for species names) as HTML;
    raw HTML is escaped, not passed through. ``italic_terms`` (issue.yml) are set in italics
    where the text has them in roman, as the ``taxa.lua`` filter does for chapter bodies."""
    md = _inline_renderer()
    env: dict[str, Any] = {}
    tokens = md.parseInline(text.strip(), env)
    pattern = _terms_pattern(tuple(italic_terms))
    if pattern is not None:
        for token in tokens:
            token.children = _italicise(token.children or [], pattern)
    return str(md.renderer.render(tokens, md.options, env))


@cache
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    words = [r"\s+".join(map(re.escape, term.split())) for term in terms if term.split()]
    if not words:
        return None
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(longest_first)})(?!\w)", re.IGNORECASE)


def _italicise(children: list[Token], pattern: re.Pattern[str]) -> list[Token]:
    """Text tokens outside emphasis, split around the terms, which get ``em`` tokens."""
    result: list[Token] = []
    depth = 0
    for child in children:
        if child.type == "em_open":
            depth += 1
        elif child.type == "em_close":
            depth -= 1
        if child.type != "text" or depth > 0:
            result.append(child)
            continue
        position = 0
        for match in pattern.finditer(child.content):
            if match.start() > position:
                result.append(_text(child.content[position : match.start()]))
            result.append(Token("em_open", "em", 1, markup="*"))
            result.append(_text(match[0]))
            result.append(Token("em_close", "em", -1, markup="*"))
            position = match.end()
        if position < len(child.content):
            result.append(_text(child.content[position:]))
    return result


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)


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
    raw_formats: list[Found] = []
    scanned: set[int] = set()
    code_lines: set[int] = set()
    too_deep: Found | None = None
    for index, token in enumerate(tokens):
        if too_deep is None and token.map:
            depth = token.level + max((c.level for c in token.children or ()), default=0)
            if depth > MAX_NESTING:
                too_deep = Found(str(depth), token.map[0] + 1, 1)
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
            if token.type == "fence" and RAW_FORMAT_RE.match(token.info.strip()):
                raw_formats.append(Found(token.info.strip(), token.map[0] + 1, 1))
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
            raw_formats.extend(_raw_spans_in(token, lines, block_lines))
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
        tuple(_metadata_blocks(lines, code_lines)),
        tuple(raw_formats),
        tuple(
            Found(match[1].lower(), raw.line, 1)
            for raw in raw_html
            for match in RAW_IMAGE_RE.finditer(raw.text)
        ),
        too_deep,
    )


def _metadata_blocks(lines: list[str], code_lines: set[int]) -> Iterator[Found]:
    """Where pandoc would read a YAML metadata block: a ``---`` line after a blank line (or at
    the start), then ``key:`` on the next line, closed by ``---`` or ``...``."""
    for number, line in enumerate(lines):
        if number in code_lines or line.rstrip() != "---":
            continue
        if number > 0 and lines[number - 1].strip():
            continue
        following = lines[number + 1] if number + 1 < len(lines) else ""
        key = METADATA_KEY_RE.match(following)
        if not key:
            continue
        closed = any(
            METADATA_FENCE_RE.match(lines[after])
            for after in range(number + 2, len(lines))
            if after not in code_lines
        )
        if closed:
            yield Found(following.split(":", 1)[0].strip(), number + 1, 1)


def _raw_spans_in(token: Token, lines: list[str], numbers: list[int]) -> Iterator[Found]:
    """Inline code with a raw attribute: `` `<b>`{=html} ``."""
    children = token.children or []
    for child, after in pairwise(children):
        if child.type == "code_inline" and (match := RAW_FORMAT_RE.match(after.content)):
            line, column = next(
                (
                    (number + 1, lines[number].find(match[0]) + 1)
                    for number in numbers
                    if match[0] in lines[number]
                ),
                ((numbers or [0])[0] + 1, 1),
            )
            yield Found(match[0], line, column)


def mask_code_spans(text: str) -> str:
    """``text`` with every inline code span blanked out (newlines kept), in linear time.

    CommonMark: a run of N backticks opens a code span that the next run of exactly N backticks
    closes; a run with no partner is literal text. Each run is visited once per length queue.
    """
    runs = [(m.start(), m.end()) for m in BACKTICKS_RE.finditer(text)]
    by_length: dict[int, deque[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, deque()).append(index)
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        partners = by_length[end - start]
        while partners and partners[0] <= index:
            partners.popleft()
        if partners:
            closing = partners.popleft()
            spans.append((start, runs[closing][1]))
            index = closing + 1
        else:
            index += 1
    if not spans:
        return text
    pieces = []
    cursor = 0
    for start, end in spans:
        pieces.append(text[cursor:start])
        pieces.append(re.sub(r"[^\n]", " ", text[start:end]))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


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
        for match in TYPED_REF_RE.finditer(mask_code_spans(text)):
            kind = "tbl" if match[1].startswith("Table") else "fig"
            yield Found(f"{kind} {match[2]}", number + 1, match.start() + 1)


def _citations_in(lines: list[str], numbers: list[int]) -> Iterator[Found]:
    if not numbers:
        return
    # Mask inline code across the block (code spans may wrap lines) keeping offsets intact.
    text = "\n".join(lines[n] for n in numbers)
    masked = mask_code_spans(text)
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
