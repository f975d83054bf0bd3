"""DOIs in one form: the bare ``10.prefix/suffix`` that Crossref deposits, CSL and every export
expect.

Reference managers write a DOI in many ways: Wiley and Zotero exports give
``https://doi.org/10.1002/…``, older ones ``http://dx.doi.org/…`` or ``doi:10.…``, some add a
trailing full stop or URL-encode the slash. :func:`normalise_doi` turns all of them into the bare
form once, where entries become CSL items, so the reference list, the Crossref deposit and the
exports agree.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
"""A DOI as Crossref recommends matching one: directory ``10.``, a 4–9 digit registrant code,
a slash and a suffix without spaces."""

PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "https://www.doi.org/",
    "http://www.doi.org/",
    "doi.org/",
    "dx.doi.org/",
    "doi:",
    "doi ",
    "info:doi/",
    "urn:doi:",
)


def normalise_doi(value: str) -> str | None:
    """The bare DOI in ``value`` (``10.1002/x``), or None when ``value`` is not a DOI.

    >>> normalise_doi("https://doi.org/10.1002/ece3.5100")
    '10.1002/ece3.5100'
    >>> normalise_doi("DOI: 10.1139/Z10-056.")
    '10.1139/Z10-056'
    >>> normalise_doi("n/a") is None
    True
    """
    text = value.strip().strip("{}").strip()
    changed = True
    while changed:  # "https://doi.org/doi:10…" exists in the wild
        changed = False
        for prefix in PREFIXES:
            if text.lower().startswith(prefix):
                text = text[len(prefix) :].strip()
                changed = True
    if "%2f" in text.lower() or "%3c" in text.lower():  # a URL-encoded DOI from a link
        text = unquote(text)
    text = text.replace("\\_", "_").replace("\\%", "%")  # escaped for LaTeX in a .bib
    text = text.rstrip(".,;")
    return text if DOI_RE.match(text) else None
