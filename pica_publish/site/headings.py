"""Section links in the web edition: every heading of an article carries the id of its section.

pandoc, run with ``--section-divs``, puts a section's id (``dens-home-ranges``: the chapter's
``--id-prefix`` and the heading's slug, or the author's ``{#sec:dens}``) on the ``<section>``
and leaves the heading without one. Readers share links to headings, and Pagefind splits a page
into sub-results only at headings (``h1``–``h6``) that have an id: without them, every hit in an
article's body was filed under the last heading that had one, the template's "Abstract". Here
the id moves from the section to its heading, so links to the section (cross-references, the
table of contents of a search result) land on the heading. Ids stay those pandoc wrote, so they
are stable from build to build; a heading with none (raw HTML) gets one from its text.

The ids of a page are then made unique: the chapter's fragments (body, notes, references) share
the chapter's prefix, and the page's own ids (``abstract``, ``cite``, ``references``) have no
hyphen, so they can never be one of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from pica_publish.htmltree import HtmlElement, parse, serialise

HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def heading_ids(fragments: Iterable[str], *, prefix: str) -> list[str]:
    """The article's ``fragments`` (in page order) with an id on every heading and no id twice."""
    roots = [parse(fragment) for fragment in fragments]
    for root in roots:
        for heading in root.iter(*HEADINGS):
            if heading.get("id"):
                continue
            section = heading.getparent()
            ident = None
            if section is not None and first_child(section) is heading:
                ident = section_id(section)
            if section is not None and ident:
                del section.attrib["id"]
                heading.set("id", ident)
            else:
                heading.set("id", prefix + (text_id(heading.text_content()) or "section"))
    seen: set[str] = set()
    for root in roots:
        for node in root.iter():
            ident = node.get("id") if isinstance(node.tag, str) else None
            if ident is None:
                continue
            unique, number = ident, 1
            while unique in seen:
                number += 1
                unique = f"{ident}-{number}"
            node.set("id", unique)
            seen.add(unique)
    return [serialise(root) for root in roots]


def section_id(node: HtmlElement) -> str | None:
    """The id of a ``<section>`` (pandoc's ``--section-divs``), None for any other element."""
    return node.get("id") if node.tag == "section" else None


def first_child(node: HtmlElement) -> HtmlElement | None:
    """The first element child of ``node`` (comments skipped)."""
    return next((child for child in node if isinstance(child.tag, str)), None)


def text_id(text: str) -> str:
    """An id from a heading's text as pandoc makes one: lower case, letters (with their marks)
    and digits of any script and ``_.-`` kept, spaces as hyphens, everything else dropped."""
    words = unicodedata.normalize("NFC", text.lower()).split()
    kept = (
        "".join(c for c in word if c in "_.-" or unicodedata.category(c)[0] in "LNM")
        for word in words
    )
    return "-".join(word for word in kept if word)
