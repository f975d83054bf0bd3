"""HTML fragments as trees: the one way pica_publish changes the HTML that pandoc writes.

A fragment is parsed (lxml's HTML parser) into the children of one ``<div>`` root, changed as a
tree, and serialised once; no module rewrites serialised HTML with regular expressions, so
nothing depends on how pandoc or nh3 happen to spell their markup (attribute order, quoting,
whitespace).
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.html import HtmlElement

__all__ = ["HtmlElement", "classes", "element", "parse", "serialise", "to_html"]


NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters lxml refuses in a string (control characters, lone surrogates, non-characters).
``check`` refuses them in chapters; a fragment made from other text (a title in an export)
drops them rather than failing."""


SPACE_LIKE = re.compile(r"[\x0b\x0c\x1c-\x1f]")
"""Control characters that separate words (vertical tab, form feed, separators): a space."""


def clean_text(text: str) -> str:
    """``text`` without what lxml refuses: word-separating controls become spaces, the rest of
    :data:`NOT_XML` is dropped."""
    return NOT_XML.sub("", SPACE_LIKE.sub(" ", text))


def parse(fragment: str) -> HtmlElement:
    """A fragment as the children of one ``<div>`` (the root, never serialised)."""
    return lxml_html.fragment_fromstring(clean_text(fragment or ""), create_parent="div")


def serialise(root: HtmlElement) -> str:
    """The root's content (its text and children), without the root itself."""
    parts = [_escape(root.text or "")]
    parts += [str(lxml_html.tostring(child, encoding="unicode")) for child in root]
    return "".join(parts)


def to_html(node: HtmlElement) -> str:
    """One element, without its tail."""
    return str(lxml_html.tostring(node, encoding="unicode", with_tail=False))


def element(tag: str, attributes: dict[str, str] | None = None) -> HtmlElement:
    return lxml_html.Element(tag, attributes or {})


def classes(node: HtmlElement) -> set[str]:
    return set((node.get("class") or "").split())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
