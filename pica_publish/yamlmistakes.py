"""The commonest mistakes in ``issue.yml`` and front matter, said in plain words with the fix.

ruamel.yaml says "found character '\\t' that cannot start any token" or "mapping values are not
allowed here"; an author needs "this line is indented with a tab" and the line as it should be.
Each diagnosis below looks at the *user's own lines* where the parser stopped (never at the
parser's wording, which changes between versions) and returns a :class:`Mistake`: its rule, a
message, its position and a hint that shows the corrected line, built from the line as written.

The mistakes, in the order they are tried (the first that fits wins):

1. a tab where YAML allows only spaces (``yaml-tab``);
2. a list item without a space after ``-`` (``yaml-list-dash``);
3. a key given twice (``yaml-duplicate-key``);
4. a quote, ``[`` or ``{`` never closed (``yaml-unclosed``);
5. a key without a space after its colon (``yaml-colon-space``);
6. text after a closing quote, ``"Manul" in Mongolia`` (``yaml-text-after-quote``);
7. a value starting with a character YAML reserves: ``*italics*``, ``@handle``, `` `code` ``
   (``yaml-reserved-start``);
8. ``: `` inside an unquoted value, ``title: Pallas's cat: a review`` (``yaml-colon-in-value``);
9. a key indented unlike the key above it (``yaml-indentation``).

Mistakes in YAML that parses are found by :mod:`pica_publish.yamlshape`; a front matter never
closed by :func:`pica_publish.frontmatter.unclosed_front_matter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scanner import ScannerError

from pica_publish import rules
from pica_publish.diagnostics import Rule

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Mistake:
    """One explained mistake; ``line`` and ``column`` are 1-based, relative to the YAML text."""

    rule: Rule
    message: str
    line: int
    column: int
    hint: str


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML scalar that reads back as exactly ``text`` (one line): in double
    quotes when it needs no escape, else in single quotes (where only ``'`` is doubled)."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


# --- reading a line as YAML writes it ----------------------------------------------------------

LEAD_RE = re.compile(r" *(?:- +)*")
"""Indentation and list dashes."""
KEY_END_RE = re.compile(r":(?=[ \t]|$)")
"""The colon that ends a key: followed by a space, a tab or the end of the line."""


@dataclass(frozen=True)
class Entry:
    """A line read as ``[indent][- ]key: value`` (a plain key; a quoted or flow key, or a line
    without ``key:``, is read as a value); columns are 0-based."""

    text: str
    indent: int
    key: str | None
    key_column: int
    """Column of the key, or of the value when the line has no key."""
    value: str
    value_column: int


def read_entry(text: str) -> Entry:
    """``text`` as a block-style YAML line. Plain string operations, linear in the line: the
    lines come from pull requests and may be a megabyte long."""
    lead = LEAD_RE.match(text)
    start = lead.end() if lead else 0
    indent = len(text) - len(text.lstrip(" "))
    rest = text[start:]
    colon = KEY_END_RE.search(rest) if rest[:1] not in ("", '"', "'", "#", "[", "{") else None
    key = rest[: colon.start()].rstrip() if colon else ""
    if colon is None or not key or "#" in key:
        value = rest.strip()
        return Entry(text, indent, None, start, value, start + len(rest) - len(rest.lstrip()))
    after = rest[colon.end() :]
    value_column = start + colon.end() + len(after) - len(after.lstrip())
    return Entry(text, indent, key, start, after.strip(), value_column)


def _meaningful(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


BLOCK_SCALAR_RE = re.compile(r"[|>][-+0-9]*(?:\s+#.*)?")


def _block_scalar_lines(lines: Sequence[str]) -> set[int]:
    """0-based indices of the lines inside block scalars (``abstract: |`` and its text), where
    nothing looks like YAML on purpose."""
    inside: set[int] = set()
    index = 0
    while index < len(lines):
        entry = read_entry(lines[index])
        index += 1
        if not BLOCK_SCALAR_RE.fullmatch(entry.value):
            continue
        while index < len(lines) and (
            not lines[index].strip()
            or len(lines[index]) - len(lines[index].lstrip()) > entry.indent
        ):
            inside.add(index)
            index += 1
    return inside


# --- where the parser stopped ----------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """Where and how the parser stopped, with the text it read (0-based indices)."""

    lines: Sequence[str]
    line: int
    column: int
    context: tuple[int, int] | None
    """Where the construct the parser was reading began (a quoted scalar, a flow list)."""
    duplicate: bool
    scanner: bool
    block: set[int]
    first_line: int
    """The file line of the text's first line, for line numbers quoted in messages."""

    @classmethod
    def of(cls, text: str, error: MarkedYAMLError, first_line: int) -> Stop:
        lines = text.split("\n")
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line, mark.column) if mark else (0, 0)
        context = error.context_mark
        return cls(
            lines,
            min(line, len(lines) - 1),
            column,
            (context.line, context.column) if context is not None else None,
            isinstance(error, DuplicateKeyError),
            isinstance(error, ScannerError),
            _block_scalar_lines(lines),
            first_line,
        )

    def text(self, line: int) -> str:
        """Line ``line`` of the text; '' past its ends (a mark at the end of the stream)."""
        return self.lines[line] if 0 <= line < len(self.lines) else ""

    def char(self, line: int, column: int) -> str:
        text = self.text(line)
        return text[column] if 0 <= column < len(text) else ""

    def lines_up_to_stop(self) -> Iterator[int]:
        """The meaningful lines from the first to the one where the parser stopped."""
        for index in range(self.line + 1):
            if index not in self.block and _meaningful(self.lines[index]):
                yield index

    def line_above(self, index: int) -> int | None:
        """The meaningful line above line ``index``, outside block scalars."""
        for above in range(index - 1, -1, -1):
            if above not in self.block and _meaningful(self.lines[above]):
                return above
        return None


def _mistake(rule: Rule, message: str, line: int, column: int, hint: str) -> Mistake:
    return Mistake(rule, message, line + 1, column + 1, hint)


SHOWN = 200
"""Longest line a hint quotes in full (a pasted megabyte is shown cut)."""


def shown(line: str) -> str:
    """``line`` as a hint quotes it: right-stripped, cut at :data:`SHOWN` characters."""
    line = line.rstrip()
    return line if len(line) <= SHOWN else line[: SHOWN - 1] + "…"


def _write_it_as(line: str) -> str:
    return f"write it as: {shown(line)}"


def _tab(stop: Stop) -> Mistake | None:
    """A tab in the indentation (or anywhere YAML refuses one). The corrected line is indented
    with spaces like its neighbours: as deep as the key above it, or one level (two spaces)
    deeper when that key opens a nested mapping or list."""
    if stop.char(stop.line, stop.column) != "\t":
        return None
    text = stop.text(stop.line)
    rest = text.lstrip(" \t")
    leading = text[: len(text) - len(rest)]
    rest = " ".join(part.strip(" ") for part in rest.split("\t")).rstrip()
    if "\t" in leading:
        message = "this line is indented with a tab: YAML allows only spaces"
        above = stop.line_above(stop.line)
        indent = 0
        if above is not None:
            parent = read_entry(stop.text(above).replace("\t", "  "))
            opens = parent.key is not None and not parent.value
            indent = parent.key_column + (2 if opens else 0)
        fixed = " " * indent + rest
    else:
        message = "a tab in this line: YAML allows only spaces here"
        fixed = leading + rest
    return _mistake(rules.YAML_TAB, message, stop.line, text.index("\t"), _write_it_as(fixed))


LIST_DASH_RE = re.compile(r"(?P<indent> *)-(?P<rest>[^\s-].*)")


def list_dash_mistake(match: re.Match[str], index: int) -> Mistake:
    """``-name: Jane`` on (0-based) line ``index``, matched by :data:`LIST_DASH_RE`."""
    word = re.split(r"[\s:]", match["rest"], maxsplit=1)[0]
    return _mistake(
        rules.YAML_LIST_DASH,
        f"a list item needs a space after its '-': YAML does not see '-{word}' as a list item",
        index,
        len(match["indent"]),
        _write_it_as(f"{match['indent']}- {match['rest']}"),
    )


def _list_dash_at(stop: Stop, index: int) -> Mistake | None:
    match = LIST_DASH_RE.fullmatch(stop.text(index))
    if match is None or index in stop.block:
        return None
    return list_dash_mistake(match, index)


def _list_dash(stop: Stop) -> Mistake | None:
    above = stop.line_above(stop.line)
    for index in (above, stop.line) if above is not None else (stop.line,):
        if found := _list_dash_at(stop, index):
            return found
    return None


def _duplicate_key(stop: Stop) -> Mistake | None:
    if not stop.duplicate:
        return None
    second = read_entry(stop.text(stop.line))
    if second.key is None:
        return None
    start = stop.context[0] if stop.context is not None else 0
    for index in range(start, stop.line):
        first = read_entry(stop.text(index))
        if index not in stop.block and (first.key, first.key_column) == (
            second.key,
            second.key_column,
        ):
            return _mistake(
                rules.YAML_DUPLICATE_KEY,
                f"'{second.key}' is given twice: first on line {index + stop.first_line}, "
                "again here",
                stop.line,
                second.key_column,
                f"keep one of the two lines: '{shown(first.text.strip())}' (line "
                f"{index + stop.first_line}) or '{shown(second.text.strip())}' (line "
                f"{stop.line + stop.first_line})",
            )
    return _mistake(
        rules.YAML_DUPLICATE_KEY,
        f"'{second.key}' is given twice in the same mapping",
        stop.line,
        second.key_column,
        f"keep one of the two '{second.key}:' lines",
    )


CLOSED_QUOTE = {'"': re.compile(r'"(?:[^"\\]|\\.)*"'), "'": re.compile(r"'(?:[^']|'')*'")}
CLOSING = {"[": "]", "{": "}"}


def _unclosed(stop: Stop) -> Mistake | None:
    """A quote or bracket the value opens and its line never closes. A quoted value may span
    lines in YAML, but not in front matter as people write it: once the parser has failed, the
    first value whose quote stays open is where it went wrong."""
    if stop.context is not None:
        line, column = stop.context
        opening = stop.char(line, column)
        if opening in CLOSING and stop.text(line).rstrip()[-1:] != CLOSING[opening]:
            text = stop.text(line).rstrip().rstrip(",")
            what = "list" if opening == "[" else "mapping"
            return _mistake(
                rules.YAML_UNCLOSED,
                f"the {what} opened with '{opening}' is never closed",
                line,
                column,
                _write_it_as(text + CLOSING[opening]),
            )
    for index in stop.lines_up_to_stop():
        entry = read_entry(stop.text(index))
        quote = entry.value[:1]
        if quote in CLOSED_QUOTE and not CLOSED_QUOTE[quote].match(entry.value):
            inner = entry.value[1:]
            return _mistake(
                rules.YAML_UNCLOSED,
                f"the quote {quote} that opens this value is never closed",
                index,
                entry.value_column,
                _write_it_as(entry.text[: entry.value_column] + yaml_quoted(inner)),
            )
    return None


COLON_SPACE_RE = re.compile(r"(?P<key>[A-Za-z_][\w-]*):(?P<value>[^\s:/].*)")
"""``key:value`` without the space; not ``https://…``."""


def _colon_space_at(stop: Stop, index: int) -> Mistake | None:
    return colon_space_mistake(stop.text(index), index)


def colon_space_mistake(text: str, index: int) -> Mistake | None:
    """``title:Pallas's cat`` on (0-based) line ``index``: a key without the space after its
    colon, which YAML reads as text."""
    entry = read_entry(text)
    if entry.key is not None:
        return None
    match = COLON_SPACE_RE.fullmatch(entry.value)
    if match is None:
        return None
    fixed = f"{entry.text[: entry.value_column]}{match['key']}: {match['value']}"
    return _mistake(
        rules.YAML_COLON_SPACE,
        f"'{match['key']}:' needs a space after the colon, or YAML reads the line as text",
        index,
        entry.value_column + len(match["key"]),
        _write_it_as(fixed),
    )


def _colon_space(stop: Stop) -> Mistake | None:
    candidates = [stop.line]
    if stop.context is not None and stop.context[0] != stop.line:
        candidates.insert(0, stop.context[0])
    for index in candidates:
        if found := _colon_space_at(stop, index):
            return found
    return None


def _text_after_quote(stop: Stop) -> Mistake | None:
    """``title: "Manul" in Mongolia``, and ``title: 'Pallas's cat'``, whose apostrophe ends
    the single-quoted value after 'Pallas'."""
    entry = read_entry(stop.text(stop.line))
    value, quote = entry.value, entry.value[:1]
    if quote not in CLOSED_QUOTE:
        return None
    closed = CLOSED_QUOTE[quote].match(value)
    if closed is None or closed.end() == len(value):
        return None
    apostrophe = quote == "'" and value[closed.end()].isalnum()
    if apostrophe:
        meant = value[1:-1] if value.endswith("'") else value[1:]
        message = (
            f"the apostrophe after {closed[0][1:-1]!r} ends the single-quoted value: the "
            "text after it does not belong to it"
        )
    else:
        meant = value[1:-1] if len(value) > 1 and value[-1] == quote else value
        message = (
            f"the value ends at its closing quote {closed[0]}: the text after it does not "
            "belong to it"
        )
    return _mistake(
        rules.YAML_TEXT_AFTER_QUOTE,
        message,
        stop.line,
        entry.value_column + closed.end(),
        _write_it_as(entry.text[: entry.value_column] + yaml_quoted(meant)),
    )


RESERVED = {
    "@": "'@' is reserved in YAML",
    "`": "'`' is reserved in YAML",
    "%": "'%' starts a YAML directive",
    "*": "YAML reads '*' as a reference to an anchor (*italics* must be quoted)",
    "&": "YAML reads '&' as an anchor",
    "!": "YAML reads '!' as a tag",
    "[": "YAML reads '[' as the start of a list",
    "{": "YAML reads '{' as the start of a mapping",
    "|": "YAML reads '|' as the start of a block of text",
    ">": "YAML reads '>' as the start of a block of text",
    "?": "YAML reads '?' as a complex key",
}


def _reserved_start(stop: Stop) -> Mistake | None:
    entry = read_entry(stop.text(stop.line))
    first = entry.value[:1]
    if first not in RESERVED or entry.value_column > stop.column + 1:
        return None
    return _mistake(
        rules.YAML_RESERVED_START,
        f"a value cannot start with '{first}' unquoted: {RESERVED[first]}",
        stop.line,
        entry.value_column,
        _write_it_as(entry.text[: entry.value_column] + yaml_quoted(entry.value)),
    )


def _colon_in_value(stop: Stop) -> Mistake | None:
    entry = read_entry(stop.text(stop.line))
    if (
        entry.key is None
        or stop.char(stop.line, stop.column) != ":"
        or stop.column < entry.value_column
    ):
        return None
    return _mistake(
        rules.YAML_COLON_IN_VALUE,
        f"the value of '{entry.key}' holds ': ', which YAML reads as the start of another key",
        stop.line,
        stop.column,
        _write_it_as(entry.text[: entry.value_column] + yaml_quoted(entry.value)),
    )


def _indentation(stop: Stop) -> Mistake | None:
    entry = read_entry(stop.text(stop.line))
    above = stop.line_above(stop.line)
    if entry.key is None or above is None or stop.column < entry.key_column:
        return None
    parent = read_entry(stop.text(above))
    if parent.key is None or parent.key_column == entry.key_column:
        return None
    spaces = " " * parent.key_column
    fixed = spaces + entry.text[entry.key_column :]
    return _mistake(
        rules.YAML_INDENTATION,
        f"'{entry.key}' is indented by {entry.key_column} spaces but '{parent.key}' on the "
        f"line above by {parent.key_column}: YAML cannot tell where '{entry.key}' belongs",
        stop.line,
        entry.key_column,
        f"indent it like '{parent.key}' ({parent.key_column} spaces): {_write_it_as(fixed)}",
    )


DIAGNOSES: tuple[Callable[[Stop], Mistake | None], ...] = (
    _tab,
    _list_dash,
    _duplicate_key,
    _unclosed,
    _colon_space,
    _text_after_quote,
    _reserved_start,
    _colon_in_value,
    _indentation,
)


def explain_parse_error(text: str, error: MarkedYAMLError, *, first_line: int = 1) -> Mistake:
    """The mistake that made the parser stop on ``text``, in plain words with the corrected
    line; the parser's own message (``yaml-syntax``) when none of :data:`DIAGNOSES` fits."""
    stop = Stop.of(text, error, first_line)
    for diagnose in DIAGNOSES:
        if (found := diagnose(stop)) is not None:
            return found
    problem = error.problem or error.context or "invalid YAML"
    return _mistake(
        rules.YAML_SYNTAX,
        f"invalid YAML: {problem}",
        stop.line,
        stop.column,
        "if the value holds ': ', ' #' or starts with a quote or bracket, put it all in "
        'double quotes ("…"); see docs/formats.md',
    )
