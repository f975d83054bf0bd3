"""The new works of an imported manuscript as BibTeX (bibtexparser): CSL items to entries, CSL
rich text (``<i>``, ``<sup>``, small caps, nocase) as the LaTeX pandoc renders, LaTeX's special
characters escaped, capitalised title words protected, DOIs kept (pandoc's own BibTeX writer
drops DOIs and title-cases)."""

from __future__ import annotations

import re
from typing import Any

from pica_publish.word_works import item_year

BIBTEX_TYPES = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "paper-conference": "inproceedings",
    "report": "techreport",
    "thesis": "phdthesis",
}
"""CSL item types → BibTeX entry types; any other is ``@misc``."""


def bibtex(items: list[dict[str, Any]], source: str) -> str:
    """BibTeX entries for CSL items (their ``id`` the key), written by bibtexparser: titles as
    the reference manager has them, with words capitalised after the first protected (as the
    house bibliography writes ``{Pallas's}``), DOIs kept."""
    from bibtexparser import writer as bibtex_writer
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field
    from bibtexparser.writer import BibtexFormat

    library = Library()
    for item in items:
        kind = BIBTEX_TYPES.get(str(item.get("type", "")), "misc")
        values: dict[str, str] = {}
        for role in ("author", "editor"):
            names = [_bib_name(n) for n in item.get(role) or [] if isinstance(n, dict)]
            if names:
                values[role] = " and ".join(names)
        if item.get("title"):
            values["title"] = _bib_rich(" ".join(str(item["title"]).split()), protect=True)
        container = _bib_text(item.get("container-title", ""))
        if container:
            values["journal" if kind == "article" else "booktitle"] = container
        for csl, field_name in (
            ("volume", "volume"),
            ("issue", "number"),
            ("number", "number"),
            ("edition", "edition"),
            ("publisher", "publisher"),
            ("publisher-place", "address"),
            ("ISBN", "isbn"),
            ("ISSN", "issn"),
            ("URL", "url"),
            ("DOI", "doi"),
        ):
            if item.get(csl) and field_name not in values:
                values[field_name] = (
                    _bib_verbatim(item[csl])
                    if field_name in ("url", "doi")
                    else _bib_text(item[csl])
                )
        if item.get("page"):
            values["pages"] = re.sub(r"\s*[-–—]+\s*", "--", _bib_text(item["page"]))
        if year := item_year(item):
            values["year"] = year
        if kind == "techreport" and "publisher" in values:
            values["institution"] = values.pop("publisher")
        if kind == "phdthesis" and "publisher" in values:
            values["school"] = values.pop("publisher")
        fields = [Field(name, "{" + value + "}") for name, value in values.items()]
        library.add(Entry(kind, str(item["id"]), fields))
    layout = BibtexFormat()  # type: ignore[no-untyped-call]
    layout.indent = "  "
    layout.block_separator = "\n"
    header = f"% Imported from {source} by pica-publish import (the citations of its reference manager)\n\n"
    return header + bibtex_writer.write(library, bibtex_format=layout)


LATEX_SPECIALS = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
}
"""Characters LaTeX (and pandoc's BibTeX reader) treat as syntax, written as text."""
RICH_TEXT_COMMANDS = {
    "i": "textit",
    "em": "textit",
    "b": "textbf",
    "strong": "textbf",
    "sup": "textsuperscript",
    "sub": "textsubscript",
}
"""CSL rich text (the HTML-like markup CSL JSON allows in a value: Zotero's ``<i>Otocolobus
manul</i>``) → the LaTeX command pandoc renders the same way."""


def _bib_text(value: Any) -> str:
    """A CSL value as BibTeX field text: LaTeX's special characters escaped, CSL's rich text
    (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps, ``nocase``) as LaTeX commands."""
    return _bib_rich(" ".join(str(value).split()), protect=False)


def _bib_verbatim(value: Any) -> str:
    """A URL or DOI: read verbatim by pandoc and biblatex, only braces cannot be kept."""
    return " ".join(re.sub(r"[{}]", "", str(value)).split())


def _bib_rich(value: str, *, protect: bool) -> str:
    """``value`` (CSL rich text) as BibTeX; with ``protect``, the words with a capital after the
    first word braced, as the house bibliography writes ``{Pallas's}`` (sentence casing then
    leaves them alone)."""
    from lxml import etree, html

    if "<" not in value:
        root: Any = None
    else:
        try:
            root = html.fragment_fromstring(value, create_parent="span")
        except (etree.ParserError, ValueError):
            root = None
    first = [True]

    def text(part: str, protect: bool) -> str:
        out = []
        for word in re.split(r"(\s+)", part):
            escaped = "".join(LATEX_SPECIALS.get(c, c) for c in word)
            if word and not word.isspace():
                if protect and not first[0] and any(c.isupper() for c in word):
                    escaped = "{" + escaped + "}"
                first[0] = False
            out.append(escaped)
        return "".join(out)

    def element(node: Any, protect: bool) -> str:
        tag = str(node.tag).lower()
        nocase = tag == "span" and "nocase" in (node.get("class") or "").split()
        protect = protect and not nocase  # the span protects its words already
        inner = text(node.text or "", protect) + "".join(
            element(child, protect) + text(child.tail or "", protect) for child in node
        )
        style = "".join((node.get("style") or "").split())
        if tag in RICH_TEXT_COMMANDS:
            return f"\\{RICH_TEXT_COMMANDS[tag]}{{{inner}}}"
        if tag == "span" and "font-variant:small-caps" in style:
            return f"\\textsc{{{inner}}}"
        if nocase:
            return "{" + inner + "}"
        return inner

    return text(value, protect) if root is None else element(root, protect)


def _bib_name(name: dict[str, Any]) -> str:
    if name.get("literal"):
        return "{" + _bib_text(name["literal"]) + "}"
    family = _bib_text(
        " ".join(filter(None, [name.get("non-dropping-particle"), name.get("family")]))
    )
    given = _bib_text(name.get("given", ""))
    return f"{family}, {given}" if given else family
