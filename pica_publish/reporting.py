"""Printing a :class:`Report` for people, for programs and for GitHub.

- ``human``: grouped by file, coloured when the output is a terminal, a summary line at the end;
  information-level findings (uncited references) only with ``--verbose``.
- ``json``: one object, schema version 1, every finding including information (stable keys).
- ``github``: GitHub Actions workflow commands, so findings become annotations on the changed lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from itertools import groupby
from typing import TextIO

from pica_publish.diagnostics import Diagnostic, Severity

FORMATS = ("human", "json", "github")
JSON_SCHEMA_VERSION = 1
COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in Severity}
    return f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s)" + (
        f", {counts[Severity.INFO]} note(s)" if counts[Severity.INFO] else ""
    )


def use_colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def write_human(diagnostics: Sequence[Diagnostic], stream: TextIO, *, verbose: bool) -> None:
    colour = use_colour(stream)
    shown = [d for d in diagnostics if verbose or d.severity > Severity.INFO]
    for path, group in groupby(shown, key=lambda d: d.location.path):
        items = list(group)
        if len(items) > 1 or colour:
            print(f"{BOLD if colour else ''}{path}{RESET if colour else ''}", file=stream)
        for diagnostic in items:
            location = str(diagnostic.location)
            severity = str(diagnostic.severity)
            if colour:
                severity = f"{COLOURS[diagnostic.severity]}{severity}{RESET}"
            print(f"{location}: {severity}: {diagnostic.message} [{diagnostic.code}]", file=stream)
            if diagnostic.hint:
                hint = f"    hint: {diagnostic.hint}"
                print(f"{DIM}{hint}{RESET}" if colour else hint, file=stream)


def write_json(diagnostics: Sequence[Diagnostic], stream: TextIO, *, failed: bool) -> None:
    payload = {
        "version": JSON_SCHEMA_VERSION,
        "failed": failed,
        "counts": {str(s): sum(1 for d in diagnostics if d.severity == s) for s in Severity},
        "diagnostics": [
            {
                "path": d.location.path,
                "line": d.location.line or None,
                "column": d.location.column or None,
                "severity": str(d.severity),
                "code": d.code,
                "message": d.message,
                "hint": d.hint or None,
            }
            for d in diagnostics
        ],
    }
    json.dump(payload, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    """``::error file=F,line=L,col=C,title=T::message`` lines (GitHub workflow commands)."""
    commands = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    for d in diagnostics:
        properties = [f"file={_escape_property(d.location.path)}"]
        if d.location.line:
            properties.append(f"line={d.location.line}")
        if d.location.column:
            properties.append(f"col={d.location.column}")
        properties.append(f"title={_escape_property(d.code)}")
        message = d.message + (f"\n{d.hint}" if d.hint else "")
        print(
            f"::{commands[d.severity]} {','.join(properties)}::{_escape_data(message)}", file=stream
        )
