"""Laid-out print parts kept across builds, so that an edit lays out only what it changed.

A part (the cover, the masthead, the contents, one article) is laid out from its rendered HTML
at its first folio; its PDF, page count and make-up faults are stored under a digest of that
HTML and of everything else its pages depend on (:func:`engine_digest`: pica_publish's code and
templates, the stylesheet with its fonts, the engine version, the PDF options and the images).
A one-word edit changes one article's HTML: that article is laid out again, every other part is
read from here. An article whose first folio moved has new HTML (its folios and running heads)
and is laid out again too.

Entries are files named by their digest in ``build/.cache/parts/``; entries no build used for a
while are not kept forever: :meth:`PartCache.prune` keeps those of the last build.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pica_publish.pdffonts import Plan
from pica_publish.placement import Placement
from pica_publish.preflight import Fault, preflight_json, read_preflight
from pica_publish.theme import theme_path


@dataclass(frozen=True)
class PartPdf:
    """One print part laid out and written as its own tagged PDF."""

    pdf: bytes
    """The part's PDF (empty when only its page count was wanted: the contents' first pass)."""
    page_count: int
    faults: tuple[Fault, ...] = ()
    """The part's make-up faults (articles only), reported again when it is reused."""
    placement: Placement | None = None
    """Where an article's floats went: laid out at another folio, it gets the same (one layout
    instead of a search)."""
    tried: tuple[Placement, ...] | None = None
    """The placements an article's search tried, in order (None: no search, it was laid out
    with a known placement or read from here). Kept by slug (:func:`write_searches`)."""


def engine_digest(stylesheet: str, assets: tuple[Path, ...], *extra: str) -> str:
    """Everything a part's pages depend on besides its own HTML."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted([*package.rglob("*.py"), *theme_path("templates").rglob("*.html")]):
        digest.update(source.read_bytes())  # a new pica_publish lays every part out anew
    digest.update(stylesheet.encode("utf-8"))
    for value in extra:
        digest.update(value.encode("utf-8"))
    for asset in sorted(assets):
        digest.update(str(asset).encode("utf-8"))
        digest.update(asset.read_bytes())
    return digest.hexdigest()


def part_digest(engine: str, kind: str, slug: str, folio: int, html: str) -> str:
    digest = hashlib.sha256()
    for value in (engine, kind, slug, str(folio), html):
        digest.update(value.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class PartCache:
    """Part PDFs by digest in one folder; unreadable entries count as missing."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    def get(self, digest: str) -> PartPdf | None:
        try:
            meta = json.loads((self.folder / f"{digest}.json").read_text("utf-8"))
            pdf = (self.folder / f"{digest}.pdf").read_bytes() if meta["written"] else b""
            faults = read_preflight(json.dumps(meta["preflight"]).encode("utf-8"))
            placement = meta.get("placement")
            result = PartPdf(
                pdf,
                int(meta["page_count"]),
                tuple(faults),
                placement_from_json(placement) if placement else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(digest)
        return result

    def put(self, digest: str, part: PartPdf) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "page_count": part.page_count,
            "written": bool(part.pdf),
            "preflight": json.loads(preflight_json(part.faults)),
            "placement": placement_json(part.placement) if part.placement else None,
        }
        if part.pdf:
            _write_atomic(self.folder / f"{digest}.pdf", part.pdf)
        # The metadata last: an entry is complete when its .json exists.
        _write_atomic(self.folder / f"{digest}.json", json.dumps(meta).encode("utf-8"))
        self.used.add(digest)

    def prune(self) -> None:
        """Remove the entries this build did not use (an issue's parts stay; old versions go)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name == SEARCHES:
                continue
            if path.suffix in (".json", ".pdf") and path.stem not in self.used:
                path.unlink(missing_ok=True)


SEARCHES = "searches.json"
"""Slug → the placements the last search of that article tried, in the part cache's folder:
after an edit, its search most likely tries them again, and they are laid out ahead
(``ArticleSearch`` in the typeset stage)."""


def placement_json(placement: Placement) -> dict[str, list[Any]]:
    return {
        "deferrals": [list(d) for d in placement.deferrals],
        "tightened": [list(t) for t in placement.tightened],
    }


def placement_from_json(data: dict[str, Any]) -> Placement:
    return Placement(
        tuple((int(n), int(k)) for n, k in data["deferrals"]),
        tuple((str(c), int(k)) for c, k in data["tightened"]),
    )


def read_searches(folder: Path) -> dict[str, tuple[Placement, ...]]:
    """What :func:`write_searches` kept; nothing if it is missing or unreadable."""
    try:
        data = json.loads((folder / SEARCHES).read_text("utf-8"))
        return {
            str(slug): tuple(placement_from_json(p) for p in tried) for slug, tried in data.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_searches(folder: Path, searches: dict[str, tuple[Placement, ...]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {slug: [placement_json(p) for p in tried] for slug, tried in sorted(searches.items())}
    _write_atomic(folder / SEARCHES, json.dumps(data).encode("utf-8"))


class JoinedCache:
    """Joined PDFs (offprints, the issue) by a digest of their parts and metadata: an edit of one
    article joins its offprint and the issue again, not every offprint."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()

    @staticmethod
    def key(pdfs: list[bytes], folios: list[int | None], metadata: str) -> str:
        digest = hashlib.sha256(metadata.encode("utf-8"))
        for pdf, folio in zip(pdfs, folios, strict=True):
            digest.update(hashlib.sha256(pdf).digest())
            digest.update(str(folio).encode())
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        self.used.add(key)
        return data

    def put(self, key: str, pdf: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.folder / f"{key}.pdf", pdf)
        self.used.add(key)

    def prune(self) -> None:
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                if path.suffix == ".pdf" and path.stem not in self.used:
                    path.unlink(missing_ok=True)


class MergedFonts:
    """Font merges of joined PDFs (:func:`pica_publish.pdffonts.merge_font_subsets`) by a digest
    of the programs they were made from: ``<key>.json`` lists the merges, each merged program
    is ``<its sha256>.ttf``. Entries no join of this build used are pruned."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.memory: dict[str, Plan] = {}

    def get(self, key: str, programs: int) -> Plan | None:
        if key in self.memory:
            self.used.add(key)
            return self.memory[key]
        try:
            merges = json.loads((self.folder / f"{key}.json").read_text("utf-8"))
            plan: Plan = []
            for indices, name in merges:
                program = (self.folder / f"{name}.ttf").read_bytes()
                if hashlib.sha256(program).hexdigest() != name:
                    return None
                if not all(isinstance(i, int) and 0 <= i < programs for i in indices):
                    return None
                plan.append(([int(i) for i in indices], program))
        except (OSError, ValueError, TypeError):
            return None
        self.used.add(key)
        self.memory[key] = plan
        return plan

    def put(self, key: str, plan: Plan) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        merges = []
        for indices, program in plan:
            name = hashlib.sha256(program).hexdigest()
            _write_atomic(self.folder / f"{name}.ttf", program)  # a damaged one is replaced
            merges.append([indices, name])
        _write_atomic(self.folder / f"{key}.json", json.dumps(merges).encode("utf-8"))
        self.used.add(key)
        self.memory[key] = plan

    def prune(self) -> None:
        """Keep the merges this build used, and their programs."""
        if not self.folder.is_dir():
            return
        programs = {
            hashlib.sha256(program).hexdigest()
            for key in self.used
            for _indices, program in self.memory.get(key, [])
        }
        for path in self.folder.iterdir():
            keep = self.used if path.suffix == ".json" else programs
            if path.suffix in (".json", ".ttf") and path.stem not in keep:
                path.unlink(missing_ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(name, path)
