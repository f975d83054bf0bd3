"""The "Cite" block of an article page: its BibTeX and RIS files, next to the page.

They are written by the exporters of the issue-wide ``metadata/issue.bib`` and ``issue.ris``
(:mod:`pica_publish.exports.citations`) from the same :class:`ArticleRecord`, so a reference
manager gets the same entry from the article page as from the issue's files, and they are read
back the same way before they are kept. The web edition has them whether or not the print
edition is built.
"""

from __future__ import annotations

from pica_publish.exports.citations import (
    bibtex_key,
    bibtex_problems,
    issue_bibtex,
    issue_ris,
    ris_problems,
)
from pica_publish.exports.records import ArticleRecord
from pica_publish.model import IssueConfig

FORMATS = (
    ("BibTeX", "bib", "application/x-bibtex"),
    ("RIS", "ris", "application/x-research-info-systems"),
)
"""(label, file extension, media type) of each download, in the order the page lists them."""


class CitationFileError(RuntimeError):
    """A citation file failed its read-back: a bug in pica_publish, not in the input."""


def citation_files(config: IssueConfig, record: ArticleRecord) -> dict[str, bytes]:
    """``{slug}.bib`` and ``{slug}.ris``: the article's entry alone, checked as the issue's are."""
    bibtex = issue_bibtex(config, [record])
    ris = issue_ris(config, [record])
    problems = bibtex_problems(bibtex, config, [record]) + ris_problems(ris, 1)
    if problems:
        raise CitationFileError(f"{record.chapter.slug}: {'; '.join(problems)}")
    slug = record.chapter.slug
    return {f"{slug}.bib": bibtex, f"{slug}.ris": ris}


def citation_downloads(
    config: IssueConfig, record: ArticleRecord
) -> tuple[tuple[str, str, str, str], ...]:
    """(label, href relative to the article page, file name to save as, media type) for each
    file of :func:`citation_files`."""
    key = bibtex_key(config, record)
    return tuple(
        (label, f"{record.chapter.slug}.{extension}", f"{key}.{extension}", media_type)
        for label, extension, media_type in FORMATS
    )
