"""Step 3 of ``pica-publish import``: the manuscript's title page read into the chapter's front
matter — title; authors with their affiliation marks (superscript or typed, numbers or letters;
``*`` for the corresponding author, or Word's Author style); affiliations; the e-mail; the
abstract; keywords — and written back as YAML. What cannot be found becomes the scaffold's
placeholders, which ``check`` reports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from pica_publish.word_ast import plain_inlines, stringify, without_styles
from pica_publish.word_package import (
    TODO,
)


@dataclass
class TitlePage:
    """What the first paragraphs of the manuscript say about the article."""

    title: str = ""
    authors: list[dict[str, Any]] = field(default_factory=list)
    affiliations: dict[str, str] = field(default_factory=dict)
    email: str = ""
    abstract: str = ""
    abstract_blocks: list[dict[str, Any]] = field(default_factory=list)
    """The abstract's paragraphs as pandoc read them (their italics: the species' names)."""
    keywords: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    """What could not be found (reported by the import; placeholders in the file)."""


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
KEYWORDS_RE = re.compile(r"^\s*(key\s*words?|mots[- ]clés|ключевые слова)\s*[:.]\s*", re.IGNORECASE)


def is_heading(block: dict[str, Any], *names: str) -> bool:
    """A heading, or a paragraph that is nothing but the heading's word ("Abstract", bold or
    not: pandoc's own Word files set it in a style of their own)."""
    if block.get("t") == "Header":
        text = stringify(block["c"][2])
    elif block.get("t") in ("Para", "Plain"):
        text = stringify(block["c"])
    else:
        return False
    return text.strip().rstrip(":.").lower() in names


def front_matter(ast: dict[str, Any]) -> tuple[TitlePage, list[dict[str, Any]]]:
    """The title page read from the first blocks, and the blocks of the body after it."""
    page = TitlePage(title=" ".join(stringify(ast["meta"].get("title", {}).get("c", [])).split()))
    page.authors = _meta_authors(ast["meta"].get("author"))  # Word's Author style
    blocks = without_styles(ast["blocks"])
    index = 0
    first = " ".join(stringify(blocks[0]).split()) if blocks else ""
    if not page.title and blocks[0].get("t") == "Para" and 0 < len(first) < 200:
        page.title = first  # no Title style: the first paragraph, if it is short
        index = 1
    # the title page: everything before the first heading that is not the abstract's
    while index < len(blocks):
        block = blocks[index]
        if is_heading(block, "abstract", "summary"):
            index += 1
            parts = []
            while index < len(blocks) and blocks[index].get("t") in ("Para", "Plain"):
                if KEYWORDS_RE.match(stringify(blocks[index])):
                    break
                parts.append(" ".join(stringify(blocks[index]).split()))
                page.abstract_blocks.append(blocks[index])
                index += 1
            page.abstract = "\n\n".join(parts)
            continue
        if block.get("t") == "Header":
            break
        if block.get("t") not in ("Para", "Plain"):
            break
        text = " ".join(stringify(block).split())
        inlines = block["c"]
        marked = any(i.get("t") == "Superscript" for i in inlines)
        email = EMAIL_RE.search(text)
        if match := KEYWORDS_RE.match(text):
            page.keywords = [k.strip() for k in re.split(r"[;,]", text[match.end() :]) if k.strip()]
        elif page.authors and inlines[0].get("t") == "Superscript" and len(inlines) > 1:
            mark = stringify(inlines[0]).strip()
            page.affiliations[mark] = " ".join(stringify(inlines[1:]).split()).strip(" ,;")
        elif (typed := TYPED_AFFILIATION_RE.match(text)) and typed[1] in _marks(page):
            page.affiliations[typed[1]] = typed[2].strip(" ,;")  # "1 Institute…", typed plain
        elif email and (page.authors or not marked):
            page.email = email.group(0)
        elif not page.authors and marked:
            page.authors = _authors(inlines)
        elif not page.authors and len(text) < 300 and TYPED_MARKS_RE.search(text):
            page.authors = _authors(_with_superscripts(text))  # "Anna Petrova1,2, Batbayar Dorj2*"
        elif not page.authors and len(text) < 200:
            names = [n.strip() for n in re.split(r",|\band\b|&", text) if n.strip()]
            page.authors = [{"name": n, "marks": []} for n in names]
        else:
            break
        index += 1
    _fill_in(page)
    return page, blocks[index:]


TYPED_MARKS_RE = re.compile(r"(?<=[^\W\d_])((?:\d{1,2}|\*)(?:,?(?:\d{1,2}|\*))*)(?=[\s,;]|$)")
"""Affiliation marks typed without superscript, right after a name: "Petrova1,2", "Dorj2*"."""
TYPED_AFFILIATION_RE = re.compile(r"^(\d{1,2}|[a-z])[.):]?\s*([^\W\d_].{3,})$")
"""An affiliation starting with its mark typed plain: "1 Institute of…", "2. Mongolian…"."""


def _marks(page: TitlePage) -> set[str]:
    return {mark for author in page.authors for mark in author["marks"]}


def _with_superscripts(text: str) -> list[dict[str, Any]]:
    """An author line with its typed marks as the superscripts Word would have shown."""
    inlines: list[dict[str, Any]] = []
    at = 0
    for match in TYPED_MARKS_RE.finditer(text):
        inlines.extend(plain_inlines(text[at : match.start()]))
        inlines.append({"t": "Superscript", "c": plain_inlines(match[1])})
        at = match.end()
    inlines.extend(plain_inlines(text[at:]))
    return inlines


def _meta_authors(value: Any) -> list[dict[str, Any]]:
    """The authors pandoc took from paragraphs in Word's Author style (R Markdown's and
    Quarto's Word files: one paragraph a name), with their superscript marks if any."""
    if not isinstance(value, dict):
        return []
    items = value["c"] if value.get("t") == "MetaList" else [value]
    authors: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict) and item.get("t") == "MetaInlines":
            authors.extend(_authors(item["c"]))
        elif isinstance(item, dict) and item.get("t") == "MetaString":
            authors.extend(_authors(plain_inlines(item["c"])))
    return authors


def _authors(inlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``Anna Petrova¹, Batbayar Dorj²*``: names with their affiliation marks."""
    authors: list[dict[str, Any]] = []
    name: list[str] = []
    for inline in [*inlines, {"t": "Str", "c": ","}]:
        if inline.get("t") == "Superscript":
            marks = re.findall(r"\d+|\b[a-z]\b|[*†‡§]", stringify(inline))
            if name:
                authors.append(
                    {"name": " ".join("".join(name).split()).strip(" ,"), "marks": marks}
                )
                name = []
            elif authors:
                authors[-1]["marks"] += marks
            continue
        text = stringify(inline)
        pieces = re.split(r",|\band\b|&|;", text)
        for number, piece in enumerate(pieces):
            if number and "".join(name).strip():
                authors.append({"name": " ".join("".join(name).split()), "marks": []})
                name = []
            name.append(piece)
    return [a for a in authors if a["name"]]


def _fill_in(page: TitlePage) -> None:
    """Placeholders (the scaffold's, which ``check`` reports) for what was not found."""
    from pica_publish.scaffold import ABSTRACT, ADDRESS, AUTHOR_NAME, EMAIL, KEYWORD

    if not page.title:
        page.title = f"{TODO}: write the title"
        page.todo.append("the title (no Title paragraph)")
    if not page.authors:
        page.authors = [{"name": AUTHOR_NAME.text, "marks": []}]
        page.todo.append("the authors")
    if not page.email:
        page.email = EMAIL.text
        page.todo.append("the corresponding author's e-mail")
    if not page.affiliations:
        page.affiliations = {"1": ADDRESS.text}
        page.todo.append("the affiliations")
    if not page.abstract:
        page.abstract = f"{ABSTRACT.text} (none found in the manuscript)."
        page.todo.append("the abstract")
    if not page.keywords:
        page.keywords = [KEYWORD.text]
        page.todo.append("the keywords")


# --- the front matter written ----------------------------------------------------------------------


def chapter_front_matter(page: TitlePage) -> str:
    """The front matter, written by ruamel.yaml as the scaffold writes it."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString

    marks = list(page.affiliations)
    ids = {mark: f"aff{n}" for n, mark in enumerate(marks, start=1)}
    authors = CommentedSeq()
    corresponding = next((a for a in page.authors if "*" in a.get("marks", [])), page.authors[0])
    for author in page.authors:
        entry = CommentedMap([("name", author["name"])])
        own = [ids[m] for m in author.get("marks", []) if m in ids] or [ids[marks[0]]]
        affiliations = CommentedSeq(own)
        affiliations.fa.set_flow_style()
        entry["affiliations"] = affiliations
        if author is corresponding:
            entry["corresponding"] = True
            entry["email"] = page.email
        authors.append(entry)
    keywords = CommentedSeq(page.keywords)
    keywords.fa.set_flow_style()
    document = CommentedMap(
        [
            ("title", page.title),
            ("authors", authors),
            ("affiliations", CommentedMap((ids[m], page.affiliations[m]) for m in marks)),
            ("abstract", LiteralScalarString(_wrapped(page.abstract) + "\n")),
            ("keywords", keywords),
        ]
    )
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    stream = StringIO()
    yaml.dump(document, stream)
    return f"---\n{stream.getvalue()}---\n"


def _wrapped(text: str, width: int = 96) -> str:
    import textwrap

    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in text.split("\n\n"))
