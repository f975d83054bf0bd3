"""Back-links from each reference to the places that cite it (pandoc's HTML has only the forward
links). Citation spans get ids; each ``csl-entry`` gets small numbered links back to them."""

from __future__ import annotations

import re

CITATION_RE = re.compile(r'<span class="citation" data-cites="(?P<keys>[^"]*)">')
ENTRY_RE = re.compile(
    r'(<div id="(?P<id>[^"]+-ref-(?P<key>[^"]+))" class="csl-entry"[^>]*>)(?P<body>.*?)(</div>)',
    re.DOTALL,
)


def add_backlinks(slug: str, body: str, references: str) -> tuple[str, str]:
    citing: dict[str, list[str]] = {}
    counter = 0

    def number(match: re.Match[str]) -> str:
        nonlocal counter
        counter += 1
        anchor = f"{slug}-cite-{counter}"
        for key in match["keys"].split():
            citing.setdefault(key, []).append(anchor)
        return f'<span class="citation" id="{anchor}" data-cites="{match["keys"]}">'

    body = CITATION_RE.sub(number, body)

    def entry(match: re.Match[str]) -> str:
        anchors = citing.get(match["key"], [])
        if not anchors:
            return match[0]
        links = " ".join(
            f'<a href="#{anchor}" aria-label="Back to citation {n}">↩{"" if len(anchors) == 1 else n}</a>'
            for n, anchor in enumerate(anchors, start=1)
        )
        return (
            f'{match[1]}{match["body"].rstrip()} <span class="backlinks">{links}</span>\n{match[5]}'
        )

    return body, ENTRY_RE.sub(entry, references)
