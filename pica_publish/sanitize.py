"""HTML from chapters is untrusted: keep what pandoc writes for Markdown, drop everything else.

Ammonia (through nh3) removes scripts, event handlers, styles beyond a few layout properties,
``javascript:`` and other URL schemes, frames, forms and embeds.
"""

from __future__ import annotations

import functools
from urllib.parse import urljoin, urlsplit

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
CONTENT_CLASSES = frozenset(
    {
        *("citation", "cross-ref", "references", "csl-bib-body", "csl-entry", "hanging-indent"),
        *("csl-block", "csl-left-margin", "csl-right-inline", "csl-indent"),
        *("footnote-ref", "footnote-back", "footnotes", "footnotes-end-of-document"),
        *(f"level{n}" for n in range(1, 7)),
        *("unnumbered", "header", "odd", "even", "wide", "email", "uri"),
        *("smallcaps", "underline", "mark", "math", "inline", "display", "task-list"),
        *("sourceCode", "sourceLine"),
        "hyph-manual",  # a word with the house break points (theme/filters/hyphenation.lua)
        "numeric",
        "dense",  # a table too wide even for the page: smaller type (tables.lua)
    }
)
"""The classes chapter HTML may carry: what pandoc writes for Markdown, ``.wide`` for
figures and tables across both columns, and ``.numeric`` for the cells of a numeric table column
(``theme/filters/tables.lua``; it also adds ``.wide`` and ``.dense`` to tables too wide for a
column or for the page). Every other class is dropped, so that a chapter cannot
borrow the theme's page furniture (``running-author``, ``cover-page``, ``columns``…)."""
URL_SCHEMES = {"http", "https", "mailto"}


# Characters some real DOIs contain (SICI-style "(2002)083[2248:ESORWD]2.0.CO;2") that are not
# allowed in a URL as such: percent-encoded so that every link is a valid URL.
UNSAFE_IN_URL = str.maketrans(
    {"[": "%5B", "]": "%5D", " ": "%20", "|": "%7C", "^": "%5E", "`": "%60", "{": "%7B", "}": "%7D"}
)


def sanitize(html: str, *, page_url: str | None = None, id_prefix: str | None = None) -> str:
    """Keep pandoc's structure, ids and links; remove anything that could run or fetch.

    With ``page_url`` (the article's address in the web edition), relative links become
    absolute links there, so that the PDF never carries a ``file://`` path of the builder and
    both editions point at the same place. With ``id_prefix`` (the chapter's, as given to
    pandoc), ids written in raw HTML get it too, so no id of a chapter can be one of the page's.
    """
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=functools.partial(
            _filter_attribute, page_url=page_url, id_prefix=id_prefix
        ),
    )


def _filter_attribute(
    element: str, attribute: str, value: str, *, page_url: str | None, id_prefix: str | None
) -> str | None:
    """Images load only files of the site (never another host: no tracking of readers, no
    request from the build); link targets are percent-encoded where a DOI needs it."""
    if attribute == "src":
        parts = urlsplit(value.strip())
        if parts.scheme or parts.netloc or value.strip().startswith(("/", "\\")):
            return None
        return value
    if attribute == "class":
        kept = [name for name in value.split() if name in CONTENT_CLASSES]
        return " ".join(kept) or None
    if attribute == "id" and id_prefix and not value.startswith(id_prefix):
        return id_prefix + value
    if attribute == "href":
        target = value.strip()
        parts = urlsplit(target)
        if page_url and not parts.scheme and not target.startswith("#"):
            target = urljoin(page_url, target)
        return target.translate(UNSAFE_IN_URL)
    return value
