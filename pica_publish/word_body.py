"""Step 5 of ``pica-publish import``: the body as the chapter format wants it — citations by key,
figures and tables captioned and labelled, cross-references, typed citations linked, internal
links of a chapter exported to Word made references again, ``TODO(import)`` marks where pandoc
could carry nothing, the typed reference list left out (the build writes it)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish.word_ast import (
    cite_inline,
    inline_lists,
    plain_inlines,
    stringify,
    walk_blocks,
    walk_inlines,
)
from pica_publish.word_images import place_image
from pica_publish.word_package import (
    TODO,
)
from pica_publish.word_survey import Finding
from pica_publish.word_titlepage import is_heading
from pica_publish.word_typed import Work, listed_works, typed_citations

if TYPE_CHECKING:
    from pica_publish.word_odt import OdtMarks


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

    for block in walk_blocks(body.blocks):
        kind = block.get("t")
        if kind == "Header":
            block["c"][0] = max(1, min(6, block["c"][0] + shift))
        elif kind == "Figure":
            attr, caption, content = block["c"]
            paragraphs = caption[1]
            ident = label("fig", paragraphs)
            attr[0] = ident
            _strip_caption_number(paragraphs)
            images = [i for i in walk_inlines(content) if i.get("t") == "Image"]
            for image in images[:1]:
                body.figures.append(place_image(image, ident.split(":", 1)[1], slug, paragraphs))
        elif kind == "Table":
            attr, caption = block["c"][0], block["c"][1]
            body.tables += 1
            if caption[1]:
                attr[0] = label("tbl", caption[1])
                _strip_caption_number(caption[1])
            else:
                attr[0] = label("tbl", plain_inlines(f"table {body.tables}"))
                caption[1] = [
                    {"t": "Plain", "c": plain_inlines(f"{TODO}: write the caption of this table")}
                ]
                body.todo.append(f"a caption for table {body.tables}")
            _header_row(block)
    for image in [i for i in walk_inlines(body.blocks) if i.get("t") == "Image"]:
        if not image["c"][2][0].startswith(f"figures/{slug}/"):  # an image within the text
            body.figures.append(place_image(image, f"image-{len(body.figures) + 1}", slug, []))
    headers = {
        " ".join(stringify(b["c"][2]).split()): b for b in body.blocks if b.get("t") == "Header"
    }
    for block in walk_blocks(body.blocks):
        for inlines in inline_lists(block):
            inlines[:] = _internal_links(inlines, headers)
            inlines[:] = _cross_references(inlines, numbers)
            inlines[:] = _citations(inlines, keys, body)
            inlines[:], linked = typed_citations(inlines, candidates, body.listed)
            body.linked += linked
    _placeholders(body, findings)
    return body


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
        if is_heading(block, *REFERENCE_HEADINGS):
            return blocks[:number], blocks[number + 1 :]
    return blocks, []


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
            out.append(cite_inline([target[1:]], f"@{target[1:]}", in_text=True))
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
                out.append(cite_inline([ident], f"@{ident}", in_text=True))
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
            out.extend(plain_inlines(" ".join(stringify(inline["c"][1]).split())))
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
                citation["citationSuffix"] = plain_inlines(suffix)
        out.append(inline)
    return out


def set_marks(blocks: list[dict[str, Any]], marks: OdtMarks) -> None:
    """An ``.odt``'s citation tokens → pandoc's ``Cite`` as its docx reader makes them (the
    locator as ``, page 12``: :func:`_citations` writes it in house style); its pictures get
    their descriptions as alt text."""
    from pica_publish.word_odt import CITE_TOKEN_RE

    lists = [inlines for block in walk_blocks(blocks) for inlines in inline_lists(block)]
    for inlines in lists:
        out: list[dict[str, Any]] = []
        for inline in inlines:
            if inline.get("t") == "Image" and not inline["c"][1]:
                target = inline["c"][2][0]
                described = next(
                    (d for href, d in marks.described.items() if href and target.endswith(href)),
                    "",
                )
                inline["c"][1] = plain_inlines(described)
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
            suffix = plain_inlines(f", {cited.get('label') or 'page'} {cited['locator']}")
        if cited.get("suffix"):
            suffix += plain_inlines(f" {cited['suffix']}")
        mode = "SuppressAuthor" if cited.get("suppress-author") else "NormalCitation"
        cites.append(
            {
                "citationId": str(cited["id"]),
                "citationPrefix": plain_inlines(cited["prefix"]) if cited.get("prefix") else [],
                "citationSuffix": suffix,
                "citationMode": {"t": mode},
                "citationNoteNum": 0,
                "citationHash": 0,
            }
        )
    return {"t": "Cite", "c": [cites, plain_inlines(shown)]}


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
        body.blocks.insert(_position(body.blocks, finding), {"t": "Para", "c": plain_inlines(note)})
        body.todo.append(f"{what} (paragraph {finding.paragraph})")


def _position(blocks: list[dict[str, Any]], finding: Finding) -> int:
    """After the block holding the text before the object (its paragraph's text), else last."""
    text = " ".join(finding.text.split()).rstrip("…")
    if text:
        for number, block in enumerate(blocks):
            if text and text in " ".join(stringify(block).split()):
                return number + 1
    return len(blocks)
