"""Author-year citations typed as text — ``(Ross et al. 2010; Smith 1999)`` and ``Ross et al.
(2010)`` — matched to the entries they may mean: by first (and second) author and year, settled
by the manuscript's own reference list where two fit. The import links those that fit one entry;
``check`` lists the candidates of the others (``citation-as-text``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pica_publish.word_ast import cite_inline, stringify, walk_blocks
from pica_publish.word_works import Known, ascii_fold, folded_title, item_year, known_from

if TYPE_CHECKING:
    from pica_publish.model import BibEntry


def works_in(entries: Mapping[str, BibEntry]) -> list[Work]:
    """The entries a typed citation may name (``check``)."""
    return works(known_from(entries), [])


CITED_RE = re.compile(r"^(?P<names>[^\d;()]+?),?\s+(?P<year>\d{4})(?P<letter>[a-z]?)$")


@dataclass(frozen=True)
class Work:
    """An entry a typed author-year citation may name."""

    key: str
    first_author: str
    second_author: str
    year: str
    title: str = ""
    """Folded (:func:`folded_title`), to find the work in a typed reference list."""


def works(known: list[Known], new: list[dict[str, Any]]) -> list[Work]:
    found = [Work(k.key, k.first_author, k.second_author, k.year, k.title) for k in known]
    for item in new:
        names = item.get("author") or []
        family = [ascii_fold(n.get("family") or n.get("literal") or "") for n in names]
        first, second = (family + ["", ""])[:2]
        title = folded_title(str(item.get("title", "")))
        found.append(Work(item["id"], first, second, item_year(item), title))
    return found


LISTED_YEAR_RE = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z]?)\b")


def listed_works(
    listing: list[dict[str, Any]], candidates: list[Work]
) -> dict[tuple[str, str], str]:
    """The works of a typed reference list, where its entry names one: a paragraph's first
    word (the first author), its first year (with the letter that tells "2010a" from
    "2010b") and the title of exactly one entry with that author and year inside it. Typed
    citations that fit two entries are settled by it."""
    listed: dict[tuple[str, str], str] = {}
    for block in walk_blocks(listing):
        if block.get("t") not in ("Para", "Plain"):
            continue
        text = " ".join(stringify(block["c"]).split())
        year = LISTED_YEAR_RE.search(text)
        words = re.findall(r"[^\W\d_][\w'’-]*", text[: year.start()] if year else "")
        if year is None or not words:
            continue
        first, folded = ascii_fold(words[0]), folded_title(text)
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


def typed_citations(
    inlines: list[dict[str, Any]],
    candidates: list[Work],
    listed: Mapping[tuple[str, str], str],
) -> tuple[list[dict[str, Any]], int]:
    """``(Ross et al. 2010; Smith 1999)`` and ``Ross et al. (2010)`` typed as text → citations,
    where each name and year fit exactly one entry (``listed``: the manuscript's reference
    list, which settles two); else left as text (``check`` lists the candidates). The inlines,
    and how many were linked."""
    out: list[dict[str, Any]] = []
    index = linked = 0
    while index < len(inlines):
        found = _typed_at(inlines, index, candidates, listed)
        if found is None and _narrative_at(out, inlines[index], candidates, listed):
            linked += 1
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
        linked += 1
    return out, linked


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
    out.append(cite_inline([found[0].key], f"{names[1]} ({year[1]})", in_text=True))
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
            return cite_inline(keys, text[: len(text) - len(after)]), after, end + 1
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
        first = ascii_fold(people[0].split()[0]) if people else ""
        key = listed.get((first, year)) or listed.get((ascii_fold(names), year))
        chosen = [w for w in found if w.key == key]
        if chosen:
            return chosen
    return found


def _matching(names: str, year: str, candidates: list[Work]) -> list[Work]:
    whole = ascii_fold(names)  # an organisation: "Cincinnati Zoo & Botanical Garden 2011"
    organisation = [w for w in candidates if w.first_author == whole and w.year == year[:4]]
    if organisation:
        return organisation
    people = [p for p in re.split(r"\s+(?:and|&)\s+|\s+et\s+al\.?", names.strip()) if p.strip()]
    if not people:
        return []
    first = ascii_fold(people[0].split()[-1])
    second = ascii_fold(people[1].split()[-1]) if len(people) > 1 else ""
    return [
        w
        for w in candidates
        if w.first_author == first
        and w.year == year[:4]
        and (not second or not w.second_author or w.second_author == second)
    ]
