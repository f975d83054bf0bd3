"""Loading, checking and cleaning an SVG document against the allow-list.

:func:`svg_problems` (every reason to refuse a file) and :func:`clean_svg` (the file rebuilt
from allowed elements and attributes only), with the element, attribute and CSS checks they
share.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from pica_publish.svg.allowlist import (
    ANIMATIONS,
    ATTRIBUTES,
    ELEMENTS,
    HREFS,
    MAX_BYTES,
    MAX_ELEMENTS,
    METADATA_NAMESPACES,
    NAMESPACED_ATTRIBUTES,
    SVG_NS,
    XLINK_NS,
)
from pica_publish.svg.common import SvgProblem, _decoded_css, _problem, _short
from pica_publish.svg.expansion import _expansion_problem

DOCTYPE_PROBLEM = "has a DOCTYPE with declarations (entities are refused)"

_DATA_IMAGE = re.compile(
    r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE
)
_CSS_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)
_CSS_FUNCTION = re.compile(
    r"(?<![\w-])((?:-webkit-)?image-set|image|cross-fade|src)\s*\(", re.IGNORECASE
)
_CSS_EXPRESSION = re.compile(r"expression\s*\(", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE(?:[^\[>\"']|\"[^\"]*\"|'[^']*')*\[")


def svg_problems(data: bytes) -> list[SvgProblem]:
    """Every reason to refuse the SVG file ``data``, in document order; [] if it is safe.

    Remembered by content and by the version of these checks, in the process and per machine
    (:mod:`pica_publish.user_cache`): a figure is judged once, not at every build."""
    return list(_remembered_problems(data))


@lru_cache(maxsize=128)
def _remembered_problems(data: bytes) -> tuple[SvgProblem, ...]:
    from pica_publish import user_cache

    path = user_cache.entry("svg", (_code_version(), "problems", data), "json")
    try:
        stored = json.loads(user_cache.read(path) or b"")
        return tuple(SvgProblem(str(message), int(line)) for message, line in stored)
    except (ValueError, TypeError):
        pass
    problems = _svg_problems(data)
    user_cache.write(path, json.dumps([[p.message, p.line] for p in problems]).encode())
    return problems


@cache
def _code_version() -> str:
    """The checks' own source (this package) and lxml's version: a cached verdict is reused
    only by the code that made it."""
    digest = hashlib.sha256(etree.__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _svg_problems(data: bytes) -> tuple[SvgProblem, ...]:
    root, problems = _load(data)
    if root is None:
        return tuple(problems)
    before = reversed(list(root.itersiblings(preceding=True)))
    for node in [*before, *root.iter(), *root.itersiblings()]:
        if isinstance(node, etree._ProcessingInstruction):
            problems.append(_problem(f"has a processing instruction '<?{node.target}?>'", node))
        elif isinstance(node, etree._Entity):
            problems.append(_problem(f"has an entity reference '&{node.name};'", node))
        elif isinstance(node, etree._Element) and isinstance(node.tag, str):
            problems.extend(_element_problems(node))
    return tuple(problems)


@lru_cache(maxsize=128)
def clean_svg(data: bytes) -> bytes:
    """``data`` rebuilt from allowed elements, attributes and text only (:func:`_clean_svg`);
    remembered by content and code version like :func:`svg_problems`."""
    from pica_publish import user_cache

    path = user_cache.entry("svg", (_code_version(), "clean", data), "svg")
    return user_cache.remembered(path, lambda: _clean_svg(data))


def _clean_svg(data: bytes) -> bytes:
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
