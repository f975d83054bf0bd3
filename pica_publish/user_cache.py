"""Work remembered once per machine, by content: the user cache (``$PICA_PUBLISH_CACHE``, else
``$XDG_CACHE_HOME/pica_publish``, else ``~/.cache/pica_publish``; :func:`pica_publish.fonts.cache_root`).

What goes here is a pure function of its key (the bytes it was made from and the version of
the code that made it): web image variants, the shipped fonts' coverage, the SVG checks'
verdicts. A cache that cannot be read or written costs the next build the work, never a failure;
entries are written whole (a temporary file renamed), so parallel builds may race safely.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path


def entry(folder: str, parts: Iterable[bytes | str], suffix: str) -> Path:
    """The file of the entry keyed by ``parts`` (hashed together, each one delimited)."""
    from pica_publish.fonts import cache_root

    key = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        key.update(len(data).to_bytes(8, "big"))
        key.update(data)
    return cache_root() / folder / f"{key.hexdigest()[:32]}.{suffix}"


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path, data: bytes) -> None:
    """Best effort, whole or not at all."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass


def remembered(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes stored at ``path``, or ``make()``'s, stored there for next time."""
    found = read(path)
    if found is not None:
        return found
    made = make()
    write(path, made)
    return made
