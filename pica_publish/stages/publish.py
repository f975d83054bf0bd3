"""Stage 8, *publish*: write the outputs, all or nothing.

Consumes ``state.files``. Everything is written into a fresh staging folder inside the build
folder first; only when all of it is written is each top-level output (``pdf/``, ``html/``,
``pagemap.json``) swapped in by rename. A failed build leaves the previous outputs untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from pica_publish.state import BuildState


def publish(state: BuildState) -> BuildState:
    if state.report.has_errors or not state.files:
        return state
    build = state.options.build_path
    build.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=build))
    try:
        for relative, data in sorted(state.files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for item in sorted(staging.iterdir()):
            swap_in(item, build / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return state


def swap_in(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: a file by atomic replace, a folder by two renames."""
    if new.is_file() or not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)
