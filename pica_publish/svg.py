"""SVG figures are data, not code: an allow-list check and sanitiser for untrusted SVG.

Figures arrive by pull request from authors the journal does not control. An SVG file can run
script in the web edition's origin (``<script>``, ``onload=``, ``javascript:`` links,
``<foreignObject>`` HTML), read or fetch other resources (``<image href="file:…">``, CSS
``url()`` and ``@import``) and stall the layout (entity and ``<use>`` bombs).

:func:`svg_problems` says why a file is refused (``check`` reports it at the image reference);
:func:`clean_svg` rebuilds the document from the allowed elements and attributes only and is
applied to every SVG that goes into either edition, as a second line of defence. Only
same-document references (``#id``) and embedded raster images
(``data:image/png;base64,…``) are allowed, so an SVG's rendering depends on its own bytes only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

MAX_BYTES = 10 * 1024 * 1024
"""Larger files are refused."""
MAX_ELEMENTS = 100_000
"""Files with more elements are refused."""
MAX_EXPANDED = 20_000
"""Files that expand to more elements once every ``<use>`` is replaced are refused."""

METADATA_NAMESPACES = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Flows/1.0/",
        "http://ns.adobe.com/Graphs/1.0/",
        "http://ns.adobe.com/ImageReplacement/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
        "http://ns.adobe.com/xap/1.0/",
        "http://www.bohemiancoding.com/sketch/ns",
    }
)
"""Editor metadata: elements and attributes in these namespaces are dropped, not refused."""

ELEMENTS = frozenset(
    {
        "a",
        "circle",
        "clipPath",
        "defs",
        "desc",
        "ellipse",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feConvolveMatrix",
        "feDiffuseLighting",
        "feDisplacementMap",
        "feDistantLight",
        "feDropShadow",
        "feFlood",
        "feFuncA",
        "feFuncB",
        "feFuncG",
        "feFuncR",
        "feGaussianBlur",
        "feImage",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "fePointLight",
        "feSpecularLighting",
        "feSpotLight",
        "feTile",
        "feTurbulence",
        "filter",
        "g",
        "image",
        "line",
        "linearGradient",
        "marker",
        "mask",
        "metadata",
        "mpath",
        "path",
        "pattern",
        "polygon",
        "polyline",
        "radialGradient",
        "rect",
        "stop",
        "style",
        "svg",
        "switch",
        "symbol",
        "text",
        "textPath",
        "title",
        "tspan",
        "use",
        "view",
        # Animation, unless it changes a link or an event handler (see _animation_target).
        "animate",
        "animateColor",
        "animateMotion",
        "animateTransform",
        "set",
    }
)
"""SVG elements that are kept (SVG namespace only). Everything else is refused and dropped."""

ANIMATIONS = frozenset({"animate", "animateColor", "animateMotion", "animateTransform", "set"})

ATTRIBUTES = frozenset(
    {
        # Core, conditional processing, document.
        "id",
        "class",
        "style",
        "lang",
        "tabindex",
        "role",
        "focusable",
        "requiredFeatures",
        "requiredExtensions",
        "systemLanguage",
        "version",
        "baseProfile",
        "viewBox",
        "preserveAspectRatio",
        "zoomAndPan",
        "x",
        "y",
        "width",
        "height",
        "type",
        "media",
        "title",
        "href",
        "target",
        # Shapes, transforms, text.
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "x1",
        "y1",
        "x2",
        "y2",
        "points",
        "d",
        "pathLength",
        "transform",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "startOffset",
        "method",
        "spacing",
        "side",
        "path",
        # Paint servers, clipping, masking, markers.
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "fx",
        "fy",
        "fr",
        "offset",
        "patternUnits",
        "patternContentUnits",
        "patternTransform",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "markerUnits",
        "markerWidth",
        "markerHeight",
        "refX",
        "refY",
        "orient",
        # Filters.
        "filterUnits",
        "primitiveUnits",
        "filterRes",
        "in",
        "in2",
        "result",
        "mode",
        "values",
        "operator",
        "k1",
        "k2",
        "k3",
        "k4",
        "order",
        "kernelMatrix",
        "divisor",
        "bias",
        "targetX",
        "targetY",
        "edgeMode",
        "kernelUnitLength",
        "preserveAlpha",
        "surfaceScale",
        "diffuseConstant",
        "specularConstant",
        "specularExponent",
        "scale",
        "xChannelSelector",
        "yChannelSelector",
        "stdDeviation",
        "radius",
        "baseFrequency",
        "numOctaves",
        "seed",
        "stitchTiles",
        "azimuth",
        "elevation",
        "z",
        "pointsAtX",
        "pointsAtY",
        "pointsAtZ",
        "limitingConeAngle",
        "tableValues",
        "slope",
        "intercept",
        "amplitude",
        "exponent",
        # Animation timing and values.
        "attributeName",
        "attributeType",
        "begin",
        "dur",
        "end",
        "min",
        "max",
        "restart",
        "repeatCount",
        "repeatDur",
        "calcMode",
        "keyTimes",
        "keySplines",
        "from",
        "to",
        "by",
        "additive",
        "accumulate",
        "keyPoints",
        "origin",
        # Presentation attributes.
        "alignment-baseline",
        "baseline-shift",
        "clip",
        "clip-path",
        "clip-rule",
        "color",
        "color-interpolation",
        "color-interpolation-filters",
        "color-rendering",
        "cursor",
        "direction",
        "display",
        "dominant-baseline",
        "enable-background",
        "fill",
        "fill-opacity",
        "fill-rule",
        "filter",
        "flood-color",
        "flood-opacity",
        "font",
        "font-family",
        "font-feature-settings",
        "font-kerning",
        "font-size",
        "font-size-adjust",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "glyph-orientation-horizontal",
        "glyph-orientation-vertical",
        "image-rendering",
        "inline-size",
        "isolation",
        "kerning",
        "letter-spacing",
        "lighting-color",
        "line-height",
        "marker",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "mask-type",
        "mix-blend-mode",
        "opacity",
        "overflow",
        "paint-order",
        "pointer-events",
        "shape-rendering",
        "solid-color",
        "solid-opacity",
        "stop-color",
        "stop-opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "text-overflow",
        "text-rendering",
        "transform-box",
        "transform-origin",
        "unicode-bidi",
        "vector-effect",
        "visibility",
        "white-space",
        "word-spacing",
        "writing-mode",
    }
)
"""Attributes (no namespace) that are kept, besides ``aria-*``; values are checked too."""

NAMESPACED_ATTRIBUTES = frozenset(
    {f"{{{XLINK_NS}}}href", f"{{{XLINK_NS}}}title", f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"}
)
"""Namespaced attributes that are kept (``xml:base`` is not: it would change what links mean)."""

HREFS = frozenset({"href", f"{{{XLINK_NS}}}href"})

DOCTYPE_PROBLEM = "has a DOCTYPE with declarations (entities are refused)"

_DATA_IMAGE = re.compile(
    r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE
)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.DOTALL)
_CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)
_CSS_FUNCTION = re.compile(
    r"(?<![\w-])((?:-webkit-)?image-set|image|cross-fade|src)\s*\(", re.IGNORECASE
)
_CSS_EXPRESSION = re.compile(r"expression\s*\(", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*\[")


@dataclass(frozen=True)
class SvgProblem:
    """Why an SVG file is refused."""

    message: str
    """Short, quotes the offending thing: ``has a <script> element``."""
    line: int = 0
    """1-based line in the SVG file, or 0 when the problem is the whole file."""

    def __str__(self) -> str:
        return f"{self.message} (line {self.line})" if self.line else self.message


def svg_problems(data: bytes) -> list[SvgProblem]:
    """Every reason to refuse the SVG file ``data``, in document order; [] if it is safe."""
    root, problems = _load(data)
    if root is None:
        return problems
    before = reversed(list(root.itersiblings(preceding=True)))
    for node in [*before, *root.iter(), *root.itersiblings()]:
        if isinstance(node, etree._ProcessingInstruction):
            problems.append(_problem(f"has a processing instruction '<?{node.target}?>'", node))
        elif isinstance(node, etree._Entity):
            problems.append(_problem(f"has an entity reference '&{node.name};'", node))
        elif isinstance(node, etree._Element) and isinstance(node.tag, str):
            problems.extend(_element_problems(node))
    return problems


def clean_svg(data: bytes) -> bytes:
    """``data`` rebuilt from allowed elements, attributes and text only, as UTF-8 XML.

    Drops what :func:`svg_problems` refuses (scripts, handlers, outside references, unsafe
    CSS, foreign elements) and editor metadata; keeps geometry, presentation attributes, ids,
    classes, gradients and safe ``<style>`` text. Raises :class:`ValueError` for files that
    cannot be cleaned: not well-formed, not SVG, too large, or a DTD, entity or ``<use>`` bomb.
    """
    root, problems = _load(data)
    if root is None or problems:
        raise ValueError(str(problems[0]))
    clean = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS, "xlink": XLINK_NS})
    _copy_attributes(root, clean)
    clean.text = root.text
    stack = [(root, clean)]
    while stack:
        source, target = stack.pop()
        kept: Any = None
        for child in source:
            if isinstance(child.tag, str) and _allowed_element(child):
                copy = etree.SubElement(target, child.tag)
                _copy_attributes(child, copy)
                copy.tail = child.tail
                kept = copy
                if etree.QName(child).localname == "style":
                    css = "".join(child.itertext())
                    copy.text = None if not css or _css_problems(css) else css
                else:
                    copy.text = child.text
                    stack.append((child, copy))
            elif child.tail:  # the element goes, the text after it stays
                if kept is None:
                    target.text = (target.text or "") + child.tail
                else:
                    kept.tail = (kept.tail or "") + child.tail
    result: bytes = etree.tostring(clean, xml_declaration=True, encoding="UTF-8")
    return result


def _load(data: bytes) -> tuple[Any, list[SvgProblem]]:
    """The parsed root element and the problems that make cleaning impossible.

    The root is None when the file cannot be read as SVG at all.
    """
    if len(data) > MAX_BYTES:
        return None, [SvgProblem(f"is larger than {MAX_BYTES // (1024 * 1024)} MB")]
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if _DOCTYPE_SUBSET.search(data):  # libxml2 may stop at an entity bomb: say why
            return None, [SvgProblem(DOCTYPE_PROBLEM, _doctype_line(data))]
        message = str(error.msg or "").split(", line ")[0]
        return None, [SvgProblem(f"is not well-formed XML: {message}", error.lineno or 0)]
    if not isinstance(root.tag, str) or root.tag != f"{{{SVG_NS}}}svg":
        name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        line = root.sourceline or 0
        return None, [SvgProblem(f"is not an SVG file (its root element is <{name}>)", line)]
    problems = []
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None and _DOCTYPE_SUBSET.search(etree.tostring(tree)):
        problems.append(SvgProblem(DOCTYPE_PROBLEM, _doctype_line(data)))
    count = sum(1 for _ in root.iter(etree.Element))
    if count > MAX_ELEMENTS:
        problems.append(SvgProblem(f"has more than {MAX_ELEMENTS} elements ({count})"))
        return None, problems
    if expansion := _expansion_problem(root):
        problems.append(expansion)
    return root, problems


def _doctype_line(data: bytes) -> int:
    """The line of the DOCTYPE, or 0 where the encoding hides it (UTF-16)."""
    start = data.find(b"<!DOCTYPE")
    return data.count(b"\n", 0, start) + 1 if start >= 0 else 0


def _problem(message: str, node: Any) -> SvgProblem:
    return SvgProblem(message, node.sourceline or 0)


def _element_problems(element: Any) -> Iterator[SvgProblem]:
    qname = etree.QName(element)
    namespace, name = qname.namespace or "", qname.localname
    if namespace in METADATA_NAMESPACES:
        return  # dropped with its attributes; its descendants are still checked
    if namespace != SVG_NS:
        where = f"from the namespace '{namespace}'" if namespace else "with no namespace"
        yield _problem(f"has a <{name}> element {where}", element)
    elif name not in ELEMENTS:
        yield _problem(f"has a <{name}> element", element)
    elif name in ANIMATIONS and (changed := _animation_target(element)):
        yield _problem(f"has a <{name}> element that changes '{changed}'", element)
    elif name == "style":
        for message in _css_problems("".join(element.itertext())):
            yield _problem(message, element)
    for attribute, value in element.attrib.items():
        attribute_qname = etree.QName(attribute)
        if attribute_qname.namespace in METADATA_NAMESPACES:
            continue
        local = attribute_qname.localname
        if local.lower().startswith("on"):
            yield _problem(f"has an event handler attribute '{local}'", element)
        elif attribute in HREFS:
            if not _safe_href(value):
                yield _problem(f"refers to '{_short(value)}' outside the file", element)
        else:
            for message in _css_problems(value):
                yield _problem(message, element)


def _animation_target(element: Any) -> str:
    """The attribute an animation element changes, if it is a link or an event handler."""
    name = str(element.get("attributeName", "")).strip()
    local = name.rsplit(":", 1)[-1].lower()
    return name if local == "href" or local.startswith("on") else ""


def _allowed_element(element: Any) -> bool:
    qname = etree.QName(element)
    if qname.namespace != SVG_NS or qname.localname not in ELEMENTS:
        return False
    return not (qname.localname in ANIMATIONS and _animation_target(element))


def _copy_attributes(source: Any, target: Any) -> None:
    for attribute, value in source.attrib.items():
        local = etree.QName(attribute).localname
        allowed = (
            attribute in ATTRIBUTES
            or attribute in NAMESPACED_ATTRIBUTES
            or (attribute.startswith("aria-") and "{" not in attribute)
        )
        if not allowed or local.lower().startswith("on"):
            continue
        if attribute in HREFS:
            if not _safe_href(value):
                continue
        elif _css_problems(value):
            continue
        target.set(attribute, value)


def _safe_href(value: str) -> bool:
    """A same-document fragment or an embedded PNG, JPEG, GIF or WebP image."""
    value = value.strip()
    return value.startswith("#") or _DATA_IMAGE.fullmatch(value) is not None


def _css_problems(css: str) -> list[str]:
    """Why a stylesheet or attribute value is unsafe: outside URLs, @import, expression()."""
    if not any(marker in css for marker in ("(", "@", "\\")):
        return []  # the common case: a number, a colour, a path
    text = _decoded_css(css)
    problems = []
    if "@import" in text.lower():
        problems.append("has a CSS @import")
    if _CSS_EXPRESSION.search(text):
        problems.append("has a CSS expression()")
    for match in _CSS_URL.finditer(text):
        target = match.group(1).strip()
        if not target.startswith("#"):
            problems.append(f"refers to '{_short(target)}' outside the file")
    for match in _CSS_FUNCTION.finditer(text):
        problems.append(f"has a CSS {match.group(1).lower()}()")
    return problems


def _decoded_css(css: str) -> str:
    """``css`` without comments and with escapes decoded (``\\75rl(`` is ``url(``)."""
    return _CSS_ESCAPE.sub(_unescape, _CSS_COMMENT.sub(" ", css))


def _unescape(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


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
