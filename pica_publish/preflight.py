"""Layout preflight: make-up faults read from the laid-out pages of every article.

After each layout the pages of an article are read once (:mod:`pica_publish.pages`: regions
holding lines, images and table rows in flow order). Each rule is a small function over that
reading; the rules are data (:data:`RULES`). A fault names the printed page
(the folio) and, where it can be found, the chapter line; it becomes a warning, and the faults of
the issue are written to ``preflight.json`` (and kept with the layout cache, so that an unchanged
issue reports them again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pica_publish import rules
from pica_publish.diagnostics import Location, Report, Rule
from pica_publish.hyphenation_report import RUN_LIMIT, long_runs
from pica_publish.markdown import scan_body
from pica_publish.model import Chapter
from pica_publish.pages import Item, Reading, Region, hole_culprit, holes, read_pages

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

SHORT_LINE = 0.6
"""A non-final line of a justified paragraph narrower than this share of its container."""
MIN_ROWS = 3
"""A split table keeps at least this many body rows on each side (print.css)."""
KEEP_WHOLE = 8
"""A table of at most this many body rows is never split (print.css)."""
TOLERANCE = 1.0
"""Points a box may stick out of its column (rounding)."""
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
PX_PER_MM = 96 / 25.4
"""WeasyPrint lays out in CSS pixels."""
PT_PER_PX = 0.75


@dataclass(frozen=True, order=True)
class Fault:
    page: int
    rule: str
    chapter: str
    line: int
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "page": self.page,
            "chapter": self.chapter,
            "line": self.line,
            "message": self.message,
        }


# --- naming and locating -----------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(text.split())


def _text(element: Any) -> str:
    return _words("".join(element.itertext())) if element is not None else ""


def _line_text(box: Any) -> str:
    return _words("".join(getattr(b, "text", "") or "" for b in box.descendants()))


def _snippet(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


class Locator:
    """Finds chapter lines: labels and headings from the scan, paragraphs by their words."""

    def __init__(self, chapter: Chapter) -> None:
        self.chapter = chapter
        scan = scan_body(chapter.body)
        self.labels = {found.text: found.line for found in scan.labels}
        self.headings = [(_key(h.text), h.line) for h in scan.headings]

    def label(self, element: Any) -> str:
        """'tbl:x' from the element id ``<slug>-tbl:x``, or ''."""
        ident = (element.get("id") or "") if element is not None else ""
        return ident.removeprefix(f"{self.chapter.slug}-")

    def line(self, item: Item | None, *, text: str = "") -> int:
        """The file line of what ``item`` shows (or of ``text``), 0 when not found."""
        body_line = 0
        if item is not None:
            # a labelled figure or table first: its caption's text is not the Markdown's
            labelled = (self.label(e) for _, e in reversed(item.elements))
            body_line = next((self.labels[label] for label in labelled if label in self.labels), 0)
            for tag, element in reversed(item.elements):
                if body_line:
                    break
                if tag in HEADINGS:
                    key = _key(_text(element))
                    body_line = next((n for k, n in self.headings if k == key), 0)
                    break
                if tag in ("p", "li", "pre", "td", "th", "dd", "blockquote", "caption"):
                    text = text or _text(element)
                    break
        if not body_line and text:
            body_line = self.find(text)
        return body_line + self.chapter.body_line - 1 if body_line else 0

    def find(self, text: str) -> int:
        words = [w for w in re.findall(r"\w+", text)][:6]
        for count in range(len(words), 1, -1):
            pattern = r"\W+(?:\w+\W+)??".join(re.escape(w) for w in words[:count])
            found = re.search(pattern, self.chapter.body)
            if found:
                return self.chapter.body.count("\n", 0, found.start()) + 1
        return 0


def _key(text: str) -> str:
    return "".join(re.findall(r"\w+", text.lower()))


# --- the rules ---------------------------------------------------------------------------------

Found = tuple[int, str, Item | None, str]
"""(page, message, the item to locate, text to locate instead)."""
Check = Callable[[Reading, Locator], Iterable[Found]]


def _name(kind: str, element: Any, caption: str, locator: Locator, *, number: bool) -> str:
    """'Table 2' (``number``: the caption's lead first) or "table 'tbl:x'" (the label first)."""
    label = locator.label(element)
    lead = re.match(r"(Table|Figure|Fig\.)\s+[A-Z]?\d+", caption)
    labelled = f"{kind} '{label}'" if label.startswith(("tbl:", "fig:")) else ""
    first, second = (lead[0] if lead else "", labelled) if number else (labelled, lead and lead[0])
    return first or second or kind


def caption_separated(reading: Reading, locator: Locator) -> Iterable[Found]:
    found: dict[int, tuple[str, Any, list[Item], list[Item]]] = {}
    for item in reading.items:
        for whole in ("table", "figure"):
            element = item.element(whole)
            if element is None or item.header:
                continue
            _, _, captions, bodies = found.setdefault(id(element), (whole, element, [], []))
            (captions if item.element(*_CAPTIONS) is not None else bodies).append(item)
            break
    for whole, element, captions, bodies in found.values():
        if not captions or not bodies:
            continue
        # a table's caption is above it, a figure's below
        caption, body = (captions[-1], bodies[0]) if whole == "table" else (captions[0], bodies[-1])
        here, there = caption.region, body.region
        if (here.page, here.side) == (there.page, there.side):
            continue
        captioned = _text(caption.element(*_CAPTIONS))
        name = _name(whole, element, captioned, locator, number=True)
        message = f"caption of {name} on page {here.page}, its {whole} on page {there.page}"
        if here.page == there.page:
            message = (
                f"caption of {name} in the {here.side} of page {here.page}, "
                f"its {whole} in the {there.side}"
            )
        yield here.page, message, body, ""


_CAPTIONS = ("caption", "figcaption")


def table_split(reading: Reading, locator: Locator) -> Iterable[Found]:
    tables: dict[int, tuple[Any, list[tuple[Region, int]], Item]] = {}
    for item in reading.items:
        if item.kind != "row" or item.header:
            continue
        element = item.element("table")
        _, parts, _ = tables.setdefault(id(element), (element, [], item))
        if parts and parts[-1][0] is item.region:
            parts[-1] = (item.region, parts[-1][1] + 1)
        else:
            parts.append((item.region, 1))
    for element, parts, first in tables.values():
        total = sum(n for _, n in parts)
        name = _name("table", element, _text(first.element("caption")), locator, number=False)
        for (here, before), (there, after) in pairwise(parts):
            if total > KEEP_WHOLE and before >= MIN_ROWS and after >= MIN_ROWS:
                continue
            rows = f"{before} row{'s' if before != 1 else ''}"
            message = f"{name} split after {rows} on page {here.page}"
            if after < MIN_ROWS:
                rest = f"{after} row{'s' if after != 1 else ''}"
                elsewhere = f"page {there.page}" if there.page != here.page else f"the {there.side}"
                message += f", leaving {rest} for {elsewhere}"
            yield here.page, message, first, ""
            break


def heading_at_foot(reading: Reading, locator: Locator) -> Iterable[Found]:
    last = reading.items[-1].region if reading.items else None
    for region in reading.regions:
        if region is last or not region.items:
            continue
        item = region.items[-1]
        heading = item.element(*HEADINGS)
        if heading is not None:
            name = _snippet(_text(heading))
            yield region.page, f"heading '{name}' alone at the foot of {region.where()}", item, ""


def column_hole(reading: Reading, locator: Locator) -> Iterable[Found]:
    floats = _floats(reading)
    for region, hole in holes(reading):
        where = f"below the wide block on page {region.page}"
        if region.side != "full width":
            where = f"at the foot of the {region.side} of page {region.page}"
            if not region.foot:
                where += " (above a wide block)"
        message = f"{hole / PX_PER_MM:.0f} mm empty {where}"
        item = region.items[-1] if region.items else None
        culprit = hole_culprit(reading, region)
        if culprit is not None and culprit in floats:
            # located at the float that went on: that is what an author can move
            item = floats[culprit]
            message += f": {_float_name(item, locator)} did not fit and went on"
        yield region.page, message, item, ""


def _floats(reading: Reading) -> dict[int, Item]:
    """Each float's first item."""
    first: dict[int, Item] = {}
    for item in reading.items:
        if item.float is not None:
            first.setdefault(item.float, item)
    return first


def _float_name(item: Item, locator: Locator) -> str:
    for whole in ("table", "figure"):
        element = item.element(whole)
        if element is not None:
            caption = _text(element.find(".//caption") if whole == "table" else None)
            if whole == "figure":
                caption = _text(element.find(".//figcaption"))
            return _name(whole, element, caption, locator, number=True)
    return "a float"


def column_top(reading: Reading, locator: Locator) -> Iterable[Found]:
    """A column whose first line (or image, or row) starts below the column's top: out of
    register with the column beside it (a margin kept at the top of a column)."""
    for region in reading.regions:
        if not region.side.endswith("column") or not region.items:
            continue
        first = region.items[0]
        drop = region.head - region.top
        if drop > TOLERANCE:
            where = f"the {region.side} of page {region.page}"
            yield region.page, f"{drop * PT_PER_PX:.0f} pt space at the top of {where}", first, ""


def overflow(reading: Reading, locator: Locator) -> Iterable[Found]:
    from weasyprint.formatting_structure.boxes import AtomicInlineLevelBox, TextBox

    worst: dict[tuple[int, int], tuple[float, str, Item]] = {}
    for item in [*reading.items, *reading.tables]:
        region, box = item.region, item.box
        if item.kind == "row":
            continue
        if item.kind == "line":
            leaves = [
                b
                for b in box.descendants()
                if isinstance(b, TextBox | AtomicInlineLevelBox) and b.width
            ]
            if not leaves:
                continue
            left = min(b.position_x for b in leaves)
            right = max(b.position_x + b.margin_width() for b in leaves)
        else:
            left, right = box.position_x, box.position_x + box.margin_width()
        over = max(region.left - left, right - region.right)
        if over <= TOLERANCE or _too_wide(item):
            continue  # (a table too wide for the page is the rule below)
        block = item.element("table") if item.kind == "table" else box.element
        if item.kind == "table":
            what = _name("table", block, _text(item.element("caption")), locator, number=False)
        elif item.kind == "image":
            what = "an image"
        else:
            kind = "code line" if item.element("pre") is not None else "line"
            what = f"{kind} '{_snippet(_line_text(box))}'"
        key = (region.page, id(block))
        if key not in worst or worst[key][0] < over:
            worst[key] = (over, what, item)
    for (page, _), (over, what, item) in sorted(worst.items(), key=lambda kv: kv[0][0]):
        room = "its column" if item.region.side.endswith("column") else "the text block"
        yield page, f"{what} runs {over * PT_PER_PX:.0f} pt past {room} on page {page}", item, ""


def _too_wide(item: Item) -> bool:
    """A table set across the page that runs past the text block."""
    return (
        item.kind == "table"
        and item.region.side == "full width"
        and item.box.position_x + item.box.margin_width() - item.region.right > TOLERANCE
    )


def table_too_wide(reading: Reading, locator: Locator) -> Iterable[Found]:
    for item in reading.tables:
        if _too_wide(item):
            over = item.box.position_x + item.box.margin_width() - item.region.right
            name = _name(
                "table",
                item.element("table"),
                _text(item.element("caption")),
                locator,
                number=False,
            )
            message = (
                f"{name} is {over * PT_PER_PX:.0f} pt wider than the page's text block on page "
                f"{item.region.page}, even across the page in small type"
            )
            yield item.region.page, message, item, ""


def hyphen_run(reading: Reading, locator: Locator) -> Iterable[Found]:
    for page, texts in long_runs(reading.document, first_page=reading.start, limit=RUN_LIMIT):
        words = ", ".join(t.split()[-1].replace("\u00ad", "") for t in texts if t.split())
        message = f"{len(texts)} hyphenated line ends in a row on page {page} ({words})"
        yield page, message, None, texts[0]


def short_line(reading: Reading, locator: Locator) -> Iterable[Found]:
    from weasyprint.formatting_structure.boxes import AtomicInlineLevelBox, TextBox

    lines: dict[int, list[Item]] = {}
    for item in reading.items:
        if str(getattr(item.box, "element_tag", "")).endswith("::marker"):
            continue  # a list item's number or bullet
        if item.kind == "line" and item.box.style["text_align_all"] == "justify":
            lines.setdefault(id(item.box.element), []).append(item)
    for paragraph in lines.values():
        for item in paragraph[:-1]:
            box = item.box
            leaves = [
                b
                for b in box.descendants()
                if isinstance(b, TextBox | AtomicInlineLevelBox) and b.width
            ]
            room = item.region.right - box.position_x  # the line box shrinks to its text
            if not leaves or room <= 0:
                continue
            used = max(b.position_x + b.margin_width() for b in leaves) - box.position_x
            if used / room >= SHORT_LINE:
                continue
            text = _line_text(box)
            message = (
                f"short line '{_snippet(text)}' ({used / room:.0%} of its column) "
                f"in a justified paragraph on page {item.region.page}"
            )
            yield item.region.page, message, item, ""


RULES: tuple[tuple[Rule, Check], ...] = (
    (rules.MAKEUP_CAPTION_SEPARATED, caption_separated),
    (rules.MAKEUP_TABLE_SPLIT, table_split),
    (rules.MAKEUP_HEADING_AT_FOOT, heading_at_foot),
    (rules.MAKEUP_COLUMN_HOLE, column_hole),
    (rules.MAKEUP_COLUMN_TOP, column_top),
    (rules.MAKEUP_TABLE_TOO_WIDE, table_too_wide),
    (rules.MAKEUP_OVERFLOW, overflow),
    (rules.MAKEUP_HYPHEN_RUN, hyphen_run),
    (rules.MAKEUP_SHORT_LINE, short_line),
)
"""Each make-up rule (its severity and hint in :mod:`pica_publish.rules`) and its check."""


def preflight(
    laid: LaidOut, chapter: Chapter, start: int, reading: Reading | None = None
) -> list[Fault]:
    """The make-up faults of one laid-out article whose first page is folio ``start`` (its
    pages read here unless the caller has read them already)."""
    reading = reading or read_pages(laid.document, start)
    locator = Locator(chapter)
    faults = set()
    for rule, check in RULES:
        for page, message, item, text in check(reading, locator):
            line = locator.line(item, text=text)
            faults.add(Fault(page, rule.id, chapter.display_path, line, message))
    return sorted(faults)


def report_faults(report: Report, faults: Iterable[Fault]) -> None:
    for fault in faults:
        report.add(rules.get(fault.rule), fault.message, Location(fault.chapter, fault.line))


def preflight_json(faults: Sequence[Fault]) -> bytes:
    counts = {rule.id: 0 for rule, _ in RULES}
    for fault in faults:
        counts[fault.rule] = counts.get(fault.rule, 0) + 1
    data = {"version": 1, "faults": [f.as_json() for f in sorted(faults)], "counts": counts}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_preflight(data: bytes) -> list[Fault]:
    """The faults of a stored ``preflight.json`` ([] if it cannot be read; faults of rules that
    no longer exist are dropped)."""
    try:
        stored = json.loads(data.decode("utf-8"))
        return [
            Fault(int(f["page"]), str(f["rule"]), str(f["chapter"]), int(f["line"]), f["message"])
            for f in stored["faults"]
            if str(f["rule"]) in rules.BY_ID  # a rule since renamed: laid out again later
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
