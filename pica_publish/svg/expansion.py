"""The bound on ``<use>`` and ``url(#id)`` expansion: reference cycles and documents that
draw too many elements once every reference is replaced by what it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lxml import etree

from pica_publish.svg.allowlist import HREFS, MAX_EXPANDED, XML_NS
from pica_publish.svg.common import SvgProblem, _decoded_css, _problem, _short

COPIES = frozenset({"use", "feImage", "pattern", "filter"})
"""Elements that draw a copy of what their ``href`` names (``<use>``, or a template)."""
REFERENCE_KINDS = {
    "clip-path": "once",
    "mask": "once",
    "filter": "once",
    "fill": "every",
    "stroke": "every",
    "marker-start": "every",
    "marker-end": "every",
    "marker": "vertex",
    "marker-mid": "vertex",
}
"""Properties that draw another element, and how often: once for the element that names it,
for every element below it (inherited), or at every vertex below it (markers)."""
NOT_DRAWN = frozenset({"linearGradient", "radialGradient"})
"""Paint servers that cost the same however many stops they have: not counted."""

_DECLARATION = re.compile(r"([A-Za-z-]+)\s*:\s*([^;{}]*)")
_FRAGMENT_URL = re.compile(r"url\s*\(\s*['\"]?\s*#([^)'\"\s]*)", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class _Cycle(Exception):
    def __init__(self, path: list[int]) -> None:
        super().__init__("cycle")
        self.path = path


class _TooLarge(Exception):
    pass


def _expansion_problem(root: Any) -> SvgProblem | None:
    """A reference cycle, or more than :data:`MAX_EXPANDED` elements once references expand.

    First ``<use>`` (and the other elements that copy what they refer to: ``<feImage>``,
    pattern and filter templates) as if each were replaced by a copy of its target; then, as
    renderers draw them, clip paths, masks, filters, patterns and markers named by ``url(#id)``:
    once per element for ``clip-path``, ``mask`` and ``filter``, for every element below for
    inherited ``fill``/``stroke``, at every vertex below for markers, and for every element of
    the file when named from a ``<style>`` element. Each size is computed once, depth first,
    without recursion.
    """
    graph = _Graph.of(root)
    plain = [
        [(child, 1) for child in children] + [(target, 1) for target in uses]
        for children, uses in zip(graph.children, graph.uses, strict=True)
    ]
    try:
        base = _expanded_sizes(plain, [1] * len(plain), MAX_EXPANDED)
    except _Cycle as cycle:
        number = next((n for n in reversed(cycle.path) if graph.use_labels[n]), 0)
        label = _short(graph.use_labels[number])
        return _problem(f"has a <use> cycle through '{label}'", graph.elements[number])
    except _TooLarge:
        return SvgProblem(f"expands to more than {MAX_EXPANDED} elements through <use>")
    vertices = _expanded_sizes(plain, graph.numbers, None)

    def weight(number: int, kind: str) -> int:
        if kind == "once":
            return 1
        return vertices[number] + 1 if kind == "vertex" else base[number]

    drawn = [list(edges) for edges in plain]
    for number, refs in enumerate(graph.refs):
        drawn[number].extend((target, weight(number, kind)) for target, kind in refs)
    everywhere = {"once": "every", "every": "every", "vertex": "vertex"}
    drawn[0].extend((target, weight(0, everywhere[kind])) for target, kind in graph.style_refs)
    try:
        _expanded_sizes(drawn, [1] * len(drawn), MAX_EXPANDED)
    except _Cycle as cycle:
        number = next((n for n in reversed(cycle.path) if graph.ref_labels[n]), 0)
        label = _short(graph.ref_labels[number] or graph.use_labels[number])
        return _problem(f"has a cycle of references through '{label}'", graph.elements[number])
    except _TooLarge:
        return SvgProblem(
            f"expands to more than {MAX_EXPANDED} elements through clip paths, masks, "
            "patterns or markers"
        )
    return None


@dataclass
class _Graph:
    """The elements of a document in order, and what each one draws besides its children."""

    elements: list[Any]
    children: list[list[int]]
    uses: list[list[int]]
    """Targets of ``href`` on :data:`COPIES` elements (both ``href`` and ``xlink:href``)."""
    refs: list[list[tuple[int, str]]]
    """(target, kind) for each ``url(#id)`` in a :data:`REFERENCE_KINDS` property."""
    style_refs: list[tuple[int, str]]
    """The same, from ``<style>`` elements (they may apply to any element)."""
    numbers: list[int]
    """How many numbers the element's ``d`` or ``points`` has: at least its vertex count."""
    use_labels: list[str]
    ref_labels: list[str]

    @classmethod
    def of(cls, root: Any) -> _Graph:
        elements = list(root.iter(etree.Element))
        index = {element: number for number, element in enumerate(elements)}
        ids: dict[str, int] = {}
        for number, element in enumerate(elements):
            for key in ("id", f"{{{XML_NS}}}id"):
                if (value := element.get(key)) is not None:
                    ids.setdefault(value, number)

        def targets(fragment: str) -> set[int]:
            found = {ids.get(fragment), ids.get(unquote(fragment))}
            return {target for target in found if target is not None}

        def references(declarations: list[tuple[str, str]]) -> tuple[list[tuple[int, str]], str]:
            found, label = [], ""
            for name, value in declarations:
                kind = REFERENCE_KINDS.get(name.strip().lower())
                if kind is None or "url" not in value.lower():
                    continue
                for fragment in _FRAGMENT_URL.findall(value):
                    for target in targets(fragment):
                        if etree.QName(elements[target]).localname not in NOT_DRAWN:
                            found.append((target, kind))
                            label = label or f"url(#{fragment})"
            return found, label

        graph = cls(elements, [], [], [], [], [], [], [])
        for element in elements:
            qname = etree.QName(element)
            graph.children.append([index[child] for child in element if isinstance(child.tag, str)])
            uses: list[int] = []
            use_label = ""
            if qname.localname in COPIES:
                for attribute in HREFS:  # both: renderers differ in which one wins
                    href = str(element.get(attribute, "")).strip()
                    if href.startswith("#"):
                        uses.extend(targets(href[1:]))
                        use_label = use_label or href
            graph.uses.append(uses)
            graph.use_labels.append(use_label)
            declarations = [(str(name), str(value)) for name, value in element.attrib.items()]
            if style := element.get("style"):
                declarations += _DECLARATION.findall(_decoded_css(style))
            refs, ref_label = references(declarations)
            graph.refs.append(refs)
            graph.ref_labels.append(ref_label)
            if qname.localname == "style":
                css = _decoded_css("".join(element.itertext()))
                graph.style_refs.extend(references(_DECLARATION.findall(css))[0])
            numbers = sum(len(_NUMBER.findall(element.get(key, ""))) for key in ("d", "points"))
            graph.numbers.append(numbers + (2 if qname.localname == "line" else 0))
        return graph


def _expanded_sizes(
    successors: list[list[tuple[int, int]]], own: list[int], limit: int | None
) -> list[int]:
    """``size[n] = own[n] + sum(weight * size[target])`` over ``successors[n]``, from node 0.

    Depth first without recursion, each node once. Raises :class:`_Cycle` (with the path of
    nodes being expanded) or :class:`_TooLarge` as soon as a size passes ``limit``.
    """
    new, expanding, finished = 0, 1, 2
    state = [new] * len(successors)
    size = [0] * len(successors)
    state[0] = expanding
    stack = [(0, iter(successors[0]))]
    while stack:
        number, pending = stack[-1]
        for following, _ in pending:
            if state[following] == expanding:
                raise _Cycle([frame for frame, _ in stack])
            if state[following] == new:
                state[following] = expanding
                stack.append((following, iter(successors[following])))
                break
        else:
            stack.pop()
            total = own[number] + sum(
                weight * size[target] for target, weight in successors[number]
            )
            if limit is not None and total > limit:
                raise _TooLarge
            size[number] = total
            state[number] = finished
    return size
