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

The package: :mod:`~pica_publish.svg.allowlist` holds the namespaces, size limits and
allow-list tables; :mod:`~pica_publish.svg.check` loads, checks and cleans a document;
:mod:`~pica_publish.svg.expansion` bounds what ``<use>`` and ``url(#id)`` references expand to;
:mod:`~pica_publish.svg.common` holds what the last two share (:class:`SvgProblem`, CSS
decoding).
"""

from __future__ import annotations

from pica_publish.svg.allowlist import (
    ANIMATIONS,
    ATTRIBUTES,
    ELEMENTS,
    HREFS,
    MAX_BYTES,
    MAX_ELEMENTS,
    MAX_EXPANDED,
    METADATA_NAMESPACES,
    NAMESPACED_ATTRIBUTES,
    SVG_NS,
    XLINK_NS,
    XML_NS,
)
from pica_publish.svg.check import DOCTYPE_PROBLEM, clean_svg, svg_problems
from pica_publish.svg.common import SvgProblem
from pica_publish.svg.expansion import COPIES, NOT_DRAWN, REFERENCE_KINDS

__all__ = [
    "ANIMATIONS",
    "ATTRIBUTES",
    "COPIES",
    "DOCTYPE_PROBLEM",
    "ELEMENTS",
    "HREFS",
    "MAX_BYTES",
    "MAX_ELEMENTS",
    "MAX_EXPANDED",
    "METADATA_NAMESPACES",
    "NAMESPACED_ATTRIBUTES",
    "NOT_DRAWN",
    "REFERENCE_KINDS",
    "SVG_NS",
    "XLINK_NS",
    "XML_NS",
    "SvgProblem",
    "clean_svg",
    "svg_problems",
]
