"""How the issue cites itself: house-style names, suggested citations and DOIs.

``Seitkali A., Ömirbekov N. & Vahdāni A. 2019. Title. CATnews Special Issue 13, 14–23.``
Used by the print edition, the web edition and every metadata export, so they agree.
"""

from __future__ import annotations

import re
import unicodedata

from pica_publish.model import Author, Chapter, IssueConfig

DOI_SAFE_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")


def initials(given: str) -> str:
    """'Anna Sergeevna' → 'A. S.', 'Jean-Paul' → 'J.-P.', 'D. W.' → 'D. W.'."""
    parts = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        parts.append("-".join(f"{p[0]}." for p in pieces))
    return " ".join(parts)


def house_name(author: Author) -> str:
    """'Surname Initials.' as in the reference lists."""
    given = initials(author.given_names)
    return f"{author.family_name} {given}".strip()


def author_list(names: list[str]) -> str:
    """Commas, and '&' before the last name (house style)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} & {names[-1]}"


def issue_source(config: IssueConfig) -> str:
    """'CATnews Special Issue 13'."""
    return f"{config.series} {config.issue_label} {config.number}"


def slugify_ascii(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def issue_doi(config: IssueConfig) -> str | None:
    """The issue's DOI, from ``doi_prefix`` and ``issue_doi_pattern``; None without a prefix."""
    if not config.doi_prefix:
        return None
    return config.issue_doi_pattern.format(**_doi_fields(config, slug=""))


def article_doi(config: IssueConfig, chapter: Chapter) -> str | None:
    """Derived from the slug, so it never changes when chapters are reordered."""
    if not config.doi_prefix:
        return None
    return config.doi_pattern.format(**_doi_fields(config, slug=chapter.slug))


def _doi_fields(config: IssueConfig, *, slug: str) -> dict[str, str]:
    return {
        "prefix": config.doi_prefix or "",
        "series": slugify_ascii(config.series),
        "number": str(config.number),
        "year": str(config.year),
        "slug": slug,
    }


def citation_lead(config: IssueConfig, chapter: Chapter) -> str:
    """The suggested citation up to its page range: 'Ross S. & Harris S. 2019. Title. CATnews
    Special Issue 13'. The print edition adds the range from the layout (target-counter)."""
    names = author_list([house_name(a) for a in chapter.meta.authors])
    title = chapter.meta.title.rstrip(".")
    return f"{names} {config.year}. {title}. {issue_source(config)}"


def suggested_citation(config: IssueConfig, chapter: Chapter, pages: tuple[int, int] | None) -> str:
    """The article's suggested citation as plain text (pages and DOI when known)."""
    text = citation_lead(config, chapter)
    if pages:
        text += f", {pages[0]}–{pages[1]}" if pages[1] != pages[0] else f", {pages[0]}"
    text += "."
    doi = article_doi(config, chapter)
    if doi:
        text += f" https://doi.org/{doi}"
    return text
