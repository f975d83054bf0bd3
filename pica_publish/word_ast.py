"""Helpers for pandoc's JSON AST as the Word import reads and rewrites it: text of nodes, plain
inlines, walks over blocks and inline lists, a citation inline, Word's custom styles removed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def stringify(node: Any) -> str:
    """The text of inlines or blocks (as pandoc's ``stringify``)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind: Any = node.get("t")
    content: Any = node.get("c")
    if kind == "Str":
        return str(content)
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Math", "Code", "RawInline"):
        return str(content[1])
    if kind in ("Image", "Link", "Span", "Div"):
        return stringify(content[1])
    if kind == "Cite":
        return stringify(content[1])
    if kind == "Note":
        return ""
    if kind == "Quoted":
        return "“" + stringify(content[1]) + "”"
    if kind == "Header":
        return stringify(content[2])
    return stringify(content) if isinstance(content, list) else ""


def plain_inlines(text: str) -> list[dict[str, Any]]:
    """Inlines for plain ``text``."""
    inlines: list[dict[str, Any]] = []
    for number, word in enumerate(text.split(" ")):
        if number:
            inlines.append({"t": "Space"})
        if word:
            inlines.append({"t": "Str", "c": word})
    return inlines


def without_styles(node: Any) -> Any:
    """The AST without the ``styles`` extension's marks: a Div or Span that only carries a Word
    style gives way to its content, and no attribute keeps a ``custom-style``."""
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            if _style_only(item):
                out.extend(without_styles(item["c"][1]))
            else:
                out.append(without_styles(item))
        return out
    if isinstance(node, dict):
        if "t" in node and "c" in node:
            content = without_styles(node["c"])
            if node["t"] in ("Table", "Figure", "Header", "Div", "Span", "CodeBlock", "Code"):
                _drop_style(content[1] if node["t"] == "Header" else content[0])
            return {"t": node["t"], "c": content}
        return {key: without_styles(value) for key, value in node.items()}
    return node


def _style_only(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and item.get("t") in ("Div", "Span")
        and not item["c"][0][0]
        and any(k == "custom-style" for k, _ in item["c"][0][2])
    )


def _drop_style(attr: Any) -> None:
    if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[2], list):
        attr[2] = [kv for kv in attr[2] if kv[0] != "custom-style"]


def walk_blocks(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in blocks:
        yield block
        kind: Any = block.get("t")
        content: Any = block.get("c")
        if kind in ("BlockQuote",):
            yield from walk_blocks(content)
        elif kind == "Div":
            yield from walk_blocks(content[1])
        elif kind in ("BulletList",):
            for item in content:
                yield from walk_blocks(item)
        elif kind == "OrderedList":
            for item in content[1]:
                yield from walk_blocks(item)
        elif kind == "Figure":
            yield from walk_blocks(content[2])
        elif kind == "Table":
            for row in [*content[3][1], *[r for b in content[4] for r in b[3]]]:
                for cell in row[1]:
                    yield from walk_blocks(cell[4])


def inline_lists(block: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """The inline lists of one block (its own, and those of notes and spans within)."""
    kind: Any = block.get("t")
    content: Any = block.get("c")
    lists = []
    if kind in ("Para", "Plain"):
        lists = [content]
    elif kind == "Header":
        lists = [content[2]]
    elif kind == "Figure" or kind == "Table":
        lists = [p["c"] for p in content[1][1] if p.get("t") in ("Para", "Plain")]
    for inlines in lists:
        yield inlines
        for inline in inlines:
            if inline.get("t") == "Note":
                for inner in walk_blocks(inline["c"]):
                    yield from inline_lists(inner)


def walk_inlines(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for block in walk_blocks(blocks):
        for inlines in inline_lists(block):
            yield from inlines


def cite_inline(keys: list[str], text: str, *, in_text: bool = False) -> dict[str, Any]:
    return {
        "t": "Cite",
        "c": [
            [
                {
                    "citationId": key,
                    "citationPrefix": [],
                    "citationSuffix": [],
                    "citationMode": {"t": "AuthorInText" if in_text else "NormalCitation"},
                    "citationNoteNum": 0,
                    "citationHash": 0,
                }
                for key in keys
            ],
            plain_inlines(text),
        ],
    }
