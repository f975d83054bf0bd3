"""The pipeline: named stages, in order, over one :class:`BuildState`.

Reads top to bottom: load → check → convert → assemble → typeset → web → export → publish. Everything is read
and validated before anything is written. The runner is the one place that stops a build: load
and check always run to the end (every problem is reported at once), and no later stage runs
once an error was reported. No edition is made without validation: selecting an output stage
selects load and check too.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import time
from collections.abc import Callable, Sequence

from pica_publish.diagnostics import Report
from pica_publish.progress import reporter
from pica_publish.state import BuildOptions, BuildState

Stage = Callable[[BuildState], BuildState]
LOGGER = logging.getLogger("pica_publish")


def _stage(name: str) -> Stage:
    """The stage function ``pica_publish.stages.NAME.NAME``, imported when it first runs: a
    build with nothing to do (:mod:`pica_publish.uptodate`) imports none of them."""

    def stage(state: BuildState) -> BuildState:
        module = importlib.import_module(f"pica_publish.stages.{name}")
        function: Stage = getattr(module, name)
        return function(state)

    stage.__name__ = stage.__qualname__ = name
    return stage


STAGES: tuple[tuple[str, Stage], ...] = tuple(
    (name, _stage(name))
    for name in ("load", "check", "convert", "assemble", "typeset", "web", "export", "publish")
)
STAGE_NAMES = tuple(name for name, _ in STAGES)


VALIDATION = ("load", "check")
"""Stages that always run to the end, errors or not, so that one run reports every problem."""
OUTPUT_STAGES = frozenset({"typeset", "web", "export", "publish"})
"""Stages that make an edition: they never run without the validation stages before them."""


def select_stages(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[tuple[str, Stage]]:
    """The stages ``--only``/``--skip`` leave, plus load and check if an output stage is left."""
    chosen = {name for name, _ in STAGES if (not only or name in only) and name not in skip}
    if chosen & OUTPUT_STAGES:
        chosen.update(VALIDATION)
    return [(name, stage) for name, stage in STAGES if name in chosen]


def run(
    options: BuildOptions,
    stages: Sequence[tuple[str, Stage]] | None = None,
    *,
    skip_if_current: bool = True,
) -> BuildState:
    """Run ``stages`` (default: all) and return the final state with its report.

    Stops before the first stage after validation once the report has an error. A whole build
    whose outputs are current (:mod:`pica_publish.uptodate`) runs no stage, unless
    ``skip_if_current`` is false (``serve`` builds once at start, so that its caches in memory
    are warm for the first edit).
    """
    chosen = list(stages if stages is not None else STAGES)
    names = {name for name, _ in chosen}
    if names & OUTPUT_STAGES and not names.issuperset(VALIDATION):
        raise ValueError("an output stage runs only after load and check (see select_stages)")
    stamp = None
    whole = names == set(STAGE_NAMES) and options.preview is None and not options.defer_search
    whole = whole and skip_if_current
    if whole:  # a whole build of every output: maybe current already
        from pica_publish import uptodate

        stamp = uptodate.signature(options)
        replayed = uptodate.current_diagnostics(options, stamp)
        if replayed is not None:
            LOGGER.info("Nothing changed since the last build: its outputs are current")
            return BuildState(options, report=Report(diagnostics=replayed), up_to_date=True)
    state = BuildState(options)
    shown = reporter()
    timings: dict[str, float] = {}
    for number, (name, stage) in enumerate(chosen, start=1):
        if name not in VALIDATION and state.report.has_errors:
            LOGGER.info("Stopping before %s: the issue has errors", name)
            break
        started = time.perf_counter()
        LOGGER.info("Step %d - %s", number, name)
        shown.stage(name, number, len(chosen))
        state = stage(state)
        timings[name] = time.perf_counter() - started
        shown.stage_done(name, timings[name])
        LOGGER.debug("%s took %.2f s", name, timings[name])
    state = dataclasses.replace(state, timings=timings)
    if stamp is not None:
        from pica_publish import uptodate

        if state.report.has_errors:
            uptodate.forget(options)
        else:
            uptodate.record(options, stamp, state.report.diagnostics)
    return state
