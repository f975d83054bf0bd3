"""Step 1 of ``pica-publish import`` (:mod:`pica_publish.word_import`): the manuscript package
surveyed with lxml for what pandoc would lose or decide in silence — tracked changes and comments
(refused unless ``--accept-changes``), objects it cannot carry (charts, SmartArt, OLE objects) —
each with the paragraph it is in."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pica_publish.word_package import (
    NS,
    ImportRefused,
    W,
)
from pica_publish.word_package import (
    package as _package,
)
from pica_publish.word_package import (
    part as _xml,
)

CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"


@dataclass(frozen=True)
class Finding:
    """Something in the package itself: a tracked change, a comment, an object."""

    kind: str
    """``insertion``, ``deletion``, ``comment``, ``chart``, ``SmartArt``, ``embedded object``."""
    paragraph: int
    """Which paragraph of the body it is in, from 1."""
    text: str
    """Its text, or the text of its paragraph (shortened)."""
    author: str = ""
    context: str = ""
    """The text of its paragraph (shortened), to find it in the manuscript."""
    part: str = ""
    """Where it is when not in the body: ``footnotes``, ``endnotes``."""


def survey(path: Path) -> list[Finding]:
    """Tracked changes, comments and objects pandoc cannot carry, in document order."""
    with _package(path) as package:
        names = set(package.namelist())
        if "word/document.xml" in names:
            body = _xml(package, "word/document.xml")
            comments = _xml(package, "word/comments.xml") if "word/comments.xml" in names else None
            found = list(_docx_findings(body, comments))
            for part, where in (
                ("word/footnotes.xml", "footnotes"),
                ("word/endnotes.xml", "endnotes"),
            ):
                if part in names:  # changes there are accepted by pandoc as well: refused alike
                    found.extend(
                        dataclasses.replace(f, paragraph=0, part=where)
                        for f in _docx_findings(_xml(package, part), comments)
                    )
            return found
        if "content.xml" in names:
            return list(_odt_findings(_xml(package, "content.xml")))
    raise ImportRefused([f"{path.name} is neither a Word (.docx) nor an OpenDocument (.odt) file"])


def _text(element: Any, tag: str = "t") -> str:
    return (
        "".join(element.itertext())
        if tag == "all"
        else "".join(t.text or "" for t in element.iter(f"{{{W}}}{tag}"))
    )


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _docx_findings(body: Any, comments: Any) -> Iterator[Finding]:
    said: dict[str, str] = {}
    if comments is not None:
        for comment in comments.iter(f"{{{W}}}comment"):
            said[comment.get(f"{{{W}}}id", "")] = _text(comment)
    for number, paragraph in enumerate(body.iter(f"{{{W}}}p"), start=1):
        context = _short(_text(paragraph))
        for change in paragraph.iter(
            f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}moveTo"
        ):
            kind = {"ins": "insertion", "del": "deletion"}.get(
                change.tag.split("}")[1], "moved text"
            )
            text = _text(change, "delText") if kind == "deletion" else _text(change)
            yield Finding(kind, number, _short(text), change.get(f"{{{W}}}author", ""), context)
        for start in paragraph.iter(f"{{{W}}}commentRangeStart", f"{{{W}}}commentReference"):
            if (
                start.tag.endswith("commentReference")
                and paragraph.find(
                    f".//{{{W}}}commentRangeStart[@{{{W}}}id='{start.get(f'{{{W}}}id')}']"
                )
                is not None
            ):
                continue  # the same comment, counted at its start
            ident = start.get(f"{{{W}}}id", "")
            yield Finding("comment", number, _short(said.get(ident, context)), "", context)
        for data in paragraph.iter(f"{{{NS['a']}}}graphicData"):
            uri = data.get("uri", "")
            if uri == CHART:
                yield Finding("chart", number, context)
            elif uri == DIAGRAM:
                yield Finding("SmartArt", number, context)
        for _ in paragraph.iter(f"{{{W}}}object"):
            yield Finding("embedded object", number, context)


def _odt_findings(content: Any) -> Iterator[Finding]:
    text_ns, office = NS["text"], NS["office"]
    for region in content.iter(f"{{{text_ns}}}changed-region"):
        for kind in ("insertion", "deletion", "format-change"):
            for change in region.iter(f"{{{text_ns}}}{kind}"):
                creator = "".join(
                    e.text or "" for e in change.iter("{http://purl.org/dc/elements/1.1/}creator")
                )
                yield Finding(kind.replace("-", " "), 0, _short(_text(change, "all")), creator)
    for number, paragraph in enumerate(content.iter(f"{{{text_ns}}}p"), start=1):
        for note in paragraph.iter(f"{{{office}}}annotation"):
            yield Finding("comment", number, _short(_text(note, "all")))
        for _object in paragraph.iter(f"{{{NS['draw']}}}object"):
            yield Finding("embedded object", number, _short(_text(paragraph, "all")))


def refuse_changes(path: Path, findings: list[Finding]) -> None:
    """Tracked changes and comments are the author's to settle: refused, each listed."""
    open_ = [
        f
        for f in findings
        if f.kind in ("insertion", "deletion", "moved text", "comment", "format change")
    ]
    if not open_:
        return
    lines = []
    for f in open_:
        where = f"paragraph {f.paragraph}: " if f.paragraph else f"{f.part}: " if f.part else ""
        by = f" by {f.author}" if f.author else ""
        around = f' (in "{f.context}")' if f.context and f.context != f.text else ""
        lines.append(f"{where}{f.kind}{by}: '{f.text}'{around}")
    changes = sum(f.kind != "comment" for f in open_)
    comments = len(open_) - changes
    raise ImportRefused(
        [f"{path.name} has {changes} tracked change(s) and {comments} comment(s):", *lines],
        "settle them in Word (Review > Accept/Reject, delete the comments), or import with "
        "--accept-changes to accept every change and leave the comments out",
    )


def refuse_temporary(path: Path, temporary: list[str]) -> None:
    """EndNote's unformatted citations name records of the author's library and nothing else:
    the author formats them first, as Word would print them."""
    if temporary:
        shown = ", ".join(dict.fromkeys(temporary))
        raise ImportRefused(
            [f"{path.name} has {len(temporary)} unformatted EndNote citation(s): {_short(shown)}"],
            "in Word: EndNote > Update Citations and Bibliography (or turn Instant Formatting "
            "on), save, and import again",
        )
