"""The page map and the issue PDF's name: what *typeset* leaves for the later stages and builds.

*typeset* writes ``pagemap.json`` (each article's first and last page) next to the PDFs; the
*web* stage, a chapter preview and the layout cache read it back. Kept outside the stages so that
*web* needs no import of *typeset* (and of WeasyPrint's layout code with it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pica_publish.model import Issue

PageMap = dict[str, tuple[int, int]]
"""Chapter slug → (first page, last page) in the issue."""


def issue_pdf_name(issue: Issue) -> str:
    """The issue PDF's file name from the series, label and number
    ('catnews-special-issue-13.pdf')."""
    config = issue.manifest
    stem = re.sub(
        r"[^a-z0-9]+", "-", f"{config.series} {config.issue_label} {config.number}".lower()
    )
    return f"{stem.strip('-')}.pdf"


def page_map_json(page_map: PageMap) -> bytes:
    """``pagemap.json``: ``{"slug": {"first": 9, "last": 14}, …}`` in issue order."""
    data = {slug: {"first": first, "last": last} for slug, (first, last) in page_map.items()}
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def last_first_page(build: Path, slug: str) -> int | None:
    """The article's first page in the last full build (``build/pagemap.json``), if any."""
    page_map = read_page_map(build)
    return page_map[slug][0] if slug in page_map else None


def read_page_map(build: Path) -> PageMap:
    """``build/pagemap.json`` of the last full build, or {} when there is none."""
    try:
        data: Any = json.loads((build / "pagemap.json").read_text("utf-8"))
        return {slug: (int(v["first"]), int(v["last"])) for slug, v in data.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}
