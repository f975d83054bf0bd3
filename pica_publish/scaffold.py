"""``pica-publish new chapter "Title"``: a new chapter file with valid front matter, listed in
``issue.yml`` before the strategy chapter (comments and layout of the manifest are kept)."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

TEMPLATE = """\
---
title: "{title}"
authors:
  - name: Your Name
    affiliations: [org]
    # orcid: 0000-0002-1825-0097   (your ORCID iD, optional)
    corresponding: true
    email: your.name@example.org
  - name: Second Author
    affiliations: [org]
affiliations:
  org: "Organisation, Street 1, Postcode City, Country"
abstract: |
  One paragraph of at most 250 words: what was studied, how, what was found, and why it matters.
keywords: [Otocolobus manul]
---

## Introduction

Write in pandoc Markdown. Cite entries of references/*.bib by their key: `[@ross2010den]`
gives (Ross et al. 2010). See CONTRIBUTING.md.

## Methods

## Results

## Discussion
"""


def slugify(title: str, *, words: int = 5) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    parts = re.findall(r"[a-z0-9]+", ascii_title.lower())
    stop = {"a", "an", "and", "the", "of", "in", "on", "for", "to", "s"}
    kept = [p for p in parts if p not in stop] or parts
    return "-".join(kept[:words]) or "chapter"


def new_chapter(root: Path, title: str, *, role: str = "chapter") -> int:
    manifest = root / "issue.yml"
    if not manifest.is_file():
        print(f"pica-publish: no issue.yml in {root}", file=sys.stderr)
        return 2
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(manifest.read_text("utf-8"))
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(chapters, list):
        print(
            "pica-publish: issue.yml has no 'chapters' list; run `pica-publish check`",
            file=sys.stderr,
        )
        return 1
    folder = root / "chapters"
    folder.mkdir(exist_ok=True)
    numbers = [int(m[1]) for p in folder.glob("*.md") if (m := re.match(r"^(\d+)-", p.name))]
    slug = slugify(title)
    existing = {re.sub(r"^\d+-", "", p.stem) for p in folder.glob("*.md")}
    base, suffix = slug, 2
    while slug in existing:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    path = folder / f"{max(numbers, default=0) + 1:02d}-{slug}.md"
    path.write_text(TEMPLATE.format(title=title.replace('"', '\\"')), "utf-8")
    entry = CommentedMap([("file", path.relative_to(root).as_posix()), ("role", role)])
    entry.fa.set_flow_style()
    roles = [c.get("role") if isinstance(c, dict) else None for c in chapters]
    if role == "appendix":
        position = len(chapters)
    else:
        position = roles.index("strategy") if "strategy" in roles else len(chapters)
        if role in ("editorial", "prologue"):
            position = next(
                (i for i, r in enumerate(roles) if r not in ("editorial", "prologue")), 0
            )
    chapters.insert(position, entry)
    with manifest.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    print(f"created {path.relative_to(root)} and listed it in issue.yml (position {position + 1})")
    print("next: edit the front matter and text, then run `pica-publish check`")
    return 0
