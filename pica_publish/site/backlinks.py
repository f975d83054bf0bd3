"""Back-links from each reference to the places that cite it (pandoc's HTML has only the forward
links). Citation spans get ids; each ``csl-entry`` gets small numbered links back to them. Both
fragments are changed as trees (:mod:`pica_publish.htmltree`)."""

from __future__ import annotations

from pica_publish.htmltree import classes, element, parse, serialise


def add_backlinks(slug: str, body: str, references: str) -> tuple[str, str]:
    citing: dict[str, list[str]] = {}
    body_root = parse(body)
    references_root = parse(references)
    taken = {n.get("id") for root in (body_root, references_root) for n in root.iter("*")}
    counter = 0
    for span in body_root.iter("span"):
        if "citation" not in classes(span) or span.get("data-cites") is None:
            continue
        counter += 1
        while f"{slug}-cite-{counter}" in taken:  # a heading "Cite 1" has that id already
            counter += 1
        anchor = f"{slug}-cite-{counter}"
        span.set("id", anchor)
        for key in (span.get("data-cites") or "").split():
            citing.setdefault(key, []).append(anchor)
    for entry in references_root.iter("div"):
        ident = entry.get("id") or ""
        if "csl-entry" not in classes(entry) or f"{slug}-ref-" not in ident:
            continue
        anchors = citing.get(ident.split(f"{slug}-ref-", 1)[1], [])
        if not anchors:
            continue
        if len(entry):
            entry[-1].tail = (entry[-1].tail or "").rstrip() + " "
        else:
            entry.text = (entry.text or "").rstrip() + " "
        links = element("span", {"class": "backlinks"})
        for number, anchor in enumerate(anchors, start=1):
            link = element("a", {"href": f"#{anchor}", "aria-label": f"Back to citation {number}"})
            link.text = "↩" + ("" if len(anchors) == 1 else str(number))
            if number > 1:
                links[-1].tail = " "
            links.append(link)
        links.tail = "\n"
        entry.append(links)
    return serialise(body_root), serialise(references_root)
