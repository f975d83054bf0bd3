"""How much the print edition hyphenates: hyphenated line ends per page and runs of them.

Reads WeasyPrint's laid-out boxes (pinned major version): every ``LineBox`` of a page (running
heads excluded) and the last text box on it. WeasyPrint writes the hyphen of an automatic or
soft-hyphen break into that box's text: the line's text then ends with the box's
``hyphenate-character`` (U+2010 by default), a character that is not in the source; a hyphen
of the source (U+002D, ``home-range``) is not counted. A U+2010 typed in the source at a line
end would be counted (no chapter of the sample issue has one).

``python -m pica_publish.hyphenation_report`` builds the sample issue into a temporary folder and
prints the figures and every break; ``make bench`` prints the figures of its cold build.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint.document import Document

    from pica_publish.layout import LaidOut

SOFT_HYPHEN = "\u00ad"
RUN_LIMIT = 2
"""A journal allows at most this many hyphenated line ends in a row."""
LOOSE = 0.25
"""Extra space between words, in em, from which a justified line counts as loose (about twice
a normal word space)."""


@dataclass(frozen=True)
class HyphenBreak:
    """One hyphenated line end: the word's two parts (soft hyphens removed)."""

    page: int
    """As numbered by :func:`measure` (the issue PDF's page, from the build recorder)."""
    before: str
    after: str

    @property
    def word(self) -> str:
        return f"{self.before}-{self.after}"


@dataclass(frozen=True)
class PageHyphenation:
    page: int
    lines: int
    hyphenated: int
    longest_run: int
    """Most consecutive hyphenated lines in one column of the page."""
    runs: tuple[int, ...]
    """Length of every run of consecutive hyphenated lines (1 for a lone one)."""
    stretches: tuple[float, ...] = ()
    """Extra space between words (em) of every line that justification widened."""


@dataclass(frozen=True)
class HyphenationReport:
    pages: tuple[PageHyphenation, ...]
    breaks: tuple[HyphenBreak, ...]

    @property
    def total(self) -> int:
        return sum(p.hyphenated for p in self.pages)

    @property
    def per_page_max(self) -> int:
        return max((p.hyphenated for p in self.pages), default=0)

    @property
    def per_page_mean(self) -> float:
        return statistics.fmean(p.hyphenated for p in self.pages) if self.pages else 0.0

    @property
    def longest_run(self) -> int:
        return max((p.longest_run for p in self.pages), default=0)

    @property
    def stretches(self) -> list[float]:
        return [s for p in self.pages for s in p.stretches]

    @property
    def loose_lines(self) -> int:
        """Justified lines whose word spaces were widened by :data:`LOOSE` or more."""
        return sum(1 for s in self.stretches if s >= LOOSE)

    def runs_over(self, limit: int = RUN_LIMIT) -> int:
        """How many runs of consecutive hyphenated lines are longer than ``limit``."""
        return sum(1 for p in self.pages for run in p.runs if run > limit)

    def summary(self) -> str:
        return (
            f"{self.total} hyphenated line ends on {len(self.pages)} pages: "
            f"mean {self.per_page_mean:.1f} a page, max {self.per_page_max}; "
            f"{self.runs_over()} runs of more than {RUN_LIMIT}, longest {self.longest_run}; "
            f"{self.loose_lines} loose lines (word spaces +{LOOSE} em or more) of "
            f"{len(self.stretches)} widened, mean +{statistics.fmean(self.stretches or [0]):.3f} em"
        )


@dataclass
class _Line:
    page: int
    x: float
    y: float
    text: str
    hyphen: str | None
    """The hyphenate-character that ends the line, if WeasyPrint hyphenated it."""
    stretch: float
    """Extra space between words from justification, in em of the text (0: not widened)."""
    element: Any = None
    """The element (paragraph, list item, cell) the line belongs to."""


def _lines(document: Document, first_page: int) -> list[_Line]:
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox, TextBox

    from pica_publish.layout import page_boxes

    lines = []
    for number, page_box in enumerate(page_boxes(document), start=first_page):
        for child in page_box.children:
            if isinstance(child, MarginBox):
                continue
            for box in child.descendants():
                if not isinstance(box, LineBox):
                    continue
                texts = [b for b in box.descendants() if isinstance(b, TextBox) and b.text]
                text = "".join(b.text for b in texts).rstrip(" ")
                hyphen = None
                if texts:
                    last = texts[-1].text.rstrip(" ")
                    character = texts[-1].style["hyphenate_character"]
                    if character and last.endswith(character) and len(last) > len(character):
                        hyphen = character
                stretch = max(
                    (b.justification_spacing / b.style["font_size"] for b in texts), default=0.0
                )
                lines.append(
                    _Line(
                        number,
                        box.position_x,
                        box.position_y,
                        text,
                        hyphen,
                        stretch,
                        getattr(box, "element", None),
                    )
                )
    return lines


def _without_hyphen(line: _Line) -> str:
    return line.text[: -len(line.hyphen)] if line.hyphen else line.text


def measure(documents: Iterable[Document], *, first_page: int = 1) -> HyphenationReport:
    """Count hyphenated line ends and their runs on every page of ``documents``, in order;
    pages are numbered from ``first_page``."""
    lines: list[_Line] = []
    page_count = 0
    for document in documents:
        lines += _lines(document, first_page + page_count)
        page_count += len(document.pages)
    by_page: dict[int, list[_Line]] = {n: [] for n in range(first_page, first_page + page_count)}
    for line in lines:
        by_page[line.page].append(line)
    breaks = []
    for index, line in enumerate(lines):
        if line.hyphen is None:
            continue
        before = _without_hyphen(line).split()
        after = _without_hyphen(lines[index + 1]).split() if index + 1 < len(lines) else []
        breaks.append(
            HyphenBreak(
                line.page,
                (before[-1] if before else "").replace(SOFT_HYPHEN, ""),
                (after[0] if after else "").replace(SOFT_HYPHEN, ""),
            )
        )
    pages = []
    for number, page_lines in by_page.items():
        runs = [len(run) for run in _runs(page_lines)]
        pages.append(
            PageHyphenation(
                number,
                len(page_lines),
                sum(1 for line in page_lines if line.hyphen is not None),
                max(runs, default=0),
                tuple(runs),
                tuple(line.stretch for line in page_lines if line.stretch > 0),
            )
        )
    return HyphenationReport(tuple(pages), tuple(breaks))


def _runs(page_lines: Sequence[_Line]) -> list[list[_Line]]:
    """Every run of consecutive hyphenated lines in one column of a page (1 line: a lone one)."""
    runs: list[list[_Line]] = []
    run: list[_Line] = []
    previous: _Line | None = None
    for line in page_lines:
        same_column = previous is not None and abs(line.x - previous.x) < 1 and line.y > previous.y
        if run and (line.hyphen is None or not same_column):
            runs.append(run)
            run = []
        if line.hyphen is not None:
            run.append(line)
        previous = line
    if run:
        runs.append(run)
    return runs


def long_runs(
    document: Document, *, first_page: int = 1, limit: int = RUN_LIMIT
) -> list[tuple[int, tuple[str, ...]]]:
    """Runs of more than ``limit`` hyphenated line ends in one column: (page, the run's lines'
    texts), pages numbered from ``first_page``."""
    return [
        (page, tuple(line.text for line in run))
        for page, page_lines in _by_page(document, first_page).items()
        for run in _runs(page_lines)
        if len(run) > limit
    ]


def long_run_elements(document: Document, *, limit: int = RUN_LIMIT) -> list[Any]:
    """The elements (paragraphs, mostly) holding a run of more than ``limit`` hyphenated line
    ends, each once, in order."""
    found: dict[int, Any] = {}
    for page_lines in _by_page(document).values():
        for run in _runs(page_lines):
            if len(run) > limit:
                for line in run[1:-1] or run:
                    if line.element is not None:
                        found.setdefault(id(line.element), line.element)
    return list(found.values())


def _by_page(document: Document, first_page: int = 1) -> dict[int, list[_Line]]:
    by_page: dict[int, list[_Line]] = {}
    for line in _lines(document, first_page):
        by_page.setdefault(line.page, []).append(line)
    return by_page


class IssueRecorder:
    """Keeps what a build writes into PDFs (``Typesetter.join``): the issue's parts first, then
    one offprint per article, whose last part is the article."""

    def __init__(self) -> None:
        self.calls: list[list[LaidOut]] = []

    def install(self) -> Callable[[], None]:
        """Wrap ``Typesetter.join``; returns the function that puts the original back."""
        from pica_publish.layout import Typesetter

        original = Typesetter.join

        def join(parts: Sequence[LaidOut], options: Any) -> bytes:
            self.calls.append(list(parts))
            return original(parts, options)

        Typesetter.join = staticmethod(join)  # type: ignore[method-assign]

        def uninstall() -> None:
            Typesetter.join = staticmethod(original)  # type: ignore[method-assign]

        return uninstall

    def _articles(self) -> list[LaidOut]:
        """The articles, each written as a part of its own, in the order written (issue order);
        the last layout of each."""
        last: dict[str, LaidOut] = {}  # by title: an article laid out again replaces itself
        for call in self.calls:
            if len(call) == 1 and call[0].kind == "article":
                last[str(call[0].document.metadata.title)] = call[0]
        return sorted(last.values(), key=lambda laid: laid.folio)

    def articles(self) -> list[Document]:
        """The articles' documents in issue order (empty if nothing was laid out: a build
        whose layout came from the cache writes no PDF)."""
        return [laid.document for laid in self._articles()]

    def first_article_page(self) -> int:
        """The PDF page (1-based) of the issue that the first article starts on."""
        articles = self._articles()
        front = [c[0] for c in self.calls if len(c) == 1 and c[0].kind in ("cover", "masthead")]
        if not articles or not front:
            return 1
        return articles[0].folio - min(part.folio for part in front) + 1


def report_lines(report: HyphenationReport, *, breaks: bool = False) -> list[str]:
    lines = [f"hyphenation      {report.summary()}"]
    if breaks:
        for page in report.pages:
            words = ", ".join(b.word for b in report.breaks if b.page == page.page)
            runs = f" runs {list(page.runs)}" if page.runs else ""
            lines.append(f"  page {page.page:3d}: {page.hyphenated:2d}{runs}  {words}")
    return lines


def main() -> None:
    from pica_publish.build import STAGES
    from pica_publish.state import BuildOptions, BuildState

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-C", dest="root", type=Path, default=Path("."))
    parser.add_argument("--quiet", action="store_true", help="the figures only, not every break")
    args = parser.parse_args()
    recorder = IssueRecorder()
    uninstall = recorder.install()
    try:
        with tempfile.TemporaryDirectory(prefix="pica-hyphenation-") as tmp:
            options = BuildOptions(
                root=args.root.resolve(), build_dir=Path(tmp) / "build", outputs=frozenset({"pdf"})
            )
            state = BuildState(options)
            for name, stage in STAGES:
                if name in ("web", "export", "publish"):
                    continue
                state = stage(state)
            if state.report.has_errors:
                raise SystemExit("the issue has errors: run `pica-publish check`")
            report = measure(recorder.articles(), first_page=recorder.first_article_page())
    finally:
        uninstall()
    print("\n".join(report_lines(report, breaks=not args.quiet)))


if __name__ == "__main__":
    main()
