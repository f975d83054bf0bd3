"""HTML fragments as trees: the one way pica_publish changes the HTML that pandoc writes.

A fragment is parsed (lxml's HTML parser) into the children of one ``<div>`` root, changed as a
tree, and serialised once; no module rewrites serialised HTML with regular expressions, so
nothing depends on how pandoc or nh3 happen to spell their markup (attribute order, quoting,
whitespace).
"""

from __future__ import annotations

from lxml import html as lxml_html
from lxml.html import HtmlElement

__all__ = ["HtmlElement", "classes", "element", "parse", "serialise", "to_html"]


def parse(fragment: str) -> HtmlElement:
    """A fragment as the children of one ``<div>`` (the root, never serialised)."""
    return lxml_html.fragment_fromstring(fragment or "", create_parent="div")


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
