"""The pipeline: named stages, in order, over one :class:`BuildState`.

Reads top to bottom: load → check → convert → assemble → typeset → web → export → publish. Everything is read
and validated before anything is written; a stage that sees errors from an earlier one returns
the state unchanged: load and check always run to the end (every problem is reported at once),
and nothing after them runs on an issue with errors.
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


def select_stages(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[tuple[str, Stage]]:
    return [(n, s) for n, s in STAGES if (not only or n in only) and n not in skip]


def run(options: BuildOptions, stages: Sequence[tuple[str, Stage]] | None = None) -> BuildState:
    """Run ``stages`` (default: all) and return the final state with its report."""
    state = BuildState(options)
    for number, (name, stage) in enumerate(stages if stages is not None else STAGES, start=1):
        started = time.perf_counter()
        LOGGER.info("Step %d - %s", number, name)
        state = stage(state)
        LOGGER.debug("%s took %.2f s", name, time.perf_counter() - started)
    return state
