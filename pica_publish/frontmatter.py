"""A chapter's front matter: split from the body at its fences, parsed, and every mistake in it
reported at its line in plain words (:mod:`pica_publish.yamlmistakes`,
:mod:`pica_publish.yamlshape`), with the line as it should be written."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from pica_publish import rules
from pica_publish.diagnostics import Location, Report
from pica_publish.yamlmistakes import Mistake, shown
from pica_publish.yamlshape import shape_mistakes
from pica_publish.yamlsource import Positions, YamlSyntaxError, load_yaml

FENCE_RE = re.compile(r"^(---|\.\.\.)\s*$")


@dataclass(frozen=True)
class FrontMatter:
    data: Any
    positions: Positions
    text: str
    """The YAML between the fences, as written."""
    yaml_line: int
    """1-based file line of the first YAML line."""
    body: str
    body_line: int
    readable: bool = True
    """False when the YAML has a syntax error (reported): the body is still there for *check*."""


def read_front_matter(text: str, display: str, report: Report) -> FrontMatter | None:
    """Separate the ``---`` YAML block at the top of a chapter from its Markdown body and parse
    it; None when the chapter has no front matter or it is never closed (reported)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        report.add(
            rules.FRONT_MATTER_MISSING,
            "chapter does not start with a YAML front matter block",
            Location(display, 1, 1),
        )
        return None
    end = next((i for i in range(1, len(lines)) if FENCE_RE.match(lines[i])), None)
    if end is None:
        mistake = unclosed_front_matter(lines)
        report.add(
            mistake.rule,
            mistake.message,
            Location(display, mistake.line, mistake.column),
            mistake.hint,
        )
        return None
    yaml_text = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    try:
        data, positions = load_yaml(yaml_text, first_line=2)  # after the opening fence
    except YamlSyntaxError as error:
        report.add(
            error.rule, error.message, Location(display, error.line + 1, error.column), error.hint
        )
        # The closing fence was found, so the body is known: check still reads it.
        return FrontMatter(None, Positions({}, {}), yaml_text, 2, body, end + 2, readable=False)
    return FrontMatter(data, positions, yaml_text, 2, body, end + 2)


def repair_shape(
    model: type[BaseModel],
    data: Any,
    positions: Positions,
    text: str,
    report: Report,
    where: Callable[[int, int], Location],
) -> tuple[Any, bool]:
    """Report the mistakes of YAML that parses but says something else than meant
    (:func:`pica_publish.yamlshape.shape_mistakes`), each at ``where(line, column)``; return
    the data as meant, for validation to go on, and whether there was any."""
    repaired, mistakes = shape_mistakes(model, data, positions.keys, positions.values, text)
    for mistake in mistakes:
        report.add(mistake.rule, mistake.message, where(mistake.line, mistake.column), mistake.hint)
    return repaired, bool(mistakes)


# --- a front matter without its closing fence ---------------------------------------------------

DASHES = "-–—"


def _meant_as_fence(text: str) -> bool:
    """``--``, ``----``, `` ---``, ``- - -``, ``—``: dashes alone on a line (not ``---`` at
    its start, the fence itself)."""
    dashes = text.replace(" ", "").replace("\t", "")
    return bool(dashes) and not dashes.strip(DASHES) and (len(dashes) >= 2 or dashes in "–—")


HEADING_RE = re.compile(r"#{1,6}\s+\S.*")
YAML_LINE_RE = re.compile(r"(?:\s.*|- .*|-|[^\s:#][^:]*:(?:\s.*)?|#.*|)")
"""A line that may belong to front matter: indented, a list item, ``key:``, a comment, blank."""


def unclosed_front_matter(lines: Sequence[str]) -> Mistake:
    """Where a front matter opened on line 1 and never closed should have ended: at a line
    meant as the fence, else before the first line of Markdown (a heading after a blank line,
    or a line that cannot be YAML). Positions are the file's."""
    last_field = 0
    for index in range(1, len(lines)):
        text = lines[index]
        if _meant_as_fence(text):
            return Mistake(
                rules.FRONT_MATTER_UNCLOSED,
                f"'{shown(text.strip())}' is not the closing fence of the front matter: it must be "
                "exactly three hyphens at the start of the line",
                index + 1,
                1,
                "write it as: ---",
            )
        after_blank = index > 1 and not lines[index - 1].strip()
        if (after_blank and HEADING_RE.fullmatch(text)) or not YAML_LINE_RE.fullmatch(text):
            return Mistake(
                rules.FRONT_MATTER_UNCLOSED,
                "the front matter has no closing '---': from this line on, the chapter text "
                "would be read as YAML",
                index + 1,
                1,
                f"add a line '---' after line {last_field + 1} "
                f"('{shown(lines[last_field].strip())}'), the last field of the front matter",
            )
        if text.strip() and not text.lstrip().startswith("#"):
            last_field = index
    return Mistake(
        rules.FRONT_MATTER_UNCLOSED,
        "the front matter opened here is never closed",
        1,
        1,
        f"add a line '---' after its last field (line {last_field + 1}: "
        f"'{shown(lines[last_field].strip())}')",
    )
