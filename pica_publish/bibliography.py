"""Reading ``references/*.bib``: every entry with its location, every problem located, and for
pandoc a clean copy of the entries that were read.

bibtexparser cuts each file into blocks (entries, ``@string``, comments, failed blocks);
:mod:`pica_publish.bibtex` reads each entry's fields with their offsets; ``@string`` macros are
resolved here, across files. What pandoc converts is not the file as written but the entries as
*load* read them, written again in one plain form (:func:`_read_entry`): macros resolved,
DOIs bare, LaTeX pandoc would drop replaced (:mod:`pica_publish.bibfields`). So pandoc sees
only what ``check`` accepted, and a syntax slip that check reports cannot stop the build with an
unlocated pandoc error.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    String,
)

from pica_publish import rules
from pica_publish.bibfields import prepare_value
from pica_publish.bibtex import (
    FIELD_START_RE,
    Piece,
    RawField,
    balanced_for_pandoc,
    month_number,
    resolve,
    scan_entry,
    scan_string,
    unclosed_field,
)
from pica_publish.diagnostics import Location, Report, display_path
from pica_publish.doi import normalise_doi
from pica_publish.inputs import InputRefused, read_input
from pica_publish.markdown import CITATION_KEY
from pica_publish.model import BibEntry, Bibliography
from pica_publish.sources import read_text

# bibtexparser logs each failed block itself; we report them as diagnostics instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

MERGE_MARKER_RE = re.compile(r"^(<{7}|>{7}|\|{7})(\s|$)|^={7}\s*$")
ENTRY_KEY_RE = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]+)\s*,")
ORPHAN_FIELD_RE = re.compile(r"^[\s,]*([^\s=,{}\"#()%'~\\]+)\s*=", re.MULTILINE)
CITABLE_KEY_RE = re.compile(CITATION_KEY)


def bibliography_files(root: Path) -> tuple[Path, ...]:
    """``references/*.bib``, whatever the case of the suffix (``.BIB`` from old Windows tools)."""
    folder = root / "references"
    if not folder.is_dir():
        return ()
    return tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() == ".bib"))


@dataclass
class _Loaded:
    """What the files hold, gathered file by file (then frozen into a :class:`Bibliography`)."""

    root: Path
    report: Report
    entries: dict[str, BibEntry] = field(default_factory=dict)
    by_folded_key: dict[str, BibEntry] = field(default_factory=dict)
    unusable: dict[str, Location] = field(default_factory=dict)
    macros: dict[str, str] = field(default_factory=dict)


def load_bibliography(root: Path, report: Report) -> Bibliography:
    """Every entry of every ``references/*.bib``; problems reported, the good entries kept."""
    files = bibliography_files(root)
    if not files:
        report.add(
            rules.BIB_NONE,
            "no bibliography: references/*.bib not found",
            Location("references/"),
        )
    loaded = _Loaded(root, report)
    libraries: dict[Path, tuple[Library, _Positions]] = {}
    for path in files:
        display = display_path(path, root)
        text = read_text(path, display, report, root=root, kind="bibliography")
        if text is None:
            _remember_unreadable(path, display, loaded)
            continue
        markers = _report_merge_markers(text, display, report)
        libraries[path] = parse_string(text, parse_stack=[]), _Positions(text, display, markers)
    for library, positions in libraries.values():  # a file may use another file's macros
        _define_macros(library, _Positions(positions.text, positions.display), loaded)
    converted: dict[Path, str] = {}
    for path, (library, positions) in libraries.items():
        converted[path] = "".join(_read_blocks(library, positions, loaded))
    check_inheritance(loaded.entries, report)
    unusable = {k: v for k, v in loaded.unusable.items() if k not in loaded.entries}
    return Bibliography(loaded.entries, tuple(converted), {}, converted, unusable=unusable)


def _remember_unreadable(path: Path, display: str, loaded: _Loaded) -> None:
    """The keys of a file that could not be read (not UTF-8): citing them is not a second
    problem, the file is (reported once, by :func:`read_text`)."""
    try:
        raw = read_input(path, [loaded.root], kind="bibliography")
    except InputRefused:
        raw = b""
    where = Location(display)
    for match in ENTRY_KEY_RE.finditer(raw.decode("cp1252", errors="replace")):
        loaded.unusable.setdefault(match[2], where)
    loaded.unusable.setdefault("", where)


def _report_merge_markers(text: str, display: str, report: Report) -> set[int]:
    """The lines of git conflict markers, each reported (the lines are not read as fields)."""
    lines = text.split("\n")
    markers = [n for n, line in enumerate(lines, 1) if MERGE_MARKER_RE.match(line)]
    if not any(lines[n - 1].startswith(("<<<<<<<", ">>>>>>>")) for n in markers):
        return set()  # a lone "=======" line is not a conflict
    for number in markers:
        report.add(
            rules.BIB_MERGE_CONFLICT,
            "git merge conflict marker in the bibliography",
            Location(display, number, 1),
        )
    return set(markers)


class _Positions:
    """Offsets in a file's text → 1-based line and column."""

    def __init__(self, text: str, display: str, marker_lines: set[int] | None = None) -> None:
        self.text = text
        self.display = display
        self.marker_lines = marker_lines or set()
        """Lines of git conflict markers (reported once, as such)."""
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.cursor = 0
        """Where the previous block ended: blocks come in order, and a short block ("}")
        must not be found earlier on its line."""

    def at(self, offset: int) -> Location:
        line = bisect.bisect_right(self.starts, offset)
        return Location(self.display, line, offset - self.starts[line - 1] + 1)

    def block_offset(self, raw: str, start_line: int | None) -> int:
        line_start = self.starts[min(start_line or 0, len(self.starts) - 1)]
        found = self.text.find(raw, max(line_start, self.cursor))
        offset = found if found >= 0 else line_start
        self.cursor = offset + len(raw)
        return offset


def _define_macros(library: Library, positions: _Positions, loaded: _Loaded) -> None:
    for block in library.blocks:
        if not isinstance(block, String):
            continue
        raw = block.raw or ""
        offset = positions.block_offset(raw, block.start_line)
        for definition in scan_string(raw):

            def undefined(
                piece: Piece, definition: RawField = definition, at: int = offset
            ) -> None:
                _undefined_macro(piece, definition, "", positions, at, loaded)

            loaded.macros[definition.name.lower()] = resolve(
                definition.pieces, loaded.macros, undefined
            )


def _undefined_macro(
    piece: Piece, raw_field: RawField, key: str, positions: _Positions, offset: int, loaded: _Loaded
) -> None:
    where = f"field '{raw_field.name}' of '{key}'" if key else f"@string '{raw_field.name}'"
    loaded.report.add(
        rules.BIB_MACRO_UNDEFINED,
        f"'{piece.text}' in {where} is not defined by any @string",
        positions.at(offset + piece.offset),
        f"define it with @string{{{piece.text} = {{…}}}}, or put the value in braces: "
        f"{raw_field.name} = {{{piece.text}}}",
    )


def _read_blocks(library: Library, positions: _Positions, loaded: _Loaded) -> Iterator[str]:
    """Report the problems of one file's blocks, keep its entries; yield them for pandoc."""
    previous_close: tuple[str, Location] | None = None
    for block in library.blocks:
        offset = positions.block_offset(block.raw or "", block.start_line)
        if isinstance(block, (Entry, DuplicateBlockKeyBlock, DuplicateFieldKeyBlock)):
            converted, previous_close = _read_entry(block.raw or "", offset, positions, loaded)
            yield converted
        elif isinstance(block, ParsingFailedBlock):
            previous_close = None
            _report_failed_block(block, offset, positions, loaded)
        elif isinstance(block, ImplicitComment):
            _check_stray_text(block.raw or "", offset, positions, previous_close, loaded.report)
            previous_close = None
        else:
            previous_close = None


def _report_failed_block(
    block: ParsingFailedBlock, offset: int, positions: _Positions, loaded: _Loaded
) -> None:
    error = block.error
    reason = (getattr(error, "abort_reason", "") or str(error) or "syntax error").strip()
    location = positions.at(offset)
    unclosed = unclosed_field(block.raw or "")
    loaded.report.add(
        rules.BIB_PARSE_FAILED,
        f"this BibTeX block could not be read: {reason}",
        Location(location.path, location.line, 1),
        None
        if unclosed is None
        else f"the value of field '{unclosed.name}' (line "
        f"{positions.at(offset + unclosed.offset).line}) is not closed: a brace or quote is "
        "missing",
    )
    match = ENTRY_KEY_RE.match(block.raw or "")
    if match:  # citing it is not a second problem: this block is
        loaded.unusable.setdefault(match[2], location)


def _read_entry(
    raw: str, offset: int, positions: _Positions, loaded: _Loaded
) -> tuple[str, tuple[str, Location]]:
    """One entry: its problems reported, the entry kept (unless pandoc could not read it), and
    its text for pandoc ('' when it is left out)."""
    report = loaded.report
    syntax = scan_entry(raw)
    key, entry_type = syntax.key, syntax.entry_type.lower()
    start = positions.at(offset)
    location = Location(start.path, start.line, 1)
    closed = (key, positions.at(offset + syntax.close_offset))
    for problem in syntax.problems:
        if positions.at(offset + problem.offset).line in positions.marker_lines:
            continue  # a conflict marker, reported as such
        if problem.kind == "key":
            report.add(
                rules.BIB_KEY_INVALID, problem.message, positions.at(offset + problem.offset)
            )
        elif problem.kind == "type":
            report.add(
                rules.BIB_PARSE_FAILED,
                f"{problem.message} in entry '{key}'",
                positions.at(offset + problem.offset),
            )
        elif problem.kind == "missing-comma":
            report.add(
                rules.BIB_MISSING_COMMA,
                f"{problem.message} in entry '{key}'",
                positions.at(offset + problem.offset),
            )
        else:
            report.add(
                rules.BIB_PARSE_FAILED,
                f"{problem.message} in entry '{key}'",
                positions.at(offset + problem.offset),
            )
    if any(problem.kind in ("key", "type") for problem in syntax.problems):
        if key:
            loaded.unusable.setdefault(key, location)
        return "", closed
    if entry_type == "set":
        report.add(
            rules.BIB_SET_ENTRY,
            f"@set '{key}' cannot be printed (it would show as 'n.d.')",
            location,
        )
        loaded.unusable.setdefault(key, location)
        return "", closed
    if not _key_is_new(key, location, loaded):
        return "", closed
    if not CITABLE_KEY_RE.fullmatch(key):
        report.add(
            rules.BIB_KEY_CITATION,
            f"key '{key}' cannot be cited as @{key}",
            positions.at(offset + syntax.key_offset),
            f"cite it as [@{{{key}}}], or rename it",
        )
    fields: dict[str, str] = {}
    first_line: dict[str, int] = {}
    lines = []
    for raw_field in syntax.fields:
        name = raw_field.name.lower()
        where = positions.at(offset + raw_field.offset)
        if name in fields:
            report.add(
                rules.BIB_FIELD_DUPLICATE,
                f"field '{name}' appears twice in entry '{key}' (lines {first_line[name]} and "
                f"{where.line})",
                where,
                f"keep one of the two values; the first one (line {first_line[name]}) is used",
            )
            continue
        first_line[name] = where.line

        def undefined(piece: Piece, raw_field: RawField = raw_field) -> None:
            _undefined_macro(piece, raw_field, key, positions, offset, loaded)

        value = resolve(raw_field.pieces, loaded.macros, undefined)
        fields[name] = value
        text = _value_for_pandoc(name, value, entry_type, key, raw_field, offset, positions, report)
        if text is not None:
            lines.append(f"  {name} = {{{balanced_for_pandoc(text)}}},\n")
    entry = BibEntry(key, entry_type, fields, location)
    loaded.entries[key] = entry
    loaded.by_folded_key.setdefault(key.casefold(), entry)
    return f"@{entry_type}{{{key},\n{''.join(lines)}}}\n", closed


def _key_is_new(key: str, location: Location, loaded: _Loaded) -> bool:
    """False for a second entry with the same key (reported); a key differing only in case is
    reported but kept (pandoc tells them apart, BibTeX does not)."""
    previous = loaded.entries.get(key)
    if previous is not None:
        loaded.report.add(
            rules.BIB_DUPLICATE_KEY,
            f"duplicate citation key '{key}' (first defined at {previous.location})",
            location,
        )
        return False
    folded = loaded.by_folded_key.get(key.casefold())
    if folded is not None:
        loaded.report.add(
            rules.BIB_KEY_CASE,
            f"key '{key}' differs only in case from '{folded.key}' (defined at "
            f"{folded.location}): BibTeX treats them as the same entry",
            location,
        )
    return True


def _value_for_pandoc(
    name: str,
    value: str,
    entry_type: str,
    key: str,
    raw_field: RawField,
    offset: int,
    positions: _Positions,
    report: Report,
) -> str | None:
    """The value as pandoc should read it; None leaves the field out."""
    value_offset = offset + (raw_field.pieces[0].offset if raw_field.pieces else raw_field.offset)
    if name == "doi":  # written bare where it becomes a CSL item (pandoc.bib_to_csl_json)
        if normalise_doi(value) is None and value.strip():
            report.add(
                rules.BIB_DOI_INVALID,
                f"the doi of '{key}' is not a DOI: '{value.strip()[:60]}'",
                positions.at(value_offset),
            )
        return value
    if name == "month":
        return month_number(value)
    text, findings = prepare_value(value, name, entry_type)
    exact = len(raw_field.pieces) == 1 and raw_field.pieces[0].kind in ("braced", "quoted")
    for finding in findings:
        rule = rules.BIB_FIELD_FINDINGS[finding.kind]
        where = positions.at(value_offset + finding.offset if exact else offset + raw_field.offset)
        report.add(rule, f"{finding.message} (field '{name}' of '{key}')", where)
    return text


INHERITANCE_FIELDS = ("crossref", "xref", "xdata")
"""BibLaTeX fields through which an entry inherits from others (pandoc follows them)."""


def check_inheritance(entries: dict[str, BibEntry], report: Report) -> None:
    """A ``crossref``/``xdata`` chain that comes back to itself makes pandoc loop until it runs
    out of memory: refuse it, at each entry on the loop, naming the loop."""
    parents = {
        key: [
            parent.strip()
            for name in INHERITANCE_FIELDS
            for parent in entry.fields.get(name, "").strip("{} ").split(",")
            if parent.strip() in entries
        ]
        for key, entry in entries.items()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[str] = set()
    for start in sorted(parents):
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:  # iterative depth-first search: a chain of 10,000 entries is fine
            key, index = stack.pop()
            if index == 0:
                state[key] = 1
                path.append(key)
            if index < len(parents[key]):
                stack.append((key, index + 1))
                parent = parents[key][index]
                if state.get(parent) == 1:
                    loop = path[path.index(parent) :]
                    for member in loop:
                        if member not in reported:
                            reported.add(member)
                            report.add(
                                rules.BIB_CROSSREF_LOOP,
                                f"entry '{member}' inherits from itself: "
                                + " → ".join(
                                    [
                                        *loop[loop.index(member) :],
                                        *loop[: loop.index(member)],
                                        member,
                                    ]
                                ),
                                entries[member].location,
                            )
                elif not state.get(parent):
                    stack.append((parent, 0))
            else:
                state[key] = 2
                path.pop()


def _check_stray_text(
    raw: str,
    offset: int,
    positions: _Positions,
    previous_close: tuple[str, Location] | None,
    report: Report,
) -> None:
    """Text between entries: a closing brace, or fields left outside an entry that a ``}`` too
    many closed early (reported where the entry ended, naming the fields it lost)."""
    orphans = [
        (match[1], positions.at(offset + match.start(1)))
        for match in ORPHAN_FIELD_RE.finditer(raw)
        if FIELD_START_RE.match(raw, match.start(1))
    ]
    if orphans and previous_close is not None:
        key, closed_at = previous_close
        names = ", ".join(f"'{name}'" for name, _ in orphans)
        lines = sorted({where.line for _, where in orphans})
        span = f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}–{lines[-1]}"
        report.add(
            rules.BIB_STRAY_BRACE,
            f"entry '{key}' ends here, before its fields {names} ({span}), which are lost",
            closed_at,
            "this '}' closes the entry too early: delete it",
        )
        closed_early = f" (entry '{key}' ended early, at line {closed_at.line})"
    else:
        closed_early = ""  # other text between entries is a comment, to BibTeX and to pandoc
    line = positions.at(offset).line
    for number, text in enumerate(raw.split("\n"), start=line):
        if text.lstrip().startswith("}"):
            report.add(
                rules.BIB_STRAY_BRACE,
                "closing brace outside any entry" + closed_early,
                Location(positions.display, number, 1),
            )
