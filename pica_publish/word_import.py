"""``pica-publish import manuscript.docx``: a Word (or LibreOffice) manuscript becomes a chapter.

The steps, in order (:func:`import_manuscript` reads top to bottom), gathering everything and
refusing what would lose content before anything is written:

1. :func:`survey` the package itself (lxml over its XML): tracked changes and comments (refused
   unless ``--accept-changes``: they are decisions the author has not made), and objects pandoc
   cannot carry (embedded charts, SmartArt, OLE objects), each with the paragraph it is in.
2. pandoc's docx (or odt) reader, with its ``citations`` extension (Zotero's ``ADDIN
   ZOTERO_ITEM CSL_CITATION`` and Mendeley's ``ADDIN CSL_CITATION`` fields become citations,
   their CSL items the document's ``references``) and ``styles`` (each paragraph's Word style,
   to find captions), images extracted. Mendeley Cite's content controls and EndNote's fields
   are first rewritten as such fields (:mod:`pica_publish.word_fields`).
3. :func:`front_matter`: the title page — title; authors with their affiliation marks
   (superscript digits) and the corresponding author (``*``); affiliations; the e-mail;
   the abstract; keywords. What cannot be found is written as the scaffold's placeholders
   (``YOUR NAME``…), which ``check`` reports until they are replaced.
4. :func:`references`: each cited item (pandoc's CSL JSON of the fields) gets a key in the
   house style (``ross2010den``) — or the key of the entry of ``references/*.bib`` that is the
   same work (same DOI, or same title, year and first author) — and new items are written as
   BibTeX by bibtexparser (:func:`bibtex`: pandoc's BibTeX writer drops DOIs and title-cases).
5. :func:`rewrite`: citations by key; a picture with its caption paragraph becomes a figure
   (``{#fig:slug-n}``, Word's alt text kept), a table with its caption a captioned table
   (``{#tbl:slug-n}``); "Figure 2" and "Table 1" in the text become cross-references; author-year
   citations typed as text are linked where one entry fits (``check`` lists candidates for the
   rest); what pandoc cannot carry is marked ``TODO(import)`` at its place; the typed reference
   list is dropped (the build writes one).
6. :func:`import_manuscript` writes ``chapters/NN-slug.md``, ``chapters/figures/<slug>/``,
   ``references/<slug>.bib``, and the chapter listed in ``issue.yml`` before the strategy.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish.doi import normalise_doi
from pica_publish.word_package import (
    NS,
    ImportRefused,
    W,
)
from pica_publish.word_package import (
    package as _package,
)
from pica_publish.word_package import (
    part as _xml,
)

if TYPE_CHECKING:
    from pica_publish.model import BibEntry
    from pica_publish.scaffold import Staged
    from pica_publish.word_fields import OdtMarks

CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
TODO = "TODO(import)"
"""The mark of what the import could not do; ``check`` reports each one, with its text."""


@dataclass(frozen=True)
class Finding:
    """Something in the package itself: a tracked change, a comment, an object."""

    kind: str
    """``insertion``, ``deletion``, ``comment``, ``chart``, ``SmartArt``, ``embedded object``."""
    paragraph: int
    """Which paragraph of the body it is in, from 1."""
    text: str
    """Its text, or the text of its paragraph (shortened)."""
    author: str = ""
    context: str = ""
    """The text of its paragraph (shortened), to find it in the manuscript."""
    part: str = ""
    """Where it is when not in the body: ``footnotes``, ``endnotes``."""


# --- 1. the package ------------------------------------------------------------------------


def survey(path: Path) -> list[Finding]:
    """Tracked changes, comments and objects pandoc cannot carry, in document order."""
    with _package(path) as package:
        names = set(package.namelist())
        if "word/document.xml" in names:
            body = _xml(package, "word/document.xml")
            comments = _xml(package, "word/comments.xml") if "word/comments.xml" in names else None
            found = list(_docx_findings(body, comments))
            for part, where in (
                ("word/footnotes.xml", "footnotes"),
                ("word/endnotes.xml", "endnotes"),
            ):
                if part in names:  # changes there are accepted by pandoc as well: refused alike
                    found.extend(
                        dataclasses.replace(f, paragraph=0, part=where)
                        for f in _docx_findings(_xml(package, part), comments)
                    )
            return found
        if "content.xml" in names:
            return list(_odt_findings(_xml(package, "content.xml")))
    raise ImportRefused([f"{path.name} is neither a Word (.docx) nor an OpenDocument (.odt) file"])


def _text(element: Any, tag: str = "t") -> str:
    return (
        "".join(element.itertext())
        if tag == "all"
        else "".join(t.text or "" for t in element.iter(f"{{{W}}}{tag}"))
    )


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _docx_findings(body: Any, comments: Any) -> Iterator[Finding]:
    said: dict[str, str] = {}
    if comments is not None:
        for comment in comments.iter(f"{{{W}}}comment"):
            said[comment.get(f"{{{W}}}id", "")] = _text(comment)
    for number, paragraph in enumerate(body.iter(f"{{{W}}}p"), start=1):
        context = _short(_text(paragraph))
        for change in paragraph.iter(
            f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}moveTo"
        ):
            kind = {"ins": "insertion", "del": "deletion"}.get(
                change.tag.split("}")[1], "moved text"
            )
            text = _text(change, "delText") if kind == "deletion" else _text(change)
            yield Finding(kind, number, _short(text), change.get(f"{{{W}}}author", ""), context)
        for start in paragraph.iter(f"{{{W}}}commentRangeStart", f"{{{W}}}commentReference"):
            if (
                start.tag.endswith("commentReference")
                and paragraph.find(
                    f".//{{{W}}}commentRangeStart[@{{{W}}}id='{start.get(f'{{{W}}}id')}']"
                )
                is not None
            ):
                continue  # the same comment, counted at its start
            ident = start.get(f"{{{W}}}id", "")
            yield Finding("comment", number, _short(said.get(ident, context)), "", context)
        for data in paragraph.iter(f"{{{NS['a']}}}graphicData"):
            uri = data.get("uri", "")
            if uri == CHART:
                yield Finding("chart", number, context)
            elif uri == DIAGRAM:
                yield Finding("SmartArt", number, context)
        for _ in paragraph.iter(f"{{{W}}}object"):
            yield Finding("embedded object", number, context)


def _odt_findings(content: Any) -> Iterator[Finding]:
    text_ns, office = NS["text"], NS["office"]
    for region in content.iter(f"{{{text_ns}}}changed-region"):
        for kind in ("insertion", "deletion", "format-change"):
            for change in region.iter(f"{{{text_ns}}}{kind}"):
                creator = "".join(
                    e.text or "" for e in change.iter("{http://purl.org/dc/elements/1.1/}creator")
                )
                yield Finding(kind.replace("-", " "), 0, _short(_text(change, "all")), creator)
    for number, paragraph in enumerate(content.iter(f"{{{text_ns}}}p"), start=1):
        for note in paragraph.iter(f"{{{office}}}annotation"):
            yield Finding("comment", number, _short(_text(note, "all")))
        for _object in paragraph.iter(f"{{{NS['draw']}}}object"):
            yield Finding("embedded object", number, _short(_text(paragraph, "all")))


def refuse_changes(path: Path, findings: list[Finding]) -> None:
    """Tracked changes and comments are the author's to settle: refused, each listed."""
    open_ = [
        f
        for f in findings
        if f.kind in ("insertion", "deletion", "moved text", "comment", "format change")
    ]
    if not open_:
        return
    lines = []
    for f in open_:
        where = f"paragraph {f.paragraph}: " if f.paragraph else f"{f.part}: " if f.part else ""
        by = f" by {f.author}" if f.author else ""
        around = f' (in "{f.context}")' if f.context and f.context != f.text else ""
        lines.append(f"{where}{f.kind}{by}: '{f.text}'{around}")
    changes = sum(f.kind != "comment" for f in open_)
    comments = len(open_) - changes
    raise ImportRefused(
        [f"{path.name} has {changes} tracked change(s) and {comments} comment(s):", *lines],
        "settle them in Word (Review > Accept/Reject, delete the comments), or import with "
        "--accept-changes to accept every change and leave the comments out",
    )


def refuse_temporary(path: Path, temporary: list[str]) -> None:
    """EndNote's unformatted citations name records of the author's library and nothing else:
    the author formats them first, as Word would print them."""
    if temporary:
        shown = ", ".join(dict.fromkeys(temporary))
        raise ImportRefused(
            [f"{path.name} has {len(temporary)} unformatted EndNote citation(s): {_short(shown)}"],
            "in Word: EndNote > Update Citations and Bibliography (or turn Instant Formatting "
            "on), save, and import again",
        )


# --- 2. the document ---------------------------------------------------------------------


def stringify(node: Any) -> str:
    """The text of inlines or blocks (as pandoc's ``stringify``)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind: Any = node.get("t")
    content: Any = node.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Math", "Code", "RawInline"):
        return str(content[1])
    if kind in ("Image", "Link", "Span", "Div"):
        return stringify(content[1])
    if kind == "Cite":
        return stringify(content[1])
    if kind == "Note":
        return ""
    if kind == "Quoted":
        return "“" + stringify(content[1]) + "”"
    if kind == "Header":
        return stringify(content[2])
    return stringify(content) if isinstance(content, list) else ""


def _str(text: str) -> list[dict[str, Any]]:
    """Inlines for plain ``text``."""
    inlines: list[dict[str, Any]] = []
    for number, word in enumerate(text.split(" ")):
        if number:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


# --- 3. the title page -------------------------------------------------------------------


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


def _is_heading(block: dict[str, Any], *names: str) -> bool:
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
        if _is_heading(block, "abstract", "summary"):
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
        inlines.extend(_str(text[at : match.start()]))
        inlines.append({"t": "Superscript", "c": _str(match[1])})
        at = match.end()
    inlines.extend(_str(text[at:]))
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
            authors.extend(_authors(_str(item["c"])))
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


def without_styles(node: Any) -> Any:
    """The AST without the ``styles`` extension's marks: a Div or Span that only carries a Word
    style gives way to its content, and no attribute keeps a ``custom-style``."""
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if _style_only(item):
                out.extend(without_styles(item["c"][1]))
            else:
                out.append(without_styles(item))
        return out
    if isinstance(node, dict):
        if "t" in node and "c" in node:
            content = without_styles(node["c"])
            if node["t"] in ("Table", "Figure", "Header", "Div", "Span", "CodeBlock", "Code"):
                _drop_style(content[1] if node["t"] == "Header" else content[0])
            return {"t": node["t"], "c": content}
        return {key: without_styles(value) for key, value in node.items()}
    return node


def _style_only(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("t") in ("Div", "Span")
        and not item["c"][0][0]
        and any(k == "custom-style" for k, _ in item["c"][0][2])
    )


def _drop_style(attr: Any) -> None:
    if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[2], list):
        attr[2] = [kv for kv in attr[2] if kv[0] != "custom-style"]


# --- 4. the references -------------------------------------------------------------------

KEY_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "at",
        "by",
        "from",
        "with",
        "as",
        "is",
        "are",
        "was",
        "were",
        "its",
        "it",
        "into",
        "der",
        "die",
        "das",
        "la",
        "le",
        "les",
        "el",
        "los",
        "de",
        "du",
        "des",
    ]
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def house_key(item: dict[str, Any]) -> str:
    """The house style's citation key (Better BibTeX's ``[auth:lower][year][shorttitle1_0]``):
    the first author's family name, the year, the first word of the title that is not a
    function word — ``ross2010den``."""
    names = item.get("author") or item.get("editor") or []
    first = names[0] if names else {}
    family = first.get("family") or first.get("literal") or "anon"
    family = family.split()[-1] if first.get("literal") else family
    year = _year(item) or "nd"
    words = re.findall(r"[^\W_]+", str(item.get("title", "")))
    word = next((w for w in words if w.lower() not in KEY_STOP_WORDS), "")
    return _ascii(family) + year + _ascii(word)


def _year(item: dict[str, Any]) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts and parts[0] else ""


def _folded_title(text: str) -> str:
    return _ascii(re.sub(r"[{}\\]", "", text))


@dataclass(frozen=True)
class Known:
    """An entry of ``references/*.bib``, as the import compares works."""

    key: str
    doi: str | None
    title: str
    year: str
    first_author: str
    second_author: str = ""


def known_entries(root: Path) -> list[Known]:
    """The entries of ``references/*.bib``, read as the build reads them."""
    from pica_publish.bibliography import load_bibliography
    from pica_publish.diagnostics import Report

    return known_from(load_bibliography(root, Report()).entries)


def known_from(entries: Mapping[str, BibEntry]) -> list[Known]:
    """What the import compares of each entry."""
    found = []
    for key, entry in entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        authors = fields.get("author") or fields.get("editor") or ""
        first = re.split(r"\s+and\s+", authors.strip())[0] if authors else ""
        family = first.split(",")[0] if "," in first else (first.split() or [""])[-1]
        if first.startswith("{") and first.endswith("}"):  # {IUCN SSC Cat Specialist Group}
            family = first.replace("\\&", "&")
        names = re.split(r"\s+and\s+", authors.strip()) if authors else []
        second = names[1] if len(names) > 1 else ""
        second_family = second.split(",")[0] if "," in second else (second.split() or [""])[-1]
        year = fields.get("year") or (fields.get("date") or "")[:4]
        found.append(
            Known(
                key,
                normalise_doi(fields.get("doi", "")) if fields.get("doi") else None,
                _folded_title(fields.get("title", "")),
                year.strip("{} "),
                _ascii(re.sub(r"[{}\\]", "", family)),
                _ascii(re.sub(r"[{}\\]", "", second_family)),
            )
        )
    return found


def works_in(entries: Mapping[str, BibEntry]) -> list[Work]:
    """The entries a typed citation may name (``check``)."""
    return works(known_from(entries), [])


def same_work(item: dict[str, Any], known: Known) -> bool:
    """Same DOI, or the same title, year and first author."""
    doi = normalise_doi(str(item.get("DOI", ""))) if item.get("DOI") else None
    if doi and known.doi:
        return doi == known.doi
    names = item.get("author") or item.get("editor") or [{}]
    family = _ascii(names[0].get("family") or names[0].get("literal") or "")
    return (
        _folded_title(str(item.get("title", ""))) == known.title
        and _year(item) == known.year
        and family == known.first_author
    )


@dataclass
class References:
    """The cited items: each item's key, and the BibTeX of those that are new."""

    keys: dict[str, str] = field(default_factory=dict)
    """pandoc's citation id (Zotero's item id, Mendeley's ``ITEM-1``) → citation key."""
    reused: set[str] = field(default_factory=set)
    """Key → the file that holds it, for items already in the bibliography."""
    new: list[dict[str, Any]] = field(default_factory=list)
    """CSL items to add, their ``id`` the new key."""


def references(items: list[dict[str, Any]], known: list[Known]) -> References:
    """Keys for every item the citation fields carry (CSL JSON, as pandoc reads them)."""
    found = References()
    taken = {k.key for k in known}
    for item in items:
        ident = str(item.get("id", ""))
        match = next((k for k in known if same_work(item, k)), None)
        if match is not None:
            found.keys[ident] = match.key
            found.reused.add(match.key)
            continue
        same = next((n for n in found.new if _same_item(n, item)), None)
        if same is not None:  # one work cited by two fields (Zotero and Mendeley both)
            found.keys[ident] = same["id"]
            continue
        base = house_key(item)
        key, suffix = base, 0
        while key in taken:
            suffix += 1
            key = base + "abcdefghijklmnopqrstuvwxyz"[(suffix - 1) % 26] * ((suffix - 1) // 26 + 1)
        taken.add(key)
        found.keys[ident] = key
        found.new.append({**item, "id": key})
    return found


def _same_item(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a.get("DOI")
        and a.get("DOI") == b.get("DOI")
        or (
            _folded_title(str(a.get("title", ""))) == _folded_title(str(b.get("title", "")))
            and _year(a) == _year(b)
        )
    )


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
        if year := _year(item):
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


# --- 5. the body -------------------------------------------------------------------------

CAPTION_RE = re.compile(
    r"^(?:(?P<kind>fig(?:ure)?|table|tab|рис(?:унок)?|таблица)\.?\s*(?P<number>\d+))?"
    r"\s*[.:–—-]?\s*",
    re.IGNORECASE,
)
"""A caption's label and number (``Figure 1.``); pandoc leaves only the ``.`` of a caption
that Word numbered itself (Insert Caption: a ``SEQ`` field): figures are then numbered in
order."""
REFERENCE_HEADINGS = (
    "references",
    "literature cited",
    "literature",
    "bibliography",
    "works cited",
    "cited literature",
    "список литературы",
    "литература",
)
LOCATOR_LABELS = {"pages": "pp.", "page": "p.", "figure": "fig.", "table": "tab.", "chapter": "ch."}
"""Zotero's locator labels (written out by pandoc) → the house style's abbreviations."""
CITED_RE = re.compile(r"^(?P<names>[^\d;()]+?),?\s+(?P<year>\d{4})(?P<letter>[a-z]?)$")


@dataclass
class Body:
    """What :func:`rewrite` did, for the summary and the files."""

    blocks: list[dict[str, Any]]
    figures: list[tuple[str, Path]] = field(default_factory=list)
    """(The file name in ``chapters/figures/<slug>/``, the extracted image), for each picture."""
    tables: int = 0
    linked: int = 0
    """Author-year citations typed as text that were linked to their entry."""
    unread: int = 0
    """Citation fields without the data of their works, kept as the text Word showed."""
    todo: list[str] = field(default_factory=list)
    listed: dict[tuple[str, str], str] = field(default_factory=dict)
    """The manuscript's own reference list: (first author, year and letter, as typed
    citations give them: ``("ross", "2010a")``) → the key of the entry it names."""


@dataclass(frozen=True)
class Work:
    """An entry a typed author-year citation may name."""

    key: str
    first_author: str
    second_author: str
    year: str
    title: str = ""
    """Folded (:func:`_folded_title`), to find the work in a typed reference list."""


def works(known: list[Known], new: list[dict[str, Any]]) -> list[Work]:
    found = [Work(k.key, k.first_author, k.second_author, k.year, k.title) for k in known]
    for item in new:
        names = item.get("author") or []
        family = [_ascii(n.get("family") or n.get("literal") or "") for n in names]
        first, second = (family + ["", ""])[:2]
        title = _folded_title(str(item.get("title", "")))
        found.append(Work(item["id"], first, second, _year(item), title))
    return found


def rewrite(
    blocks: list[dict[str, Any]],
    slug: str,
    keys: dict[str, str],
    candidates: list[Work],
    findings: list[Finding],
) -> Body:
    """The body as the chapter format wants it (see the module's step 5)."""
    text, listing = _until_references(blocks)
    body = Body(_paired_captions(text))
    body.listed = listed_works(listing, candidates)
    shift = 2 - min((b["c"][0] for b in body.blocks if b.get("t") == "Header"), default=2)
    numbers: dict[tuple[str, str], str] = {}
    """(``fig`` or ``tbl``, the number the manuscript gives it) → its label."""
    counted: dict[str, int] = {}
    taken: set[str] = set()

    def label(kind: str, caption: list[dict[str, Any]]) -> str:
        from pica_publish.scaffold import slugify

        text = stringify(caption)
        match = CAPTION_RE.match(text)
        assert match is not None  # every part of the pattern is optional
        rest = text[match.end() :]
        number = match["number"] or str(counted.get(kind, 0) + 1)
        words = (
            slugify(rest, words=3)
            if rest.strip()
            else f"{'figure' if kind == 'fig' else 'table'}-{number}"  # a caption of no words
        )
        ident, n = f"{kind}:{words}", 2
        while ident in taken:
            ident, n = f"{kind}:{words}-{n}", n + 1
        taken.add(ident)
        counted[kind] = counted.get(kind, 0) + 1
        numbers[kind, match["number"] or str(counted[kind])] = ident
        return ident

    for block in _walk_blocks(body.blocks):
        kind = block.get("t")
        if kind == "Header":
            block["c"][0] = max(1, min(6, block["c"][0] + shift))
        elif kind == "Figure":
            attr, caption, content = block["c"]
            paragraphs = caption[1]
            ident = label("fig", paragraphs)
            attr[0] = ident
            _strip_caption_number(paragraphs)
            images = [i for i in _walk_inlines(content) if i.get("t") == "Image"]
            for image in images[:1]:
                _place_image(image, ident.split(":", 1)[1], slug, body, paragraphs)
        elif kind == "Table":
            attr, caption = block["c"][0], block["c"][1]
            body.tables += 1
            if caption[1]:
                attr[0] = label("tbl", caption[1])
                _strip_caption_number(caption[1])
            else:
                attr[0] = label("tbl", _str(f"table {body.tables}"))
                caption[1] = [{"t": "Plain", "c": _str(f"{TODO}: write the caption of this table")}]
                body.todo.append(f"a caption for table {body.tables}")
            _header_row(block)
    for image in [i for i in _walk_inlines(body.blocks) if i.get("t") == "Image"]:
        if not image["c"][2][0].startswith(f"figures/{slug}/"):  # an image within the text
            _place_image(image, f"image-{len(body.figures) + 1}", slug, body, [])
    headers = {
        " ".join(stringify(b["c"][2]).split()): b for b in body.blocks if b.get("t") == "Header"
    }
    for block in _walk_blocks(body.blocks):
        for inlines in _inline_lists(block):
            inlines[:] = _internal_links(inlines, headers)
            inlines[:] = _cross_references(inlines, numbers)
            inlines[:] = _citations(inlines, keys, body)
            inlines[:] = _typed_citations(inlines, candidates, body)
    _placeholders(body, findings)
    return body


def _place_image(
    image: dict[str, Any], name: str, slug: str, body: Body, caption: list[dict[str, Any]]
) -> None:
    """An image's file goes to ``chapters/figures/<slug>/<name>``; its size in the manuscript
    goes (the house style sizes figures); Word's alt text stays, unless it repeats the
    caption."""
    image_attr, alt, target = image["c"]
    source = Path(target[0])
    suffix = source.suffix.lower()
    file_name = f"{name}{'.png' if suffix in LOSSLESS_TO_PNG and _readable(source) else suffix}"
    body.figures.append((file_name, source))
    described = " ".join(stringify(alt).split())
    kept = [(k, v) for k, v in image_attr[2] if k not in ("width", "height", "alt")]
    if described and described != " ".join(stringify(caption).split()):
        kept.append(("alt", described))
    image_attr[2] = kept
    target[0] = f"figures/{slug}/{file_name}"


def _readable(picture: Path) -> bool:
    """Whether Pillow can read ``picture`` (else it is copied as it is, under its own name)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(picture) as image:
            image.verify()
        return True
    except (OSError, UnidentifiedImageError, ValueError):
        return False


LOSSLESS_TO_PNG = frozenset({".tif", ".tiff", ".bmp", ".gif"})
"""Picture formats Word keeps that the build does not take, converted to PNG without loss.
(EMF and WMF, Windows vector formats, cannot be drawn here: ``check`` asks for SVG or PNG.)"""


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``… where a file of that name is there already."""
    candidate, number = path, 2
    while candidate.exists():
        candidate, number = path.with_name(f"{path.stem}-{number}{path.suffix}"), number + 1
    return candidate


def _copy_image(source: Path, target: Path, staged: Staged) -> Path:
    """``source`` as ``target``: copied, or converted to PNG (:data:`LOSSLESS_TO_PNG`); when
    it cannot be converted it is copied as it is, and ``check`` says what is wrong with it.
    The path it will have."""
    if target.suffix == ".png" and source.suffix.lower() in LOSSLESS_TO_PNG:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(source) as picture:
                picture.load()
                picture.save(staged.path(target), format="PNG")
            return target
        except (OSError, UnidentifiedImageError, ValueError):
            staged.files.pop()[0].unlink(missing_ok=True)
            target = target.with_suffix(source.suffix.lower())
    shutil.copyfile(source, staged.path(target))
    return target


def _paired_captions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A picture alone in its paragraph with a caption paragraph after it (``Figure 2. …``,
    or what pandoc leaves of a numbered caption, ``. …``) becomes a figure; a ``Table 1. …``
    paragraph before an uncaptioned table its caption. pandoc pairs them itself when the
    caption has Word's Caption style; typed captions and LibreOffice's are paired here."""
    out: list[dict[str, Any]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        after = blocks[index + 1] if index + 1 < len(blocks) else {}
        if _lone_image(block) and _is_caption(after, ("fig", "figure", "рис", "рисунок")):
            caption = {"t": "Plain", "c": after["c"]}
            content = {"t": "Plain", "c": [i for i in block["c"] if i.get("t") == "Image"]}
            out.append({"t": "Figure", "c": [["", [], []], [None, [caption]], [content]]})
            index += 2
            continue
        if (
            after.get("t") == "Table"
            and not after["c"][1][1]
            and _is_caption(block, ("table", "tab", "таблица"))
        ):
            after["c"][1] = [None, [{"t": "Plain", "c": block["c"]}]]
            out.append(after)
            index += 2
            continue
        out.append(block)
        index += 1
    return out


def _lone_image(block: dict[str, Any]) -> bool:
    if block.get("t") not in ("Para", "Plain"):
        return False
    inlines = [i for i in block["c"] if i.get("t") not in ("Space", "SoftBreak", "LineBreak")]
    return len(inlines) == 1 and inlines[0].get("t") == "Image"


def _is_caption(block: dict[str, Any], labels: tuple[str, ...]) -> bool:
    if block.get("t") not in ("Para", "Plain"):
        return False
    text = " ".join(stringify(block["c"]).split())
    match = CAPTION_RE.match(text)
    if match is None or not match.group(0) or len(text) > 1500:
        return False
    kind = (match["kind"] or "").lower()
    return kind in labels or (not kind and text[:1] in ".:")


def _until_references(
    blocks: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The body without the typed reference list (the build writes the references), and the
    list's blocks."""
    for number, block in enumerate(blocks):
        if _is_heading(block, *REFERENCE_HEADINGS):
            return blocks[:number], blocks[number + 1 :]
    return blocks, []


LISTED_YEAR_RE = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z]?)\b")


def listed_works(
    listing: list[dict[str, Any]], candidates: list[Work]
) -> dict[tuple[str, str], str]:
    """The works of a typed reference list, where its entry names one: a paragraph's first
    word (the first author), its first year (with the letter that tells "2010a" from
    "2010b") and the title of exactly one entry with that author and year inside it. Typed
    citations that fit two entries are settled by it."""
    listed: dict[tuple[str, str], str] = {}
    for block in _walk_blocks(listing):
        if block.get("t") not in ("Para", "Plain"):
            continue
        text = " ".join(stringify(block["c"]).split())
        year = LISTED_YEAR_RE.search(text)
        words = re.findall(r"[^\W\d_][\w'’-]*", text[: year.start()] if year else "")
        if year is None or not words:
            continue
        first, folded = _ascii(words[0]), _folded_title(text)
        named = [
            w
            for w in candidates
            if w.year == year[1]
            and (w.first_author == first or w.first_author.startswith(first))
            and len(w.title) > 8
            and w.title in folded
        ]
        if len({w.key for w in named}) == 1:
            listed.setdefault((first, year[1] + year[2]), named[0].key)
    return listed


def _strip_caption_number(paragraphs: list[dict[str, Any]]) -> None:
    """``Figure 1. Locations…`` → ``Locations…`` (the build numbers figures)."""
    if not paragraphs or paragraphs[0].get("t") not in ("Para", "Plain"):
        return
    inlines = paragraphs[0]["c"]
    text = stringify(inlines)
    match = CAPTION_RE.match(text)
    if not match or not match.group(0):
        return
    remove = len(match.group(0))
    while inlines and remove > 0:
        first = inlines[0]
        piece = stringify(first)
        if len(piece) <= remove:
            inlines.pop(0)
            remove -= len(piece)
        else:
            first["c"] = piece[remove:]
            remove = 0
    if inlines and inlines[0].get("t") == "Str":
        inlines[0]["c"] = inlines[0]["c"][:1].upper() + inlines[0]["c"][1:]


def _header_row(table: dict[str, Any]) -> None:
    """A table without a marked header row gets its first row as header (Word authors rarely
    mark it; the house style prints one)."""
    head, bodies = table["c"][3], table["c"][4]
    if head[1] or not bodies or not bodies[0][3]:
        return
    head[1] = [bodies[0][3].pop(0)]


def _walk_blocks(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        yield block
        kind: Any = block.get("t")
        content: Any = block.get("c")
        if kind in ("BlockQuote",):
            yield from _walk_blocks(content)
        elif kind == "Div":
            yield from _walk_blocks(content[1])
        elif kind in ("BulletList",):
            for item in content:
                yield from _walk_blocks(item)
        elif kind == "OrderedList":
            for item in content[1]:
                yield from _walk_blocks(item)
        elif kind == "Figure":
            yield from _walk_blocks(content[2])
        elif kind == "Table":
            for row in [*content[3][1], *[r for b in content[4] for r in b[3]]]:
                for cell in row[1]:
                    yield from _walk_blocks(cell[4])


def _inline_lists(block: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The inline lists of one block (its own, and those of notes and spans within)."""
    kind: Any = block.get("t")
    content: Any = block.get("c")
    lists = []
    if kind in ("Para", "Plain"):
        lists = [content]
    elif kind == "Header":
        lists = [content[2]]
    elif kind == "Figure" or kind == "Table":
        lists = [p["c"] for p in content[1][1] if p.get("t") in ("Para", "Plain")]
    for inlines in lists:
        yield inlines
        for inline in inlines:
            if inline.get("t") == "Note":
                for inner in _walk_blocks(inline["c"]):
                    yield from _inline_lists(inner)


def _walk_inlines(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in _walk_blocks(blocks):
        for inlines in _inline_lists(block):
            yield from inlines


def _cite(keys: list[str], text: str, *, in_text: bool = False) -> dict[str, Any]:
    return {
        "t": "Cite",
        "c": [
            [
                {
                    "citationId": key,
                    "citationPrefix": [],
                    "citationSuffix": [],
                    "citationMode": {"t": "AuthorInText" if in_text else "NormalCitation"},
                    "citationNoteNum": 0,
                    "citationHash": 0,
                }
                for key in keys
            ],
            _str(text),
        ],
    }


def _internal_links(
    inlines: list[dict[str, Any]], headers: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Links within the document (a chapter exported to Word and reviewed there: ``Fig. 1``
    linked to ``#fig:dens``) → their text, which :func:`_cross_references` makes a reference
    by its number; a link to a section whose heading has the link's text → ``@sec:…``, the
    heading given that label."""
    out: list[dict[str, Any]] = []
    for inline in inlines:
        target = inline["c"][2][0] if inline.get("t") == "Link" else ""
        if not target.startswith("#"):
            out.append(inline)
            continue
        text = " ".join(stringify(inline["c"][1]).replace("\u00a0", " ").split())
        header = headers.get(text)
        if target.startswith("#sec:") and header is not None:
            header["c"][1][0] = target[1:]
            out.append(_cite([target[1:]], f"@{target[1:]}", in_text=True))
            continue
        for number, word in enumerate(text.split(" ")):
            out.extend([{"t": "Space"}] if number else [])
            out.append({"t": "Str", "c": word})
    return out


def _cross_references(
    inlines: list[dict[str, Any]], numbers: dict[tuple[str, str], str]
) -> list[dict[str, Any]]:
    """``Figure 2`` and ``Table 1`` in the text → ``@fig:…``, ``@tbl:…``."""
    out: list[dict[str, Any]] = []
    index = 0
    while index < len(inlines):
        inline = inlines[index]
        if (
            inline.get("t") == "Str"
            and index + 2 < len(inlines)
            and inlines[index + 1].get("t") == "Space"
            and inlines[index + 2].get("t") == "Str"
        ):
            word = inline["c"].lower().rstrip(".")
            kind = {"figure": "fig", "fig": "fig", "table": "tbl", "tab": "tbl"}.get(word)
            match = re.match(r"^(\d+)([.,;:)]*)$", inlines[index + 2]["c"])
            if kind and match and (kind, match[1]) in numbers:
                ident = numbers[kind, match[1]]
                out.append(_cite([ident], f"@{ident}", in_text=True))
                if match[2]:
                    out.append({"t": "Str", "c": match[2]})
                index += 3
                continue
        out.append(inline)
        index += 1
    return out


NARRATIVE_RE = re.compile(r"^[^\d()\[\];]+\(\s*\d{4}[a-z]?(?:\s*[,:]\s*[^()]*)?\)$")
"""A citation Word shows as part of the sentence, "Ross et al. (2010)": cited in the text."""


def _citations(
    inlines: list[dict[str, Any]], keys: dict[str, str], body: Body
) -> list[dict[str, Any]]:
    """Citation fields → citations by key. A field whose work pandoc could not read (no item
    data in it) becomes the text Word showed, which :func:`_typed_citations` then links where
    one entry fits (and ``check`` reports otherwise)."""
    out: list[dict[str, Any]] = []
    for inline in inlines:
        if inline.get("t") != "Cite" or inline["c"][0][0]["citationId"].startswith(
            ("fig:", "tbl:", "sec:", "eq:")
        ):
            out.append(inline)
            continue
        citations = inline["c"][0]
        if not all(c["citationId"] in keys for c in citations):
            body.unread += 1
            out.extend(_str(" ".join(stringify(inline["c"][1]).split())))
            continue
        if len(citations) == 1 and NARRATIVE_RE.match(" ".join(stringify(inline["c"][1]).split())):
            citations[0]["citationMode"] = {"t": "AuthorInText"}  # "Ross et al. (2010)"
        for citation in citations:
            citation["citationId"] = keys[citation["citationId"]]
            suffix = " ".join(stringify(citation["citationSuffix"]).split())
            if suffix:
                for label, short in LOCATOR_LABELS.items():
                    suffix = re.sub(rf"^(,?\s*){label}\b\.?", rf"\g<1>{short}", suffix)
                if citation["citationMode"]["t"] == "AuthorInText":  # @key [p. 4]
                    suffix = suffix.lstrip(", ")
                elif suffix[0] != ",":
                    suffix = f", {suffix}"
                citation["citationSuffix"] = _str(suffix)
        out.append(inline)
    return out


def _set_marks(blocks: list[dict[str, Any]], marks: OdtMarks) -> None:
    """An ``.odt``'s citation tokens → pandoc's ``Cite`` as its docx reader makes them (the
    locator as ``, page 12``: :func:`_citations` writes it in house style); its pictures get
    their descriptions as alt text."""
    from pica_publish.word_fields import CITE_TOKEN_RE

    lists = [inlines for block in _walk_blocks(blocks) for inlines in _inline_lists(block)]
    for inlines in lists:
        out: list[dict[str, Any]] = []
        for inline in inlines:
            if inline.get("t") == "Image" and not inline["c"][1]:
                target = inline["c"][2][0]
                described = next(
                    (d for href, d in marks.described.items() if href and target.endswith(href)),
                    "",
                )
                inline["c"][1] = _str(described)
            if inline.get("t") != "Str" or not CITE_TOKEN_RE.search(inline["c"]):
                out.append(inline)
                continue
            for number, piece in enumerate(CITE_TOKEN_RE.split(inline["c"])):
                if number % 2 == 0:
                    out.extend([{"t": "Str", "c": piece}] if piece else [])
                else:
                    out.append(_mark_cite(*marks.citations[int(piece)]))
        inlines[:] = out


def _mark_cite(citation: dict[str, Any], shown: str) -> dict[str, Any]:
    cites = []
    for cited in citation["citationItems"]:
        suffix = []
        if cited.get("locator"):
            suffix = _str(f", {cited.get('label') or 'page'} {cited['locator']}")
        if cited.get("suffix"):
            suffix += _str(f" {cited['suffix']}")
        mode = "SuppressAuthor" if cited.get("suppress-author") else "NormalCitation"
        cites.append(
            {
                "citationId": str(cited["id"]),
                "citationPrefix": _str(cited["prefix"]) if cited.get("prefix") else [],
                "citationSuffix": suffix,
                "citationMode": {"t": mode},
                "citationNoteNum": 0,
                "citationHash": 0,
            }
        )
    return {"t": "Cite", "c": [cites, _str(shown)]}


def _typed_citations(
    inlines: list[dict[str, Any]],
    candidates: list[Work],
    body: Body,
) -> list[dict[str, Any]]:
    """``(Ross et al. 2010; Smith 1999)`` typed as text → a citation, when each name and year
    fit exactly one entry; else left as text (``check`` lists the candidates)."""
    out: list[dict[str, Any]] = []
    index = 0
    while index < len(inlines):
        found = _typed_at(inlines, index, candidates, body.listed)
        if found is None and _narrative_at(out, inlines[index], candidates, body.listed):
            body.linked += 1
            index += 1
            continue
        if found is None:
            out.append(inlines[index])
            index += 1
            continue
        cite, after, index = found
        out.append(cite)
        if after:
            out.append({"t": "Str", "c": after})
        body.linked += 1
    return out


YEAR_IN_PARENTHESES_RE = re.compile(r"^\((\d{4}[a-z]?)\)(.*)$")
NARRATIVE_NAMES_RE = re.compile(
    r"([A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]+(?:\s+et\s+al\.|\s+(?:and|&)\s+[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’-]+)?)\s+$"
)


def _narrative_at(
    out: list[dict[str, Any]],
    inline: dict[str, Any],
    candidates: list[Work],
    listed: Mapping[tuple[str, str], str],
) -> bool:
    """``Ross et al. (2010)`` typed in the sentence: when ``inline`` is ``(2010)`` and the text
    before it (the end of ``out``) names one entry's authors, those words and the year become
    a citation in the text, set at the end of ``out``."""
    year = YEAR_IN_PARENTHESES_RE.match(inline["c"]) if inline.get("t") == "Str" else None
    if year is None:
        return False
    tail: list[dict[str, Any]] = []
    for token in reversed(out[-8:]):
        if token.get("t") not in ("Str", "Space"):
            break
        tail.insert(0, token)
    text = stringify(tail)
    names = NARRATIVE_NAMES_RE.search(text)
    if names is None:
        return False
    found = matching_works(names[1], year[1], candidates, listed)
    if len(found) != 1:
        return False
    taken = ""  # the tokens of the names (and the space after them) come off the end of out
    while len(taken) < len(text) - names.start():
        taken = stringify([out.pop()]) + taken
    out.append(_cite([found[0].key], f"{names[1]} ({year[1]})", in_text=True))
    if year[2]:
        out.append({"t": "Str", "c": year[2]})
    return True


def _typed_at(
    inlines: list[dict[str, Any]],
    index: int,
    candidates: list[Work],
    listed: Mapping[tuple[str, str], str],
) -> tuple[dict[str, Any], str, int] | None:
    """The citation typed from ``inlines[index]`` (which opens a parenthesis), the text after
    its closing parenthesis, and the index after it; None if it is not one."""
    first = inlines[index]
    if first.get("t") != "Str" or not first["c"].startswith("("):
        return None
    for end in range(index, min(index + 24, len(inlines))):
        piece = inlines[end]
        if piece.get("t") not in ("Str", "Space", "SoftBreak"):
            return None
        if piece.get("t") == "Str" and ")" in piece["c"]:
            text = stringify(inlines[index : end + 1])
            found = _typed_citation(text, candidates, listed)
            if found is None:
                return None
            keys, after = found
            return _cite(keys, text[: len(text) - len(after)]), after, end + 1
    return None


def _typed_citation(
    text: str, candidates: list[Work], listed: Mapping[tuple[str, str], str]
) -> tuple[list[str], str] | None:
    """The keys of ``(Name et al. 2010; Other and Name 1999)``, and the text after the
    parenthesis; None unless every part names exactly one entry."""
    match = re.match(r"^\((?P<inside>[^()]+)\)(?P<after>[^()]*)$", text)
    if not match:
        return None
    keys = []
    for part in match["inside"].split(";"):
        cited = CITED_RE.match(part.strip())
        if not cited:
            return None
        fits = matching_works(cited["names"], cited["year"] + cited["letter"], candidates, listed)
        if len(fits) != 1:
            return None
        keys.append(fits[0].key)
    return keys, match["after"]


def matching_works(
    names: str,
    year: str,
    candidates: list[Work],
    listed: Mapping[tuple[str, str], str] | None = None,
) -> list[Work]:
    """The entries whose first (and, for "A and B", second) author and year fit; of two or
    more, the one the manuscript's reference list names (``listed``) for this author and
    year, with its letter ("2010a")."""
    found = _matching(names, year, candidates)
    if len(found) > 1 and listed:
        people = [p for p in re.split(r"\s+(?:and|&)\s+|\s+et\s+al\.?", names) if p.strip()]
        first = _ascii(people[0].split()[0]) if people else ""
        key = listed.get((first, year)) or listed.get((_ascii(names), year))
        chosen = [w for w in found if w.key == key]
        if chosen:
            return chosen
    return found


def _matching(names: str, year: str, candidates: list[Work]) -> list[Work]:
    whole = _ascii(names)  # an organisation: "Cincinnati Zoo & Botanical Garden 2011"
    organisation = [w for w in candidates if w.first_author == whole and w.year == year[:4]]
    if organisation:
        return organisation
    people = [p for p in re.split(r"\s+(?:and|&)\s+|\s+et\s+al\.?", names.strip()) if p.strip()]
    if not people:
        return []
    first = _ascii(people[0].split()[-1])
    second = _ascii(people[1].split()[-1]) if len(people) > 1 else ""
    return [
        w
        for w in candidates
        if w.first_author == first
        and w.year == year[:4]
        and (not second or not w.second_author or w.second_author == second)
    ]


def _placeholders(body: Body, findings: list[Finding]) -> None:
    """A marked paragraph where an object pandoc cannot carry stood."""
    for finding in findings:
        if finding.kind not in ("chart", "SmartArt", "embedded object"):
            continue
        what = {"chart": "an embedded chart", "SmartArt": "a SmartArt diagram"}.get(
            finding.kind, "an embedded object"
        )
        note = (
            f"{TODO}: {what} stood here (paragraph {finding.paragraph} of the manuscript); "
            "save it as SVG or PNG and insert it as a figure with a caption"
        )
        body.blocks.insert(_position(body.blocks, finding), {"t": "Para", "c": _str(note)})
        body.todo.append(f"{what} (paragraph {finding.paragraph})")


def _position(blocks: list[dict[str, Any]], finding: Finding) -> int:
    """After the block holding the text before the object (its paragraph's text), else last."""
    text = " ".join(finding.text.split()).rstrip("…")
    if text:
        for number, block in enumerate(blocks):
            if text and text in " ".join(stringify(block).split()):
                return number + 1
    return len(blocks)


# --- 6. the chapter ----------------------------------------------------------------------


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


@dataclass
class Imported:
    """What :func:`import_manuscript` wrote, for its summary and the tests."""

    chapter: Path
    bibliography: Path | None
    figures: list[Path]
    cited: int
    reused: list[str]
    new_keys: list[str]
    linked: int
    todo: list[str]
    warnings: list[str]
    position: int


def import_manuscript(
    root: Path,
    source: Path,
    *,
    slug: str | None = None,
    role: str = "chapter",
    accept_changes: bool = False,
) -> Imported:
    """Import ``source`` into the project at ``root`` (see the module's steps); nothing is
    written when it is refused (:class:`ImportRefused`)."""
    from pica_publish.pandoc import (
        PandocError,
        ast_to_markdown,
        manuscript_references,
        read_manuscript,
    )
    from pica_publish.scaffold import Staged, chapter_path, open_manifest, slugify
    from pica_publish.word_fields import normalise_docx, normalise_odt

    if not source.is_file():
        raise ImportRefused([f"{source}: no such file"])
    if source.suffix.lower() not in (".docx", ".odt"):
        raise ImportRefused(
            [f"{source.name}: not a .docx or .odt file"],
            "save the manuscript from Word or LibreOffice as .docx (a .doc: File > Save As)",
        )
    findings = survey(source)
    if not accept_changes:
        refuse_changes(source, findings)
    manifest = open_manifest(root)
    if isinstance(manifest, int):
        raise ImportRefused(["issue.yml cannot be edited (see above)"])
    with tempfile.TemporaryDirectory(prefix="pica-import-") as scratch:
        media = Path(scratch) / "media"
        reader = "docx+citations+styles" if source.suffix.lower() == ".docx" else "odt"
        document, fields, marks = Path(scratch) / f"manuscript{source.suffix.lower()}", None, None
        if reader == "odt":  # citation marks as tokens pandoc keeps
            marks = normalise_odt(source, document)
        else:  # Mendeley Cite's, EndNote's and Word's citations as fields pandoc reads
            fields = normalise_docx(source, document)
            refuse_temporary(source, fields.temporary)
        try:
            ast = read_manuscript(
                document, reader, [f"--extract-media={media}", "--track-changes=accept"]
            )
        except PandocError as error:
            raise ImportRefused([f"{source.name}: pandoc cannot read it: {error}"]) from None
        page, blocks = front_matter(ast)
        if page.abstract_blocks:  # as Markdown, its italics kept
            page.abstract = ast_to_markdown({**ast, "meta": {}, "blocks": page.abstract_blocks})
        slug = slug or slugify(
            page.title if page.todo[:1] != ["the title (no Title paragraph)"] else source.stem
        )
        path = chapter_path(root, slugify(slug, words=8))
        slug = re.sub(r"^\d+-", "", path.stem)
        known = known_entries(root)
        if marks is not None:
            _set_marks(blocks, marks)
        items = marks.items if marks is not None else manuscript_references(document, reader)
        found = references(items, known)
        body = rewrite(blocks, slug, found.keys, works(known, found.new), findings)
        ast = {**ast, "meta": {}, "blocks": body.blocks}
        try:
            markdown = ast_to_markdown(ast)
            written_bib = bibtex(found.new, source.name) if found.new else ""
        except PandocError as error:
            raise ImportRefused([f"{source.name}: pandoc cannot write it: {error}"]) from None
        # everything gathered: now write, every file beside its place first (Staged)
        figures_dir = root / "chapters" / "figures" / slug
        written: list[Path] = []
        bibliography = _free(root / "references" / f"{slug}.bib") if written_bib else None
        with Staged(root) as staged:
            for name, image in body.figures:
                if image.is_file():
                    written.append(_copy_image(image, figures_dir / name, staged))
            if bibliography is not None:
                staged.write_text(bibliography, written_bib)
            staged.write_text(path, chapter_front_matter(page) + "\n" + markdown)
            position = manifest.add(path, role, staged)
    warnings = [
        f"paragraph {f.paragraph}: {f.kind} left out (marked {TODO})"
        for f in findings
        if f.kind in ("chart", "SmartArt", "embedded object")
    ]
    if fields is not None:
        warnings.extend(
            f"paragraph {n}: its text box is set as paragraphs after it (check the place)"
            for n in fields.boxes
        )
        for manager, count in sorted(fields.unreadable.items()):
            warnings.append(
                f"{count} {manager} citation(s) hold no data that can be read: kept as the text "
                "Word showed"
            )
    if marks is not None and marks.unreadable:
        warnings.append(
            f"{marks.unreadable} citation mark(s) hold no data that can be read: kept as the text "
            "LibreOffice showed"
        )
    if body.unread:
        warnings.append(
            f"{body.unread} citation field(s) hold no data of the works they cite: kept as the "
            "text Word showed (`check` lists the entries it may mean)"
        )
    return Imported(
        path,
        bibliography,
        written,
        len(found.keys),
        sorted(found.reused),
        [item["id"] for item in found.new],
        body.linked,
        [*page.todo, *body.todo],
        warnings,
        position,
    )


def main(root: Path, source: Path, *, slug: str | None, role: str, accept_changes: bool) -> int:
    """The command: import, then say what was written and what is left to do."""
    try:
        done = import_manuscript(root, source, slug=slug, role=role, accept_changes=accept_changes)
    except OSError as error:  # a full disk, a read-only folder: said, not a traceback
        print(f"{source}: error: cannot write the chapter: {error}", file=sys.stderr)
        return 1
    except ImportRefused as refused:
        first, *rest = refused.problems
        print(f"{source}: error: {first}", file=sys.stderr)
        for line in rest:
            print(f"    {line}", file=sys.stderr)
        if refused.hint:
            print(f"    hint: {refused.hint}", file=sys.stderr)
        return 1
    shown = done.chapter.relative_to(root)
    print(f"created {shown} and listed it in issue.yml (position {done.position + 1})")
    if done.figures:
        print(f"figures  {len(done.figures)} in {done.figures[0].parent.relative_to(root)}/")
    reused = (
        f", {len(done.reused)} already in references/ ({', '.join(done.reused)})"
        if done.reused
        else ""
    )
    where = f" in {done.bibliography.relative_to(root)}" if done.bibliography else ""
    print(
        f"cited    {done.cited} work(s) from citation fields: {len(done.new_keys)} new{where}{reused}"
    )
    if done.linked:
        print(f"linked   {done.linked} author-year citation(s) typed as text")
    for warning in done.warnings:
        print(f"{source}: warning: {warning}", file=sys.stderr)
    if done.todo:
        print(f"to do    {len(done.todo)}: " + "; ".join(done.todo))
    print(f"next: run `pica-publish check {shown}`: it lists every placeholder and TODO left")
    return 0
