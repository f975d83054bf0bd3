"""The state that flows through the pipeline stages, and the options that shape a build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pica_publish.diagnostics import Report

if TYPE_CHECKING:  # not at run time: a build with nothing to do imports no model
    from pica_publish.model import Citation, Issue
    from pica_publish.products import ConvertedChapter, PrintPlan

EMPTY: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class BuildOptions:
    """What to build, and where. Built by the CLI; every field has a safe default."""

    root: Path
    """Project folder holding ``issue.yml``."""
    outputs: frozenset[str] = frozenset({"pdf", "html"})
    """Which editions to write: any of 'pdf' and 'html'."""
    build_dir: Path | None = None
    """Output folder; default ``ROOT/build``."""
    strict: bool = False
    """Warnings fail the build too."""
    jobs: int = 2
    """Parallel pandoc runs."""
    source_date_epoch: int | None = None
    """Timestamp written into outputs (reproducible builds)."""
    archive: bool = False
    """Write PDF/A-3u with the sources attached instead of PDF/UA-1 (``make archive``)."""
    print_master: bool = False
    """Write the print master instead of the reading PDFs (``make print``): the whole issue as
    PDF/X-4 with 3 mm bleed and crop marks, into ``build/print/``; no offprints."""
    preview: str | None = None
    """Build only this chapter (its path relative to the root) into ``build/preview/``."""
    defer_search: bool = False
    """Keep the search index the published site has instead of indexing the pages again
    (``serve``: the edited page reloads sooner, and a second build indexes it). Such a build is
    never recorded as current (:mod:`pica_publish.uptodate`)."""

    @property
    def build_path(self) -> Path:
        return self.build_dir if self.build_dir is not None else self.root / "build"

    @property
    def cache_path(self) -> Path:
        return self.build_path / ".cache"


@dataclass(frozen=True)
class BuildState:
    """Everything known so far. Each stage takes a state and returns a new one."""

    options: BuildOptions
    report: Report = field(default_factory=Report)
    issue: Issue | None = None
    citations: Mapping[str, tuple[Citation, ...]] = field(default_factory=dict)
    """Chapter slug → citations in source order (from the check stage)."""
    images: Mapping[str, Mapping[str, Path]] = field(default_factory=dict)
    """Chapter slug → image source as written → resolved file (from the check stage)."""
    frame_files: Mapping[str, Path] = field(default_factory=dict)
    """The frame's files named in issue.yml (cover, logos…) as written → resolved file (check)."""
    converted: Mapping[str, ConvertedChapter] = field(default_factory=dict)
    cited_items: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Chapter slug → the CSL JSON items it cites, in citation order (from *convert*)."""
    print_plan: PrintPlan | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)
    """Output files to publish, by path relative to the build folder."""
    page_map: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Chapter slug → (first page, last page) from the layout."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds each stage took (set by :func:`pica_publish.build.run`)."""
    up_to_date: bool = False
    """Nothing changed since the last build: no stage ran (:mod:`pica_publish.uptodate`)."""
