"""``pica-publish import manuscript.docx``: a Word (or LibreOffice) manuscript becomes a chapter.

The steps, in order (:func:`import_manuscript` reads top to bottom), gathering everything and
refusing what would lose content before anything is written; each has its module:

1. :mod:`~pica_publish.word_survey`: the package itself (lxml over its XML): tracked changes
   and comments, in the body and the notes (refused unless ``--accept-changes``: they are
   decisions the author has not made), and objects pandoc cannot carry (embedded charts,
   SmartArt, OLE objects), each with the paragraph it is in.
2. :mod:`~pica_publish.word_fields`: what pandoc's reader would miss or lose, rewritten in a
   copy of the package — the citations of Mendeley Cite, EndNote and Word as the CSL fields
   pandoc reads, text boxes as paragraphs, an ``.odt``'s citation marks as tokens. Then
   pandoc's docx (or odt) reader, with its ``citations`` and ``styles`` extensions, images
   extracted.
3. :mod:`~pica_publish.word_titlepage`: the title page as the front matter; what cannot be
   found is written as the scaffold's placeholders, which ``check`` reports.
4. :mod:`~pica_publish.word_works`: each cited work gets a house key, or the key of the entry of
   ``references/*.bib`` that is the same work; :mod:`~pica_publish.word_bibtex` writes the new
   ones.
5. :mod:`~pica_publish.word_body`: citations by key, figures (:mod:`~pica_publish.word_images`)
   and tables captioned and labelled, cross-references, typed citations linked
   (:mod:`~pica_publish.word_typed`), ``TODO(import)`` marks, the typed reference list left out.
6. :func:`import_manuscript` writes ``chapters/NN-slug.md``, ``chapters/figures/<slug>/``,
   ``references/<slug>.bib``, and the chapter listed in ``issue.yml`` before the strategy, all
   staged and moved in together (:class:`~pica_publish.scaffold.Staged`).
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pica_publish.word_bibtex import bibtex
from pica_publish.word_body import rewrite, set_marks
from pica_publish.word_images import copy_image
from pica_publish.word_package import TODO, ImportRefused
from pica_publish.word_survey import refuse_changes, refuse_temporary, survey
from pica_publish.word_titlepage import chapter_front_matter, front_matter
from pica_publish.word_typed import works
from pica_publish.word_works import known_entries, references


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``… where a file of that name is there already."""
    candidate, number = path, 2
    while candidate.exists():
        candidate, number = path.with_name(f"{path.stem}-{number}{path.suffix}"), number + 1
    return candidate


@dataclass
class Imported:
    """What :func:`import_manuscript` wrote, for its summary and the tests."""

    chapter: Path
    bibliography: Path | None
    figures: list[Path]
    cited: int
    reused: list[str]
    new_keys: list[str]
    linked: int
    todo: list[str]
    warnings: list[str]
    position: int


def import_manuscript(
    root: Path,
    source: Path,
    *,
    slug: str | None = None,
    role: str = "chapter",
    accept_changes: bool = False,
) -> Imported:
    """Import ``source`` into the project at ``root`` (see the module's steps); nothing is
    written when it is refused (:class:`ImportRefused`)."""
    from pica_publish.pandoc import (
        PandocError,
        ast_to_markdown,
        manuscript_references,
        read_manuscript,
    )
    from pica_publish.scaffold import Staged, chapter_path, open_manifest, slugify
    from pica_publish.word_fields import normalise_docx
    from pica_publish.word_odt import normalise_odt

    if not source.is_file():
        raise ImportRefused([f"{source}: no such file"])
    if source.suffix.lower() not in (".docx", ".odt"):
        raise ImportRefused(
            [f"{source.name}: not a .docx or .odt file"],
            "save the manuscript from Word or LibreOffice as .docx (a .doc: File > Save As)",
        )
    findings = survey(source)
    if not accept_changes:
        refuse_changes(source, findings)
    manifest = open_manifest(root)
    if isinstance(manifest, int):
        raise ImportRefused(["issue.yml cannot be edited (see above)"])
    with tempfile.TemporaryDirectory(prefix="pica-import-") as scratch:
        media = Path(scratch) / "media"
        reader = "docx+citations+styles" if source.suffix.lower() == ".docx" else "odt"
        document, fields, marks = Path(scratch) / f"manuscript{source.suffix.lower()}", None, None
        if reader == "odt":  # citation marks as tokens pandoc keeps
            marks = normalise_odt(source, document)
        else:  # Mendeley Cite's, EndNote's and Word's citations as fields pandoc reads
            fields = normalise_docx(source, document)
            refuse_temporary(source, fields.temporary)
        try:
            ast = read_manuscript(
                document, reader, [f"--extract-media={media}", "--track-changes=accept"]
            )
        except PandocError as error:
            raise ImportRefused([f"{source.name}: pandoc cannot read it: {error}"]) from None
        page, blocks = front_matter(ast)
        if page.abstract_blocks:  # as Markdown, its italics kept
            page.abstract = ast_to_markdown({**ast, "meta": {}, "blocks": page.abstract_blocks})
        slug = slug or slugify(
            page.title if page.todo[:1] != ["the title (no Title paragraph)"] else source.stem
        )
        path = chapter_path(root, slugify(slug, words=8))
        slug = re.sub(r"^\d+-", "", path.stem)
        known = known_entries(root)
        if marks is not None:
            set_marks(blocks, marks)
        items = marks.items if marks is not None else manuscript_references(document, reader)
        found = references(items, known)
        body = rewrite(blocks, slug, found.keys, works(known, found.new), findings)
        ast = {**ast, "meta": {}, "blocks": body.blocks}
        try:
            markdown = ast_to_markdown(ast)
            written_bib = bibtex(found.new, source.name) if found.new else ""
        except PandocError as error:
            raise ImportRefused([f"{source.name}: pandoc cannot write it: {error}"]) from None
        # everything gathered: now write, every file beside its place first (Staged)
        figures_dir = root / "chapters" / "figures" / slug
        written: list[Path] = []
        bibliography = _free(root / "references" / f"{slug}.bib") if written_bib else None
        with Staged(root) as staged:
            for name, image in body.figures:
                if image.is_file():
                    written.append(copy_image(image, figures_dir / name, staged))
            if bibliography is not None:
                staged.write_text(bibliography, written_bib)
            staged.write_text(path, chapter_front_matter(page) + "\n" + markdown)
            position = manifest.add(path, role, staged)
    warnings = [
        f"paragraph {f.paragraph}: {f.kind} left out (marked {TODO})"
        for f in findings
        if f.kind in ("chart", "SmartArt", "embedded object")
    ]
    if fields is not None:
        warnings.extend(
            f"paragraph {n}: its text box is set as paragraphs after it (check the place)"
            for n in fields.boxes
        )
        for manager, count in sorted(fields.unreadable.items()):
            warnings.append(
                f"{count} {manager} citation(s) hold no data that can be read: kept as the text "
                "Word showed"
            )
    if marks is not None and marks.unreadable:
        warnings.append(
            f"{marks.unreadable} citation mark(s) hold no data that can be read: kept as the text "
            "LibreOffice showed"
        )
    if body.unread:
        warnings.append(
            f"{body.unread} citation field(s) hold no data of the works they cite: kept as the "
            "text Word showed (`check` lists the entries it may mean)"
        )
    return Imported(
        path,
        bibliography,
        written,
        len(found.keys),
        sorted(found.reused),
        [item["id"] for item in found.new],
        body.linked,
        [*page.todo, *body.todo],
        warnings,
        position,
    )


def main(root: Path, source: Path, *, slug: str | None, role: str, accept_changes: bool) -> int:
    """The command: import, then say what was written and what is left to do."""
    try:
        done = import_manuscript(root, source, slug=slug, role=role, accept_changes=accept_changes)
    except OSError as error:  # a full disk, a read-only folder: said, not a traceback
        print(f"{source}: error: cannot write the chapter: {error}", file=sys.stderr)
        return 1
    except ImportRefused as refused:
        first, *rest = refused.problems
        print(f"{source}: error: {first}", file=sys.stderr)
        for line in rest:
            print(f"    {line}", file=sys.stderr)
        if refused.hint:
            print(f"    hint: {refused.hint}", file=sys.stderr)
        return 1
    shown = done.chapter.relative_to(root)
    print(f"created {shown} and listed it in issue.yml (position {done.position + 1})")
    if done.figures:
        print(f"figures  {len(done.figures)} in {done.figures[0].parent.relative_to(root)}/")
    reused = (
        f", {len(done.reused)} already in references/ ({', '.join(done.reused)})"
        if done.reused
        else ""
    )
    where = f" in {done.bibliography.relative_to(root)}" if done.bibliography else ""
    print(
        f"cited    {done.cited} work(s) from citation fields: {len(done.new_keys)} new{where}{reused}"
    )
    if done.linked:
        print(f"linked   {done.linked} author-year citation(s) typed as text")
    for warning in done.warnings:
        print(f"{source}: warning: {warning}", file=sys.stderr)
    if done.todo:
        print(f"to do    {len(done.todo)}: " + "; ".join(done.todo))
    print(f"next: run `pica-publish check {shown}`: it lists every placeholder and TODO left")
    return 0
