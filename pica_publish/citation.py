"""How the issue cites itself: one CSL JSON item per article, titles in every form, DOIs.

Each article is one CSL JSON item (:func:`csl_item`: the title with its italics, authors as
given/family/particle from :mod:`pica_publish.names`, issue, pages, DOI), made in one place. Its
suggested citation — ``van der Berg J. & Zhou H. 2019. Title. CATnews Special Issue 13, 14–23.``
— is rendered from it by citeproc with the house style (:func:`suggested_citations`); the print
and web editions and every metadata export take their citation, title and names from here, so
they agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pica_publish.htmltree import clean_text, parse, serialise
from pica_publish.markdown import render_inline
from pica_publish.model import Chapter, Issue, IssueConfig
from pica_publish.sanitize import sanitize
from pica_publish.theme import theme_path

DOI_SAFE_RE = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")


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


FACES = {"em": "i", "i": "i", "strong": "b", "b": "b", "sup": "sup", "sub": "sub"}
"""Inline HTML elements and the face they stand for in CSL rich text and Crossref face markup."""


@dataclass(frozen=True)
class Title:
    """An article title (Markdown inline in the front matter) in the forms the outputs need."""

    html: str
    """Inline HTML: ``<em>`` for the author's ``*italics*`` and the issue's ``italic_terms``."""
    text: str
    """Plain text, for formats without italics (RIS, BibTeX, ``<title>``, PDF metadata)."""

    @property
    def csl(self) -> str:
        """CSL JSON rich text: the characters as they are (citeproc decodes no entities, so
        nothing is escaped), ``<i>``/``<b>``/``<sup>``/``<sub>`` for their faces; links and any
        other markup become their text."""

        def walk(node: Any) -> str:
            inner = (node.text or "") + "".join(walk(child) for child in node)
            face = FACES.get(node.tag)
            return (f"<{face}>{inner}</{face}>" if face else inner) + (node.tail or "")

        root = parse(self.html)
        return (root.text or "") + "".join(walk(child) for child in root)

    @property
    def markdown(self) -> str:
        """As pandoc Markdown (for metadata that pandoc parses, e.g. JATS): ``*italics*``, every
        other character that Markdown would read as markup escaped."""
        root = parse(self.html)
        return _markdown_text(root.text or "") + "".join(_markdown(node) for node in root)


def _markdown(node: Any) -> str:
    inner = _markdown_text(node.text or "") + "".join(_markdown(child) for child in node)
    if node.tag in ("em", "i"):
        inner = f"*{inner}*"
    elif node.tag in ("strong", "b"):
        inner = f"**{inner}**"
    return inner + _markdown_text(node.tail or "")


def _markdown_text(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#+!|~^$@])", r"\\\1", text)


def title_of(markdown: str, italic_terms: Sequence[str] = ()) -> Title:
    html = render_inline(clean_text(markdown), italic_terms)
    return Title(html, " ".join(parse(html).text_content().split()))


def article_title(config: IssueConfig, chapter: Chapter) -> Title:
    return title_of(chapter.meta.title, config.italic_terms)


def csl_item(
    config: IssueConfig, chapter: Chapter, pages: tuple[int, int] | None
) -> dict[str, Any]:
    """The article as one CSL JSON item: the source of its suggested citation."""
    item: dict[str, Any] = {
        "id": chapter.slug,
        "type": "article-journal",
        "title": article_title(config, chapter).csl,
        "author": [author.person.csl() for author in chapter.meta.authors],
        "container-title": config.series,
        "issue": f"{config.issue_label} {config.number}",
        "issued": {"date-parts": [[config.year]]},
        "URL": f"{config.base_url}{chapter.slug}/",
    }
    if pages:
        item["page"] = f"{pages[0]}-{pages[1]}" if pages[1] != pages[0] else str(pages[0])
    doi = article_doi(config, chapter)
    if doi:
        item["DOI"] = doi
    return item


@dataclass(frozen=True)
class SuggestedCitation:
    """'van der Berg J. & Zhou H. 2019. Title. CATnews Special Issue 13, 26–29.' as citeproc
    sets it with the house style (``theme/csl/catnews.csl``), without the DOI link."""

    html: str
    text: str

    @property
    def lead_html(self) -> str:
        """Without the final full stop: the print edition adds ', ' and its page range."""
        return _without_final_stop(self.html)


def suggested_citations(
    issue: Issue,
    page_map: Mapping[str, tuple[int, int]] | None,
    cache_dir: Path,
    slugs: Collection[str] | None = None,
) -> dict[str, SuggestedCitation]:
    """Every article's suggested citation, rendered by pandoc's citeproc from its CSL item (one
    run per article, so that no two articles get year suffixes from each other), cached."""
    from pica_publish.pandoc import PandocError, markdown_to_html

    config = issue.manifest
    found = {}
    for chapter in issue.chapters:
        if slugs is not None and chapter.slug not in slugs:
            continue
        item = csl_item(config, chapter, (page_map or {}).get(chapter.slug))
        try:
            result = markdown_to_html(
                "",
                references=[item],
                csl=theme_path("csl", "catnews.csl"),
                id_prefix="cite-",
                language=config.language,
                metadata={"nocite": "@*"},
                cache_dir=cache_dir,
            )
        except PandocError:
            continue  # the conversion of the chapters reports pandoc's failures
        root = parse(result.html)
        entries = root.find_class("csl-entry")
        if not entries:
            continue
        entry = entries[0]
        for link in list(entry.iter("a")):
            link.drop_tag()  # the title links to the DOI in reference lists; not here
        text = " ".join(entry.text_content().split())
        # pandoc escapes the text; the sanitiser keeps the promise of docs/security.md anyway
        found[chapter.slug] = SuggestedCitation(sanitize(serialise(entry)).strip(), text)
    return found


def _without_final_stop(html: str) -> str:
    root = parse(html)
    last = root[-1] if len(root) else None
    if last is not None and last.tail:
        last.tail = last.tail.rstrip().removesuffix(".")
    elif last is None:
        root.text = (root.text or "").rstrip().removesuffix(".")
    return serialise(root)
