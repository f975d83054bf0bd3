"""YAML that parses but does not say what the author meant.

The parser accepts ``short_title: true``, ``keywords: [manul, 2019]``, ``authors: Jane Doe,
John Smith`` and ``-manul``; the schema would then say "input should be a valid string" or "a
valid tuple". :func:`shape_mistakes` finds them first, says what YAML made of the line and shows
it corrected:

- a text field given a yes/no value or a number (``yaml-not-text``);
- authors or editors as one line of text (``authors-as-text``; refused, see
  :func:`_people_as_text` for why);
- a list item without a space after ``-``, which YAML read as text (``yaml-list-dash``);
- a whole front matter ``title:Pallas's cat``, read as one string (``yaml-colon-space``).

Keywords (and affiliations, italic terms) written as one line are *not* a mistake: the model
splits them on commas and semicolons (:func:`pica_publish.model.split_list`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from pica_publish import rules
from pica_publish.yamlmistakes import (
    LIST_DASH_RE,
    Mistake,
    colon_space_mistake,
    list_dash_mistake,
    shown,
    yaml_quoted,
)

PathKey = tuple[str | int, ...]

PEOPLE_FIELDS = ("authors", "editors")
"""Fields that hold a list of people, each a mapping with at least ``name``."""
PEOPLE_SEPARATORS = re.compile(r"[,;&]|\band\b")


def shape_mistakes(
    model: type[BaseModel],
    data: Any,
    keys: Mapping[PathKey, tuple[int, int]],
    values: Mapping[PathKey, tuple[int, int]],
    text: str,
) -> tuple[Any, list[Mistake]]:
    """Mistakes in YAML that parses, and the data as the user meant it.

    ``keys`` and ``values`` map value paths to the 1-based positions of their keys and values
    in ``text`` (:class:`pica_publish.yamlsource.Positions`). The data returned has
    each mistaken value repaired (a number quoted, a list split), so that validation goes on
    and reports every *other* problem once; the caller keeps the document out of the build,
    since it had errors.
    """
    lines = text.split("\n")
    if isinstance(data, str) and (mistake := colon_space_mistake(lines[0], 0)):
        key, _colon, value = data.partition(":")
        return {key: value.strip()}, [mistake]  # 'title:Pallas cat', the whole front matter
    if not isinstance(data, dict):
        return data, []
    repaired = copy.deepcopy(data)
    found: list[Mistake] = []
    for field in PEOPLE_FIELDS:
        if field in model.model_fields and isinstance(repaired.get(field), str):
            names, mistake = _people_as_text(field, repaired[field], values, lines)
            found.append(mistake)
            repaired[field] = [{"name": name} for name in names]
    found += _dash_items(repaired, keys, values, lines)
    found += _not_text(model, repaired, values, lines)
    return repaired, found


def _position(values: Mapping[PathKey, tuple[int, int]], path: PathKey) -> tuple[int, int]:
    probe = path
    while probe and probe not in values:
        probe = probe[:-1]
    return values.get(probe, (1, 1))


def _people_as_text(
    field: str, value: str, values: Mapping[PathKey, tuple[int, int]], lines: Sequence[str]
) -> tuple[list[str], Mistake]:
    """``authors: Jane Doe, John Smith`` is refused, with the list written out in the hint.

    Converting it would be a guess that publishes wrong names: a comma separates two people in
    "Jane Doe, John Smith" but family from given name in "Doe, Jane" — the form reference
    managers and submission systems export — and no rule tells the two apart. Names go under a
    DOI into Crossref, indexes and every citation, where a wrong split cannot be taken back. A
    line of text cannot carry affiliations, ORCID iDs or the corresponding author's e-mail
    either, which every article needs. So the author is asked once, and the hint is the list
    made from their own line, ready to paste.
    """
    names = [name.strip() for name in PEOPLE_SEPARATORS.split(value) if name.strip()] or [value]
    line, column = _position(values, (field,))
    items = ", ".join("{name: " + _flow_safe(name) + "}" for name in names)
    prefix = lines[line - 1][: column - 1] if line - 1 < len(lines) else f"{field}: "
    person = "author" if field == "authors" else "editor"
    then = " (then give each author their affiliations; see docs/formats.md)"
    return names, Mistake(
        rules.AUTHORS_AS_TEXT,
        f"'{field}' is one line of text; it must be a list with one entry per {person}",
        line,
        column,
        f"write it as: {shown(prefix + '[' + items + ']')}" + (then if field == "authors" else ""),
    )


def _flow_safe(text: str) -> str:
    return yaml_quoted(text) if re.search(r"[,\[\]{}:#&*!|>'\"%@`]", text) else text


def _dash_items(
    data: Any,
    keys: Mapping[PathKey, tuple[int, int]],
    values: Mapping[PathKey, tuple[int, int]],
    lines: Sequence[str],
) -> list[Mistake]:
    """Lines ``-manul`` and ``-name: Jane`` that YAML read as text, or as a key '-name'. The
    value is repaired to the list that was meant."""
    found: list[Mistake] = []
    reported: set[int] = set()
    places = [(position, path, True) for path, position in keys.items()]
    places += [(position, path, False) for path, position in values.items()]
    for (line, column), path, is_key in sorted(places):
        if line in reported or not 0 < line <= len(lines):
            continue
        match = LIST_DASH_RE.fullmatch(lines[line - 1])
        if match is None or len(match["indent"]) + 1 != column:
            continue
        if is_key and str(path[-1]).startswith("-"):
            parent = _get(data, path[:-1])
            if len(path) > 1 and isinstance(parent, dict):
                _set(data, path[:-1], [{str(k).lstrip("-"): v for k, v in parent.items()}])
        elif not is_key and path and isinstance(value := _get(data, path), str):
            items = value.removeprefix("-").split(" -")  # "-dens -home range", folded
            _set(data, path, [item.strip() for item in items])
        else:
            continue
        reported.add(line)
        found.append(list_dash_mistake(match, line - 1))
    return found


def _get(data: Any, path: PathKey) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


NUMBER_OR_BOOL = (bool, int, float)


def _not_text(
    model: type[BaseModel],
    data: Any,
    values: Mapping[PathKey, tuple[int, int]],
    lines: Sequence[str],
) -> Iterator[Mistake]:
    """``short_title: true``, ``title: 1984``, ``keywords: [manul, 2019]``: YAML reads them as a
    yes/no value or a number, where the field takes text. Each is repaired to the text as
    written (so validation goes on), and reported with the quoted line."""
    try:
        model.model_validate(data)
        return
    except ValidationError as error:
        problems = [
            problem
            for problem in error.errors()
            if problem["type"] == "string_type" and isinstance(problem["input"], NUMBER_OR_BOOL)
        ]
    for problem in problems:
        path = tuple(problem["loc"])
        line, column = values.get(path, (0, 0))
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        token = re.match(r"[^\s,\]}#]+", text[column - 1 :])  # true, 2019, 1.5e3
        written = token[0] if token and line else str(problem["input"])
        _set(data, path, written)
        kind = "a yes/no value" if isinstance(problem["input"], bool) else "a number"
        field = _describe(path)
        fixed = text[: column - 1] + yaml_quoted(written) + text[column - 1 + len(written) :]
        yield Mistake(
            rules.YAML_NOT_TEXT,
            f"{field} takes text, but YAML reads {written} as {kind}",
            line or 1,
            column or 1,
            f"write it as: {shown(fixed)}" if line else f"quote it: {yaml_quoted(written)}",
        )


def _describe(path: PathKey) -> str:
    """'title', item 2 of 'keywords', 'name' of item 1 of 'authors'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text = f"item {part + 1} of {text}"
        else:
            text = f"'{part}' of {text}" if text else f"'{part}'"
    return text


def _set(data: Any, path: PathKey, value: Any) -> None:
    """Put ``value`` at ``path`` when the path leads to a mapping or list item."""
    parent = _get(data, path[:-1])
    if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(path[-1], int)):
        try:
            parent[path[-1]] = value  # type: ignore[index]
        except IndexError:
            pass
