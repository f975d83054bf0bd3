"""What a build is doing, for the person waiting for it.

Stages report through :func:`reporter` (a no-op unless the command line installed one with
:func:`reporting`): a stage starts and ends (:meth:`Progress.stage`, :meth:`Progress.stage_done`);
a stage with several items — the chapters pandoc converts, the articles laid out — announces how
many (:meth:`Progress.items`) and each one done (:meth:`Progress.advance`). Two displays:

- :class:`Live` (a terminal): a rich progress display, one line per stage with a bar for its
  items, the item in hand and the elapsed time; it disappears when the build ends, and the
  summary (:func:`summary_rows`) stays.
- :class:`Lines` (CI, a pipe, ``--no-progress``): plain lines with the seconds since the start,
  e.g. ``[  12.4 s] typeset: ecology laid out (4/13)``.

Nothing here changes what a build does or writes; a library caller gets :class:`Silent`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pica_publish.diagnostics import Diagnostic

__all__ = ["Lines", "Live", "Progress", "Silent", "reporter", "reporting"]


class Progress:
    """The events of a build; every method does nothing here (:class:`Silent`)."""

    def stage(self, name: str, number: int, total: int) -> None:
        """Stage ``number`` of ``total`` starts."""

    def items(self, what: str, total: int) -> None:
        """The stage has ``total`` items to go through, described as ``what`` (e.g. "articles
        laid out")."""

    def advance(self, item: str, state: str = "") -> None:
        """One item is done (``state``: e.g. "laid out", "unchanged")."""

    def stage_done(self, name: str, seconds: float) -> None:
        """The stage ended after ``seconds``."""

    def close(self) -> None:
        """The build ended."""


class Silent(Progress):
    """No display: the library default."""


_CURRENT: list[Progress] = [Silent()]


def reporter() -> Progress:
    """The display of the build in progress."""
    return _CURRENT[-1]


@contextmanager
def reporting(progress: Progress) -> Iterator[Progress]:
    """Show the events of the builds run inside the ``with`` block on ``progress``."""
    _CURRENT.append(progress)
    try:
        yield progress
    finally:
        _CURRENT.pop()
        progress.close()


class Lines(Progress):
    """Plain lines, each with the seconds since the build started."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.name = ""
        self.total = 0
        self.done = 0
        self.what = ""

    def _line(self, text: str) -> None:
        self.stream.write(f"[{time.perf_counter() - self.started:6.1f} s] {text}\n")
        self.stream.flush()

    def stage(self, name: str, number: int, total: int) -> None:
        self.name, self.total, self.done, self.what = name, 0, 0, ""
        self._line(f"{name} ({number}/{total})")

    def items(self, what: str, total: int) -> None:
        self.what, self.total, self.done = what, total, 0

    def advance(self, item: str, state: str = "") -> None:
        self.done += 1
        counted = f" ({self.done}/{self.total})" if self.total else ""
        self._line(f"{self.name}: {item} {state or 'done'}{counted}")

    def stage_done(self, name: str, seconds: float) -> None:
        if seconds >= 1:
            self._line(f"{name} done in {seconds:.1f} s")


class Live(Progress):
    """A rich live display on a terminal: one line per stage, a bar for its items."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichProgress

        self.display = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[item]}", style="dim"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.display.start()
        self.task: Any = None

    def stage(self, name: str, number: int, total: int) -> None:
        self._finish()
        self.task = self.display.add_task(f"{number}/{total} {name}", total=None, item="")

    def items(self, what: str, total: int) -> None:
        if self.task is not None:
            description = self.display.tasks[-1].description
            self.display.update(
                self.task, total=total, completed=0, description=f"{description}: {what}"
            )

    def advance(self, item: str, state: str = "") -> None:
        if self.task is not None:
            self.display.update(self.task, advance=1, item=f"{item} {state}".strip())

    def stage_done(self, name: str, seconds: float) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.task is not None:
            task = self.display.tasks[-1]
            self.display.update(self.task, total=task.total or 1, completed=task.total or 1)
            self.task = None

    def close(self) -> None:
        self.display.stop()


def summary_rows(
    outputs: Mapping[str, str],
    timings: Mapping[str, float],
    diagnostics: list[Diagnostic],
) -> list[tuple[str, str]]:
    """The end-of-build summary as (label, value) rows: what was written where, warnings by
    rule, and the time each stage took."""
    from collections import Counter

    from pica_publish.diagnostics import Severity

    rows = list(outputs.items())
    by_rule = Counter(d.code for d in diagnostics if d.severity == Severity.WARNING)
    if by_rule:
        rows.append(
            ("warnings", ", ".join(f"{rule} ×{count}" for rule, count in by_rule.most_common()))
        )
    if timings:
        total = sum(timings.values())
        shown = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        rows.append(("time", f"{total:.1f} s ({shown})"))
    return rows


def write_summary(rows: list[tuple[str, str]], stream: TextIO, *, rich: bool) -> None:
    """The summary as a table on a terminal, else as aligned plain lines."""
    if rich:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0))
        table.add_column(style="bold")
        table.add_column()
        for label, value in rows:
            table.add_row(label, value)
        Console(file=stream).print(table)
        return
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        stream.write(f"{label.ljust(width)}  {value}\n")
