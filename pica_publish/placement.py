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
:data:`MAX_TRIES` + :data:`MAX_RUN_TRIES` extra layouts, and an article without such faults
costs none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pica_publish.hyphenation_report import long_run_elements
from pica_publish.pages import hole_culprit, holes, nearby_floats, read_pages

if TYPE_CHECKING:
    from pica_publish.layout import LaidOut

LOGGER = logging.getLogger("pica_publish")

MAX_TRIES = 6
"""Extra layouts an article may take to fix its faults."""
MAX_RUN_TRIES = 2
"""Extra layouts an article may take to re-break paragraphs with hyphen runs."""

Move = Callable[["Placement", int], "Placement"]
Score = tuple[Any, ...]
"""Smaller is better (compared as tuples)."""
"""A move of floats, given the placement to change and how many text blocks beyond one."""


def _moves(number: int) -> list[tuple[str, Move]]:
    """The moves tried for float ``number`` when it left a hole, in order; the first that helps
    is kept (and repeated while it helps): down past 1–3 text blocks; down together with the
    float after it, which blocks it (that one first, so this one can follow); up past 1–2, for
    a float that cannot go down (last in its article)."""
    name, after = f"float {number + 1}", f"floats {number + 1} and {number + 2}"

    def down(k: int) -> Move:
        return lambda p, extra: p.defer(number, k * extra or 1)

    def down_with_next(k: int) -> Move:
        return lambda p, extra: p.defer(number + 1, k * extra or 1).defer(
            number, (k + 1) * extra or 1
        )

    def up(k: int) -> Move:
        return lambda p, extra: p.defer(number, -(k * extra or 1))

    moves = [(f"moved {name} down {k}", down(k)) for k in (1, 2, 3)]
    moves += [(f"moved {after} down {k}", down_with_next(k)) for k in (1, 2)]
    moves += [(f"moved {name} up {k}", up(k)) for k in (1, 2)]
    return moves


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


@dataclass(frozen=True, eq=False)
class Trial:
    """What the search (:func:`place`) needs to know of one layout of an article: its score,
    and what to try next. The layout itself is opaque here: a WeasyPrint layout made in this
    process, or a part laid out and written by another (``lay_out_ahead`` in the typeset
    stage), whose document cannot leave it."""

    layout: Any
    score: Score
    """Smaller is better (the judge's)."""
    culprits: tuple[int, ...]
    """The floats to move, in the order to try them: those that left a hole at a column foot,
    then, for a hole that text left, the floats near it (moving one moves text)."""
    holes: bool
    """Whether a column foot is left empty."""
    long_runs: tuple[str, ...]
    """The CSS selectors (element paths) of the paragraphs holding a hyphen run."""


def summarise(laid: LaidOut, score: Score) -> Trial:
    """The :class:`Trial` of a layout made here, from its pages."""
    reading = read_pages(laid.document, 0)
    found = [(region, hole_culprit(reading, region)) for region, _ in holes(reading)]
    culprits = [c for _, c in found if c is not None]
    culprits += [n for region, c in found if c is None for n in nearby_floats(reading, region)]
    root = _root(laid)
    selectors = [_path(root, e) for e in long_run_elements(laid.document)] if root else []
    return Trial(laid, score, tuple(culprits), bool(found), tuple(selectors))


@dataclass(frozen=True)
class Search:
    """What :func:`place` found."""

    best: Trial
    placement: Placement
    """The best layout's placement."""
    tried: tuple[Placement, ...]
    """Every placement laid out after the first, in the order they were tried: the next
    search of the same article (after an edit) most likely tries them again, so they can be
    laid out ahead, on another core."""


def place(first: Trial, lay_out: Callable[[Placement], Trial | None]) -> Search:
    """The best layout found for an article first laid out as ``first``, its placement, and
    what was tried.

    ``lay_out`` should return the same object for the same HTML and style (the build keeps the
    layouts of one article), so that a move that changes nothing costs no try."""
    best, placement = first, Placement()
    tries = 0
    judged = {id(first)}
    tried: list[Placement] = []

    def attempt(trial: Placement, what: str) -> bool:
        nonlocal best, placement, tries
        candidate = lay_out(trial)
        if candidate is None or id(candidate) in judged:
            # the same HTML as a layout tried before (``lay_out`` keeps them): the move changed
            # nothing (a float that cannot pass the next float), and cost nothing
            return False
        judged.add(id(candidate))
        tried.append(trial)
        tries += 1
        LOGGER.debug("    tried: %s, %s (was %s)", what, candidate.score, best.score)
        if candidate.score >= best.score:
            return False
        best, placement = candidate, trial
        LOGGER.info("    %s", what)
        return True

    stuck: set[int] = set()
    while tries < MAX_TRIES:
        pending = [c for c in best.culprits if c not in stuck]
        if not pending:
            break
        number = pending[0]
        for what, move in _moves(number):
            if tries >= MAX_TRIES:
                break
            if attempt(move(placement, 1), what):
                # the text it let up may leave a hole of its own: one block further, while
                # that helps (and there is a hole left)
                while (
                    tries < MAX_TRIES
                    and best.holes
                    and attempt(move(placement, 0), f"{what}, and on by 1")
                ):
                    pass
                break
        else:
            stuck.add(number)
    levels = 1  # how much tighter than now a try sets the paragraphs
    for _try in range(MAX_RUN_TRIES):
        todo = [s for s in best.long_runs if s and placement.level(s) < len(TIGHTER) - 1]
        if not todo:
            break
        trial = placement
        for _level in range(levels):
            trial = trial.tighten(todo)
        if not attempt(trial, f"re-broke {len(todo)} paragraph(s)"):
            levels += 1  # long words only was not enough: soft hyphens only
    return Search(best, placement, tuple(tried))


def _root(laid: LaidOut) -> Any:
    """The document's root element (``<html>``)."""
    from pica_publish.layout import page_boxes

    pages = page_boxes(laid.document)
    if not pages or not pages[0].children:
        return None
    return getattr(pages[0].children[0], "element", None)


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
