"""The one rule for every file the build reads from a project.

Chapters, figures and ``.bib`` files arrive by pull request and are untrusted; ``issue.yml`` is
the editors', but it too is a file in the repository and may be a symlink. Every input path —
manifest, chapters, bibliography, images, attachments, and every file the layout fetches — goes
through :func:`resolve_input` (when it is found, in *load* and *check*) and :func:`read_input`
(when it is used), which enforce the same promise:

- the path, with every symlink resolved, lies inside one of the allowed roots (the project, or
  for the layout also the theme and the print fonts): a symlink that leaves the project is
  refused, wherever it sits on the path;
- it is a regular file (not a folder, FIFO or device such as ``/dev/zero``);
- it is no larger than the limit for its kind, checked before reading and again while reading
  (the file may grow between the two).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

MiB = 1024 * 1024

LIMITS: dict[str, int] = {
    "manifest": 1 * MiB,
    "chapter": 4 * MiB,
    "bibliography": 64 * MiB,
    "image": 64 * MiB,
    "theme": 64 * MiB,
}
"""Largest accepted size in bytes by kind of input. A 6,000-entry Zotero export is ~5 MB; a
long appendix chapter ~300 KB; a 300 dpi A4 photograph ~20 MB."""


class InputRefused(Exception):
    """The file may not be read; ``reason`` says why in the user's terms."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing
        """Nothing is there (as opposed to something that may not be read)."""


def resolve_input(path: Path, roots: Sequence[Path], *, kind: str) -> Path:
    """The real path of ``path`` once every rule holds.

    :raises InputRefused: outside the roots (also through a symlink), missing, not a regular
        file, or too large.
    """
    try:
        real = path.resolve()  # follows every symlink that exists, wherever it is on the path
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        raise InputRefused(f"cannot be resolved ({_reason(error)})") from None
    if not any(real.is_relative_to(root.resolve()) for root in roots):
        via = " through a symlink" if _has_symlink(path) else ""
        raise InputRefused(f"is outside the project{via}")
    if not real.exists():
        if path.is_symlink():
            raise InputRefused("is a symlink to a file that does not exist")
        raise InputRefused("does not exist", missing=True)
    try:
        info = real.stat()
    except OSError as error:
        raise InputRefused(f"cannot be read ({_reason(error)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputRefused("is not a regular file")
    limit = LIMITS[kind]
    if info.st_size > limit:
        raise InputRefused(f"is too large ({_size(info.st_size)}; the limit is {_size(limit)})")
    return real


def read_input(path: Path, roots: Sequence[Path], *, kind: str) -> bytes:
    """The bytes of ``path`` after :func:`resolve_input`, reading at most the limit."""
    real = resolve_input(path, roots, kind=kind)
    limit = LIMITS[kind]
    try:
        # O_NOFOLLOW on the resolved path: it cannot have been swapped for a symlink since.
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise InputRefused("is not a regular file")
            data = stream.read(limit + 1)
    except OSError as error:
        raise InputRefused(f"cannot be read ({_reason(error)})") from None
    if len(data) > limit:
        raise InputRefused(f"is too large (the limit is {_size(limit)})")
    return data


def _has_symlink(path: Path) -> bool:
    probe = path
    while probe != probe.parent:
        if probe.is_symlink():
            return True
        probe = probe.parent
    return False


def _reason(error: BaseException) -> str:
    return getattr(error, "strerror", None) or type(error).__name__


def _size(count: int) -> str:
    return f"{count / MiB:.1f} MB" if count >= MiB else f"{count} bytes"
