"""Automatic make-up fixes, the way a layouter acts on a first proof.

After an article is laid out, its pages are read (:mod:`pica_publish.pages`) and two kinds of
fault are fixed by laying it out again with a :class:`Placement`:

- **a hole at a column foot left by a float** (a figure or table, in the columns or across the
  page, that did not fit and went on): the float is moved down past the next text block, so the
  text fills the hole and the float heads the next column or page, as a float would (or, last
  in its article, up before the text above it);
- **a run of more than two hyphenated line ends**: the paragraph holding it hyphenates less
  (only long words, then only at the house's soft hyphens), as a layouter would re-break it.

A candidate layout is kept only if the judge (the preflight: fewer faults, then fewer pages,
then less empty space) says it is better; the tries are bounded, so an article costs at most
:data:`MAX_TRIES` extra layouts, and an article without such faults costs none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pica_publish.hyphenation_report import long_run_elements
from pica_publish.pages import hole_culprit, holes, read_pages

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

LOGGER = logging.getLogger("pica_publish")

MAX_TRIES = 6
"""Extra layouts an article may take to fix its faults."""
STEPS = (1, 2, 3, -1, -2)
"""The moves tried for a float that left a hole, in order: down past 1–3 text blocks, then up
past 1–2 (a float that cannot go down, last in its article). The first that helps is kept."""
TIGHTER = (
    "",
    "hyphenate-limit-chars: 9 4 4",  # long words only, 4 letters either side of the break
    "hyphens: manual",  # only at soft hyphens (the house exceptions, authors' own)
)
"""Hyphenation settings of a paragraph that holds a hyphen run, by level."""


@dataclass(frozen=True)
class Placement:
    """What the layout of an article changes from its source order and style."""

    deferrals: tuple[tuple[int, int], ...] = ()
    """(float number, text blocks it moves down), sorted."""
    tightened: tuple[tuple[str, int], ...] = ()
    """(CSS selector of a paragraph, level in :data:`TIGHTER`), sorted."""

    @property
    def deferral_map(self) -> dict[int, int]:
        return dict(self.deferrals)

    def defer(self, number: int, steps: int) -> Placement:
        moved = self.deferral_map
        moved[number] = moved.get(number, 0) + steps
        return Placement(tuple(sorted(moved.items())), self.tightened)

    def tighten(self, selectors: list[str]) -> Placement:
        levels = dict(self.tightened)
        for selector in selectors:
            levels[selector] = min(levels.get(selector, 0) + 1, len(TIGHTER) - 1)
        return Placement(self.deferrals, tuple(sorted(levels.items())))

    def level(self, selector: str) -> int:
        return dict(self.tightened).get(selector, 0)

    def css(self) -> str:
        """The style rules of the tightened paragraphs (selectors are element paths)."""
        return "".join(f"{sel} {{ {TIGHTER[level]}; }}\n" for sel, level in self.tightened)


Score = tuple[Any, ...]
"""Smaller is better (compared as tuples)."""


def place(
    laid: LaidOut,
    lay_out: Callable[[Placement], LaidOut | None],
    judge: Callable[[LaidOut], Score],
) -> tuple[LaidOut, Placement]:
    """The best layout found for an article first laid out as ``laid``, and its placement.

    ``lay_out`` should return the same object for the same HTML and style (the build keeps the
    layouts of one article), so that a move that changes nothing costs no try."""
    best, placement, score = laid, Placement(), judge(laid)
    tries = 0
    judged = {id(laid)}

    def attempt(trial: Placement, what: str) -> bool:
        nonlocal best, placement, score, tries
        candidate = lay_out(trial)
        if candidate is None or id(candidate) in judged:
            # the same HTML as a layout tried before (``lay_out`` keeps them): the move changed
            # nothing (a float that cannot pass the next float), and cost nothing
            return False
        judged.add(id(candidate))
        tries += 1
        candidate_score = judge(candidate)
        LOGGER.debug("    tried: %s, %s (was %s)", what, candidate_score, score)
        if candidate_score >= score:
            return False
        best, placement, score = candidate, trial, candidate_score
        LOGGER.info("    %s", what)
        return True

    stuck: set[int] = set()
    while tries < MAX_TRIES:
        reading = read_pages(best.document, 0)
        culprits = [hole_culprit(reading, region) for region, _ in holes(reading)]
        pending = [c for c in culprits if c is not None and c not in stuck]
        if not pending:
            break
        number = pending[0]
        for steps in STEPS:
            if tries >= MAX_TRIES:
                break
            way = f"down {steps}" if steps > 0 else f"up {-steps}"
            if attempt(placement.defer(number, steps), f"moved float {number + 1} {way}"):
                # the text it let up may leave a hole of its own: one block further, while
                # that helps
                step = 1 if steps > 0 else -1
                while tries < MAX_TRIES and attempt(
                    placement.defer(number, step), f"moved float {number + 1} on by 1"
                ):
                    pass
                break
        else:
            stuck.add(number)
    for _round in range(2):
        root = _root(best)
        if root is None or tries >= MAX_TRIES:
            break
        selectors = [_path(root, element) for element in long_run_elements(best.document)]
        todo = [s for s in selectors if s and placement.level(s) < len(TIGHTER) - 1]
        if not todo:
            break
        if not attempt(placement.tighten(todo), f"re-broke {len(todo)} paragraph(s)"):
            if tries < MAX_TRIES:  # long words only was not enough: soft hyphens only
                attempt(placement.tighten(todo).tighten(todo), f"re-broke {len(todo)} paragraph(s)")
            break
    return best, placement


def _root(laid: LaidOut) -> Any:
    """The document's root element (``<html>``)."""
    pages = laid.document.pages
    if not pages or not pages[0]._page_box.children:
        return None
    return getattr(pages[0]._page_box.children[0], "element", None)


def _path(root: Any, target: Any) -> str:
    """A CSS selector for ``target`` that no other element matches: its path of ``:nth-child``
    steps from the root (the HTML is the same at the next layout, so the path is too)."""

    def walk(element: Any, path: list[str]) -> list[str] | None:
        if element is target:
            return path
        children = [c for c in element if isinstance(c.tag, str)]
        for number, child in enumerate(children, start=1):
            found = walk(child, [*path, f"{child.tag}:nth-child({number})"])
            if found is not None:
                return found
        return None

    found = walk(root, [str(root.tag)])
    return " > ".join(found) if found else ""
