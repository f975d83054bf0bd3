"""CITATION.cff for the issue; BibTeX and RIS with every article, for readers' reference managers."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

from bibtexparser.entrypoint import parse_string, write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from ruamel.yaml import YAML

from pica_publish.citation import issue_doi, issue_source, slugify_ascii
from pica_publish.exports.records import (
    CONTROL,
    LICENCE_SPDX,
    LINE_BREAKING,
    ArticleRecord,
    one_line,
    publication_date,
)
from pica_publish.htmltree import parse
from pica_publish.model import Author, IssueConfig

RIS_LINE = re.compile(r"[A-Z][A-Z0-9]  - [^\x00-\x1f\x7f-\x9f\u2028\u2029]*")
"""One RIS tag line: a two-character tag, two spaces, a hyphen, a space, a one-line value."""


def citation_cff(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """Citation File Format 1.2.0, the issue as an edited work. Every string is one line without
    control characters (ruamel.yaml quotes whatever else YAML needs quoted)."""
    editors = []
    for editor in config.editors:
        words = one_line(editor.name).split(" ")
        editors.append({"family-names": words[-1], "given-names": " ".join(words[:-1])})
    keywords = {one_line(k) for r in records for k in r.keywords} - {""}
    document: dict[str, object] = {
        "cff-version": "1.2.0",
        "message": "If you use this special issue, please cite it as below.",
        "type": "dataset",
        "title": one_line(f"{issue_source(config)}: {config.title}"),
        "authors": editors,
        "date-released": publication_date(config).isoformat(),
        "url": one_line(config.base_url),
        "keywords": sorted(keywords, key=str.lower),
        "preferred-citation": {
            "type": "edited-work",
            "title": one_line(config.title),
            "editors": editors,
            "collection-title": one_line(config.series),
            "issue": one_line(f"{config.issue_label} {config.number}"),
            "year": config.year,
            "publisher": {"name": one_line(config.publisher)},
            "issn": one_line(config.issn),
            "url": one_line(config.base_url),
        },
    }
    if config.licence in LICENCE_SPDX:
        document["license"] = LICENCE_SPDX[config.licence]
    doi = one_line(issue_doi(config) or "")
    if doi:
        document["doi"] = doi
        document["preferred-citation"]["doi"] = doi  # type: ignore[index]
    yaml = YAML()
    yaml.default_flow_style = False
    stream = io.StringIO()
    yaml.dump(document, stream)
    return stream.getvalue().encode("utf-8")


def _pages(record: ArticleRecord) -> str | None:
    if record.pages is None:
        return None
    first, last = record.pages
    return str(first) if first == last else f"{first}--{last}"


BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
"""Characters that would end or unbalance a BibTeX value, or that LaTeX reads as markup. Braces
become commands, not ``\\{``: BibTeX and biber count braces without regard to backslashes, so
an escaped but unbalanced brace would still close the value."""
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in BIBTEX_SPECIALS))
_URL_UNSAFE = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}


def bibtex_text(text: str) -> str:
    """``text`` as the content of one balanced BibTeX value: one line, specials escaped."""
    return _BIBTEX_SPECIAL.sub(lambda m: BIBTEX_SPECIALS[m[0]], one_line(text))


def bibtex_verbatim(text: str) -> str:
    """A URL or DOI (verbatim fields for biblatex): one line, braces, backslashes and spaces
    percent-encoded, everything else as it is."""
    return "".join(_URL_UNSAFE.get(c, c) for c in one_line(text))


def _bibtex_name(author: Author) -> str:
    """``{Family}, Given``: the family name braced whole; in the given names, a word 'and' or a
    comma braced so that they cannot split the name list or the name."""
    given = re.sub(r"(?i)(?<!\S)and(?!\S)", "{and}", bibtex_text(author.given_names))
    given = given.replace(",", "{,}")
    family = f"{{{bibtex_text(author.family_name)}}}"
    return f"{family}, {given}" if given else family


def bibtex_title(record: ArticleRecord) -> str:
    """The title with its italics as ``\\emph{…}``, everything else as :func:`bibtex_text`."""

    def piece(text: str | None) -> str:  # bibtex_text without trimming the ends
        folded = LINE_BREAKING.sub(" ", CONTROL.sub("", text or ""))
        return _BIBTEX_SPECIAL.sub(lambda m: BIBTEX_SPECIALS[m[0]], folded)

    def latex(node: Any) -> str:
        inner = piece(node.text) + "".join(latex(child) for child in node)
        if node.tag in ("em", "i"):
            inner = f"\\emph{{{inner}}}"
        return inner + piece(node.tail)

    root = parse(record.titles.html)
    return (piece(root.text) + "".join(latex(child) for child in root)).strip(" ")


def bibtex_key(config: IssueConfig, record: ArticleRecord) -> str:
    """``catnews99dens``: ASCII letters and digits only."""
    return "".join(
        slugify_ascii(part).replace("-", "")
        for part in (config.series, str(config.number), record.chapter.slug)
    )


def bibtex_fields(config: IssueConfig, record: ArticleRecord) -> dict[str, str]:
    """The fields of the article's entry, each value exactly as written (without the enclosing
    braces the writer adds)."""
    fields = {
        "author": " and ".join(_bibtex_name(a) for a in record.authors),
        "title": f"{{{bibtex_title(record)}}}",
        "journal": bibtex_text(config.series),
        "number": bibtex_text(f"{config.issue_label} {config.number}"),
        "year": str(config.year),
        "pages": _pages(record),
        "issn": bibtex_text(config.issn),
        "doi": bibtex_verbatim(record.doi) if record.doi else None,
        "url": bibtex_verbatim(record.url),
        "keywords": ", ".join(k for k in map(bibtex_text, record.keywords) if k) or None,
        "language": bibtex_text(config.language),
    }
    return {k: v for k, v in fields.items() if v is not None}


def issue_bibtex(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """One @article per article, written by bibtexparser; every value is one balanced value
    whatever the strings hold (see :func:`bibtex_text`)."""
    library = Library()
    for record in records:
        fields = bibtex_fields(config, record)
        library.add(
            Entry("article", bibtex_key(config, record), [Field(k, v) for k, v in fields.items()])
        )
    return write_string(library).encode("utf-8")


def bibtex_problems(data: bytes, config: IssueConfig, records: list[ArticleRecord]) -> list[str]:
    """What differs between ``issue.bib`` as bibtexparser reads it back and the entries written:
    failed blocks, other keys or fields, or a value that does not come back unchanged."""
    library = parse_string(data.decode("utf-8"))
    problems = [f"unparsable block at line {b.start_line}" for b in library.failed_blocks]
    keys = [bibtex_key(config, r) for r in records]
    if [e.key for e in library.entries] != keys:
        problems.append(f"keys {[e.key for e in library.entries]} instead of {keys}")
    for entry, record in zip(library.entries, records, strict=False):
        written = bibtex_fields(config, record)
        read = {k: f.value for k, f in entry.fields_dict.items()}
        if read.keys() != written.keys():
            problems.append(f"{entry.key}: fields {sorted(read)} instead of {sorted(written)}")
        problems += [
            f"{entry.key}: {k} reads back as {read.get(k)!r}, not {v!r}"
            for k, v in written.items()
            if read.get(k) != v
        ]
    return problems


def _ris_name(author: Author) -> str:
    family, given = one_line(author.family_name), one_line(author.given_names)
    return f"{family}, {given}" if given else family


def issue_ris(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """RIS (Research Information Systems) records, one per article. Every value is folded to one
    line without control characters, so no value can end a record or start another."""
    lines: list[str] = []

    def tag(name: str, values: Iterable[object]) -> None:
        lines.extend(f"{name}  - {one_line(str(value))}" for value in values)

    for record in records:
        lines.append("TY  - JOUR")
        tag("AU", map(_ris_name, record.authors))
        tag("TI", [record.title])
        tag("T2", [config.series])
        tag("IS", [f"{config.issue_label} {config.number}"])
        tag("PY", [config.year])
        if record.pages:
            tag("SP", [record.pages[0]])
            tag("EP", [record.pages[1]])
        tag("SN", [config.issn])
        tag("PB", [config.publisher])
        if record.doi:
            tag("DO", [record.doi])
        tag("UR", [record.url])
        tag("KW", record.keywords)
        if record.abstract:
            tag("AB", [record.abstract])
        tag("LA", [config.language])
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines).encode("utf-8")


def ris_problems(data: bytes, records: int) -> list[str]:
    """What is wrong with the structure of an RIS file that should hold ``records`` records:
    every line a tag line or empty, each record opened by TY and closed by one ER."""
    problems = []
    open_record = False
    count = 0
    for number, line in enumerate(data.decode("utf-8").split("\r\n"), start=1):
        if not line:
            continue
        if not RIS_LINE.fullmatch(line):
            problems.append(f"line {number} is not a tag line: {line!r}")
        elif line.startswith("TY  - "):
            if open_record:
                problems.append(f"line {number}: TY inside a record")
            open_record, count = True, count + 1
        elif not open_record:
            problems.append(f"line {number}: {line[:2]} outside a record")
        elif line == "ER  - ":
            open_record = False
    if open_record:
        problems.append("the last record has no ER")
    if count != records:
        problems.append(f"{count} records instead of {records}")
    return problems
