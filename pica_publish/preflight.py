"""Layout preflight: make-up faults read from the laid-out pages of every article.

After each layout the page boxes of an article (WeasyPrint's box tree, pinned major version) are
read once into *regions* (a column of a ``.columns`` segment, a ``.wide-block`` or the page's
text block) holding *items* (lines, images, table rows) in flow order. Each rule is a small
function over that reading; the rules are data (:data:`RULES`). A fault names the printed page
(the folio) and, where it can be found, the chapter line; it becomes a warning, and the faults of
the issue are written to ``preflight.json`` (and kept with the layout cache, so that an unchanged
issue reports them again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pica_publish.diagnostics import Location, Report
from pica_publish.hyphenation_report import RUN_LIMIT, long_runs
from pica_publish.markdown import scan_body
from pica_publish.model import Chapter

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

HOLE_SHARE = 0.07
"""Empty space at a column foot, as a share of the text block's height, that counts as a hole
(the threshold of ``layout.wide_block_gaps``: about four lines)."""
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

HINTS = {
    "makeup-caption-separated": "move the table or figure in the text, or shorten the text before it",
    "makeup-table-split": "move the table in the text, shorten the text before it or mark it .wide",
    "makeup-heading-at-foot": "shorten or lengthen the text before the heading",
    "makeup-column-hole": "a block that did not fit went on; move it or shorten the text before it",
    "makeup-overflow": "break the long line (code: wrap it; a table: fewer or narrower columns)",
    "makeup-hyphen-run": "rephrase one of the lines, or add a word to the hyphenation exceptions",
    "makeup-short-line": "a long word or link could not be broken: add a soft hyphen or rephrase",
}


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


@dataclass
class Item:
    """A line, an image or a table row (or a table, in :attr:`Reading.tables`) on a page."""

    kind: str
    box: Any
    region: Region
    elements: tuple[tuple[str, Any], ...]
    """(tag, html element) of the box and its ancestors, outermost first."""
    header: bool = False
    """A repeated table header or footer row."""

    @property
    def top(self) -> float:
        return float(self.box.position_y)

    @property
    def bottom(self) -> float:
        return float(self.box.position_y + self.box.margin_height())

    def element(self, *tags: str) -> Any:
        """The innermost ancestor element with one of ``tags``, or None."""
        return next((e for tag, e in reversed(self.elements) if tag in tags), None)


@dataclass(eq=False)
class Region:
    page: int
    """The folio."""
    side: str
    """'left column', 'right column', 'full width' (a wide block) or 'page'."""
    group: int
    """Which fragment it belongs to (the columns of one ``.columns`` fragment share it)."""
    left: float
    right: float
    top: float
    items: list[Item] = field(default_factory=list)
    limit: float = 0.0
    """Where the room for it ends: the next block below it, or the foot of the main flow."""

    foot: bool = False
    """Nothing follows it on the page: its room ends at the foot of the main flow."""
    blocks: float = 0.0
    """Where the blocks in it end (a spacer or an empty box holds no item)."""

    @property
    def bottom(self) -> float:
        return max([self.top, self.blocks, *(i.bottom for i in self.items)])

    def where(self) -> str:
        if self.side == "left column":
            return f"the left column of page {self.page}"
        return f"page {self.page}"


@dataclass
class Reading:
    """An article's pages as the rules see them."""

    document: Any
    start: int
    regions: list[Region]
    items: list[Item]
    tables: list[Item]
    heights: dict[int, float]
    """Text block height per folio."""


def read_pages(document: Any, start: int) -> Reading:
    from weasyprint.formatting_structure.boxes import (
        FootnoteAreaBox,
        LineBox,
        MarginBox,
        ReplacedBox,
        TableBox,
        TableRowBox,
    )

    reading = Reading(document, start, [], [], [], {})

    def walk(box: Any, region: Region, elements: tuple[tuple[str, Any], ...]) -> None:
        element = getattr(box, "element", None)
        if element is not None and (not elements or elements[-1][1] is not element):
            elements = (*elements, (str(getattr(box, "element_tag", "")), element))
        tag = elements[-1][0] if elements else ""
        page = region.page
        if getattr(box, "is_column", False):
            middle = (page_left + page_right) / 2
            side = "left column" if box.position_x < middle else "right column"
            right = box.position_x + box.width
            group = id(parent_of[id(box)])
            region = Region(page, side, group, box.position_x, right, box.position_y)
            region.blocks = max(
                (c.position_y + c.margin_height() - c.margin_bottom for c in box.children),
                default=region.top,
            )
            reading.regions.append(region)
        elif (
            tag == "div"
            and region.side != "full width"
            and "wide-block" in (elements[-1][1].get("class") or "").split()
        ):
            region = Region(page, "full width", id(box), page_left, page_right, box.position_y)
            region.blocks = box.position_y + box.margin_height() - box.margin_bottom
            reading.regions.append(region)
        if isinstance(box, LineBox | ReplacedBox | TableRowBox):
            kind = "line" if isinstance(box, LineBox) else "row" if tag == "tr" else "image"
            group = parent_of[id(box)]
            header = kind == "row" and bool(group.is_header or group.is_footer)
            item = Item(kind, box, region, elements, header)
            region.items.append(item)
            reading.items.append(item)
            return
        if isinstance(box, TableBox):
            reading.tables.append(Item("table", box, region, elements))
        for child in getattr(box, "children", ()):
            parent_of[id(child)] = box
            walk(child, region, elements)

    for index, page in enumerate(document.pages):
        page_box = page._page_box
        page_left = page_box.content_box_x()
        page_right = page_left + page_box.width
        top = page_box.content_box_y()
        flow_bottom = top + page_box.height
        folio = start + index
        reading.heights[folio] = page_box.height
        first = len(reading.regions)
        parent_of: dict[int, Any] = {}
        page_region = Region(folio, "page", -1, page_left, page_right, top)
        for child in page_box.children:
            if isinstance(child, FootnoteAreaBox):
                if child.children:
                    flow_bottom = min(flow_bottom, child.position_y)
                continue
            if not isinstance(child, MarginBox):
                parent_of[id(child)] = page_box
                walk(child, page_region, ())
        regions = reading.regions[first:]
        for region in regions:
            below = [r.top for r in regions if r.group != region.group and r.top > region.top + 1]
            region.limit = min(below, default=flow_bottom)
            region.foot = not below
    if reading.items:  # the article's end: its last columns are balanced, not filled
        last = reading.items[-1].region
        final = [r for r in reading.regions if r.group == last.group and r.page == last.page]
        for region in final:
            region.limit = max(r.bottom for r in final)
    return reading


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
            for tag, element in reversed(item.elements):
                label = self.label(element)
                if label in self.labels:
                    body_line = self.labels[label]
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
Rule = Callable[[Reading, Locator], Iterable[Found]]


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
    last = reading.items[-1].region if reading.items else None
    for region in reading.regions:
        if region is last or not region.foot:
            continue  # the article ends there; columns above a wide block end where it starts
        hole = region.limit - region.bottom
        if hole <= HOLE_SHARE * reading.heights[region.page]:
            continue
        where = f"below the wide block on page {region.page}"
        if region.side != "full width":
            where = f"at the foot of the {region.side} of page {region.page}"
        item = region.items[-1] if region.items else None
        yield region.page, f"{hole / PX_PER_MM:.0f} mm empty {where}", item, ""


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
        if over <= TOLERANCE:
            continue
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


RULES: tuple[tuple[str, Rule], ...] = (
    ("makeup-caption-separated", caption_separated),
    ("makeup-table-split", table_split),
    ("makeup-heading-at-foot", heading_at_foot),
    ("makeup-column-hole", column_hole),
    ("makeup-overflow", overflow),
    ("makeup-hyphen-run", hyphen_run),
    ("makeup-short-line", short_line),
)


def preflight(laid: LaidOut, chapter: Chapter, start: int) -> list[Fault]:
    """The make-up faults of one laid-out article whose first page is folio ``start``."""
    reading = read_pages(laid.document, start)
    locator = Locator(chapter)
    faults = set()
    for rule, check in RULES:
        for page, message, item, text in check(reading, locator):
            line = locator.line(item, text=text)
            faults.add(Fault(page, rule, chapter.display_path, line, message))
    return sorted(faults)


def report_faults(report: Report, faults: Iterable[Fault]) -> None:
    for fault in faults:
        report.warning(
            fault.rule,
            fault.message,
            Location(fault.chapter, fault.line),
            HINTS.get(fault.rule, ""),
        )


def preflight_json(faults: Sequence[Fault]) -> bytes:
    counts = {rule: 0 for rule, _ in RULES}
    for fault in faults:
        counts[fault.rule] = counts.get(fault.rule, 0) + 1
    data = {"version": 1, "faults": [f.as_json() for f in sorted(faults)], "counts": counts}
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_preflight(data: bytes) -> list[Fault]:
    """The faults of a stored ``preflight.json`` ([] if it cannot be read)."""
    try:
        stored = json.loads(data.decode("utf-8"))
        return [
            Fault(int(f["page"]), str(f["rule"]), str(f["chapter"]), int(f["line"]), f["message"])
            for f in stored["faults"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
