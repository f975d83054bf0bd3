"""Stage 8, *publish*: write the outputs, all or nothing.

Consumes ``state.files``. The outputs are written as a new release of the build folder and
switched in by one atomic rename (see :mod:`pica_publish.releases`): ``build/pdf``,
``build/html``, ``build/pagemap.json`` … are fixed symlinks into ``build/current``, so a reader
sees all of the previous outputs or all of the new ones. Top-level outputs this build did not
make (``build --html`` makes no ``pdf/``) are carried over from the previous release.

A build folder that cannot be written (read-only, disk full, another build holding it for too
long) is a ``publish-failed`` diagnostic, not a traceback; the previous outputs stay as they were.
"""

from __future__ import annotations

from pica_publish import rules
from pica_publish.diagnostics import Location, display_path
from pica_publish.releases import publish_release
from pica_publish.state import BuildState


def publish(state: BuildState) -> BuildState:
    if state.report.has_errors or not state.files:
        return state
    build = state.options.build_path
    try:
        publish_release(build, state.files)
    except OSError as error:
        display = display_path(build, state.options.root).rstrip("/") + "/"
        reason = error.strerror or str(error)
        state.report.add(
            rules.PUBLISH_FAILED,
            f"cannot write the outputs into {display}: {reason}",
            Location(display),
        )
    return state
