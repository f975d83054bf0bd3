"""Is the last build still current? (a no-op rebuild in a fraction of a second)

Before any stage runs, a full build compares a *signature* of everything it reads with the one
the last successful build recorded in ``build/.cache/stamp.json``: the build's options, the
size and modification time of every file of the project (``issue.yml``, ``chapters/``,
``references/``, figures, a theme — everything but the build folder and hidden folders), of
every file of the installed ``pica_publish`` (code, templates, stylesheets, filters, fonts), and
the versions of the engines (pandoc, WeasyPrint, pikepdf…). Like ``make``, by metadata, not by
content: an unchanged signature with the outputs exactly as that build left them (same files,
sizes and times under ``build/current``) means the build would write the same bytes, so it is
skipped and the warnings of that build are reported again. Any difference runs the pipeline,
whose own caches (conversion, layout, parts) still spare the work that did not change.

A chapter preview, ``check`` and builds of some stages only (``--only``/``--skip``) never use
the stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path

from pica_publish.diagnostics import Diagnostic, Location, Severity
from pica_publish.state import BuildOptions

__all__ = ["current_diagnostics", "record", "signature"]

STAMP = "stamp.json"
FORMAT = 1
ENGINES = ("weasyprint", "pypandoc-binary", "pikepdf", "bibtexparser", "pydyf", "fonttools")
"""Distributions whose version changes what a build writes (their code is not in the project)."""
SKIPPED_FOLDERS = frozenset({"__pycache__", "node_modules", "venv"})
"""Folder names never read by a build (besides hidden folders and the build folder)."""


def signature(options: BuildOptions) -> str:
    """The digest of the options, the project's files, pica_publish's files and the engine
    versions (by size and modification time)."""
    digest = hashlib.sha256()
    settings = (
        FORMAT,
        str(options.root.resolve()),
        sorted(options.outputs),
        str(options.build_path.resolve()),
        options.strict,
        options.archive,
        options.print_master,
        options.source_date_epoch,
    )
    digest.update(json.dumps(settings).encode("utf-8"))
    for name in ENGINES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none\n".encode())
    package = Path(__file__).resolve().parent
    skip = {options.build_path.resolve()}
    for folder in (package, options.root.resolve()):
        digest.update(f"\0{folder}\0".encode())
        for line in _file_stats(folder, skip):
            digest.update(line)
    return digest.hexdigest()


def _file_stats(root: Path, skip: set[Path]) -> Iterator[bytes]:
    """One line (path, size, modification time) for every file under ``root``, in a fixed
    order, leaving out hidden entries, ``skip`` and :data:`SKIPPED_FOLDERS`."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            yield f"{folder}\0unreadable\n".encode()
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIPPED_FOLDERS:
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    if Path(entry.path).resolve() not in skip:
                        folders.append(Path(entry.path))
                    continue
                info = entry.stat(follow_symlinks=True)
            except OSError:
                yield f"{entry.path}\0missing\n".encode()
                continue
            yield f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode()
        stack.extend(reversed(folders))


def _output_stats(build: Path) -> list[str]:
    """The release ``build/current`` points to, and every file in it (path, size, time)."""
    current = build / "current"
    try:
        target = os.readlink(current)
    except OSError:
        return []
    return [target] + [line.decode() for line in _file_stats(current.resolve(), set())]


def current_diagnostics(options: BuildOptions, stamp: str) -> list[Diagnostic] | None:
    """The last build's diagnostics when its stamp is ``stamp`` and its outputs are as it left
    them; None when the build must run."""
    try:
        recorded = json.loads((options.cache_path / STAMP).read_text("utf-8"))
        if recorded.get("signature") != stamp or not recorded.get("outputs"):
            return None
        if recorded["outputs"] != _output_stats(options.build_path):
            return None
        return [_diagnostic(item) for item in recorded["diagnostics"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(options: BuildOptions, stamp: str, diagnostics: Iterable[Diagnostic]) -> None:
    """Remember that the outputs now in the build folder were made from ``stamp``, with these
    diagnostics. Best effort: a stamp that cannot be written only costs the next build time."""
    payload = {
        "signature": stamp,
        "outputs": _output_stats(options.build_path),
        "diagnostics": [_item(d) for d in diagnostics],
    }
    path = options.cache_path / STAMP
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{STAMP}.tmp")
        temporary.write_text(json.dumps(payload), "utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def forget(options: BuildOptions) -> None:
    """Drop the stamp (a build that failed or wrote only some outputs)."""
    (options.cache_path / STAMP).unlink(missing_ok=True)


def _item(diagnostic: Diagnostic) -> dict[str, object]:
    where = diagnostic.location
    return {
        "severity": int(diagnostic.severity),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "path": where.path,
        "line": where.line,
        "column": where.column,
    }


def _diagnostic(item: dict[str, object]) -> Diagnostic:
    return Diagnostic(
        Severity(int(str(item["severity"]))),
        str(item["code"]),
        str(item["message"]),
        Location(str(item["path"]), int(str(item["line"])), int(str(item["column"]))),
        str(item["hint"]),
    )
