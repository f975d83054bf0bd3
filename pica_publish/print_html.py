"""Reshape an article's HTML for the print layout, on a parsed tree (lxml).

pandoc writes endnotes and nested ``<section>`` wrappers; the print edition wants footnotes at the
foot of the page (``float: footnote``) and a flat body that can be cut into column segments
around the figures and tables marked ``.wide`` (WeasyPrint's multi-column support is for simple
cases: wide blocks go *between* column boxes, never ``column-span`` inside them). Every change is
made on the element tree of pandoc's own, already sanitised, output and serialised once at the
end, so nothing depends on how pandoc happens to write its markup.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass

from pica_publish.htmltree import HtmlElement, classes, element, parse, serialise, to_html

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
FLOATS = frozenset({"figure", "table"})


@dataclass(frozen=True)
class Segment:
    kind: str
    """'columns' (flows in two columns) or 'wide' (a figure or table across the page)."""
    html: str
    float: int | None = None
    """A wide block's float number (see :func:`column_segments`)."""


# --- the steps, on the tree --------------------------------------------------------------------


def inline_notes(root: HtmlElement, notes: HtmlElement) -> None:
    """Put each endnote's content where it is called, as ``<span class="footnote">``: its
    paragraphs joined by a space, without the back-link."""
    texts: dict[str, HtmlElement] = {}
    for item in notes.iter("li"):
        ident = item.get("id")
        if not ident:
            continue
        span = element("span", {"class": "footnote"})
        paragraphs = [p for p in item if p.tag == "p"] or [item]
        for number, paragraph in enumerate(paragraphs):
            _append_content(span, paragraph, separator=" " if number else "")
        for back in span.find_class("footnote-back"):
            back.drop_tree()
        _strip_ends(span)
        texts[ident] = span
    for call in list(root.find_class("footnote-ref")):
        target = (call.get("href") or "").removeprefix("#")
        if call.tag != "a" or target not in texts:
            continue
        span = deepcopy(texts[target])
        span.set("id", call.get("id") or "")
        span.tail = call.tail
        call.getparent().replace(call, span)


def _append_content(target: HtmlElement, source: HtmlElement, *, separator: str) -> None:
    """Append ``source``'s text and (copied) children to ``target``."""
    text = separator + (source.text or "")
    if len(target):
        target[-1].tail = (target[-1].tail or "") + text
    else:
        target.text = (target.text or "") + text
    for child in source:
        target.append(deepcopy(child))


def _strip_ends(node: HtmlElement) -> None:
    node.text = (node.text or "").lstrip()
    if len(node):
        node[-1].tail = (node[-1].tail or "").rstrip()
    else:
        node.text = node.text.rstrip()


def flatten_sections(root: HtmlElement) -> None:
    """``<section id=x><h2>`` → ``<h2 id=x>``: a flat body, ids and classes kept for links and
    bookmarks on the heading."""
    for section in list(root.iter("section")):
        heading = next(iter(section), None)
        if heading is not None and heading.tag in HEADINGS:
            for name in ("id", "class"):
                if section.get(name) is not None:
                    heading.set(name, section.get(name) or "")
        section.drop_tag()


def wrap_code_lines(root: HtmlElement) -> None:
    """Wrap each source line of a code block in ``<span class="code-line">``.

    A line longer than the column wraps; the hanging indent of ``.code-line`` (print.css) marks
    the wrapped part as a continuation. The code element's text and its children's tails are cut
    at newlines; pandoc's highlighting spans never cross one.
    """
    for pre in root.iter("pre"):
        code = next(iter(pre), None)
        if code is None or code.tag != "code":
            continue
        lines: list[HtmlElement] = [element("span", {"class": "code-line"})]
        _add_code_text(lines, code.text or "")
        for child in list(code):
            tail, child.tail = child.tail or "", None
            lines[-1].append(child)
            _add_code_text(lines, tail)
        code.text = None
        for line in lines:
            code.append(line)


def _add_code_text(lines: list[HtmlElement], text: str) -> None:
    """Add ``text`` to the last line, starting a new line at each newline."""
    for number, piece in enumerate(text.split("\n")):
        if number:
            lines.append(element("span", {"class": "code-line"}))
        line = lines[-1]
        if len(line):
            line[-1].tail = (line[-1].tail or "") + piece
        else:
            line.text = (line.text or "") + piece


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
    return segments(parse(body), deferrals)


@dataclass
class _Block:
    kind: str
    """'text', 'float' (in the columns) or 'wide'."""
    elements: list[HtmlElement]
    float: int | None = None

    @property
    def heading(self) -> bool:
        return self.kind == "text" and self.elements[0].tag in HEADINGS


def segments(root: HtmlElement, deferrals: Mapping[int, int] | None = None) -> list[Segment]:
    """The top-level blocks of ``root`` as column and wide segments (see
    :func:`column_segments`)."""
    blocks: list[_Block] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue  # a comment
        if node.tag in FLOATS:
            kind = "wide" if "wide" in classes(node) else "float"
            number = sum(1 for b in blocks if b.float is not None)
            blocks.append(_Block(kind, [node], number))
        else:
            blocks.append(_Block("text", [node]))
    for number, steps in sorted((deferrals or {}).items(), reverse=True):
        _move(blocks, number, steps)
    # A heading right above a wide block introduces it: it goes with the block, across the page,
    # instead of staying alone at the foot of the columns when the block moves on.
    for at in range(len(blocks) - 1, 0, -1):
        before, block = blocks[at - 1], blocks[at]
        if block.kind == "wide" and before.heading:
            blocks[at - 1 : at + 1] = [
                _Block("wide", before.elements + block.elements, block.float)
            ]
    result: list[Segment] = []
    for block in blocks:
        html = "".join(to_html(e) for e in block.elements)
        if block.kind == "wide":
            result.append(Segment("wide", html, block.float))
            continue
        if block.kind == "float":
            html = f'<div class="float" data-float="{block.float}">{html}</div>'
        page_break = "page-break" in classes(block.elements[0])  # starts a new column box
        if result and result[-1].kind == "columns" and not page_break:
            result[-1] = Segment("columns", result[-1].html + html)
        else:
            result.append(Segment("columns", html))
    if not result or result[-1].kind == "wide":
        result.append(Segment("columns", ""))
    return result


def _move(blocks: list[_Block], number: int, steps: int) -> None:
    at = next((i for i, block in enumerate(blocks) if block.float == number), None)
    if at is None:
        return
    moving = blocks.pop(at)
    target = at
    for _ in range(steps):
        # a heading is never left alone above the float: it goes with the next block
        while target < len(blocks) and blocks[target].kind == "text":
            target += 1
            if not blocks[target - 1].heading:
                break
    for _ in range(-steps):
        # moved up: past a text block, and past the heading above it too
        while target > 0 and blocks[target - 1].kind == "text":
            target -= 1
            if not (target > 0 and blocks[target - 1].heading):
                break
    blocks.insert(target, moving)


# --- math: TeX → SVG images ---------------------------------------------------------------------


def typeset_math(root: HtmlElement) -> None:
    """Each formula pandoc kept as TeX (``<span class="math inline|display">``) becomes an SVG
    image set by ziamath (:func:`pica_publish.mathtex.render_svgs`), sized in em of the text
    around it, its baseline on the text's (``vertical-align`` by its depth); its TeX is the
    image's alternative text (the tagged PDF's ``/Alt``). Display math is centred on a line of
    its own (print.css). A formula that cannot be set (``check`` has reported it) stays TeX.
    """
    spans = [span for span in root.iter("span") if "math" in classes(span)]
    if not spans:
        return
    from pica_publish.mathtex import RenderedMath, render_svgs, span_tex

    formulas = [(span_tex(span), "display" in classes(span)) for span in spans]
    rendered = render_svgs(formulas)
    for span, formula in zip(spans, formulas, strict=True):
        result = rendered[formula]
        for child in list(span):
            span.remove(child)
        tex = formula[0].strip()
        if not isinstance(result, RenderedMath):
            span.text = None
            code = element("code", {"class": "math-source"})
            code.text = tex
            span.append(code)
            continue
        span.text = None
        data = base64.b64encode(result.svg.encode("utf-8")).decode("ascii")
        style = f"width: {result.width:.4f}em; vertical-align: {-result.depth:.4f}em"
        span.append(
            element(
                "img",
                {
                    "class": "math-image",
                    "src": f"data:image/svg+xml;base64,{data}",
                    "alt": tex,
                    "style": style,
                },
            )
        )


# --- string in, string out (one parse, one serialisation each) ---------------------------------


def inline_footnotes(body: str, notes: str) -> str:
    root = parse(body)
    inline_notes(root, parse(notes))
    return serialise(root)


def unwrap_sections(body: str) -> str:
    root = parse(body)
    flatten_sections(root)
    return serialise(root)


def code_lines(body: str) -> str:
    root = parse(body)
    wrap_code_lines(root)
    return serialise(root)


def print_body(body: str, notes: str, deferrals: Mapping[int, int] | None = None) -> list[Segment]:
    """The article body as the print template places it: parsed once, reshaped, cut."""
    root = parse(body)
    inline_notes(root, parse(notes))
    typeset_math(root)
    flatten_sections(root)
    wrap_code_lines(root)
    return segments(root, deferrals)


def cross_part_links(page: str, prefix: str) -> str:
    """A print part's whole HTML page with every ``href="#name"`` whose target is not on this
    page written as ``prefix + name``: laid out alone, WeasyPrint would drop such a link; as an
    address it survives, and the join (:mod:`pica_publish.pdfjoin`) turns it back into a link to
    the part that has the target. The page unchanged (same string) when no link leaves it."""
    import lxml.html

    document = lxml.html.document_fromstring(page)
    names = {str(node.get("id")) for node in document.iter() if node.get("id")}
    names |= {str(node.get("name")) for node in document.iter("a") if node.get("name")}
    leaving = [
        link
        for link in document.iter("a")
        if (href := link.get("href", "")).startswith("#") and href[1:] and href[1:] not in names
    ]
    if not leaving:
        return page
    for link in leaving:
        link.set("href", prefix + link.get("href", "")[1:])
    return str(lxml.html.tostring(document, doctype="<!DOCTYPE html>", encoding="unicode"))
