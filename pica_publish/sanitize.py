"""HTML from chapters is untrusted: keep what pandoc writes for Markdown, drop everything else.

Ammonia (through nh3) removes scripts, event handlers, styles beyond a few layout properties,
``javascript:`` and other URL schemes, frames, forms and embeds.
"""

from __future__ import annotations

import nh3

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "aside",
    "math",
    "var",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "role", "data-cites", "aria-hidden", "aria-label"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "style"},
    "col": {"style", "span"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "style", "scope"},
    "ol": {"start", "type"},
    "div": {"style"},
}
STYLE_PROPERTIES = {"width", "height", "text-align"}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """Keep pandoc's structure, ids and links; remove anything that could run or fetch."""
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
        strip_comments=True,
    )
