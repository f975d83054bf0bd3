"""``pica-publish new chapter "Title"``: a new chapter file with valid front matter, listed in
``issue.yml`` before the strategy chapter (comments and layout of the manifest are kept).

The front matter is written by the YAML library, so any title — with quotes, backslashes,
colons, ``#`` or in any script — reads back exactly as given. What the author must still fill in
is written as :data:`PLACEHOLDERS`, the one list that *check* also reads: a chapter that still
holds one fails ``pica-publish check`` at its line (``placeholder-text``). The slug (file name,
ids, URLs, DOI) is transliterated from the title by python-slugify, so a Cyrillic or Mongolian
title gets a readable slug rather than ``chapter``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any, Self

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString
from slugify import slugify as transliterated_slug

from pica_publish.sources import CONTROL_RE
from pica_publish.yamlsource import YamlSyntaxError, load_yaml


@dataclass(frozen=True)
class Placeholder:
    """Text the scaffold writes for the author to replace."""

    text: str
    """Exactly what the scaffold writes; *check* reports it wherever it is left."""
    hint: str
    """What to write instead."""


AUTHOR_NAME = Placeholder(
    "YOUR NAME", "write your name as it is to be printed in the byline, e.g. Anna Petrova"
)
SECOND_AUTHOR = Placeholder(
    "SECOND AUTHOR", "write your co-author's name, or delete this author (the '- name:' entry)"
)
EMAIL = Placeholder(
    "your.name@example.org",
    "write your e-mail address: it is printed for the corresponding author",
)
ADDRESS = Placeholder(
    "YOUR INSTITUTION, STREET, POSTCODE CITY, COUNTRY",
    "write the full postal address of the institution",
)
ABSTRACT = Placeholder(
    "REPLACE THIS ABSTRACT",
    "write the abstract: one paragraph of at most 250 words",
)
KEYWORD = Placeholder("YOUR KEYWORD", "write a keyword of the article, e.g. home range")
INTRODUCTION = Placeholder("REPLACE THIS PARAGRAPH", "write the introduction of the article")
PLACEHOLDERS: tuple[Placeholder, ...] = (
    AUTHOR_NAME,
    SECOND_AUTHOR,
    EMAIL,
    ADDRESS,
    ABSTRACT,
    KEYWORD,
    INTRODUCTION,
)
"""Every placeholder the scaffold writes, for *check* (:mod:`pica_publish.stages.check`)."""

BODY = f"""
## Introduction

{INTRODUCTION.text} with your introduction. Write in pandoc Markdown. Cite entries of
references/*.bib by their key: `[@ross2010den]` prints the authors and year and lists the entry
under References. See CONTRIBUTING.md.

## Methods

## Results

## Discussion
"""

STOP_WORDS = ("a", "an", "and", "the", "of", "in", "on", "for", "to", "s")


def slugify(title: str, *, words: int = 5) -> str:
    """The slug of a title: its first ``words`` words, transliterated to lowercase ASCII
    (``Манул в Монголии`` → ``manul-v-mongolii``), without short function words; ``chapter``
    only for a title with no letter or digit in any script."""
    slug = transliterated_slug(title, stopwords=STOP_WORDS) or transliterated_slug(title)
    return "-".join(slug.split("-")[:words]) or "chapter"


def front_matter(title: str) -> str:
    """The new chapter's front matter, fences included, written by ruamel.yaml."""
    first = CommentedMap(
        [
            ("name", AUTHOR_NAME.text),
            ("affiliations", _flow(["org"])),
            ("corresponding", True),
            ("email", EMAIL.text),
        ]
    )
    first.yaml_set_comment_before_after_key(
        "corresponding", before="orcid: 0000-0002-1825-0097   (your ORCID iD, optional)", indent=4
    )
    second = CommentedMap([("name", SECOND_AUTHOR.text), ("affiliations", _flow(["org"]))])
    document = CommentedMap(
        [
            ("title", title),
            ("authors", CommentedSeq([first, second])),
            ("affiliations", CommentedMap([("org", ADDRESS.text)])),
            (
                "abstract",
                LiteralScalarString(
                    f"{ABSTRACT.text} with one paragraph of at most 250 words:\n"
                    "what was studied, how, what was found, and why it matters.\n"
                ),
            ),
            ("keywords", _flow(["Otocolobus manul", KEYWORD.text])),
        ]
    )
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # a long title stays on its line
    stream = StringIO()
    yaml.dump(document, stream)
    return f"---\n{stream.getvalue()}---\n"


def _flow(items: list[str]) -> CommentedSeq:
    sequence = CommentedSeq(items)
    sequence.fa.set_flow_style()
    return sequence


class Staged:
    """Files written beside their places first and moved in together when the block ends
    (``os.replace`` each, the list in the order given: write the manifest last), so that an
    error while writing leaves the project as it was: no half chapter, no chapter listed in
    ``issue.yml`` that is not there.

    Every file stays inside ``root``: a folder on the way that leads out of it (a symbolic
    link a pull request put in ``chapters/`` or ``references/``) is refused, and the temporary
    files get new random names (``mkstemp``), so none of them can be a link placed in advance.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        self.files: list[tuple[Path, Path]] = []
        self.folders: list[Path] = []

    def path(self, target: Path) -> Path:
        """Where to write what becomes ``target`` (its suffix kept, for the writers that go by
        it).

        :raises OSError: ``target`` would be outside the project.
        """
        existing = next(p for p in [target.parent, *target.parent.parents] if p.exists())
        if not existing.resolve().is_relative_to(self.root):
            raise OSError(f"{target.parent} leads outside the project ({existing.resolve()})")
        missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        self.folders.extend(reversed(missing))
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.stem}.", suffix=f".pica-tmp{target.suffix}"
        )
        os.close(handle)
        os.chmod(name, 0o666 & ~self.umask)  # as a file written in place would be, not 0600
        self.files.append((Path(name), target))
        return Path(name)

    def write_text(self, target: Path, text: str) -> None:
        self.path(target).write_text(text, "utf-8")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            for temporary, target in self.files:
                os.replace(temporary, target)
            return
        for temporary, _target in self.files:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty


@dataclass
class Manifest:
    """``issue.yml`` read for an edit that keeps its comments and layout (ruamel round trip)."""

    path: Path
    yaml: YAML
    data: Any
    chapters: list[Any]

    def add(self, chapter: Path, role: str, staged: Staged | None = None) -> int:
        """List ``chapter`` by its role: before the strategy chapter (an editorial or prologue
        before the first chapter, an appendix last); the position, from 0. With ``staged``,
        ``issue.yml`` is written when the staged files are moved in."""
        root = self.path.parent
        entry = CommentedMap([("file", chapter.relative_to(root).as_posix()), ("role", role)])
        entry.fa.set_flow_style()
        chapters = self.chapters
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
        stream = StringIO()
        self.yaml.dump(self.data, stream)
        if staged is not None:
            staged.write_text(self.path, stream.getvalue())
        else:
            with Staged(root) as alone:
                alone.write_text(self.path, stream.getvalue())
        return position


def open_manifest(root: Path) -> Manifest | int:
    """``issue.yml`` for :meth:`Manifest.add`, or the exit status after saying why not."""
    manifest = root / "issue.yml"
    if not manifest.is_file():
        print(f"pica-publish: no issue.yml in {root}", file=sys.stderr)
        return 2
    text = manifest.read_text("utf-8")
    try:
        load_yaml(text)  # the safe reader first: a located message for broken YAML
    except YamlSyntaxError as error:
        print(
            f"issue.yml:{error.line}:{error.column}: error: {error.message} [{error.rule.id}]",
            file=sys.stderr,
        )
        if error.hint:
            print(f"    hint: {error.hint}", file=sys.stderr)
        return 1
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(text)
    chapters = data.get("chapters") if isinstance(data, dict) else None
    if not isinstance(chapters, list):
        print(
            "pica-publish: issue.yml has no 'chapters' list; run `pica-publish check`",
            file=sys.stderr,
        )
        return 1
    return Manifest(manifest, yaml, data, chapters)


def chapter_path(root: Path, slug: str) -> Path:
    """``chapters/NN-slug.md`` for a new chapter: the next number, the slug made unique."""
    folder = root / "chapters"
    numbers = [int(m[1]) for p in folder.glob("*.md") if (m := re.match(r"^(\d+)-", p.name))]
    existing = {re.sub(r"^\d+-", "", p.stem) for p in folder.glob("*.md")}
    base, suffix = slug, 2
    while slug in existing:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return folder / f"{max(numbers, default=0) + 1:02d}-{slug}.md"


def new_chapter(root: Path, title: str, *, role: str = "chapter") -> int:
    title = " ".join(title.split())
    if not title or CONTROL_RE.search(title):
        print("pica-publish: the title is empty or holds a control character", file=sys.stderr)
        return 2
    manifest = open_manifest(root)
    if isinstance(manifest, int):
        return manifest
    path = chapter_path(root, slugify(title))
    with Staged(root) as staged:
        staged.write_text(path, front_matter(title) + BODY)
        position = manifest.add(path, role, staged)
    print(f"created {path.relative_to(root)} and listed it in issue.yml (position {position + 1})")
    print(
        "next: replace the placeholders in capitals (YOUR NAME, …) and write the text, then run "
        "`pica-publish check`"
    )
    return 0
