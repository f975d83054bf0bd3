"""Reading the user's files: text decoding and YAML front matter, with located problems."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pica_publish import rules
from pica_publish.diagnostics import Location, Report, Rule, did_you_mean
from pica_publish.inputs import InputRefused, read_input
from pica_publish.model import describe_validation_error
from pica_publish.yamlsource import Positions, YamlSyntaxError, load_yaml

M = TypeVar("M", bound=BaseModel)

CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters no field may hold: C0 and C1 controls (tab and newline allowed), DEL, Unicode line
separators and bidi overrides. They have no place in a name or a title, and each output would
need its own escaping for them (CSS, XML, RIS, terminals); refused once, here, with a location."""


def read_text(path: Path, display: str, report: Report, *, root: Path, kind: str) -> str | None:
    """The file as text (UTF-8, BOM tolerated, newlines normalised), or None after reporting.

    The file must pass the input rule of :mod:`pica_publish.inputs` (inside ``root``, also
    through symlinks; a regular file; within the size limit of its ``kind``).
    """
    try:
        raw = read_input(path, [root], kind=kind)
    except InputRefused as error:
        report.add(
            rules.FILE_REFUSED,
            f"'{display}' {error.reason}",
            Location(display),
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        report.add(
            rules.FILE_ENCODING,
            f"file is not UTF-8 (byte 0x{raw[error.start]:02x})",
            Location(display, line, column),
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_yaml_file(
    path: Path, display: str, report: Report, *, root: Path, rule: Rule | None = None
) -> tuple[str, Any, Positions] | None:
    """A YAML file of the editors (``issue.yml``, ``dois.lock``): its text, and what it holds
    with positions; or None after reporting: unreadable through :func:`read_text`, a syntax
    error at its line in plain words (:mod:`pica_publish.yamlmistakes`), under ``rule`` when the
    file has a rule of its own ('dois.lock is not valid YAML: …'), else under the mistake's."""
    text = read_text(path, display, report, root=root, kind="manifest")
    if text is None:
        return None
    try:
        data, positions = load_yaml(text)
    except YamlSyntaxError as error:
        where = Location(display, error.line, error.column)
        if rule is not None:
            report.add(rule, f"{display} is not valid YAML: {error.message}", where)
        else:
            report.add(error.rule, error.message, where, error.hint)
        return None
    return text, data, positions


def validate_model(
    model: type[M],
    data: Any,
    locate: Any,
    report: Report,
    *,
    what: str,
) -> M | None:
    """Validate ``data`` into ``model``, reporting every problem at its source position.

    Unknown keys are warnings (with a did-you-mean hint): they are dropped and validation goes on,
    so that one typo does not hide the real errors. ``locate(path, key=bool)`` maps a value path
    to a :class:`Location`.
    """
    if not isinstance(data, dict):
        report.add(rules.SCHEMA_TYPE, f"{what} must be a mapping of fields", locate((), key=False))
        return None
    hidden = list(_control_characters(data, ()))
    for loc, is_key, char in hidden:
        report.add(
            rules.TEXT_CONTROL_CHARACTER,
            f"{'field name' if is_key else 'value'} holds the invisible control character "
            f"U+{ord(char):04X}",
            locate(loc, key=is_key),
        )
    if hidden:
        return None
    for _attempt in range(10):
        try:
            return model.model_validate(data)
        except ValidationError as error:
            errors = error.errors()
        unknown = [e for e in errors if e["type"] == "extra_forbidden"]
        for problem in unknown:
            loc = tuple(problem["loc"])
            candidates = _field_names(model, loc[:-1])
            report.add(
                rules.SCHEMA_UNKNOWN_FIELD,
                f"unknown field '{loc[-1]}' in {what}",
                locate(loc, key=True),
                did_you_mean(str(loc[-1]), candidates) or f"known fields: {', '.join(candidates)}",
            )
            _delete(data, loc)
        if unknown:
            continue
        for problem in errors:
            loc = tuple(problem["loc"])
            message, at_key = describe_validation_error(problem)
            if problem["type"] == "missing":
                report.add(rules.SCHEMA_MISSING_FIELD, message, locate(loc[:-1], key=False))
            else:
                report.add(rules.SCHEMA_INVALID, message, locate(loc, key=at_key))
        return None
    return None


def _control_characters(
    data: Any, path: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], bool, str]]:
    """(value path, is a key, character) for every control character in keys and strings."""
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, key)
            if isinstance(key, str) and (match := CONTROL_RE.search(key)):
                yield child, True, match[0]
            yield from _control_characters(value, child)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _control_characters(item, (*path, index))
    elif isinstance(data, str) and (match := CONTROL_RE.search(data)):
        yield path, False, match[0]


def _field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        current = _inner_model(info.annotation)
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _delete(data: Any, loc: tuple[Any, ...]) -> None:
    for part in loc[:-1]:
        data = data[part]
    if isinstance(data, dict):
        data.pop(loc[-1], None)
