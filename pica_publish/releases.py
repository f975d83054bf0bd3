"""Releases: every output of a build, switched in by one atomic rename.

Layout of the build folder::

    build/
      .releases/7/          one complete set of outputs (pdf/, html/, metadata/, pagemap.json, …)
      .releases/8/
      current -> .releases/8
      pdf -> current/pdf    one fixed symlink per top-level output, made once
      html -> current/html
      pagemap.json -> current/pagemap.json
      .cache/               the conversion and layout caches (never touched here)
      .lock                 held (``flock``) while a build publishes

A new release is written completely into a ``.staging-*`` folder (the files of this build, plus
every top-level output of the current release that this build did not make, by hard links),
renamed to ``.releases/<n>`` and switched in by replacing ``current`` with ``os.replace``: a
reader sees the whole old set of outputs or the whole new one, never a mix. The release before
it is kept, so that a reader still inside it is not cut off; older ones are removed.

Invariant: a numbered release is always complete (it is only ever made by renaming a finished
staging folder), so when ``current`` is missing the newest numbered release is the last state.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

RELEASES = ".releases"
CURRENT = "current"
LOCK = ".lock"
STAGING = ".staging-"
OLD = ".old-"
ADOPTING = ".adopting"
PART = ".part-"
LOCK_WAIT = 600.0
"""Seconds a build waits for another one to finish publishing into the same folder."""

NUMBER = re.compile(r"[0-9]+")


class FolderBusy(OSError):
    """Another build held the build folder's lock for longer than we are willing to wait."""


def publish_release(
    build: Path, files: Mapping[str, bytes], lock_wait: float | None = None
) -> Path:
    """Write ``files`` (paths relative to ``build``) as a new release and switch to it.

    Raises ``OSError`` when the build folder cannot be written; the previous release then stays
    current and complete, and the unfinished new one is removed.
    """
    produced = {top_level(name) for name in files}
    build.mkdir(parents=True, exist_ok=True)
    with locked(build / LOCK, LOCK_WAIT if lock_wait is None else lock_wait):
        releases = build / RELEASES
        releases.mkdir(exist_ok=True)
        adopt_legacy_outputs(build)
        previous = current_release(build)
        staging = build / f"{STAGING}{os.getpid()}-{secrets.token_hex(4)}"
        release: Path | None = None
        try:
            staging.mkdir()
            for relative, data in sorted(files.items()):
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            if previous is not None:
                carry_over(previous, staging, skip=produced)
            release = releases / str(next_number(releases))
            os.rename(staging, release)
            link_outputs(build, sorted(os.listdir(release)))
            switch(build, release)
        except OSError:  # not switched (``os.replace`` either happens or raises): undo
            shutil.rmtree(staging, ignore_errors=True)
            if release is not None:
                shutil.rmtree(release, ignore_errors=True)
            raise
        keep = {release.name} | ({previous.name} if previous is not None else set())
        clean_up(build, keep)
    return release


def top_level(relative: str) -> str:
    """The top-level output a file belongs to (``pdf`` for ``pdf/offprints/x.pdf``)."""
    path = PurePosixPath(relative)
    parts = path.parts
    if (
        path.is_absolute()
        or not parts
        or any(part in ("", ".", "..") for part in parts)
        or parts[0].startswith(".")
        or parts[0] == CURRENT
    ):
        raise ValueError(f"not a publishable output path: {relative!r}")
    return parts[0]


@contextmanager
def locked(path: Path, wait: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path``, waiting at most ``wait`` seconds for it."""
    with open(path, "ab") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise FolderBusy(
                        errno.EWOULDBLOCK,
                        f"another build kept it locked for {wait:g} seconds",
                        str(path),
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def release_target(build: Path) -> str | None:
    """Where ``build/current`` points (``.releases/<n>``), or None when it is not such a link."""
    try:
        target = os.readlink(build / CURRENT)
    except OSError:
        return None
    parts = PurePosixPath(target).parts
    if len(parts) == 2 and parts[0] == RELEASES and NUMBER.fullmatch(parts[1]):
        return target
    return None


def current_release(build: Path) -> Path | None:
    """The release readers see now; if ``current`` is missing, the newest complete release."""
    target = release_target(build)
    if target is not None and (build / target).is_dir():
        return build / target
    numbers = release_numbers(build / RELEASES)
    return build / RELEASES / str(max(numbers)) if numbers else None


def release_numbers(releases: Path) -> list[int]:
    try:
        names = os.listdir(releases)
    except FileNotFoundError:
        return []
    return [int(name) for name in names if NUMBER.fullmatch(name)]


def next_number(releases: Path) -> int:
    return max(release_numbers(releases), default=0) + 1


def carry_over(previous: Path, release: Path, skip: set[str]) -> None:
    """Hard-link every top-level output of ``previous`` not in ``skip`` into ``release``."""
    for item in sorted(previous.iterdir()):
        if item.name not in skip and not item.name.startswith("."):
            link_tree(item, release / item.name)


def link_tree(source: Path, target: Path) -> None:
    """Copy a file or folder by hard links (a copy where the file system cannot link)."""
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True, copy_function=link_or_copy)
    elif source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        link_or_copy(source, target)


def link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_outputs(build: Path, names: list[str]) -> None:
    """Make ``build/<name> -> current/<name>`` for each top-level output that lacks it."""
    for name in names:
        link = build / name
        wanted = f"{CURRENT}/{name}"
        if not link.is_symlink():
            os.symlink(wanted, link)  # real files in the way were adopted into a release before
        elif os.readlink(link) != wanted:
            replace_by_symlink(link, wanted)


def replace_by_symlink(path: Path, target: str) -> None:
    """Atomically make ``path`` a symlink to ``target``, whatever link was there."""
    temporary = path.with_name(f"{STAGING}link-{os.getpid()}-{secrets.token_hex(4)}")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def switch(build: Path, release: Path) -> None:
    """The one atomic step of a publish: point ``build/current`` at ``release``."""
    replace_by_symlink(build / CURRENT, f"{RELEASES}/{release.name}")


def adopt_legacy_outputs(build: Path) -> None:
    """Turn outputs written as real files and folders (older versions) into a release.

    Moves them into ``.releases/.adopting`` with the current release's other outputs (if any),
    renames that to a numbered release, switches to it and puts the symlinks in their place.
    Not atomic, but resumable: a build killed half-way finishes the move the next time.
    """
    current = build / CURRENT
    if (current.exists() or current.is_symlink()) and release_target(build) is None:
        os.rename(current, build / f"{OLD}{CURRENT}-{os.getpid()}")  # not ours: set it aside
    legacy = {
        entry.name: Path(entry.path)
        for entry in os.scandir(build)
        if not entry.name.startswith(".") and entry.name != CURRENT and not entry.is_symlink()
    }
    adopting = build / RELEASES / ADOPTING
    if not legacy and not adopting.exists():
        return
    adopting.mkdir(exist_ok=True)
    base = current_release(build)
    if base is not None:  # its other outputs come along, each one complete or not at all
        for part in adopting.glob(f"{PART}*"):  # left by a build killed while linking
            remove(part, strict=True)
        for item in sorted(base.iterdir()):
            target = adopting / item.name
            if item.name in legacy or target.exists() or target.is_symlink():
                continue
            part = adopting / f"{PART}{item.name}"
            link_tree(item, part)
            os.rename(part, target)
    for name, path in sorted(legacy.items()):
        target = adopting / name
        if target.exists() or target.is_symlink():
            remove(target, strict=True)
        os.replace(path, target)
    release = build / RELEASES / str(next_number(build / RELEASES))
    os.rename(adopting, release)
    link_outputs(build, sorted(os.listdir(release)))
    switch(build, release)


def clean_up(build: Path, keep: set[str]) -> None:
    """Remove old releases, leftovers of killed builds and links to outputs no longer made.

    Best effort: what cannot be removed now is removed by a later build. ``build/.cache`` is
    never touched.
    """
    try:
        releases = sorted(os.listdir(build / RELEASES))
        entries = sorted(os.listdir(build))
    except OSError:
        return
    for name in releases:
        if name not in keep:
            remove(build / RELEASES / name)
    for name in entries:
        path = build / name
        if name.startswith((STAGING, OLD)):
            remove(path)
        elif name != CURRENT and path.is_symlink():
            try:
                target = os.readlink(path)
            except OSError:
                continue
            if target == f"{CURRENT}/{name}" and not os.path.lexists(build / target):
                remove(path)


def remove(path: Path, strict: bool = False) -> None:
    """Delete a file, link or folder; errors are ignored unless ``strict``."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=not strict)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        if strict:
            raise
