"""Printing a :class:`Report` for people, for programs and for GitHub.

- ``human``: grouped by file, coloured when the output is a terminal, a summary line at the end;
  information-level findings (uncited references) only with ``--verbose``.
- ``json``: one object, schema version 1, every finding including information (stable keys).
- ``github``: GitHub Actions workflow commands, so findings become annotations on the changed lines.

Paths, messages and hints quote the user's files, and those come from pull requests: every such
string goes through :func:`visible` before it is printed, so that a control character, a terminal
escape sequence, a line break or a bidi override shows as an escape (``\\x1b``, ``\\u202e``)
instead of acting on the terminal or starting a line that a CI runner would read as a command.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from itertools import groupby
from typing import TextIO

from pica_publish.diagnostics import Diagnostic, Severity

FORMATS = ("human", "json", "github")
JSON_SCHEMA_VERSION = 1
COLOURS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[36m"}
BOLD, DIM, RESET = "\033[1m", "\033[2m", "\033[0m"

INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 controls (line breaks and tabs too), DEL, C1 controls, the Unicode line and paragraph
separators and the bidi embeddings, overrides and isolates."""
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""The characters of :data:`INVISIBLE` that ``json.dumps(ensure_ascii=False)`` leaves raw."""
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` safe to print on one line: every character of :data:`INVISIBLE` replaced by its
    escape (``\\x1b``, ``\\n``, ``\\u202e``); everything else unchanged."""
    return INVISIBLE.sub(_escape, text)


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
            print(f"{BOLD if colour else ''}{visible(path)}{RESET if colour else ''}", file=stream)
        for diagnostic in items:
            location = visible(str(diagnostic.location))
            severity = str(diagnostic.severity)
            if colour:
                severity = f"{COLOURS[diagnostic.severity]}{severity}{RESET}"
            message, code = visible(diagnostic.message), visible(diagnostic.code)
            print(f"{location}: {severity}: {message} [{code}]", file=stream)
            if diagnostic.hint:
                hint = f"    hint: {visible(diagnostic.hint)}"
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
    # json escapes C0 controls in strings itself (the line breaks left are the indentation's);
    # the rest of INVISIBLE it writes as they are. They can only occur inside strings, where
    # \\uXXXX is the same character: the data stay exact, and nothing reaches the terminal raw.
    text = json.dumps(payload, ensure_ascii=False, indent=2)
    stream.write(_JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", text) + "\n")


def _escape_data(text: str) -> str:
    """A workflow command's message; line breaks (ours, between message and hint) as %0A."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


GITHUB_NOTICES_PER_RULE = 3
"""Information-level findings shown as annotations per rule; the rest become one summary notice
(11,000 uncited entries of a large export must not flood the pull request) and a collapsed log
group that lists them all."""


def write_github(diagnostics: Sequence[Diagnostic], stream: TextIO) -> None:
    """``::error file=F,line=L,col=C,title=T::message`` lines (GitHub workflow commands).

    Errors and warnings are annotations, each one. Notes (``info``) are grouped by rule: the
    first :data:`GITHUB_NOTICES_PER_RULE` as annotations, then one notice with the count, and
    every note as plain text inside a collapsed ``::group::``.
    """
    notes: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.severity == Severity.INFO:
            notes.setdefault(d.code, []).append(d)
        else:
            _github_command(d, stream)
    for code, items in notes.items():
        for d in items[:GITHUB_NOTICES_PER_RULE]:
            _github_command(d, stream)
        rest = len(items) - GITHUB_NOTICES_PER_RULE
        if rest <= 0:
            continue
        first = items[GITHUB_NOTICES_PER_RULE].location
        properties = f"file={_escape_property(first.path)},title={_escape_property(code)}"
        print(
            f"::notice {properties}::{_escape_data(f'{rest} more like this ({code}): listed in the log group')}",
            file=stream,
        )
        print(f"::group::{_escape_data(f'{len(items)} × {code}')}", file=stream)
        for d in items:
            # Plain log lines: visible() leaves no line break, and '::' at the start of a line
            # is what makes a command, so each line starts with "- ".
            print(f"- {visible(str(d.location))}: {visible(d.message)}", file=stream)
        print("::endgroup::", file=stream)


def _github_command(d: Diagnostic, stream: TextIO) -> None:
    commands = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    properties = [f"file={_escape_property(d.location.path)}"]
    if d.location.line:
        properties.append(f"line={d.location.line}")
    if d.location.column:
        properties.append(f"col={d.location.column}")
    properties.append(f"title={_escape_property(d.code)}")
    # The message and hint are each one line (visible); the line break between them is ours.
    message = visible(d.message) + (f"\n{visible(d.hint)}" if d.hint else "")
    print(f"::{commands[d.severity]} {','.join(properties)}::{_escape_data(message)}", file=stream)
