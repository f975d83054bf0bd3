"""HTML from chapters is untrusted: keep what pandoc writes for Markdown, drop everything else.

Ammonia (through nh3) removes scripts, event handlers, styles beyond a few layout properties,
``javascript:`` and other URL schemes, frames, forms and embeds.
"""

from __future__ import annotations

import functools
import re
import string
from urllib.parse import quote, urljoin, urlsplit

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

# --- MathML: what the web edition's formulas may hold (pica_publish.mathtex) -------------------

MATH_TAGS = frozenset(
    {
        *("math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext"),
        *("mspace", "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover"),
        *("munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd"),
        *("mstyle", "mpadded", "mphantom", "menclose"),
    }
)
"""The MathML elements latex2mathml writes, plus ``semantics``/``annotation`` for the TeX.
Never ``maction`` (its actions run on events), ``mglyph`` (it loads an image) or anything
with a link."""
MATH_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"mathvariant", "mathsize", "mathcolor", "mathbackground", "displaystyle"},
    "math": {"display"},
    "annotation": {"encoding"},
    "mstyle": {"scriptlevel"},
    "mo": {"stretchy", "fence", "form", "separator", "lspace", "rspace", "minsize", "maxsize"}
    | {"largeop", "movablelimits", "accent", "symmetric"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mfrac": {"linethickness"},
    "mspace": {"width", "height", "depth", "linebreak"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "mtable": {"columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines"}
    | {"rowlines", "frame"},
    "mtr": {"columnalign", "rowalign"},
    "mtd": {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": {"notation"},
}
"""Presentation attributes only: no ``href``, ``style``, ``class``, ``id``, event handlers or
``xlink:*``; their values pass :func:`math_attribute_allowed`."""
MATH_VALUE = re.compile(r"[\w .#%+-]{0,80}")
"""A length, a number, a keyword, a colour name or ``#hex``, or a list of them: no ``url(``,
no ``:``, no ``;``, nothing a browser could fetch or run."""


def math_attribute_allowed(element: str, attribute: str, value: str) -> bool:
    """Whether ``attribute="value"`` may stay on a MathML ``element``."""
    if element == "annotation":
        return attribute == "encoding" and value == "application/x-tex"
    allowed = MATH_ATTRIBUTES.get(element, set()) | MATH_ATTRIBUTES["*"]
    return attribute in allowed and MATH_VALUE.fullmatch(value) is not None


def sanitize_math(markup: str) -> str:
    """One ``<math>`` element's markup with only :data:`MATH_TAGS` and
    :data:`MATH_ATTRIBUTES`: the last pass over a formula of the web edition."""
    return nh3.clean(
        markup,
        tags=set(MATH_TAGS),
        clean_content_tags=set(),
        attributes={tag: set(names) for tag, names in MATH_ATTRIBUTES.items()},
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
        attribute_filter=lambda tag, name, value: (
            value if math_attribute_allowed(tag, name, value) else None
        ),
    )


CONTENT_CLASSES = frozenset(
    {
        *("citation", "cross-ref", "references", "csl-bib-body", "csl-entry", "hanging-indent"),
        *("csl-block", "csl-left-margin", "csl-right-inline", "csl-indent"),
        *("footnote-ref", "footnote-back", "footnotes", "footnotes-end-of-document"),
        *(f"level{n}" for n in range(1, 7)),
        *("unnumbered", "header", "odd", "even", "wide", "email", "uri"),
        *("smallcaps", "underline", "mark", "math", "inline", "display", "task-list"),
        *("equation", "equation-number"),  # a numbered display formula (crossref.lua)
        *("sourceCode", "sourceLine"),
        "hyph-manual",  # a word with the house break points (theme/filters/hyphenation.lua)
        "numeric",
        "dense",  # a table too wide even for the page: smaller type (tables.lua)
        # Quarto callout boxes (quarto.lua) and \newpage paragraphs (page_breaks.lua)
        *("callout", "callout-title", "page-break"),
        *(f"callout-{kind}" for kind in ("note", "warning", "tip", "important", "caution")),
    }
)
"""The classes chapter HTML may carry: what pandoc writes for Markdown, ``.wide`` for
figures and tables across both columns, and ``.numeric`` for the cells of a numeric table column
(``theme/filters/tables.lua``; it also adds ``.wide`` and ``.dense`` to tables too wide for a
column or for the page). Every other class is dropped, so that a chapter cannot
borrow the theme's page furniture (``running-author``, ``cover-page``, ``columns``…)."""
URL_SCHEMES = {"http", "https", "mailto"}


URL_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~" + "!$&'()*+,;=" + ":@/?")
"""What a URL may hold after its host as it is (RFC 3986: unreserved, sub-delims, ``:@/?``)."""
URL_START = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://[^/?#]*)?")
"""The scheme and the host (``https://doi.org``), which :func:`valid_url` leaves as written."""
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def valid_url(url: str) -> str:
    """``url`` with every character a URL cannot hold percent-encoded (as UTF-8): spaces, the
    brackets of SICI-style DOIs ("(2002)083[2248:ESORWD]2.0.CO;2"), letters of other scripts in
    a file name, a ``%`` that starts no escape, a second ``#``. Escapes already there stay.

    Only attribute values go through here (``href``, ``src``): text, code above all, is never
    URL-encoded."""
    start = URL_START.match(url)
    head = start.group(0) if start else ""
    parts = [head if head.isascii() else _ascii_host(head)]
    in_fragment = False
    index = len(head)
    while index < len(url):
        char = url[index]
        if char == "%" and PERCENT_ESCAPE.match(url, index):
            parts.append(url[index : index + 3])
            index += 3
            continue
        if char in URL_CHARACTERS or (char == "#" and not in_fragment):
            in_fragment = in_fragment or char == "#"
            parts.append(char)
        else:
            parts.append(quote(char, safe=""))
        index += 1
    return "".join(parts)


def _ascii_host(head: str) -> str:
    """``https://пример.рф`` as ``https://xn--e1afmkfd.xn--p1ai`` (IDNA), else percent-encoded."""
    scheme, _, host = head.partition("//")
    try:
        return f"{scheme}//{host.encode('idna').decode('ascii')}"
    except UnicodeError:
        return f"{scheme}//{quote(host, safe=':@[]')}"


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
    request from the build); both are made valid URLs (:func:`valid_url`)."""
    if attribute == "src":
        parts = urlsplit(value.strip())
        if parts.scheme or parts.netloc or value.strip().startswith(("/", "\\")):
            return None
        return valid_url(value.strip())
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
        return valid_url(target)
    return value
