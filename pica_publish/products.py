"""What the stages produce: the typed, frozen values one stage hands to the next.

The model (``model.py``) is what the author wrote; these are what the pipeline made of it.
They live outside the stage modules so that the state (``state.py``), the layout cache and
every later stage can name them without importing the stage that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ConvertedChapter:
    """One chapter after *convert*: pandoc's output, sanitised and split into its parts."""

    slug: str
    """The chapter's slug (its file name without number and suffix), the key of every map."""
    body_html: str
    """The article body, sanitised; ids prefixed with the slug."""
    references_html: str
    """The article's own reference list (``csl-entry`` divs), or ''."""
    notes_html: str
    """Pandoc's endnotes section, or ''."""


@dataclass(frozen=True)
class PrintPart:
    """One print document: the cover, the masthead, the contents, or one article (made by
    *assemble*, rendered and laid out by *typeset* once its first page number is known)."""

    kind: str
    """'cover', 'masthead', 'contents' or 'article'."""
    slug: str
    """The chapter's slug for an article; the kind for the issue frame."""
    template: str
    """The Jinja template, relative to ``theme/templates/`` ('print/article.html')."""
    context: dict[str, Any] = field(hash=False)
    """The template's variables (the issue, the articles' view contexts; ``article`` for an
    article). *typeset* adds the folio, the page map and the placement of the floats."""
    base_path: str = ""
    """Folder that relative URLs in this part resolve against (the chapter's folder)."""


@dataclass(frozen=True)
class PrintPlan:
    """The print edition before layout: its documents in issue order (made by *assemble*)."""

    parts: tuple[PrintPart, ...]
    """Cover, masthead, contents (absent in a preview), then the articles."""
    assets: tuple[Path, ...] = ()
    """Image files the print parts load (their content is part of the layout's inputs)."""
