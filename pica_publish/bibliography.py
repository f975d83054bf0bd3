"""Reading ``references/*.bib`` with bibtexparser, for validation with line numbers.

Only splitting and ``@string`` resolution run here: no LaTeX decoding, which is slow on large
exports and is pandoc's job when it converts the entries to CSL JSON (see :mod:`pica_publish.pandoc`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    String,
)

from pica_publish import rules
from pica_publish.diagnostics import Location, Report, display_path
from pica_publish.model import BibEntry, Bibliography
from pica_publish.sources import read_text

# bibtexparser logs each failed block itself; we report them as diagnostics instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

STRING_RE = re.compile(r"@string\s*[{(]", re.IGNORECASE)
MERGE_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def bibliography_files(root: Path) -> tuple[Path, ...]:
    folder = root / "references"
    return tuple(sorted(folder.glob("*.bib"))) if folder.is_dir() else ()


def load_bibliography(root: Path, report: Report) -> Bibliography:
    """Every entry of every ``references/*.bib``; problems reported, the good entries kept."""
    entries: dict[str, BibEntry] = {}
    files = bibliography_files(root)
    if not files:
        report.add(
            rules.BIB_NONE,
            "no bibliography: references/*.bib not found",
            Location("references/"),
        )
    texts = {
        path: read_text(path, display_path(path, root), report, root=root, kind="bibliography")
        for path in files
    }
    strings = shared_strings(texts)
    preludes: dict[Path, str] = {}
    for path, text in texts.items():
        if text is None:
            continue
        display = display_path(path, root)
        others = [s for source, defined in strings.items() if source != path for s in defined]
        preludes[path] = "".join(f"@string{{{s.key} = {{{s.value}}}}}\n" for s in others)
        for entry in parse_bib_text(text, display, report, others):
            previous = entries.get(entry.key)
            if previous is not None:
                report.add(
                    rules.BIB_DUPLICATE_KEY,
                    f"duplicate citation key '{entry.key}' (first defined at {previous.location})",
                    entry.location,
                )
                continue
            entries[entry.key] = entry
    check_inheritance(entries, report)
    readable = {path: text for path, text in texts.items() if text is not None}
    return Bibliography(entries, tuple(readable), preludes, readable)


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


def shared_strings(texts: dict[Path, str | None]) -> dict[Path, list[String]]:
    """``@string`` macros by defining file: a file may use macros defined in another one."""
    strings: dict[Path, list[String]] = {}
    for path, text in texts.items():
        if text and STRING_RE.search(text):
            strings[path] = [
                String(s.key, s.value) for s in parse_string(text, parse_stack=[]).strings
            ]
    return strings


def parse_bib_text(
    text: str, display: str, report: Report, strings: list[String] | None = None
) -> list[BibEntry]:
    library = Library()
    for macro in strings or ():
        library.add(String(macro.key, macro.value))
    library = parse_string(text, library=library)
    result = []
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            report.add(
                rules.BIB_DUPLICATE_KEY,
                f"duplicate citation key '{block.key}' in the same file",
                Location(display, line, 1),
            )
        elif isinstance(block, ParsingFailedBlock):
            error = block.error
            reason = (getattr(error, "abort_reason", "") or str(error) or "syntax error").strip()
            report.add(
                rules.BIB_PARSE_FAILED,
                f"this BibTeX block could not be read: {reason}",
                Location(display, line, 1),
            )
        elif isinstance(block, ImplicitComment):
            _check_stray_text(block.raw or "", line, display, report)
        elif isinstance(block, Entry):
            fields = {name.lower(): str(field.value) for name, field in block.fields_dict.items()}
            result.append(
                BibEntry(block.key, block.entry_type.lower(), fields, Location(display, line, 1))
            )
    return result


def _check_stray_text(raw: str, line: int, display: str, report: Report) -> None:
    for offset, text in enumerate(raw.split("\n")):
        stripped = text.strip()
        if stripped.startswith(MERGE_MARKERS):
            report.add(
                rules.BIB_MERGE_CONFLICT,
                "git merge conflict marker in the bibliography",
                Location(display, line + offset, 1),
            )
        elif stripped.startswith("}"):
            report.add(
                rules.BIB_STRAY_BRACE,
                "closing brace outside any entry",
                Location(display, line + offset, 1),
            )
