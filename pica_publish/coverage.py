"""Characters no shipped font has, found by *check* where the author can see them.

The theme's font stacks hold every font it ships (:data:`pica_publish.theme.FONT_STACKS`), so a
character any of them has is drawn by one of them. A character none has would be drawn by
whatever font the build machine happens to have (a different PDF elsewhere), or as a box: it is
reported with its file, line and column, so that it is never wrong in silence. Code is checked
too: it is printed, in the mono stack, which ends with the same shipped fonts.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

from pica_publish import rules, user_cache
from pica_publish.diagnostics import Location, Report, display_path
from pica_publish.inputs import InputRefused, read_input
from pica_publish.model import ChapterSource, Citation, Issue
from pica_publish.theme import font_files

NOT_DRAWN = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
"""Categories that need no glyph: controls (refused by their own rule), format characters (joiners,
direction marks, the soft hyphen) and spaces (HarfBuzz draws a missing space as a space)."""
IGNORABLE = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0}
    | set(range(0x180B, 0x1810))  # Mongolian free variation selectors
    | set(range(0xFE00, 0xFE10))  # variation selectors
    | set(range(0xE0100, 0xE01F0))
)
"""Default-ignorable code points outside those categories: shapers draw nothing for them."""


@cache
def cmap(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for: read once per machine (the user cache, by
    the file's name, size and time: a CJK face's cmap takes a tenth of a second to read), then
    once per process."""
    return _remembered_points("cmap", [path], _read_cmap)


def _read_cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


@cache
def shipped_coverage() -> frozenset[int]:
    """Every code point some shipped font has (remembered like :func:`cmap`)."""
    faces = sorted(face.path for face in font_files())
    return _remembered_points("coverage", faces, cmap)


def _remembered_points(
    kind: str, paths: list[Path], read: Callable[[Path], frozenset[int]]
) -> frozenset[int]:
    """The union of ``read(path)`` over ``paths``, kept in the user cache as ranges."""
    stats = [f"{path}\0{path.stat().st_size}\0{path.stat().st_mtime_ns}" for path in paths]
    cached = user_cache.entry(kind, stats, "json")
    try:
        ranges = json.loads(user_cache.read(cached) or b"")
        return frozenset(point for first, last in ranges for point in range(first, last + 1))
    except (ValueError, TypeError):
        pass
    points = frozenset().union(*(read(path) for path in paths))
    user_cache.write(cached, json.dumps(_ranges(points)).encode())
    return points


def _ranges(points: frozenset[int]) -> list[tuple[int, int]]:
    """``points`` as sorted (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for point in sorted(points):
        if runs and runs[-1][1] == point - 1:
            runs[-1] = (runs[-1][0], point)
        else:
            runs.append((point, point))
    return runs


def is_drawn(char: str) -> bool:
    """Whether ``char`` needs a glyph of its own."""
    return unicodedata.category(char) not in NOT_DRAWN and ord(char) not in IGNORABLE


def uncovered(lines: list[str], first_line: int) -> Iterator[tuple[str, int, int, int]]:
    """(character, line, column, times) for each character of ``lines`` that needs a glyph and
    that no shipped font has, at its first place (1-based; ``lines[0]`` is line ``first_line``)."""
    covered = shipped_coverage()
    first: dict[str, tuple[int, int]] = {}
    times: dict[str, int] = {}
    for number, text in enumerate(lines, start=first_line):
        if text.isascii():
            continue  # every shipped text face has ASCII: the common case, skipped fast
        for column, char in enumerate(text, start=1):
            if ord(char) in covered or not is_drawn(char):
                continue
            first.setdefault(char, (number, column))
            times[char] = times.get(char, 0) + 1
    for char, (line, column) in first.items():
        yield char, line, column, times[char]


def describe(char: str, times: int, where: str = "in this file") -> str:
    name = unicodedata.name(char, f"unnamed, category {unicodedata.category(char)}")
    more = f" ({times} times {where})" if times > 1 else ""
    return f"no shipped font has the character '{char}' (U+{ord(char):04X} {name}){more}"


def check_coverage(
    issue: Issue,
    chapter: ChapterSource,
    citations: Mapping[str, tuple[Citation, ...]],
    report: Report,
) -> None:
    """Report the characters of a chapter that no shipped font has: in its file (front matter
    and body, code included) and in the bibliography entries it is the first to cite."""
    for char, line, column, times in uncovered(_chapter_lines(issue, chapter), 1):
        report.add(rules.GLYPH_MISSING, describe(char, times), chapter.location(line, column))
    earlier = {
        citation.key
        for slug, found in citations.items()
        if slug != chapter.slug
        for citation in found
    }
    texts = {
        display_path(path, issue.root): text for path, text in issue.bibliography.texts.items()
    }
    keys = dict.fromkeys(c.key for c in citations.get(chapter.slug, ()) if c.key not in earlier)
    for key in keys:
        entry = issue.bibliography.entries.get(key)
        text = texts.get(entry.location.path) if entry else None
        if entry is None or text is None or not entry.location.line:
            continue
        lines = _entry_lines(text, entry.location.line)
        for char, line, column, times in uncovered(lines, entry.location.line):
            report.add(
                rules.GLYPH_MISSING,
                f"{describe(char, times, 'in the entry')} in entry '{key}'",
                Location(entry.location.path, line, column),
            )


def _chapter_lines(issue: Issue, chapter: ChapterSource) -> list[str]:
    """The chapter file's lines: its front matter as written (titles, names, abstract,
    affiliations) and its body. Read again: *load* keeps the front matter only parsed."""
    try:
        data = read_input(chapter.path, [issue.root], kind="chapter")
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except (InputRefused, UnicodeDecodeError):  # reported by load; the body is still there
        return [""] * (chapter.body_line - 1) + chapter.body.split("\n")
    return text.split("\n")


def _entry_lines(text: str, first_line: int) -> list[str]:
    """The lines of the BibTeX entry that starts at ``first_line``: up to the next ``@``."""
    lines = text.split("\n")[first_line - 1 :]
    for index, line in enumerate(lines[1:], start=1):
        if line.lstrip().startswith("@"):
            return lines[:index]
    return lines
