"""YAML documents that remember where each value came from.

ruamel.yaml's round-trip loader keeps line/column data on every mapping and sequence; this module
turns a parsed document into plain Python data plus a :class:`Positions` index from value paths
(``("authors", 0, "orcid")``) to 1-based source locations, so that schema errors point at the
exact key or value that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

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
    """The text is not valid YAML; carries a 1-based position relative to the text."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def load_yaml(text: str) -> tuple[Any, Positions]:
    """Parse YAML ``text`` (safe subset: no tags, no Python objects).

    :raises YamlSyntaxError: with the problem's position.
    """
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        document = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or error.context or "invalid YAML"
        raise YamlSyntaxError(f"invalid YAML: {problem}", line, column) from None
    except YAMLError as error:  # errors without a position (rare)
        raise YamlSyntaxError(f"invalid YAML: {error}", 1, 1) from None
    keys: dict[PathKey, tuple[int, int]] = {}
    values: dict[PathKey, tuple[int, int]] = {(): (1, 1)}
    data = _plain(document, (), keys, values)
    return data, Positions(keys, values)


def _plain(
    node: Any,
    path: PathKey,
    keys: dict[PathKey, tuple[int, int]],
    values: dict[PathKey, tuple[int, int]],
) -> Any:
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
            result[str(key)] = _plain(node[key], child, keys, values)
        return result
    if isinstance(node, CommentedSeq):
        if path:
            values.setdefault(path, (node.lc.line + 1, node.lc.col + 1))
        items = []
        for index, item in enumerate(node):
            child = (*path, index)
            item_line, item_col = node.lc.item(index)
            values[child] = (item_line + 1, item_col + 1)
            items.append(_plain(item, child, keys, values))
        return items
    if isinstance(node, str):
        return str(node)  # drop ruamel's scalar string subclasses
    if isinstance(node, bool | int | float) or node is None:
        return node
    return str(node)  # dates and other scalars: keep the text the user wrote
