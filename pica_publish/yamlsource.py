"""YAML documents that remember where each value came from.

ruamel.yaml's round-trip loader keeps line/column data on every mapping and sequence; this module
turns a parsed document into plain Python data plus a :class:`Positions` index from value paths
(``("authors", 0, "orcid")``) to 1-based source locations, so that schema errors point at the
exact key or value that is wrong.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pica_publish import rules
from pica_publish.diagnostics import Rule
from pica_publish.yamlmistakes import Mistake, explain_parse_error

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Maps value paths to (line, column), both 1-based, relative to the YAML text."""

    keys: dict[PathKey, tuple[int, int]]
    """Where the key of a mapping entry starts (for 'unknown key' and 'missing' problems)."""
    values: dict[PathKey, tuple[int, int]]
    """Where a value starts (for 'bad value' problems)."""

    def of_value(self, path: PathKey) -> tuple[int, int]:
        """Best known position for ``path``: its value, else its key, else its nearest parent."""
        probe = tuple(path)
        while probe:
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, path: PathKey) -> tuple[int, int]:
        probe = tuple(path)
        while probe:
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))


class YamlSyntaxError(Exception):
    """The text is not valid YAML; carries a 1-based position relative to the text, the rule
    that names the mistake and a hint with the corrected line (:mod:`pica_publish.yamlmistakes`)."""

    def __init__(
        self,
        message: str,
        line: int,
        column: int,
        *,
        rule: Rule = rules.YAML_SYNTAX,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.rule = rule
        self.hint = hint

    @classmethod
    def explained(cls, mistake: Mistake) -> YamlSyntaxError:
        return cls(
            mistake.message, mistake.line, mistake.column, rule=mistake.rule, hint=mistake.hint
        )


MAX_TEXT = 1024 * 1024
"""Largest YAML text read (front matter, manifest), in characters."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences; real front matter needs 4."""
MAX_NODES = 20_000
"""Most values a document may hold once aliases are expanded (a 7-line 'billion laughs' alias
bomb expands to billions)."""
STANDARD_TAG = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset({"!", "str", "int", "float", "bool", "null", "seq", "map"})
"""The only tags accepted (``!!str 3`` is fine); anything else (``!tag``, ``!!python/…``) is
refused before a document is built."""


def _tag_name(tag: str) -> str:
    return tag.removeprefix(STANDARD_TAG).removeprefix("!!") if tag != "!" else tag


def load_yaml(text: str, *, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse YAML ``text`` (safe subset: no tags, no Python objects), with bounded work.

    The text is first read as a stream of events, which costs time linear in its length and
    refuses what would make the next steps unbounded (deep nesting, custom tags); the document
    built from it is then walked with a budget of :data:`MAX_NODES` values, so that aliases can
    never expand it beyond that.

    :raises YamlSyntaxError: with the mistake's position (relative to ``text``), explained
        in plain words with the corrected line (:mod:`pica_publish.yamlmistakes`); a line
        number quoted in the message counts from ``first_line``, the file line ``text``
        starts at.
    """
    data, positions = _load_yaml(text, first_line)
    return copy.deepcopy(data), positions


@lru_cache(maxsize=256)  # by text: ``serve`` rebuilds read the same front matter again
def _load_yaml(text: str, first_line: int) -> tuple[Any, Positions]:
    """What :func:`_parse_yaml` makes of ``text``, remembered per machine when it succeeds
    (:mod:`pica_publish.user_cache`, by the text and this module's code): the pure-Python
    parser that keeps positions takes a few hundredths of a second per chapter."""
    from pica_publish import user_cache

    path = user_cache.entry("yaml", (_code_version(), text), "json")
    try:
        data, keys, values = json.loads(user_cache.read(path) or b"")
        return data, Positions(_positions(keys), _positions(values))
    except (ValueError, TypeError):
        pass
    data, positions = _parse_yaml(text, first_line)
    stored = [data, _listed(positions.keys), _listed(positions.values)]
    user_cache.write(path, json.dumps(stored, ensure_ascii=False).encode())
    return data, positions


def _listed(positions: dict[PathKey, tuple[int, int]]) -> list[Any]:
    return [[list(path), line, column] for path, (line, column) in positions.items()]


def _positions(listed: list[Any]) -> dict[PathKey, tuple[int, int]]:
    return {tuple(path): (int(line), int(column)) for path, line, column in listed}


@cache
def _code_version() -> str:
    """This module's source and ruamel.yaml's version, in the cache key."""
    from ruamel.yaml import __version__ as ruamel_version

    return hashlib.sha256(Path(__file__).read_bytes() + ruamel_version.encode()).hexdigest()


def _parse_yaml(text: str, first_line: int) -> tuple[Any, Positions]:
    if len(text) > MAX_TEXT:
        raise YamlSyntaxError(f"YAML is longer than {MAX_TEXT} characters", 1, 1)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        _check_events(yaml, text)
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mistake = explain_parse_error(text, error, first_line=first_line)
        raise YamlSyntaxError.explained(mistake) from None
    except YAMLError as error:  # errors without a position (rare)
        raise YamlSyntaxError(f"invalid YAML: {error}", 1, 1) from None
    keys: dict[PathKey, tuple[int, int]] = {}
    values: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    data = _plain(document, (), keys, values, [MAX_NODES])
    return data, Positions(keys, values)


def _check_events(yaml: YAML, text: str) -> None:
    """Refuse custom tags and deep nesting before anything is built (linear in the text)."""
    depth = 0
    for event in yaml.parse(text):
        mark = event.start_mark
        kind = type(event).__name__
        tag = getattr(event, "tag", None)
        if tag is not None and _tag_name(str(tag)) not in PLAIN_TAGS:
            raise YamlSyntaxError(
                f"YAML tag '{tag}' is not allowed: write plain values",
                mark.line + 1,
                mark.column + 1,
                hint="if the value starts with '!', put it all in double quotes",
            )
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlSyntaxError(
                    f"YAML is nested more than {MAX_DEPTH} levels deep",
                    mark.line + 1,
                    mark.column + 1,
                )
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1


def _plain(
    node: Any,
    path: PathKey,
    keys: dict[PathKey, tuple[int, int]],
    values: dict[PathKey, tuple[int, int]],
    budget: list[int],
) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        line, column = values.get(path, (1, 1))
        raise YamlSyntaxError(
            f"YAML expands to more than {MAX_NODES} values (aliases?)", line, column
        )
    if isinstance(node, CommentedMap):
        if path:
            values.setdefault(path, (node.lc.line + 1, node.lc.col + 1))
        result: dict[Any, Any] = {}
        for key in node:
            child = (*path, str(key))
            key_line, key_col = node.lc.key(key)
            keys[child] = (key_line + 1, key_col + 1)
            value_line, value_col = node.lc.value(key)
            values[child] = (value_line + 1, value_col + 1)
            result[str(key)] = _plain(node[key], child, keys, values, budget)
        return result
    if isinstance(node, CommentedSeq):
        if path:
            values.setdefault(path, (node.lc.line + 1, node.lc.col + 1))
        items = []
        for index, item in enumerate(node):
            child = (*path, index)
            item_line, item_col = node.lc.item(index)
            values[child] = (item_line + 1, item_col + 1)
            items.append(_plain(item, child, keys, values, budget))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's scalar string subclasses
    if isinstance(node, bool | int | float) or node is None:
        return node
    return str(node)  # dates and other scalars: keep the text the user wrote
