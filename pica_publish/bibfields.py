"""Field values made ready for pandoc's BibTeX reader, so that the reference list prints what
the ``.bib`` says.

pandoc reads the LaTeX in a field value itself, but (as of pandoc 3) silently drops a number of
common text commands (``\\textemdash``, ``\\textendash``, ``\\texttimes``, ``\\mbox{…}`` with
its argument…), prints TeX math raw (``$\\Delta$``), reads an unescaped ``%`` as the start of a
LaTeX comment (the rest of the line is lost), drops the whole field at an unescaped ``#``, turns
``\\"{\\i}`` into a dotless i with a diaeresis, and prints CSL rich text (``<i>Felis</i>``, the
HTML markup of citeproc-js and Zotero that some exporters copy into BibTeX) as tags.
:func:`prepare_value` rewrites those into what pandoc renders right and reports what it cannot
(:class:`Finding`), with its offset in the value.

Case: see :mod:`pica_publish.bibcase`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pica_publish.bibcase import COMMAND_RE, case_rule, looks_title_case, protect_capitalised_words
from pica_publish.bibmath import MathNotRenderable, math_as_text, plain

TEXT_COMMANDS: Mapping[str, str] = {
    # Commands pandoc's LaTeX reader drops, and what LaTeX prints for them.
    "textemdash": "—",
    "textendash": "–",
    "texttrademark": "™",
    "textperthousand": "‰",
    "textellipsis": "…",
    "textpm": "±",
    "texttimes": "×",
    "textminus": "−",
    "textdiv": "÷",
    "textbar": "|",
    "textunderscore": "\\_",
    "textbraceleft": "\\{",
    "textbraceright": "\\}",
    "textcelsius": "℃",
    "texteuro": "€",
    "textcent": "¢",
    "textcurrency": "¤",
    "textordmasculine": "º",
    "textordfeminine": "ª",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "textnumero": "№",
    "textvisiblespace": "␣",
    "textasteriskcentered": "∗",
    "textdaggerdbl": "‡",
    "textperiodcentered": "·",
    "textonesuperior": "¹",
    "textthreesuperior": "³",
    "textohm": "Ω",
    "textmho": "℧",
    "textrightarrow": "→",
    "textleftarrow": "←",
    "textuparrow": "↑",
    "textdownarrow": "↓",
    "textlnot": "¬",
    "textfractionsolidus": "⁄",
    "textopenbullet": "◦",
    "textasciigrave": "`",
    "textasciiacute": "´",
    "textasciimacron": "¯",
    "textasciidieresis": "¨",
    "textquotestraightbase": "‚",
    "nobreakspace": "\u00a0",
    "degree": "°",
    "cprime": "ʹ",
    "SS": "SS",
    "NG": "Ŋ",
    "ng": "ŋ",
    "DH": "Ð",
    "dh": "ð",
    "TH": "Þ",
    "th": "þ",
    "DJ": "Đ",
    "dj": "đ",
}

TRANSPARENT_COMMANDS = frozenset({"mbox", "hbox", "path", "doi", "NoCaseChange", "text"})
"""Commands pandoc drops together with their argument, where LaTeX prints the argument."""

# fmt: off
KNOWN_COMMANDS = frozenset({
    "emph", "textit", "textbf", "textsc", "textrm", "textsf", "texttt", "textup", "textsl",
    "textmd", "textnormal", "it", "bf", "em", "sc", "rm", "sf", "tt", "sl", "up", "md", "enquote",
    "mkbibquote", "mkbibemph", "mkbibitalic", "mkbibbold", "textsubscript", "textsuperscript",
    "url", "href", "nolinkurl", "textquoteright", "textquoteleft", "textquotedblleft",
    "textquotedblright", "textasciitilde", "textbackslash", "textregistered", "textcopyright",
    "textdegree", "textonehalf", "textthreequarters", "textonequarter", "dots", "ldots", "S", "P",
    "o", "O", "aa", "AA", "ae", "AE", "oe", "OE", "l", "L", "i", "j", "ss", "guillemotleft",
    "guillemotright", "guillemetleft", "guillemetright", "guilsinglleft", "guilsinglright",
    "textbullet", "textmu", "textdagger", "textsection", "textparagraph", "textless",
    "textgreater", "textasciicircum", "textquotesingle", "textdollar", "euro", "textsterling",
    "pounds", "textyen", "textmusicalnote", "textbrokenbar", "texttwosuperior", "quotedblbase",
    "quotesinglbase", "textquotedbl", "glqq", "grqq", "flqq", "frqq", "dq", "hyphen", "slash",
    "newline", "relax", "protect", "noopsort", "nocite", "uppercase", "MakeUppercase",
    "MakeLowercase", "lowercase", "textcolor", "bibstring", "xspace", "space", "quad", "qquad",
    "enspace", "thinspace", "nobreakdash", "LaTeX", "TeX", "ensuremath", "c", "v", "u", "H", "k",
    "d", "b", "r", "t",
})
# fmt: on
"""Commands pandoc renders (or drops on purpose, like BibTeX's ``\\noopsort`` sort trick)."""

VERBATIM_FIELDS = frozenset(
    {"url", "urlraw", "doi", "file", "pdf", "eprint", "verba", "verbb", "verbc", "ids"}
)
"""Fields pandoc (like biblatex) reads verbatim: nothing is rewritten in them."""
UNPRINTED_FIELDS = frozenset(
    {
        "abstract",
        "annote",
        "annotation",
        "keywords",
        "mendeley-tags",
        "mendeley-groups",
        "comment",
        "review",
        "groups",
        "owner",
        "timestamp",
        "creationdate",
        "modificationdate",
        "readstatus",
        "priority",
        "ranking",
        "crossref",
        "xref",
        "xdata",
        "entryset",
        "langid",
        "language",
        "shortjournal",
        "issn",
        "isbn",
        "pmid",
        "pmcid",
        "eprinttype",
        "archiveprefix",
        "primaryclass",
    }
)
"""Fields the house style never prints: their LaTeX is not checked."""

ACCENT_I_RE = re.compile(
    r"(\\[`'^\"~=.]|\\[cvuHkdbrt](?![A-Za-z]))\s*(?:\{\\([ij])\}|\\([ij])(?![A-Za-z]))"
)
REWRITTEN_RE = re.compile(r"[\\$%#<]")
VERBATIM_COMMANDS = frozenset({"url", "href", "nolinkurl", "path", "doi"})

RICH_TEXT_LATEX: Mapping[str, str] = {
    "i": "\\textit{",
    "em": "\\textit{",
    "b": "\\textbf{",
    "strong": "\\textbf{",
    "sup": "\\textsuperscript{",
    "sub": "\\textsubscript{",
    "small-caps": "\\textsc{",
    "nocase": "{",  # braces keep the case as written, like CSL's nocase span
}
"""What each CSL rich-text tag opens in LaTeX that pandoc renders; its closing tag is ``}``."""
RICH_TEXT_OPEN_RE = re.compile(
    r"<(?:(i|em|b|strong|sup|sub)"
    r"|span\s+style\s*=\s*([\"']?)\s*font-variant\s*:\s*(small-caps)\s*;?\s*\2"
    r"|span\s+class\s*=\s*([\"']?)\s*(nocase)\s*\4)\s*>"
)
RICH_TEXT_CLOSE_RE = re.compile(r"</(i|em|b|strong|sup|sub|span)\s*>")


@dataclass(frozen=True)
class Finding:
    kind: Literal["command", "math", "markup"]
    message: str
    offset: int
    """Offset in the value as written."""


def prepare_value(value: str, field: str, entry_type: str) -> tuple[str, list[Finding]]:
    """The value as pandoc should read it, and what in it cannot be rendered."""
    if field in VERBATIM_FIELDS:
        return value, []
    findings: list[Finding] = []
    text = _rewrite(value, findings if field not in UNPRINTED_FIELDS else [])
    rule = case_rule(field, entry_type)
    if rule == "protect":
        text = "{" + text + "}"
    elif rule == "sentence" and not looks_title_case(text):
        text = protect_capitalised_words(text)
    return text, findings


def _rewrite(value: str, findings: list[Finding]) -> str:
    if not REWRITTEN_RE.search(value):
        return value
    tags = _rich_text(value, findings) if "<" in value else {}
    out: list[str] = []
    at = 0
    while at < len(value):
        char = value[at]
        if char == "\\":
            accent_i = ACCENT_I_RE.match(value, at)
            if accent_i:  # \"{\i} → \"{i}: pandoc would set the accent on a dotless i
                out.append(f"{accent_i[1]}{{{accent_i[2] or accent_i[3]}}}")
                at = accent_i.end()
                continue
            match = COMMAND_RE.match(value, at)
            if match is None:  # a backslash at the very end
                out.append("\\\\")
                at += 1
                continue
            name = match[1]
            end = match.end()
            if name == "ensuremath" and value.startswith("{", _skip_space(value, end)):
                start = _skip_space(value, end) + 1
                close = _matching_brace(value, start)
                out.append(_math(value[start:close], at, findings))
                at = close + 1
            elif name in TEXT_COMMANDS:
                out.append(TEXT_COMMANDS[name])
                at = _after_control_word(value, end) if name[0].isalpha() else end
            elif name in TRANSPARENT_COMMANDS:
                at = _skip_space(value, end)  # keep the braced argument: it is printed
            elif name in VERBATIM_COMMANDS and value.startswith("{", end):
                close = _matching_brace(value, end + 1)
                out.append(value[at : close + 1])
                at = close + 1
            else:
                if name[0].isalpha() and name not in KNOWN_COMMANDS:
                    findings.append(
                        Finding(
                            "command",
                            f"LaTeX command '\\{name}' is not understood: it would be dropped "
                            "with its argument",
                            at,
                        )
                    )
                out.append(match[0])
                at = end
        elif char == "$":
            double = value.startswith("$$", at)
            start = at + (2 if double else 1)
            close = _math_end(value, start, "$$" if double else "$")
            if close < 0:
                out.append("\\$")
                at += 1
                continue
            out.append(_math(value[start:close], at, findings))
            at = close + (2 if double else 1)
        elif char in "%#":  # "50% of cats" would print "50"; "Item #1" would print nothing
            out.append("\\" + char)
            at += 1
        elif at in tags:
            at, latex = tags[at]
            out.append(latex)
        else:
            out.append(char)
            at += 1
    return "".join(out)


def _rich_text(value: str, findings: list[Finding]) -> dict[int, tuple[int, str]]:
    """The CSL rich-text tags of a value by offset, each with its end and the LaTeX that
    replaces it; a ``<`` that starts no such tag ("p < 0.05") is text. Empty, with a finding,
    unless every tag closes in order inside the brace group it opened in: half the markup
    translated would unbalance the braces, and tags printed as text show what to mend."""
    tags: dict[int, tuple[int, str]] = {}
    groups: list[tuple[str, int, str]] = []  # open tags and braces, innermost last
    at = 0
    while at < len(value):
        char = value[at]
        if char == "\\":  # what _rewrite copies as written is not scanned for tags either
            match = COMMAND_RE.match(value, at)
            at = match.end() if match else at + 1
            if match and match[1] in VERBATIM_COMMANDS and value.startswith("{", at):
                at = _matching_brace(value, at + 1) + 1
            continue
        if char == "$":
            double = value.startswith("$$", at)
            close = _math_end(value, at + (2 if double else 1), "$$" if double else "$")
            at = close + (2 if double else 1) if close >= 0 else at + 1
            continue
        end, problem = at + 1, ""
        opening = RICH_TEXT_OPEN_RE.match(value, at) if char == "<" else None
        closing = RICH_TEXT_CLOSE_RE.match(value, at) if char == "<" else None
        if char == "{":
            groups.append(("{", at, "{"))
        elif char == "}" and groups and groups[-1][0] != "{":
            _, at, tag = groups[-1]
            problem = f"'{tag}' is not closed inside the braces it is in"
        elif char == "}" and groups:
            groups.pop()
        elif opening:
            kind = opening[1] or opening[3] or opening[5]
            groups.append(("span" if kind in ("small-caps", "nocase") else kind, at, opening[0]))
            end = opening.end()
            tags[at] = (end, RICH_TEXT_LATEX[kind])
        elif closing:
            problem = _closing_problem(closing, groups)
            if not problem:
                groups.pop()
                end = closing.end()
                tags[at] = (end, "}")
        if problem:
            findings.append(Finding("markup", f"HTML markup {problem}: it would print as text", at))
            return {}
        at = end
    unclosed = next((group for group in groups if group[0] != "{"), None)
    if unclosed is not None:
        _, at, tag = unclosed
        findings.append(
            Finding("markup", f"HTML markup '{tag}' is not closed: it would print as text", at)
        )
        return {}
    return tags


def _closing_problem(closing: re.Match[str], groups: list[tuple[str, int, str]]) -> str:
    """Why a closing tag does not close the innermost group; empty when it does."""
    if groups and groups[-1][0] == closing[1]:
        return ""
    inner = next((group for group in reversed(groups) if group[0] != "{"), None)
    if inner is None:
        return f"'{closing[0]}' closes no open tag"
    if inner[0] != closing[1]:
        return f"'{closing[0]}' does not close '{inner[2]}'"
    return f"'{closing[0]}' is outside the braces its '{inner[2]}' is in"


def _skip_space(value: str, at: int) -> int:
    while at < len(value) and value[at].isspace():
        at += 1
    return at


def _after_control_word(value: str, at: int) -> int:
    """After ``\\word``: LaTeX eats the spaces that follow it, or an empty ``{}``."""
    if value.startswith("{}", at):
        return at + 2
    return _skip_space(value, at)


def _matching_brace(value: str, start: int) -> int:
    depth = 1
    at = start
    while at < len(value):
        if value[at] == "{":
            depth += 1
        elif value[at] == "}":
            depth -= 1
            if depth == 0:
                return at
        at += 1
    return len(value)


def _math_end(value: str, start: int, delimiter: str) -> int:
    at = start
    while at < len(value):
        if value[at] == "\\":
            at += 2
            continue
        if value.startswith(delimiter, at):
            return at
        at += 1
    return -1


def _math(tex: str, offset: int, findings: list[Finding]) -> str:
    """TeX math as text pandoc renders (:mod:`pica_publish.bibmath`); braced, so that pandoc's
    sentence casing leaves Δ and Σ alone."""
    try:
        return "{" + math_as_text(tex) + "}"
    except MathNotRenderable as error:
        findings.append(
            Finding("math", f"TeX math '${tex}$' cannot be printed as text ({error})", offset)
        )
        return "{" + plain(tex) + "}"
