"""Stage 2, *check*: cross-checks that need the whole issue loaded.

Consumes ``state.issue``; produces ``state.citations`` and ``state.images`` and reports: unknown
citation keys (with did-you-mean), bylines (affiliations, corresponding author), images (missing,
remote, outside the project, no alt text), headings and raw HTML. Runs no pandoc and no layout.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pica_publish import rules
from pica_publish.diagnostics import Location, Report, did_you_mean
from pica_publish.inputs import InputRefused, resolve_input
from pica_publish.markdown import MAX_NESTING, RAW_IMAGE_RE, BodyScan, Found, ImageRef, scan_body
from pica_publish.model import Chapter, Citation, Issue
from pica_publish.names import ambiguous
from pica_publish.sources import CONTROL_RE
from pica_publish.state import BuildState

ABSTRACT_MAX_WORDS = 250


def check(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None:
        return state
    report = state.report
    citations: dict[str, tuple[Citation, ...]] = {}
    images: dict[str, dict[str, Path]] = {}
    for chapter in issue.chapters:
        check_byline(chapter, report)
        scan = scan_body(chapter.body)
        found = []
        for item in scan.citations:
            location = chapter.location(item.line + chapter.body_line - 1, item.column)
            if item.text not in issue.bibliography.entries:
                report.add(
                    rules.CITATION_UNKNOWN,
                    f"unknown citation key '{item.text}'",
                    location,
                    did_you_mean(item.text, issue.bibliography.entries)
                    or "add the entry to a file in references/",
                )
            else:
                found.append(Citation(item.text, location))
        citations[chapter.slug] = tuple(found)
        check_labels(chapter, scan, report)
        images[chapter.slug] = check_images(issue, chapter, scan.images, report)
        previous_level = 1  # the title
        for heading in scan.headings:
            line = heading.line + chapter.body_line - 1
            if heading.level == 1:
                report.add(
                    rules.HEADING_LEVEL_1,
                    f"level-1 heading '{heading.text}': the article title is the only level-1 heading",
                    chapter.location(line, 1),
                )
            elif heading.level > previous_level + 1:
                report.add(
                    rules.HEADING_SKIP,
                    f"heading '{heading.text}' jumps from level {previous_level} to level "
                    f"{heading.level}",
                    chapter.location(line, 1),
                    f"use {'#' * (previous_level + 1)} here",
                )
            previous_level = max(heading.level, 1)
        check_untrusted_body(chapter, scan, report)
        refused_lines = {media.line for media in scan.raw_images}
        for raw in scan.raw_html:
            if raw.line in refused_lines:
                continue  # already an error (raw-html-media) at this line
            report.add(
                rules.RAW_HTML,
                f"raw HTML '{raw.text[:40]}' is sanitised in the HTML edition",
                chapter.location(raw.line + chapter.body_line - 1, 1),
            )
    check_cited_entries(issue, citations, report)
    return dataclasses.replace(state, citations=citations, images=images)


def check_untrusted_body(chapter: Chapter, scan: BodyScan, report: Report) -> None:
    """What a chapter body may not do: steer pandoc, embed media from raw HTML, hide characters.

    pandoc reads bodies without metadata blocks and raw ``{=format}`` blocks
    (:data:`pica_publish.pandoc.CHAPTER_FORMAT`), so these would be printed as text: they are
    refused here, where the author sees the line.
    """

    def where(found: Found) -> Location:
        return chapter.location(found.line + chapter.body_line - 1, found.column)

    for block in scan.metadata_blocks:
        report.add(
            rules.BODY_METADATA_BLOCK,
            f"a YAML metadata block ('{block.text}: …') in the body is not allowed",
            where(block),
        )
    for raw in scan.raw_formats:
        report.add(
            rules.BODY_RAW_FORMAT,
            f"raw {raw.text} content is not allowed",
            where(raw),
        )
    for media in scan.raw_images:
        report.add(
            rules.RAW_HTML_MEDIA,
            f"<{media.text}> in raw HTML is not allowed",
            where(media),
        )
    if scan.too_deep is not None:
        report.add(
            rules.BODY_NESTING,
            f"quotes, lists or emphasis are nested more than {MAX_NESTING} levels deep",
            where(scan.too_deep),
        )
    for number, line in enumerate(chapter.body.split("\n"), start=chapter.body_line):
        if match := CONTROL_RE.search(line):
            report.add(
                rules.TEXT_CONTROL_CHARACTER,
                f"the text holds the invisible control character U+{ord(match[0]):04X}",
                chapter.location(number, match.start() + 1),
            )
    abstract = chapter.meta.abstract or ""
    if "![" in abstract or RAW_IMAGE_RE.search(abstract):
        report.add(
            rules.ABSTRACT_IMAGE,
            "the abstract holds an image",
            chapter.front_matter_location(("abstract",)),
        )


# Fields the house style prints, by BibTeX entry type (any one of each tuple will do).
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("title",), ("year", "date"), ("journal", "journaltitle")),
    "book": (("author", "editor"), ("title",), ("year", "date"), ("publisher",)),
    "incollection": (
        ("author",),
        ("title",),
        ("year", "date"),
        ("booktitle",),
        ("publisher",),
    ),
    "inbook": (("author",), ("title",), ("year", "date"), ("booktitle", "title"), ("publisher",)),
    "inproceedings": (("author",), ("title",), ("year", "date"), ("booktitle",)),
    "phdthesis": (("author",), ("title",), ("year", "date"), ("school", "institution")),
    "mastersthesis": (("author",), ("title",), ("year", "date"), ("school", "institution")),
    "thesis": (("author",), ("title",), ("year", "date"), ("school", "institution")),
    "techreport": (
        ("author", "editor"),
        ("title",),
        ("year", "date"),
        ("institution", "publisher"),
    ),
    "report": (("author", "editor"), ("title",), ("year", "date"), ("institution", "publisher")),
    "online": (("author", "editor", "organization"), ("title",), ("year", "date"), ("url",)),
}
DEFAULT_FIELDS = (("author", "editor", "organization"), ("title",), ("year", "date"))


def check_cited_entries(
    issue: Issue, citations: dict[str, tuple[Citation, ...]], report: Report
) -> None:
    """Cited entries need the fields the style prints; uncited entries are noted (info)."""
    first_citation: dict[str, Citation] = {}
    for found in citations.values():
        for citation in found:
            first_citation.setdefault(citation.key, citation)
    for key, entry in sorted(issue.bibliography.entries.items()):
        cited = first_citation.get(key)
        if cited is None:
            report.add(
                rules.BIB_UNCITED,
                f"entry '{key}' is not cited by any chapter",
                entry.location,
            )
            continue
        required = REQUIRED_FIELDS.get(entry.entry_type, DEFAULT_FIELDS)
        missing = [
            " or ".join(alternatives)
            for alternatives in required
            if not any(entry.fields.get(name, "").strip() for name in alternatives)
        ]
        if missing:
            report.add(
                rules.BIB_ENTRY_INCOMPLETE,
                f"@{entry.entry_type} '{key}' (cited at {cited.location}) has no "
                f"{', no '.join(missing)}",
                entry.location,
            )


KIND_NAMES = {"fig": "figure", "tbl": "table", "sec": "section"}


def check_labels(chapter: Chapter, scan: BodyScan, report: Report) -> None:
    """Labels unique, every cross-reference resolved, no hand-typed 'Fig. 3' gone stale."""

    def where(found: Found) -> Location:
        return chapter.location(found.line + chapter.body_line - 1, found.column)

    defined: dict[str, Found] = {}
    for label in scan.labels:
        if label.text in defined:
            report.add(
                rules.LABEL_DUPLICATE,
                f"label '{label.text}' is defined twice (first at {where(defined[label.text])})",
                where(label),
            )
        else:
            defined[label.text] = label
    for ref in scan.cross_refs:
        if ref.text not in defined:
            kind = KIND_NAMES[ref.text.split(":", 1)[0]]
            same_kind = [k for k in defined if k.startswith(ref.text.split(":", 1)[0] + ":")]
            report.add(
                rules.CROSS_REF_UNRESOLVED,
                f"no {kind} is labelled '{ref.text}' in this chapter",
                where(ref),
                did_you_mean(ref.text, same_kind) or f"label the {kind}: {{#{ref.text}}} after it",
            )
    counts = {"fig": scan.figures, "tbl": scan.tables}
    for typed in scan.typed_refs:
        kind, number = typed.text.split(" ", 1)
        shown = f"{'Fig.' if kind == 'fig' else 'Table'} {number}"
        prefix = chapter.number_prefix
        exists = (
            number.startswith(prefix)
            and number[len(prefix) :].isdigit()
            and (1 <= int(number[len(prefix) :]) <= counts[kind])
        )
        message = (
            f"'{shown}' is typed by hand and will not follow renumbering"
            if exists
            else f"'{shown}' matches no {KIND_NAMES[kind]}: this chapter has {counts[kind]} "
            f"{KIND_NAMES[kind]}{'s' if counts[kind] != 1 else ''}"
        )
        report.add(
            rules.CROSS_REF_TYPED,
            message,
            where(typed),
            f"label the {KIND_NAMES[kind]} ({{#{kind}:name}}) and write @{kind}:name instead",
        )


def check_byline(chapter: Chapter, report: Report) -> None:
    meta = chapter.meta
    defined = set(meta.affiliations)
    used: set[str] = set()
    for index, author in enumerate(meta.authors):
        for position, key in enumerate(author.affiliations):
            used.add(key)
            if key not in defined:
                report.add(
                    rules.AUTHOR_AFFILIATION_UNDEFINED,
                    f"author '{author.name}' refers to undefined affiliation '{key}'",
                    chapter.front_matter_location(("authors", index, "affiliations", position)),
                    did_you_mean(key, defined)
                    or "define it under 'affiliations' in the front matter",
                )
        if (
            not author.organisation
            and author.family is None
            and author.given is None
            and ambiguous(author.name)
        ):
            guess = author.person
            report.add(
                rules.AUTHOR_NAME_AMBIGUOUS,
                f"which part of '{author.name}' is the family name? Taken as "
                f"'{guess.family_with_particle}' (given: '{guess.given}')",
                chapter.front_matter_location(("authors", index, "name")),
            )
        if author.corresponding and not author.email:
            report.add(
                rules.AUTHOR_CORRESPONDING_EMAIL,
                f"corresponding author '{author.name}' has no e-mail",
                chapter.front_matter_location(("authors", index, "corresponding"), key=True),
            )
    for key in sorted(defined - used):
        report.add(
            rules.AFFILIATION_UNUSED,
            f"affiliation '{key}' is not used by any author",
            chapter.front_matter_location(("affiliations", key), key=True),
        )
    corresponding = [i for i, a in enumerate(meta.authors) if a.corresponding]
    if len(corresponding) > 1:
        for index in corresponding[1:]:
            report.add(
                rules.AUTHOR_CORRESPONDING_MANY,
                "more than one corresponding author",
                chapter.front_matter_location(("authors", index, "corresponding"), key=True),
            )
    elif not corresponding and chapter.role not in ("appendix",):
        report.add(
            rules.AUTHOR_CORRESPONDING_NONE,
            "no corresponding author",
            chapter.front_matter_location(("authors",), key=True),
        )
    if meta.abstract and len(meta.abstract.split()) > ABSTRACT_MAX_WORDS:
        report.add(
            rules.ABSTRACT_TOO_LONG,
            f"abstract has {len(meta.abstract.split())} words; the limit is {ABSTRACT_MAX_WORDS}",
            chapter.front_matter_location(("abstract",)),
        )


def check_images(
    issue: Issue, chapter: Chapter, refs: tuple[ImageRef, ...], report: Report
) -> dict[str, Path]:
    """Image source as written → resolved file, for every image that exists in the project."""
    paths: dict[str, Path] = {}
    for image in refs:
        location = chapter.location(image.line + chapter.body_line - 1, image.column)
        parts = urlsplit(image.src)
        if not image.alt.strip():
            report.add(rules.IMAGE_ALT_MISSING, f"image '{image.src}' has no alt text", location)
        if parts.scheme or parts.netloc:
            report.add(
                rules.IMAGE_REMOTE,
                f"image '{image.src}' is not a file in the project",
                location,
            )
            continue
        try:
            path = resolve_input(
                chapter.path.parent / unquote(parts.path), [issue.root], kind="image"
            )
        except InputRefused as refused:
            if refused.missing:
                report.add(rules.IMAGE_MISSING, f"image file '{image.src}' not found", location)
            else:
                report.add(rules.IMAGE_OUTSIDE, f"image '{image.src}' {refused.reason}", location)
            continue
        if problem := image_problem(path):
            report.add(
                rules.IMAGE_UNREADABLE,
                f"image '{image.src}' {problem}",
                location,
                "export the figure again as plain SVG (no scripts, links or embedded HTML) or PNG"
                if problem.startswith("is not safe")
                else "save the figure as SVG, PNG or JPEG",
            )
        else:
            paths[image.src] = path
    return paths


IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
MAX_IMAGE_PIXELS = 80_000_000
"""A full-page photograph at 300 dpi has 9 million pixels; decoding 80 million takes ~320 MB.
Larger images are refused before anything decodes them (Pillow reads only the header here)."""


def image_problem(path: Path) -> str:
    """Why an image cannot be used in both editions, or ''.

    Raster images: only the header is read. SVG: the whole file (up to the size limit) is
    checked against the allow-list of :mod:`pica_publish.svg`.
    """
    suffix = path.suffix.lower()
    if suffix == ".svg":
        from pica_publish.svg import MAX_BYTES, svg_problems

        with path.open("rb") as file:
            problems = svg_problems(file.read(MAX_BYTES + 1))  # a larger file is refused
        if not problems:
            return ""
        first = str(problems[0])  # "is not an SVG file …", or "has a <script> element (line 3)"
        return first if first.startswith("is ") else f"is not safe: {first}"
    if suffix not in IMAGE_FORMATS:
        return f"has an unsupported format '{suffix or 'none'}'"
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                found = picture.format
                width, height = picture.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more than {MAX_IMAGE_PIXELS // 1_000_000} million pixels"
    except (UnidentifiedImageError, OSError):
        return "is damaged or not an image"
    if width * height > MAX_IMAGE_PIXELS:
        return f"has {width} × {height} pixels, more than {MAX_IMAGE_PIXELS // 1_000_000} million"
    if found != IMAGE_FORMATS[suffix]:
        return f"is a {found} file named {suffix}"
    return ""
