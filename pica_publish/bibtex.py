"""The syntax of one BibTeX entry, with the offset of every part: what bibtexparser's splitter
accepts but pandoc would not, and what the values are once ``@string`` macros are resolved.

bibtexparser cuts a ``.bib`` file into blocks and keeps each block's text (``raw``); this module
reads an entry's text again, the way BibTeX and pandoc read it, so that every problem has an
exact position: a missing comma between two fields (bibtexparser folds the next field into the
value; pandoc stops the whole file), a field given twice, a key pandoc cannot read, a macro no
``@string`` defines. Pure functions, no reporting: :mod:`pica_publish.bibliography` turns the
:class:`Problem` records into diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

NAME_RE = re.compile(r"[^\s=,{}\"#()%'~\\]+")
"""A field name, an entry type or a macro name (BibTeX: no spaces, no ``= , { } " # ( ) %``)."""
FIELD_START_RE = re.compile(r"[^\s=,{}\"#()%'~\\]+\s*=")
KEY_FORBIDDEN_RE = re.compile(r"[\s{}\"#%~\\,]")
FIELD_NAME_RE = re.compile(r"[A-Za-z0-9_:+\-]+")
"""A field name pandoc reads (it stops the whole file at ``a.b`` or ``a/b``)."""
ENTRY_TYPE_RE = re.compile(r"[A-Za-z]+")
BRACE_RE = re.compile(r"[{}]")
BRACE_OR_QUOTE_RE = re.compile(r'[{}"]')
PANDOC_BRACE_RE = re.compile(r"\\[\s\S]|\\$|[{}]")
"""A backslash escapes the next character (also a brace) for pandoc; braces nest."""
"""An entry type pandoc reads: letters only."""
"""Characters pandoc's BibTeX reader does not accept in a key (it stops the whole file)."""

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_MACROS: Mapping[str, str] = {name[:3]: name.capitalize() for name in MONTHS}
"""The macros every BibTeX style predefines (``month = jan``)."""


@dataclass(frozen=True)
class Piece:
    """One part of a field value: ``{braced}``, ``"quoted"``, a number or a macro name."""

    kind: Literal["braced", "quoted", "number", "macro"]
    text: str
    """The content without its delimiters (the name, for a macro)."""
    offset: int
    """Offset of the content (of the name, for a macro) in the entry's text."""


@dataclass(frozen=True)
class RawField:
    name: str
    """As written (BibTeX field names are case-insensitive: compare ``name.lower()``)."""
    pieces: tuple[Piece, ...]
    offset: int
    """Offset of the name in the entry's text."""


@dataclass(frozen=True)
class Problem:
    kind: Literal["missing-comma", "syntax", "key", "type"]
    message: str
    offset: int


@dataclass(frozen=True)
class EntrySyntax:
    entry_type: str
    key: str
    key_offset: int
    fields: tuple[RawField, ...]
    problems: tuple[Problem, ...]
    close_offset: int
    """Offset of the brace (or parenthesis) that closes the entry."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.problems: list[Problem] = []

    def skip_space(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def name(self) -> str:
        match = NAME_RE.match(self.text, self.at)
        if not match:
            return ""
        self.at = match.end()
        return match[0]

    def balanced(self, close: str) -> str:
        """The text up to ``close`` at brace depth 0 (``self.at`` is just after the opener)."""
        start, depth = self.at, 0
        stops = BRACE_OR_QUOTE_RE if close == '"' else BRACE_RE
        while (match := stops.search(self.text, self.at)) is not None:
            char = match[0]  # like BibTeX, \{ counts as a brace too
            self.at = match.end()
            if char == "{":
                depth += 1
            elif depth > 0 and char == "}":
                depth -= 1
            elif char == close and depth == 0:
                return self.text[start : match.start()]
        self.at = len(self.text)
        return self.text[start:]

    def skip_to_comma(self, end: int) -> None:
        depth = 0
        while self.at < end:
            char = self.text[self.at]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == "," and depth <= 0:
                return
            self.at += 1


def scan_value(reader: _Reader) -> tuple[Piece, ...]:
    """``piece # piece # …`` at ``reader.at``; stops after the last piece."""
    pieces: list[Piece] = []
    while True:
        reader.skip_space()
        char = reader.peek()
        start = reader.at
        if char == "{":
            reader.at += 1
            pieces.append(Piece("braced", reader.balanced("}"), start + 1))
        elif char == '"':
            reader.at += 1
            pieces.append(Piece("quoted", reader.balanced('"'), start + 1))
        elif char.isdigit():
            while reader.peek().isdigit():
                reader.at += 1
            pieces.append(Piece("number", reader.text[start : reader.at], start))
        else:
            name = reader.name()
            if not name:
                return tuple(pieces)
            pieces.append(Piece("macro", name, start))
        reader.skip_space()
        if reader.peek() != "#":
            return tuple(pieces)
        reader.at += 1


def scan_fields(reader: _Reader, end: int) -> list[RawField]:
    """``name = value, …`` up to ``end`` (the closing brace of the block)."""
    fields: list[RawField] = []
    while True:
        reader.skip_space()
        if reader.at >= end:
            return fields
        if reader.peek() == ",":
            reader.at += 1
            continue
        start = reader.at
        name = reader.name()
        reader.skip_space()
        if not name or reader.peek() != "=":
            snippet = reader.text[start : start + 20].split("\n")[0]
            reader.problems.append(
                Problem(
                    "syntax", f"expected a field ('name = {{value}}'), found '{snippet}'", start
                )
            )
            reader.skip_to_comma(end)
            continue
        reader.at += 1
        pieces = scan_value(reader)
        if not pieces:
            reader.problems.append(Problem("syntax", f"field '{name}' has no value", reader.at))
        if FIELD_NAME_RE.fullmatch(name):
            fields.append(RawField(name, pieces, start))
        else:
            reader.problems.append(
                Problem("syntax", f"'{name}' is not a field name (letters, digits, - _ : +)", start)
            )
        reader.skip_space()
        if reader.at >= end or reader.peek() == ",":
            continue
        if FIELD_START_RE.match(reader.text, reader.at):
            following = NAME_RE.match(reader.text, reader.at)
            reader.problems.append(
                Problem(
                    "missing-comma",
                    f"missing comma between field '{name}' and field "
                    f"'{following[0] if following else ''}'",
                    reader.at,
                )
            )
            continue  # read the next field from here: only the comma is missing
        snippet = reader.text[reader.at : reader.at + 20].split("\n")[0]
        reader.problems.append(
            Problem(
                "syntax", f"unexpected '{snippet}' after the value of field '{name}'", reader.at
            )
        )
        reader.skip_to_comma(end)


def _close_offset(text: str) -> int:
    stripped = text.rstrip()
    return len(stripped) - 1 if stripped and stripped[-1] in "})" else len(text)


def scan_entry(text: str) -> EntrySyntax:
    """An entry block's text (``@type{key, field = value, …}``) as bibtexparser cut it."""
    reader = _Reader(text)
    reader.at = text.index("@") + 1
    reader.skip_space()
    type_offset = reader.at
    entry_type = reader.name()
    if not ENTRY_TYPE_RE.fullmatch(entry_type):
        reader.problems.append(
            Problem("type", f"'@{entry_type}' is not an entry type (letters only)", type_offset)
        )
    reader.skip_space()
    reader.at += 1  # the opening brace or parenthesis (bibtexparser found it)
    end = _close_offset(text)
    reader.skip_space()
    key_offset = reader.at
    comma = text.find(",", reader.at, end)
    key_end = comma if comma >= 0 else end
    key = text[reader.at : key_end].strip()
    problem = key_problem(key)
    if problem:
        reader.problems.append(Problem("key", problem, key_offset))
    reader.at = key_end
    fields = scan_fields(reader, end)
    return EntrySyntax(
        entry_type, key, key_offset, tuple(fields), tuple(reader.problems), _close_offset(text)
    )


def scan_string(text: str) -> tuple[RawField, ...]:
    """The macro definitions of a ``@string{name = value}`` block."""
    reader = _Reader(text)
    reader.at = text.index("@") + 1
    reader.name()
    reader.skip_space()
    reader.at += 1
    return tuple(scan_fields(reader, _close_offset(text)))


def key_problem(key: str) -> str:
    """Why pandoc cannot read this key ('' when it can)."""
    if not key:
        return "the entry has no key"
    bad = KEY_FORBIDDEN_RE.search(key)
    if bad:
        shown = "a space" if bad[0].isspace() else f"'{bad[0]}'"
        return f"key '{key}' holds {shown}, which BibTeX keys may not"
    return ""


def resolve(
    pieces: tuple[Piece, ...],
    macros: Mapping[str, str],
    undefined: Callable[[Piece], None],
) -> str:
    """The value's text with macros replaced (``undefined`` is told about unknown ones, which
    count as empty, as in BibTeX)."""
    parts = []
    for piece in pieces:
        if piece.kind != "macro":
            parts.append(piece.text)
            continue
        name = piece.text.lower()
        if name in macros:
            parts.append(macros[name])
        elif name in MONTH_MACROS:
            parts.append(MONTH_MACROS[name])
        else:
            undefined(piece)
    return "".join(parts)


def month_number(value: str) -> str:
    """``jan``, ``January``, ``Jan.``, ``01`` → ``1``; anything else unchanged."""
    text = value.strip().strip(".").lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return str(int(text))
    for number, name in enumerate(MONTHS, start=1):
        if len(text) >= 3 and name.startswith(text):
            return str(number)
    return value


def unclosed_field(text: str) -> RawField | None:
    """In a block bibtexparser could not read, the field whose value runs on over the next
    field's line (``title = {An {unclosed brace},``): where the missing brace belongs."""
    if "@" not in text:
        return None
    for raw_field in scan_entry(text).fields:
        for piece in raw_field.pieces:
            if piece.kind in ("braced", "quoted") and any(
                FIELD_START_RE.match(line.strip()) for line in piece.text.split("\n")[1:]
            ):
                return raw_field
    return None


def balanced_for_pandoc(text: str) -> str:
    """``text`` with its braces balanced as pandoc counts them, so that it reads the value as
    it is (and the rest of the file after it).

    BibTeX counts ``\\{`` and ``\\}`` as braces, pandoc does not: ``{C:\\dir\\}`` is a
    complete value to BibTeX (and to bibtexparser), but pandoc reads ``\\}`` as a brace
    character and the value runs on. A brace pandoc would not match is escaped, a final lone
    backslash dropped.
    """
    out: list[str] = []
    unmatched: list[int] = []
    at = 0
    for match in PANDOC_BRACE_RE.finditer(text):
        out.append(text[at : match.start()])
        at = match.end()
        token = match[0]
        if token == "{":
            unmatched.append(len(out))
            out.append(token)
        elif token == "}":
            if unmatched:
                unmatched.pop()
                out.append(token)
            else:
                out.append("\\}")
        elif len(token) == 2:
            out.append(token)  # \{, \}, \\: characters to pandoc, not braces
        # else: a final lone backslash, dropped
    out.append(text[at:])
    for index in unmatched:
        out[index] = "\\{"
    return "".join(out)
