"""CITATION.cff for the issue; BibTeX and RIS with every article, for readers' reference managers."""

from __future__ import annotations

import io

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.model import Entry, Field
from ruamel.yaml import YAML

from pica_publish.citation import issue_doi, issue_source
from pica_publish.exports.records import (
    LICENCE_SPDX,
    ArticleRecord,
    publication_date,
)
from pica_publish.model import IssueConfig


def citation_cff(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """Citation File Format 1.2.0, the issue as an edited work."""
    editors = [
        {"family-names": e.name.split()[-1], "given-names": " ".join(e.name.split()[:-1])}
        for e in config.editors
    ]
    document: dict[str, object] = {
        "cff-version": "1.2.0",
        "message": "If you use this special issue, please cite it as below.",
        "type": "dataset",
        "title": f"{issue_source(config)}: {config.title}",
        "authors": editors,
        "date-released": publication_date(config).isoformat(),
        "url": config.base_url,
        "keywords": sorted({k for r in records for k in r.keywords}, key=str.lower),
        "preferred-citation": {
            "type": "edited-work",
            "title": config.title,
            "editors": editors,
            "collection-title": config.series,
            "issue": f"{config.issue_label} {config.number}",
            "year": config.year,
            "publisher": {"name": config.publisher},
            "issn": config.issn,
            "url": config.base_url,
        },
    }
    if config.licence in LICENCE_SPDX:
        document["license"] = LICENCE_SPDX[config.licence]
    doi = issue_doi(config)
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


def issue_bibtex(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """One @article per article, written by bibtexparser."""
    library = Library()
    for record in records:
        fields = {
            "author": " and ".join(
                f"{{{a.family_name}}}, {a.given_names}" if a.given_names else f"{{{a.family_name}}}"
                for a in record.authors
            ),
            "title": f"{{{record.title}}}",
            "journal": config.series,
            "number": f"{config.issue_label} {config.number}",
            "year": str(config.year),
            "pages": _pages(record),
            "issn": config.issn,
            "doi": record.doi,
            "url": record.url,
            "keywords": ", ".join(record.keywords) or None,
            "language": config.language,
        }
        key = f"{config.series.lower()}{config.number}{record.chapter.slug.replace('-', '')}"
        library.add(
            Entry("article", key, [Field(k, v) for k, v in fields.items() if v is not None])
        )
    return write_string(library).encode("utf-8")


def issue_ris(config: IssueConfig, records: list[ArticleRecord]) -> bytes:
    """RIS (Research Information Systems) records, one per article."""
    lines: list[str] = []
    for record in records:
        lines.append("TY  - JOUR")
        lines.extend(f"AU  - {a.family_name}, {a.given_names}".rstrip(", ") for a in record.authors)
        lines.append(f"TI  - {record.title}")
        lines.append(f"T2  - {config.series}")
        lines.append(f"IS  - {config.issue_label} {config.number}")
        lines.append(f"PY  - {config.year}")
        if record.pages:
            lines += [f"SP  - {record.pages[0]}", f"EP  - {record.pages[1]}"]
        lines.append(f"SN  - {config.issn}")
        lines.append(f"PB  - {config.publisher}")
        if record.doi:
            lines.append(f"DO  - {record.doi}")
        lines.append(f"UR  - {record.url}")
        lines.extend(f"KW  - {k}" for k in record.keywords)
        if record.abstract:
            lines.append(f"AB  - {record.abstract}")
        lines.append(f"LA  - {config.language}")
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines).encode("utf-8")
