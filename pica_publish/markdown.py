"""Scanning chapter Markdown with markdown-it-py and its source line maps.

markdown-it gives block tokens with line ranges; we scan the source lines of prose blocks for
pandoc citations and images, so every finding has an exact line and column. Code (fenced,
indented and inline) is never scanned.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from pica_publish.dialects import (
    EXAMPLE_LABEL_RE,
    EXECUTABLE_FENCE_RE,
    INLINE_CHUNK_RE,
    PAGE_BREAK_RE,
    SHORTCODE_RE,
    FencedDiv,
    conflict_markers,
    fenced_divs,
    raw_tex_in,
)

# pandoc: a key starts with a letter, digit or _, and may contain internal punctuation :.#$%&-+?<>~/
CITATION_KEY = r"[\w](?:[\w]|[:.#$%&\-+?<>~/](?=[\w]))*"
CITATION_RE = re.compile(
    rf"(?<![\w@.:/\\])-?@(?:\{{(?P<braced>[^{{}}\s]+)\}}|(?P<key>{CITATION_KEY}))"
)
TYPED_CITATION_RE = re.compile(
    r"\((?P<inside>[A-ZÀ-ÖØ-ÞА-ЯЁ][^()\[\]@\n]{0,160}?\b(?:1[5-9]|20)\d\d[a-z]?)\)"
)
"""An author-year citation typed as text, ``(Ross et al. 2010; Smith 1999)``: a parenthesis
that opens with a capital and ends with a year."""
NAME = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]+"
TYPED_NARRATIVE_RE = re.compile(
    rf"(?<![\w@\[])({NAME}(?:\s+et\s+al\.|\s+(?:and|&)\s+{NAME})?\s+\((?:1[5-9]|20)\d\d[a-z]?\))"
)
"""A citation typed in the sentence, ``Ross et al. (2010)``: a name (with "et al." or a second
name) and a year in parentheses."""
EXAMPLE_MARKER_RE = re.compile(r"^\s*\(@[\w-]*\)")
BACKTICKS_RE = re.compile(r"`+")
CROSS_REF_PREFIXES = ("fig:", "tbl:", "sec:", "eq:")
# [^{}] (not [^}]): a line of 60,000 '{' must cost linear time, not quadratic.
LABEL_RE = re.compile(r"\{[^{}]*?#((?:fig|tbl|sec|eq)[:-][^\s{}]+)")
QUARTO_LABEL_RE = re.compile(r"^(fig|tbl|sec|eq)-(?=.)")
"""Quarto's ``@fig-map`` and ``{#fig-map}``: aliases of ``@fig:map`` (``theme/filters/quarto.lua``)."""
EQUATION_LABEL_RE = re.compile(r"[ \t]*\{#(eq:[^\s{}]+)[^{}]*\}")
"""pandoc-crossref's label right after display math: ``$$ E = mc^2 $$ {#eq:energy}``."""
METADATA_KEY_RE = re.compile(r"^[A-Za-z0-9_][\w -]*:(\s|$)")
METADATA_FENCE_RE = re.compile(r"^(---|\.\.\.)[ \t]*$")
RAW_FORMAT_RE = re.compile(r"\{=[\w-]+\}")
RAW_IMAGE_RE = re.compile(
    r"<\s*(img|image|picture|source|video|audio|svg|object|embed)\b", re.IGNORECASE
)
TYPED_REF_RE = re.compile(r"\b(Figs?\.|Figures?|Tables?)[\s\u00a0]+([A-Z]?\d+)\b")
TABLE_CAPTION_RE = re.compile(r"^\s*(?:Table)?:\s")
SPACED_IMAGE_RE = re.compile(
    r"!\[(?P<alt>[^\]\n]{0,500})\]\(\s*(?P<src>(?:[^()\"<>\n]|\([^()\n]*\)){1,1000}?)"
    r"\s*(?:\"[^\"\n]*\"\s*)?\)(?P<attrs>\{[^{}\n]*\})?"
)
"""An image whose path has a space (``![x](figures/my map (1).png)``): pandoc reads it as an
image, CommonMark (markdown-it) leaves it as text, so the scan looks for it in the text."""
MARKDOWN_IMAGE_RE = re.compile(r"!\[(?P<alt>[^\]\n]{0,500})\]\(\s*<?(?P<src>[^)\s>]+)")


def canonical_label(label: str) -> str:
    """``fig:map`` for Quarto's ``fig-map`` (also ``tbl-``, ``sec-``, ``eq-``); others as they are."""
    return QUARTO_LABEL_RE.sub(r"\1:", label)


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
    in_text: bool = False
    """In a paragraph with other text: an inline image, not a figure (no caption, no number)."""


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
class Math:
    """TeX math as pandoc reads it (``tex_math_dollars``): ``$x$`` inline, ``$$x$$`` display."""

    tex: str
    """The TeX between the dollars, as written."""
    display: bool
    line: int
    """1-based line of the opening ``$`` relative to the body."""
    column: int
    """1-based column of the opening ``$``."""
    label: str | None
    """``eq:name`` of a ``{#eq:name}`` attribute right after display math, else None."""


@dataclass(frozen=True)
class BodyScan:
    citations: tuple[Found, ...]
    """Literature citations (``@key``)."""
    cross_refs: tuple[Found, ...]
    """References to labels (``@fig:map``, ``@tbl:x``, ``@sec:x``, ``@eq:x``) as written:
    Quarto's ``@fig-map`` too (:func:`canonical_label`)."""
    labels: tuple[Found, ...]
    """Label definitions (``{#fig:map}``) in source order, in canonical form (``{#fig-map}``
    is ``fig:map``, the identifier the HTML gets)."""
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
    math: tuple[Math, ...] = ()
    """Inline and display math in source order; its TeX is never scanned as prose."""
    raw_tex: tuple[Found, ...] = ()
    """Raw TeX in prose (``\\textbf{x}``, ``\\vspace{1cm}``), which pandoc would print."""
    page_breaks: tuple[Found, ...] = ()
    """``\\newpage`` (or ``\\pagebreak``, ``\\clearpage``) alone in a top-level paragraph."""
    chunks: tuple[Found, ...] = ()
    """knitr/Quarto code chunks, fenced (```` ```{r} ````) or inline (`` `r x` ``)."""
    shortcodes: tuple[Found, ...] = ()
    """Quarto/Hugo shortcodes, ``{{< include x.md >}}``."""
    divs: tuple[FencedDiv, ...] = ()
    """pandoc fenced divs (``::: {.callout-note}``) in order of their opening fences."""
    stray_fences: tuple[Found, ...] = ()
    """``:::`` lines that close no div."""
    conflict_markers: tuple[Found, ...] = ()
    """git's merge-conflict marker lines (``<<<<<<<``, ``=======``, ``>>>>>>>``)."""
    links: tuple[Found, ...] = ()
    """Link targets as written (``[x](target)``, ``<target>``)."""
    typed_citations: tuple[Found, ...] = ()
    """Author-year citations typed as text in prose (:data:`TYPED_CITATION_RE`); ``text`` is
    what is inside the parentheses."""


MAX_NESTING = 24
"""Deepest nesting of quotes, lists and emphasis a chapter may use. Real prose needs 4; the
layout engine recurses per level and fails (RecursionError) on ~100."""


@cache
def _parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING + 2})
        .enable("table")
        .use(footnote_plugin)
        # pandoc's tex_math_dollars: no space after the opening or before the closing $, no
        # digit right after the closing $ ("$20,000 and $30,000" is money), $$…$$ anywhere
        # in a paragraph, no blank line inside. (pandoc, unlike this rule, also takes "5$x$".)
        .use(
            dollarmath_plugin,
            allow_space=False,
            allow_digits=False,
            double_inline=True,
            allow_blank_lines=False,
            allow_labels=False,
        )
    )
    # pandoc reads every link and image, file: and data: URLs too (markdown-it would leave
    # them as text): check must see them to refuse them.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


@cache
def _inline_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["replacements", "smartquotes"]
    )


def render_inline(text: str, italic_terms: Sequence[str] = ()) -> str:
    """Inline Markdown of a front-matter field (abstract: *italics* for species names) as HTML;
    raw HTML is escaped, not passed through. ``italic_terms`` (issue.yml) are set in italics
    where the text has them in roman, as the ``taxa.lua`` filter does for chapter bodies."""
    return _render_inline(text, tuple(italic_terms))


@lru_cache(maxsize=2048)  # by text: every edition and every rebuild renders the same fields
def _render_inline(text: str, italic_terms: tuple[str, ...]) -> str:
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


@lru_cache(maxsize=512)
def scan_body(body: str) -> BodyScan:
    """Find citations, labels, math, images, headings, raw HTML and the syntax of other tools
    (:mod:`pica_publish.dialects`) in a chapter body, each at its line and column.

    Remembered by text (a :class:`BodyScan` is immutable): *check*, the preflight and
    ``serve``'s rebuilds ask again for bodies that did not change."""
    lines = body.split("\n")
    code_lines = _code_lines(_parser().parse(body))
    markers = conflict_markers(lines)
    divs, stray_fences, fences = fenced_divs(lines, code_lines | set(markers))
    hidden = fences | set(markers)
    # pandoc ends a paragraph at a div fence and never sees a resolved conflict's markers:
    # markdown-it reads the body without those lines (which keeps every line number).
    source = "\n".join("" if n in hidden else line for n, line in enumerate(lines))
    tokens = _parser().parse(source) if hidden else _parser().parse(body)
    code_lines = _code_lines(tokens)
    prose, math = _mask_prose(tokens, lines)
    examples = {
        match[1]
        for n, line in enumerate(lines)
        if n not in code_lines
        if (match := EXAMPLE_LABEL_RE.match(line))
    }
    div_lines = {n for div in divs for n in range(div.line, (div.end_line or len(lines)) - 1)}
    citations: list[Found] = []
    cross_refs: list[Found] = []
    labels: list[Found] = []
    typed_refs: list[Found] = []
    typed_citations: list[Found] = []
    figures = tables = 0
    images: list[ImageRef] = []
    headings: list[Heading] = []
    raw_html: list[RawHtml] = []
    raw_formats: list[Found] = []
    raw_tex: list[Found] = []
    page_breaks: list[Found] = []
    chunks: list[Found] = []
    shortcodes: list[Found] = []
    links: list[Found] = []
    scanned: set[int] = set()
    too_deep: Found | None = None
    for index, token in enumerate(tokens):
        if too_deep is None and token.map:
            depth = token.level + max((c.level for c in token.children or ()), default=0)
            if depth > MAX_NESTING:
                too_deep = Found(str(depth), token.map[0] + 1, 1)
        if token.type == "fence" and token.map:
            info = token.info.strip()
            column = len(lines[token.map[0]]) - len(lines[token.map[0]].lstrip()) + 1
            if RAW_FORMAT_RE.match(info):
                raw_formats.append(Found(info, token.map[0] + 1, column))
            elif EXECUTABLE_FENCE_RE.match(info):
                chunks.append(Found(f"```{info}", token.map[0] + 1, column))
        if token.type == "heading_open" and token.map:
            inline = tokens[index + 1]
            headings.append(Heading(int(token.tag[1]), inline.content, token.map[0] + 1))
        elif token.type == "html_block" and token.map:
            if not _is_comment(token.content):  # a comment is dropped, as its author meant
                raw_html.append(RawHtml(token.content.strip().split("\n")[0], token.map[0] + 1))
            images.extend(_images_in_html(lines, *token.map))
        elif token.type == "table_open" and token.map:
            if not _captioned(lines, *token.map):  # else counted by its caption, below
                tables += 1
        elif token.type == "inline" and token.map:
            start, end = token.map
            block_lines = [n for n in range(start, end) if n not in scanned]
            scanned.update(block_lines)
            for found in _citations_in(prose, block_lines):
                key = found.text
                if key in examples:
                    continue  # a reference to a numbered example, (@key)
                # Quarto's @fig-map is @fig:map (kept as written; see canonical_label)
                is_reference = canonical_label(key).startswith(CROSS_REF_PREFIXES)
                (cross_refs if is_reference else citations).append(found)
            labels.extend(
                Found(canonical_label(found.text), found.line, found.column)
                for found in _matches_in(LABEL_RE, prose, block_lines, group=1)
            )
            typed_refs.extend(_typed_refs_in(prose, block_lines))
            typed_citations.extend(_matches_in(TYPED_CITATION_RE, prose, block_lines, group=1))
            typed_citations.extend(_matches_in(TYPED_NARRATIVE_RE, prose, block_lines, group=1))
            opener = tokens[index - 1]
            in_paragraph = opener.type == "paragraph_open"
            spaced = list(_spaced_images_in(token, lines, start, end))
            figure = in_paragraph and (
                _is_figure(token)
                or (
                    len(spaced) == 1
                    and SPACED_IMAGE_RE.fullmatch(token.content.strip()) is not None
                )
            )
            figures += figure
            images.extend(
                dataclasses.replace(image, in_text=in_paragraph and not figure)
                for image in [*_images_in(token, lines, start, end), *spaced]
            )
            links.extend(_links_in(token, lines, start, end))
            raw_html.extend(
                RawHtml(child.content, start + 1)
                for child in token.children or ()
                if child.type == "html_inline" and not _is_comment(child.content)
            )
            raw_formats.extend(_raw_spans_in(token, lines, block_lines))
            chunks.extend(_inline_chunks_in(token, lines, start, end))
            if (
                in_paragraph
                and PAGE_BREAK_RE.match(token.content)
                and opener.level == 0
                and start not in div_lines
            ):
                page_breaks.append(Found(token.content.strip(), start + 1, 1))
                continue  # converted by page_breaks.lua
            for number in block_lines:
                raw_tex.extend(Found(t, number + 1, c + 1) for t, c in raw_tex_in(prose[number]))
                shortcodes.extend(
                    Found(m[0], number + 1, m.start() + 1)
                    for m in SHORTCODE_RE.finditer(prose[number])
                )
    # pandoc's other tables (simple, multiline, grid), which markdown-it reads as paragraphs,
    # are counted by their captions: ": Den types by season. {#tbl:dens}" after a blank line
    tables += sum(
        1
        for n, line in enumerate(lines)
        if n not in code_lines
        and TABLE_CAPTION_RE.match(line)
        and (n == 0 or not lines[n - 1].strip())
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
        tuple(_metadata_blocks(lines, code_lines)),
        tuple(raw_formats),
        tuple(
            Found(match[1].lower(), raw.line, 1)
            for raw in raw_html
            for match in RAW_IMAGE_RE.finditer(raw.text)
        ),
        too_deep,
        math=tuple(math),
        raw_tex=tuple(raw_tex),
        page_breaks=tuple(page_breaks),
        chunks=tuple(chunks),
        shortcodes=tuple(shortcodes),
        divs=tuple(divs),
        stray_fences=tuple(Found(lines[n].strip(), n + 1, 1) for n in stray_fences),
        conflict_markers=tuple(Found(lines[n][:7], n + 1, 1) for n in markers),
        typed_citations=tuple(typed_citations),
        links=tuple(links),
    )


def _code_lines(tokens: list[Token]) -> set[int]:
    return {
        number
        for token in tokens
        if token.type in ("fence", "code_block") and token.map
        for number in range(*token.map)
    }


def _mask_prose(tokens: list[Token], lines: list[str]) -> tuple[list[str], list[Math]]:
    """The body's lines with inline code, math and HTML comments blanked (columns kept), which
    is what the prose scans read; and the math, located in the source."""
    prose = list(lines)
    math: list[Math] = []
    for token in tokens:
        if token.type == "math_block" and token.map:
            line = token.map[0]
            math.append(Math(token.content, True, line + 1, lines[line].find("$$") + 1, None))
            continue
        if token.type != "inline" or not token.map:
            continue
        start, end = token.map
        text = _mask_comments(mask_code_spans("\n".join(prose[start:end])))
        cursor = 0
        for child in _walk(token.children or []):
            if child.type not in ("math_inline", "math_inline_double"):
                continue
            display = child.type == "math_inline_double"
            opening = text.find(child.markup + child.content.split("\n")[0], cursor)
            if opening < 0:
                continue  # a container's markers inside multi-line math: not located
            after = opening + len(child.markup)
            if text.startswith(child.content + child.markup, after):
                closing = after + len(child.content) + len(child.markup)
            else:
                closing = text.find(child.markup, after + 1) + len(child.markup)
            label = EQUATION_LABEL_RE.match(text, closing) if display else None
            line = start + text.count("\n", 0, opening)
            column = opening - (text.rfind("\n", 0, opening) + 1)
            math.append(Math(child.content, display, line + 1, column + 1, label and label[1]))
            text = text[:opening] + _blank_text(text[opening:closing]) + text[closing:]
            cursor = closing
        prose[start:end] = text.split("\n")
    return prose, math


def _mask_comments(text: str) -> str:
    """``text`` with HTML comments blanked, in linear time (an unclosed one ends the search)."""
    pieces = []
    cursor = 0
    while (opening := text.find("<!--", cursor)) >= 0:
        closing = text.find("-->", opening + 4)
        if closing < 0:
            break
        pieces += [text[cursor:opening], _blank_text(text[opening : closing + 3])]
        cursor = closing + 3
    return "".join(pieces) + text[cursor:]


def _blank_text(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _blank(match: re.Match[str]) -> str:
    return _blank_text(match[0])


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
    # the attributes may run over lines (pandoc's own Markdown writer wraps them)
    rest = "".join(c.content if c.type == "text" else " " for c in children[1:])
    return len(children) == 1 or (
        all(c.type in ("text", "softbreak") for c in children[1:])
        and rest.strip().startswith("{")
        and rest.strip().endswith("}")
    )


def _captioned(lines: list[str], start: int, end: int) -> bool:
    """Whether the pipe table on ``lines[start:end]`` has a caption paragraph just before or
    after it (pandoc's ``: caption`` or ``Table: caption``)."""
    near = [n for n in (start - 2, end, end + 1) if 0 <= n < len(lines)]
    return any(TABLE_CAPTION_RE.match(lines[n]) for n in near)


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
        # An example list's marker "(@good)" is no citation; the rest of the line is prose.
        line_text = EXAMPLE_MARKER_RE.sub(_blank, line_text)
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
            _find(lines, f"]({src}", cursor, end)
            or _find(lines, f"]({unquote(src)}", cursor, end)  # C:\\x.png is C:%5Cx.png
            or _find(lines, src, cursor, end)
            or (start, 0)
        )
        cursor = (line, column + 1)
        yield ImageRef(src, alt, line + 1, column + 3 if column else 1)


def _spaced_images_in(token: Token, lines: list[str], start: int, end: int) -> Iterator[ImageRef]:
    """Images with a space in the path, which markdown-it leaves in text
    (:data:`SPACED_IMAGE_RE`); the column is the path's, as for other images."""
    cursor = (start, 0)
    for child in token.children or ():
        if child.type != "text":
            continue
        for match in SPACED_IMAGE_RE.finditer(child.content):
            src = match["src"].strip()
            if not any(c.isspace() for c in src):
                continue  # markdown-it would have read it: not this case
            offset = match.start("src") - match.start()
            found = _find(lines, match[0][:offset], cursor, end)
            if found is None:
                yield ImageRef(src, match["alt"], start + 1, 1)
                continue
            cursor = (found[0], found[1] + 1)
            yield ImageRef(src, match["alt"], found[0] + 1, found[1] + offset + 1)


def _is_comment(html: str) -> bool:
    """An HTML comment and nothing else (``<!-- TODO -->``): the sanitiser drops it from both
    editions, which is what its author meant; no warning."""
    text = html.strip()
    return text.startswith("<!--") and text.endswith("-->") and text.count("-->") == 1


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


def _images_in_html(lines: list[str], start: int, end: int) -> Iterator[ImageRef]:
    """Markdown images in a raw HTML block: pandoc reads Markdown inside ``<div>`` too."""
    for number in range(start, end):
        for match in MARKDOWN_IMAGE_RE.finditer(lines[number]):
            yield ImageRef(match["src"], match["alt"], number + 1, match.start("src") + 1)


def _links_in(token: Token, lines: list[str], start: int, end: int) -> Iterator[Found]:
    """Link targets, at ``](target`` (or after ``[text](`` when markdown-it normalised the
    target), else where the target is written (an autolink, a reference definition)."""
    cursor = (start, 0)
    children = token.children or []
    for index, child in enumerate(children):
        if child.type != "link_open":
            continue
        href = str(child.attrs.get("href", ""))
        text = "".join(
            c.content
            for c in itertools.takewhile(lambda c: c.type != "link_close", children[index + 1 :])
        )
        if inline := _find(lines, f"]({href}", cursor, end):
            line, column = inline[0], inline[1] + 2
        elif inline := _find(lines, f"[{text}](", cursor, end):
            line, column = inline[0], inline[1] + len(text) + 3
        else:
            line, column = _find(lines, href, cursor, len(lines)) or (start, 0)
        cursor = (line, column + 1) if line < end else cursor
        yield Found(href, line + 1, column + 1)


def _inline_chunks_in(token: Token, lines: list[str], start: int, end: int) -> Iterator[Found]:
    """Inline code that knitr or Quarto would have run: `` `r n` ``."""
    cursor = (start, 0)
    for child in token.children or ():
        if child.type != "code_inline" or not INLINE_CHUNK_RE.match(child.content):
            continue
        line, column = _find(lines, child.content, cursor, end) or (start, 1)
        cursor = (line, column + 1)
        yield Found(f"`{child.content}`", line + 1, column)
