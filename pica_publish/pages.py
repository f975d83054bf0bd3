"""What an article's laid-out pages hold, read once from WeasyPrint's box tree.

The pages are read into *regions* (a column of a ``.columns`` segment, a ``.wide-block`` or the
page's text block) holding *items* (lines, images, table rows) in flow order. The preflight's
rules and the float placement both work on this reading (WeasyPrint's box tree is internal: its
major version is pinned in pyproject.toml and this is the one module that walks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

HOLE_SHARE = 0.07
"""Empty space at a column foot, as a share of the text block's height, that counts as a hole
(about four lines)."""


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

    @property
    def float(self) -> int | None:
        """The number of the float (print_html's ``data-float``) this item belongs to."""
        for _, element in reversed(self.elements):
            number = element.get("data-float")
            if number is not None and number.isdigit():
                return int(number)
        return None


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
    head: float = 0.0
    """Where its first content starts: the border box of its first leaf block, or its first
    line (a margin kept at the column top shows as ``head > top``)."""

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
            region.head = _head(box)
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

    from pica_publish.layout import page_boxes

    for index, page_box in enumerate(page_boxes(document)):
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


def _head(column: Any) -> float:
    """The top of the first content in ``column``: down its first children to a line, an image,
    a table or an empty block."""
    from weasyprint.formatting_structure.boxes import LineBox

    box = column
    while True:
        children = getattr(box, "children", ())
        if not children or isinstance(box, LineBox) or getattr(box, "element_tag", "") == "table":
            break
        box = children[0]
    if isinstance(box, LineBox) or box is column:
        return float(box.position_y)
    return float(box.position_y + box.margin_top)


def holes(reading: Reading) -> Iterator[tuple[Region, float]]:
    """Regions whose foot is left empty by more than :data:`HOLE_SHARE` of the text block, with
    the empty height: at the foot of the page, or above the wide block below them (columns
    balanced badly: a float filled one of them). The article's last columns are balanced to
    their longer one, so only a badly balanced one of them counts."""
    last = reading.items[-1].region if reading.items else None
    for region in reading.regions:
        if region is last:
            continue
        hole = region.limit - region.bottom
        if hole > HOLE_SHARE * reading.heights[region.page]:
            yield region, hole


def hole_culprit(reading: Reading, region: Region) -> int | None:
    """The float that left ``region``'s foot empty: the first float after it in the flow that
    starts a region of its own (it did not fit and went on), on this page or the next, before
    any text that went on first. None if text, not a float, went on."""
    if not region.items:
        return None
    position = reading.items.index(region.items[-1])
    for item in reading.items[position + 1 :]:
        if item.region.page > region.page + 1:
            break
        number = item.float
        if number is not None and item is item.region.items[0]:
            return number
        if item.region.page > region.page and number is None:
            break  # text went on first
    return None


def nearby_floats(reading: Reading, region: Region) -> list[int]:
    """The floats that start on ``region``'s page or the next, nearest first: for a hole that
    text, not a float, left (a heading kept with its text went on), moving one of them changes
    what text falls where."""
    starts: dict[int, Item] = {}
    for item in reading.items:
        if item.float is not None and item.region.page in (region.page, region.page + 1):
            starts.setdefault(item.float, item)
    return sorted(starts, key=lambda n: (starts[n].region.page != region.page, n))


def hole_total(reading: Reading) -> float:
    """The empty height at column feet, in CSS pixels, over the article."""
    return sum(hole for _, hole in holes(reading))
