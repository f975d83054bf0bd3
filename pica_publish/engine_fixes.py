"""Workarounds for two WeasyPrint 70 layout bugs, installed once by :mod:`pica_publish.layout`.

Each wraps one WeasyPrint function (the major version is pinned in pyproject.toml), is marked so
that it is installed only once, and is named in :data:`ENGINE_FIXES`, which is part of the
layout cache key. Tests: ``tests/test_makeup_linebreaks.py`` and ``tests/test_makeup_register.py``.
"""

from __future__ import annotations

import functools
from typing import Any

from weasyprint.css.properties import Dimension
from weasyprint.formatting_structure.boxes import BlockLevelBox
from weasyprint.layout import block as weasyprint_block
from weasyprint.layout import inline as weasyprint_inline

ENGINE_FIXES = ("hanging-trailing-spaces", "column-top-margins")
"""The workarounds applied to WeasyPrint; part of the layout cache key."""


def _hang_trailing_spaces(split_first_line: Any) -> Any:
    """WeasyPrint's ``split_first_line``, letting a text's trailing spaces hang at the line end.

    Works around a WeasyPrint 70 line-breaking bug (the "Stray line break" class, upstream
    Kozea/WeasyPrint#1051): a text run followed by an inline element (a citation, a link,
    italics) ends with the space between them. When the run fits the rest of the line but that
    space does not, Pango keeps it all on one line (trailing spaces hang), yet
    ``split_first_line`` compares the width *with* the space to the room left, decides that "the
    line can't be split earlier" and breaks after the run's first word or first hyphenation
    fragment: "en-" or "and" alone on a line, the sentence going on below. A run that fits once
    its trailing spaces are left out is kept whole here; the line then breaks before the next
    element, which WeasyPrint's overflow check (``trailing_whitespace_size``) already allows.
    """

    @functools.wraps(split_first_line)
    def split(
        text: str, style: Any, context: Any, max_width: float | None, *args: Any, **kwargs: Any
    ) -> Any:
        result = split_first_line(text, style, context, max_width, *args, **kwargs)
        stripped = text.rstrip(" ")
        if (
            result[2] is None  # the whole text is on the line
            or max_width is None
            or style["white_space"] != "normal"
            or stripped in ("", text)
        ):
            return result
        _, _, resume, width, _, _ = split_first_line(
            stripped, style, context, max_width, *args, **kwargs
        )
        if resume is not None or width > max_width:
            return result  # a real break: the text does not fit even without its spaces
        return split_first_line(text, style, context, None, *args, **kwargs)

    split.pica_publish_fix = True  # type: ignore[attr-defined]
    return split


def _truncate_column_top_margins(block_level_layout: Any) -> Any:
    """WeasyPrint's ``block_level_layout``, truncating the top margin of the block that heads a
    column.

    CSS Fragmentation truncates the margins adjoining an unforced break ("margin-break: auto");
    WeasyPrint does it at page breaks only, for children of the root (its own TODO in
    ``block_level_layout``), and never in a column: a heading that starts the second column, or
    the first column under the article header, keeps its 4 mm, and the columns' first lines are
    out of register. Here the block laid out at the very top of a column box, with the first
    blocks nested in it whose margins collapse with it, gets a top margin of 0 for that layout
    (their style is swapped and put back: the same box may head a column in one balancing
    attempt and not in the next). The space above a column segment is the margin of what comes
    before it (the article header, a wide block), which is unchanged.
    """

    @functools.wraps(block_level_layout)
    def level_layout(
        context: Any,
        box: Any,
        bottom_space: Any,
        skip_stack: Any,
        containing_block: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if (
            not getattr(containing_block, "is_column", False)
            or skip_stack is not None  # a continued block: its margin is gone already
            or abs(box.position_y - containing_block.content_box_y()) > 0.01
            or box.style["margin_break"] != "auto"
            or context.forced_break
        ):
            return block_level_layout(
                context, box, bottom_space, skip_stack, containing_block, *args, **kwargs
            )
        chain = _collapsing_first_blocks(box)
        styles = [b.style for b in chain]
        for b in chain:
            b.style = b.style.copy()
            b.style["margin_top"] = Dimension(0, "px")
        try:
            return block_level_layout(
                context, box, bottom_space, skip_stack, containing_block, *args, **kwargs
            )
        finally:
            for b, style in zip(chain, styles, strict=True):
                b.style = style

    level_layout.pica_publish_fix = True  # type: ignore[attr-defined]
    return level_layout


def _collapsing_first_blocks(box: Any) -> list[Any]:
    """``box`` and its first in-flow block children whose top margins collapse with it."""
    chain = [box]
    while True:
        parent = chain[-1]
        children = [c for c in getattr(parent, "children", ()) if c.is_in_normal_flow()]
        if (
            not children
            or not isinstance(children[0], BlockLevelBox)
            or parent.style["padding_top"].value
            or parent.style["border_top_width"]
        ):
            return chain
        chain.append(children[0])


def install() -> None:
    """Install the fixes (once)."""
    if not getattr(weasyprint_inline.split_first_line, "pica_publish_fix", False):
        weasyprint_inline.split_first_line = _hang_trailing_spaces(
            weasyprint_inline.split_first_line
        )
    if not getattr(weasyprint_block.block_level_layout, "pica_publish_fix", False):
        weasyprint_block.block_level_layout = _truncate_column_top_margins(
            weasyprint_block.block_level_layout
        )
