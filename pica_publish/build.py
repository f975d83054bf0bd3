"""The pipeline: named stages, in order, over one :class:`BuildState`.

Reads top to bottom: load → check → convert → assemble → typeset → web → export → publish. Everything is read
and validated before anything is written. The runner is the one place that stops a build: load
and check always run to the end (every problem is reported at once), and no later stage runs
once an error was reported. No edition is made without validation: selecting an output stage
selects load and check too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

from pica_publish.stages.assemble import assemble
from pica_publish.stages.check import check
from pica_publish.stages.convert import convert
from pica_publish.stages.export import export
from pica_publish.stages.load import load
from pica_publish.stages.publish import publish
from pica_publish.stages.typeset import typeset
from pica_publish.stages.web import web
from pica_publish.state import BuildOptions, BuildState

Stage = Callable[[BuildState], BuildState]
LOGGER = logging.getLogger("pica_publish")

STAGES: tuple[tuple[str, Stage], ...] = (
    ("load", load),
    ("check", check),
    ("convert", convert),
    ("assemble", assemble),
    ("typeset", typeset),
    ("web", web),
    ("export", export),
    ("publish", publish),
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


def run(options: BuildOptions, stages: Sequence[tuple[str, Stage]] | None = None) -> BuildState:
    """Run ``stages`` (default: all) and return the final state with its report.

    Stops before the first stage after validation once the report has an error.
    """
    chosen = list(stages if stages is not None else STAGES)
    names = {name for name, _ in chosen}
    if names & OUTPUT_STAGES and not names.issuperset(VALIDATION):
        raise ValueError("an output stage runs only after load and check (see select_stages)")
    state = BuildState(options)
    for number, (name, stage) in enumerate(chosen, start=1):
        if name not in VALIDATION and state.report.has_errors:
            LOGGER.info("Stopping before %s: the issue has errors", name)
            break
        started = time.perf_counter()
        LOGGER.info("Step %d - %s", number, name)
        state = stage(state)
        LOGGER.debug("%s took %.2f s", name, time.perf_counter() - started)
    return state
