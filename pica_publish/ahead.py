"""Work done ahead, on another core, in a forked copy of this process (:class:`Ahead`).

A one-word edit lays out one article: the first layout, then the placements its search tries
(:func:`pica_publish.placement.place`), one after another, while the machine's other core
idles. The placements that the last build's search tried are most likely tried again, so a
copy of this process lays them out meanwhile, each written as its part PDF, and the search
takes them when it asks for them: its result is the same, one layout sooner.

A WeasyPrint document cannot leave its process, and a new process would spend seconds importing
and loading fonts before its first layout; a fork starts in milliseconds with everything this
process has loaded. The copy computes each item with the function it was given (nothing is
pickled but the results), writes it to a file, says so on a pipe, and ends with ``os._exit``:
it runs nothing of this process's own (no ``atexit``, no buffered output flushed twice). It
prints nothing and touches no file but its results. It ends when this process asks, when this
process ends (``PR_SET_PDEATHSIG``), or after its work; each item is bounded in time by the
layout's own watchdog, and in memory by ``RLIMIT_DATA``.

Only where ``fork`` is safe and cheap (Linux), and only when the build may use more than one
core (``--jobs``): with ``--jobs 1`` nothing runs ahead.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, Self, TypeVar

__all__ = ["Ahead", "available"]

LOGGER = logging.getLogger("pica_publish")

Item = TypeVar("Item")
Result = TypeVar("Result")


def available() -> bool:
    """Whether work can run ahead here: ``fork`` on Linux."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class Ahead(Generic[Item, Result]):
    """``compute(item)`` for each of ``items``, in order, in a forked copy of this process;
    :meth:`take` waits for one result (or None: the copy failed, stopped, or took longer than
    ``seconds``). Use as a context manager, or call :meth:`stop`."""

    def __init__(
        self,
        compute: Callable[[Item], Result],
        items: Sequence[Item],
        *,
        seconds: float,
        memory: int | None = None,
    ) -> None:
        self.items = list(items)
        if len(self.items) > 255:
            raise ValueError("at most 255 items (each is announced by one byte)")
        self.seconds = seconds
        self.folder = Path(tempfile.mkdtemp(prefix="pica-ahead-"))
        self.done: set[int] = set()
        self.ended = False
        reading, writing = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the copy
            os.close(reading)
            _work(compute, self.items, self.folder, writing, memory)  # never returns
        os.close(writing)
        self.pid: int | None = pid
        self.pipe = reading

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def __contains__(self, item: object) -> bool:
        return item in self.items

    def take(self, item: Item) -> Result | None:
        """The result for ``item`` (one of the items), waiting for it if need be."""
        index = self.items.index(item)
        deadline = time.monotonic() + self.seconds
        while index not in self.done and not self.ended:
            left = deadline - time.monotonic()
            if left <= 0:
                LOGGER.debug("    laid out ahead: gave up waiting for item %d", index)
                self.stop()
                return None
            ready, _, _ = select.select([self.pipe], [], [], left)
            if ready:
                news = os.read(self.pipe, 256)
                if not news:
                    self.ended = True  # the copy is done (or died): no more results
                self.done.update(news)
        if index not in self.done:
            return None
        try:
            with (self.folder / f"{index}.pickle").open("rb") as file:
                found: Result | None = pickle.load(file)  # our own copy wrote it
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        return found

    def stop(self) -> None:
        """End the copy (if it still works) and remove its results."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None
            os.close(self.pipe)
        self.ended = True
        shutil.rmtree(self.folder, ignore_errors=True)


def _work(
    compute: Callable[[Item], Result],
    items: list[Item],
    folder: Path,
    pipe: int,
    memory: int | None,
) -> None:
    """The copy's whole life: each result to ``folder/<n>.pickle``, its number to ``pipe``."""
    status = 0
    try:
        _die_with_parent()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
        for handler in [*logging.getLogger().handlers, *LOGGER.handlers]:
            handler.setLevel(logging.CRITICAL + 1)  # this copy prints nothing
        if memory is not None:
            _limit_data(memory)
        for index, item in enumerate(items):
            result = compute(item)
            partial = folder / f"{index}.part"
            with partial.open("wb") as file:
                pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
            partial.rename(folder / f"{index}.pickle")
            os.write(pipe, bytes([index]))
    except BaseException:  # noqa: BLE001 - whatever happens here, the build lays it out itself
        status = 1
    finally:
        os._exit(status)


def _die_with_parent() -> None:
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)


def _limit_data(memory: int) -> None:
    """``memory`` bytes of data beyond what the copy shares with this process already."""
    import resource

    used = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                used = int(line.split()[1]) * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_DATA, (used + memory, used + memory))
