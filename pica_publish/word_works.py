"""Step 4 of ``pica-publish import``: a key for every work the citations carry (CSL JSON) — a
Better BibTeX-style house key (``ross2010den``), or the key of the entry of ``references/*.bib``
that is the same work (same DOI, or same title, year and first author)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pica_publish.doi import normalise_doi

if TYPE_CHECKING:
    from pica_publish.model import BibEntry


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


def ascii_fold(text: str) -> str:
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
    year = item_year(item) or "nd"
    words = re.findall(r"[^\W_]+", str(item.get("title", "")))
    word = next((w for w in words if w.lower() not in KEY_STOP_WORDS), "")
    return ascii_fold(family) + year + ascii_fold(word)


def item_year(item: dict[str, Any]) -> str:
    parts = (item.get("issued") or {}).get("date-parts") or [[]]
    return str(parts[0][0]) if parts and parts[0] else ""


def folded_title(text: str) -> str:
    return ascii_fold(re.sub(r"[{}\\]", "", text))


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
                folded_title(fields.get("title", "")),
                year.strip("{} "),
                ascii_fold(re.sub(r"[{}\\]", "", family)),
                ascii_fold(re.sub(r"[{}\\]", "", second_family)),
            )
        )
    return found


def same_work(item: dict[str, Any], known: Known) -> bool:
    """Same DOI, or the same title, year and first author."""
    doi = normalise_doi(str(item.get("DOI", ""))) if item.get("DOI") else None
    if doi and known.doi:
        return doi == known.doi
    names = item.get("author") or item.get("editor") or [{}]
    family = ascii_fold(names[0].get("family") or names[0].get("literal") or "")
    return (
        folded_title(str(item.get("title", ""))) == known.title
        and item_year(item) == known.year
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
            folded_title(str(a.get("title", ""))) == folded_title(str(b.get("title", "")))
            and item_year(a) == item_year(b)
        )
    )
