"""What every pandoc run over a chapter's Markdown uses: the house citation style and the Lua
filters, in order, with the editors' settings they read.

Shared by *convert* (the HTML of each chapter) and *export* (the JATS bodies), so that both see
the same numbering, tables, italics and hyphenation.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pica_publish.model import Issue
from pica_publish.theme import hyphenation_exceptions


def csl_style_path() -> Path:
    """The house citation style, ``theme/csl/catnews.csl``."""
    return Path(str(resources.files("pica_publish") / "theme" / "csl" / "catnews.csl"))


FILTERS_BEFORE_CITEPROC = ("quarto.lua", "page_breaks.lua", "crossref.lua", "tables.lua")
"""Lua filters (``theme/filters/``) that run before citeproc: Quarto's callouts and ``@fig-x``
aliases, ``\\newpage`` paragraphs as page breaks; figure/table numbering and
cross-references, which must be links before citeproc looks for literature keys; table column
widths from the content and numeric columns set right."""
FILTERS_AFTER_CITEPROC: tuple[str, ...] = ("taxa.lua", "hyphenation.lua")
"""Lua filters that run after citeproc, so that they see the reference list too: scientific
names in italics (``italic_terms`` in issue.yml); the house hyphenation exceptions
(``theme/hyphenation.txt``), after the italics so that taxa get them too."""


def filter_settings(issue: Issue) -> dict[str, Any]:
    """The editors' settings the Lua filters read, as pandoc metadata."""
    return {
        "italic-terms": list(issue.manifest.italic_terms),
        "hyphenation-exceptions": list(hyphenation_exceptions()),
    }


def lua_filters() -> tuple[Path, ...]:
    """The filters of :data:`FILTERS_BEFORE_CITEPROC`, in order."""
    return tuple(_filter_path(name) for name in FILTERS_BEFORE_CITEPROC)


def lua_filters_after_citeproc() -> tuple[Path, ...]:
    """The filters of :data:`FILTERS_AFTER_CITEPROC`, in order."""
    return tuple(_filter_path(name) for name in FILTERS_AFTER_CITEPROC)


def _filter_path(name: str) -> Path:
    return Path(str(resources.files("pica_publish") / "theme" / "filters" / name))
