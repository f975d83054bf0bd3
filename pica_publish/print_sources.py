"""Which sources the last layout of the whole issue was made from, to tell when page numbers
are current.

A full print build records (:func:`record`, in ``build/.cache/print-sources.json``) a digest of
each chapter file, in the manifest's order, and one of everything else that can move pages: the
manifest, the bibliography files, the figures, and the print theme. From it:

- :func:`page_numbers_current`: every chapter and everything else unchanged — the page map and
  the PDFs of that build are the pages of the chapters now (the web edition may show its page
  ranges and offer its PDFs);
- :func:`first_page_certain`: everything before a chapter unchanged — a preview of that chapter
  starts at the right page (its own length is what the preview lays out).

Otherwise page numbers are provisional, and a preview or the web edition says so.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from pica_publish.theme import theme_path

if TYPE_CHECKING:
    from pica_publish.model import Issue

RECORD = "print-sources.json"


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _shared_digest(issue: Issue) -> str:
    """Everything but the chapter files: manifest, bibliography, figures, the frame's files,
    print theme."""
    digest = hashlib.sha256()
    files = [issue.root / "issue.yml", *issue.bibliography.files]
    figures = issue.root / "chapters" / "figures"
    if figures.is_dir():
        files += sorted(p for p in figures.rglob("*") if p.is_file())
    if issue.config is not None:  # the cover, logos and back cover named in issue.yml
        from pica_publish.checks.frame import frame_files

        files += [issue.root / item.written for item in frame_files(issue.config)]
    files += sorted(p for p in theme_path("templates", "print").rglob("*") if p.is_file())
    files += [theme_path("css", "print.css")]
    for path in files:
        digest.update(f"{path}\0{_file_digest(path)}\n".encode())
    # What the contents prints of every chapter: its length moves every article's first page.
    contents = [
        [c.slug, c.role, c.meta.title, c.meta.short_title, [a.name for a in c.meta.authors]]
        for c in issue.chapters
    ]
    digest.update(json.dumps(contents).encode("utf-8"))
    return digest.hexdigest()


def _sources(issue: Issue) -> dict[str, object]:
    return {
        "shared": _shared_digest(issue),
        "chapters": [[c.slug, _file_digest(c.path)] for c in issue.chapters],
    }


def record(cache: Path, issue: Issue) -> None:
    """Remember the sources of the layout just made (best effort: a missing record only makes
    page numbers provisional)."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / RECORD).write_text(json.dumps(_sources(issue)), "utf-8")
    except OSError:
        pass


def _recorded(cache: Path) -> dict[str, object] | None:
    try:
        data = json.loads((cache / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def page_numbers_current(cache: Path, issue: Issue) -> bool:
    """The last full layout was made from exactly these sources."""
    return _recorded(cache) == _sources(issue)


def first_page_certain(cache: Path, issue: Issue, slug: str) -> bool:
    """The last full layout had this chapter, and everything before it is unchanged (so its
    first page is the one that layout gave it)."""
    recorded = _recorded(cache)
    now = _sources(issue)
    if recorded is None or recorded.get("shared") != now["shared"]:
        return False
    before: list[list[str]] = []
    for entry in now["chapters"]:  # type: ignore[attr-defined]
        if entry[0] == slug:
            old = recorded.get("chapters")
            if not isinstance(old, list):
                return False
            old_slugs = [item[0] for item in old]
            if slug not in old_slugs:
                return False
            return bool(old[: old_slugs.index(slug)] == before)
        before.append(list(entry))
    return False
