"""What authors bring from other tools: LaTeX, knitr/R Markdown, Quarto, git.

pandoc reads chapter bodies as plain pandoc Markdown (:data:`pica_publish.pandoc.CHAPTER_FORMAT`,
no raw TeX), so each of these constructs would be printed as text or land in the wrong place.
This module finds them in the source lines; :func:`pica_publish.markdown.scan_body` calls it
with the lines it has already masked (code and math blanked, so TeX in ``$…$`` or in code is
never taken for raw TeX), and *check* refuses them with the hints written here. The few that
the house style accepts are rendered by Lua filters: ``\\newpage`` alone in a paragraph
(``theme/filters/page_breaks.lua``), Quarto callouts, ``@fig-x`` cross-references and an empty
``::: {#refs}`` at the end (``theme/filters/quarto.lua``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

PAGE_BREAK_COMMANDS = frozenset({"newpage", "pagebreak", "clearpage", "cleardoublepage"})
"""Alone in a top-level paragraph, these become a page break in print (nothing on the web)."""
PAGE_BREAK_RE = re.compile(r"^\s*\\(?:newpage|pagebreak|clearpage|cleardoublepage)\s*$")

TEX_COMMAND_RE = re.compile(
    r"(?<!\\)(?:\\\\)*(\\(?P<name>[A-Za-z]+)\*?)(?P<argument>\{[^{}\n]*\})?"
)
TEX_MATH_DELIMITERS_RE = re.compile(
    r"(?<!\\)\\\((?P<inline>[^\n]{1,300}?)\\\)|(?<!\\)\\\[(?P<display>[^\]\n]{1,300})\\\]"
)
"""LaTeX's ``\\(x\\)`` and ``\\[x\\]``: pandoc Markdown reads them as escaped brackets."""
TEX_WORDS = frozenset(
    {
        *PAGE_BREAK_COMMANDS,
        *("noindent", "indent", "par", "linebreak", "newline", "nopagebreak", "centering"),
        *("vfill", "hfill", "smallskip", "medskip", "bigskip", "raggedright", "raggedleft"),
        *("maketitle", "tableofcontents", "listoffigures", "listoftables", "appendix"),
        *("tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large", "LARGE"),
        *("huge", "Huge", "bfseries", "itshape", "ttfamily", "today", "LaTeX", "TeX", "item"),
        *("toprule", "midrule", "bottomrule", "hline", "printbibliography", "bibliography"),
    }
)
"""Commands that take no argument: found even without a ``{`` after them. Any other ``\\name``
counts only with a ``{…}`` or ``[…]`` after it, so that ``C:\\Users\\me`` in prose is no TeX."""

TEX_HINTS: dict[str, str] = {
    "textbf": "write **{arg}** for bold",
    "bf": "write **text** for bold",
    "bfseries": "write **text** for bold",
    "textit": "write *{arg}* for italics",
    "emph": "write *{arg}* for italics",
    "it": "write *text* for italics",
    "itshape": "write *text* for italics",
    "textsl": "write *{arg}* for italics",
    "texttt": "write `{arg}` for code",
    "textsc": "write [{arg}]{{.smallcaps}} for small capitals",
    "underline": "write [{arg}]{{.underline}}, or use *italics*",
    "textsuperscript": "write ^{arg}^ for a superscript",
    "textsubscript": "write ~{arg}~ for a subscript",
    "cite": "write [@{arg}] (pandoc citation)",
    "citep": "write [@{arg}] (pandoc citation)",
    "parencite": "write [@{arg}] (pandoc citation)",
    "citet": "write @{arg} (pandoc citation in the text)",
    "textcite": "write @{arg} (pandoc citation in the text)",
    "ref": "write @{arg} and label the figure or table with {{#{arg}}}",
    "autoref": "write @{arg} and label the figure or table with {{#{arg}}}",
    "cref": "write @{arg} and label the figure or table with {{#{arg}}}",
    "eqref": "write @{arg} and label the equation: $$ … $$ {{#{arg}}}",
    "label": "label with {{#fig:name}} after the figure, table, heading or $$ … $$",
    "footnote": "write ^[{arg}] for a footnote",
    "url": "write <{arg}>",
    "href": "write [text](url)",
    "section": "write ## {arg}",
    "subsection": "write ### {arg}",
    "subsubsection": "write #### {arg}",
    "includegraphics": "write ![caption](figures/file.png){{#fig:name}} in a paragraph of its own",
    "item": "write a Markdown list: '- item' on each line",
    "LaTeX": "write LaTeX as a word",
    "TeX": "write TeX as a word",
    "today": "write the date",
}
ENVIRONMENT_HINTS: dict[str, str] = {
    "center": "remove \\begin{center} and \\end{center}: the house style sets the layout",
    "flushleft": "remove the environment: the house style sets the layout",
    "flushright": "remove the environment: the house style sets the layout",
    "itemize": "write a Markdown list: '- item' on each line",
    "enumerate": "write a numbered Markdown list: '1. item' on each line",
    "quote": "write a block quotation: '> ' before each line",
    "quotation": "write a block quotation: '> ' before each line",
    "verbatim": "write a code block between ``` fences",
    "figure": "write ![caption](figures/file.png){#fig:name} in a paragraph of its own",
    "table": "write a pipe table with a 'Table: caption {#tbl:name}' line",
    "tabular": "write a pipe table with a 'Table: caption {#tbl:name}' line",
    "equation": "write display math: $$ … $$ {#eq:name}",
    "align": "write display math: $$ \\begin{aligned} … \\end{aligned} $$",
}
LAYOUT_COMMANDS = frozenset(
    {
        *("noindent", "indent", "par", "linebreak", "newline", "nopagebreak", "centering"),
        *("vspace", "hspace", "vfill", "hfill", "smallskip", "medskip", "bigskip"),
        *("raggedright", "raggedleft", "numberwithin", "setlength", "usepackage", "input"),
        *("include", "maketitle", "tableofcontents", "listoffigures", "listoftables"),
        *("tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large"),
        *("LARGE", "huge", "Huge", "newcommand", "renewcommand", "appendix", "hline"),
        *("toprule", "midrule", "bottomrule", "printbibliography", "bibliography"),
    }
)
"""Commands about layout, packages or numbering that the house style sets itself: removed."""


def tex_hint(text: str) -> str:
    """What to write instead of the raw TeX ``text`` (``\\textbf{x}``, ``\\newpage``…)."""
    if bookdown := BOOKDOWN_RE.fullmatch(text):
        if bookdown["ref"]:
            return f"write @{bookdown_label(bookdown['ref'])} (bookdown's \\@ref is not read here)"
        label = bookdown_label(bookdown["label"])
        return f"label with {{#{label}}} after the figure, table or $$ … $$ (bookdown's (\\#…) is not read here)"
    if text.startswith(("\\(", "\\[")):
        return "write math between dollars: $x$ in the text, $$ x $$ on its own line"
    match = TEX_COMMAND_RE.fullmatch(text)
    name = match["name"] if match else text.lstrip("\\")
    argument = (match["argument"] or "{…}")[1:-1] if match else "…"
    if name in ("begin", "end"):
        hint = ENVIRONMENT_HINTS.get(argument)
        return hint or f"remove \\begin{{{argument}}} … \\end{{{argument}}} or write it in Markdown"
    if name in PAGE_BREAK_COMMANDS:
        return f"put \\{name} in a paragraph of its own (a blank line before and after), outside lists, quotations and divs, to start a new page in print"
    if name in TEX_HINTS:
        return TEX_HINTS[name].format(arg=argument)
    if name in LAYOUT_COMMANDS:
        return "remove it: the house style sets layout, spacing and numbering"
    return "remove it or write it in Markdown: pandoc prints raw TeX as text"


BOOKDOWN_RE = re.compile(r"\\@ref\((?P<ref>[^()\s]{1,200})\)|\(\\#(?P<label>[^()\s]{1,200})\)")
"""bookdown's cross-references ``\\@ref(fig:map)`` and labels ``(\\#fig:map)``, which pandoc
prints as text ("@ref(fig:map)")."""
BOOKDOWN_KINDS = {"fig": "fig", "tab": "tbl", "eq": "eq"}


def bookdown_label(label: str) -> str:
    """bookdown's ``tab:sites`` as this house's ``tbl:sites`` (a section label gets ``sec:``)."""
    kind, _, name = label.partition(":")
    return f"{BOOKDOWN_KINDS[kind]}:{name}" if kind in BOOKDOWN_KINDS and name else f"sec:{label}"


def raw_tex_in(line: str) -> Iterator[tuple[str, int]]:
    """(construct, 0-based column) of every raw TeX command, ``\\(…\\)`` or bookdown
    reference in a masked line."""
    for match in BOOKDOWN_RE.finditer(line):
        yield match[0], match.start()
    for match in TEX_MATH_DELIMITERS_RE.finditer(line):
        if match["inline"] or re.search(r"[\\^_=]", match["display"]):
            yield match[0], match.start()
    for match in TEX_COMMAND_RE.finditer(line):
        name = match["name"]
        after = line[match.end() : match.end() + 1]
        if name in TEX_WORDS or match["argument"] or after in ("{", "["):
            yield match[1] + (match["argument"] or ""), match.start(1)


EXECUTABLE_FENCE_RE = re.compile(r"^\{\s*[A-Za-z][\w-]*(?=[\s,}]|$)")
"""A knitr/Quarto chunk: ```` ```{r setup} ````, ```` ```{python} ```` (not ``{.r}``)."""
INLINE_CHUNK_RE = re.compile(r"^(?:r|\{[A-Za-z][\w-]*\})\s+\S")
"""Inline code that knitr or Quarto would run: `` `r nrow(x)` ``, `` `{python} n` ``."""
SHORTCODE_RE = re.compile(r"\{\{([<%])\s*(?P<name>[\w-]*)[^\n]{0,300}?\}\}")


def shortcode_hint(name: str) -> str:
    if name == "include":
        return "paste the included file's text into the chapter, or list it as a chapter of its own in issue.yml"
    if name == "pagebreak":
        return "write \\newpage in a paragraph of its own"
    return "shortcodes are Quarto's: render with Quarto to Markdown first, or write plain Markdown"


CONFLICT_OPEN_RE = re.compile(r"^<{7}(?:\s|$)")
CONFLICT_BASE_RE = re.compile(r"^\|{7}(?:\s|$)")
CONFLICT_SEPARATOR_RE = re.compile(r"^={7}\s*$")
CONFLICT_CLOSE_RE = re.compile(r"^>{7}(?:\s|$)")


def conflict_markers(lines: Sequence[str]) -> list[int]:
    """0-based numbers of git's merge-conflict marker lines. ``<<<<<<<`` and ``>>>>>>>`` always
    count; ``=======`` and ``|||||||`` only between them (alone, ``=======`` underlines a
    heading)."""
    found: list[int] = []
    open_at: int | None = None
    inside: list[int] = []
    for number, line in enumerate(lines):
        if CONFLICT_OPEN_RE.match(line):
            found.append(number)
            open_at = number
            inside = []
        elif CONFLICT_CLOSE_RE.match(line):
            found.extend(inside)
            found.append(number)
            open_at = None
            inside = []
        elif open_at is not None and (
            CONFLICT_SEPARATOR_RE.match(line) or CONFLICT_BASE_RE.match(line)
        ):
            inside.append(number)
    found.extend(inside)  # a conflict whose closing marker was deleted
    return sorted(found)


DIV_FENCE_RE = re.compile(r"^\s*+:{3,}+\s*+(?P<attributes>\{[^{}]*+\}|[\w-]++)?\s*+:*+\s*+$")
DIV_ID_RE = re.compile(r"#([\w:.-]+)")
DIV_CLASS_RE = re.compile(r"(?:^|\s|\{)\.([\w-]+)")


@dataclass(frozen=True)
class FencedDiv:
    """A pandoc fenced div: ``::: {#id .class title="…"}`` … ``:::``."""

    attributes: str
    identifier: str
    classes: tuple[str, ...]
    line: int
    """1-based line of the opening fence."""
    end_line: int | None
    """1-based line of the closing fence; None when it is never closed."""
    empty: bool
    """Nothing but blank lines between the fences."""
    last: bool
    """Nothing but blank lines after the closing fence, and not inside another div."""


def fenced_divs(
    lines: Sequence[str], skip: set[int]
) -> tuple[list[FencedDiv], list[int], set[int]]:
    """The fenced divs, the 0-based lines of closing fences that close nothing, and every fence
    line (which *scan_body* blanks before markdown-it reads the body, as pandoc ends a paragraph
    there). Lines in ``skip`` (code) are not fences. As in pandoc, an opening fence starts a
    block only after a blank line; a closing fence ends a paragraph."""
    divs: list[FencedDiv] = []
    stray: list[int] = []
    fences: set[int] = set()
    stack: list[tuple[int, str]] = []
    closed: list[tuple[int, str, int | None, int]] = []  # (open, attributes, close, depth)
    for number, line in enumerate(lines):
        if number in skip or not (match := DIV_FENCE_RE.match(line)):
            continue
        attributes = match["attributes"]
        if attributes:
            previous = lines[number - 1] if number else ""
            if previous.strip() and number - 1 not in fences:
                continue  # paragraph text, as in pandoc
            stack.append((number, attributes))
            fences.add(number)
        elif stack:
            start, attributes = stack.pop()
            closed.append((start, attributes, number, len(stack)))
            fences.add(number)
        else:
            stray.append(number)
    closed.extend(
        (start, attributes, None, depth) for depth, (start, attributes) in enumerate(stack)
    )
    for start, attributes, end, depth in sorted(closed):
        inner = lines[start + 1 : end] if end is not None else []
        after = lines[end + 1 :] if end is not None else [""]
        divs.append(
            FencedDiv(
                attributes=attributes,
                identifier=next(iter(DIV_ID_RE.findall(attributes)), "")
                if attributes.startswith("{")
                else "",
                classes=tuple(DIV_CLASS_RE.findall(attributes))
                if attributes.startswith("{")
                else (attributes,),
                line=start + 1,
                end_line=end + 1 if end is not None else None,
                empty=end is not None and not any(text.strip() for text in inner),
                last=end is not None and depth == 0 and not any(text.strip() for text in after),
            )
        )
    return divs, stray, fences


EXAMPLE_LABEL_RE = re.compile(r"^\s*\(@([\w-]+)\)\s")
"""A labelled item of a pandoc example list, ``(@good) …``: ``@good`` elsewhere is its number."""
