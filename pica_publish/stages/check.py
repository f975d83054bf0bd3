"""Stage 2, *check*: cross-checks that need the whole issue loaded.

Consumes ``state.issue`` (its chapters, and the bodies of drafts whose front matter has errors);
produces ``state.citations`` and ``state.images`` and reports: unknown citation keys (with
did-you-mean), bylines (affiliations, corresponding author), labels and cross-references,
headings and raw HTML; images (:mod:`pica_publish.checks.images`) and the syntax of other tools
(:mod:`pica_publish.checks.dialects`). Runs no pandoc and no layout."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from pica_publish import rules
from pica_publish.checks.dialects import check_dialects
from pica_publish.checks.frame import check_frame
from pica_publish.checks.images import check_images
from pica_publish.coverage import check_coverage
from pica_publish.diagnostics import Location, Report, did_you_mean
from pica_publish.doi import normalise_doi
from pica_publish.markdown import (
    MAX_NESTING,
    RAW_IMAGE_RE,
    BodyScan,
    Found,
    canonical_label,
    scan_body,
)
from pica_publish.mathtex import check_math
from pica_publish.model import Chapter, ChapterSource, Citation, Issue
from pica_publish.names import ambiguous
from pica_publish.registry import check_registry
from pica_publish.scaffold import PLACEHOLDERS
from pica_publish.sources import CONTROL_RE
from pica_publish.state import BuildState
from pica_publish.word_package import TODO as IMPORT_MARK
from pica_publish.word_typed import CITED_RE, Work, matching_works, works_in

ABSTRACT_MAX_WORDS = 250


def check(state: BuildState) -> BuildState:
    issue = state.issue
    if issue is None:
        return state
    report = state.report
    citations: dict[str, tuple[Citation, ...]] = {}
    images: dict[str, dict[str, Path]] = {}
    candidates: list[Work] | None = None
    # Drafts (front matter invalid, already reported) have their bodies checked all the same,
    # so that one run reports every problem; they never reach the build.
    for chapter in (*issue.chapters, *issue.drafts):
        if isinstance(chapter, Chapter):
            check_byline(chapter, report)
        check_placeholders(chapter, report)
        scan = scan_body(chapter.body)
        found = []
        for item in scan.citations:
            location = chapter.location(item.line + chapter.body_line - 1, item.column)
            if item.text in issue.bibliography.unusable:
                continue  # its entry is there but could not be read: reported there, once
            if item.text not in issue.bibliography.entries:
                unread = issue.bibliography.unusable.get("")
                hint = f"{unread.path} could not be read; it may hold this entry" if unread else ""
                scheme = item.text.split(":", 1)[0].lower()
                if scheme in MANUBOT_SCHEMES:  # [@doi:10.1139/z10-056], Manubot's habit
                    report.add(
                        rules.CITATION_UNKNOWN,
                        f"'{item.text}' is a Manubot citation by identifier, which is not "
                        "looked up here",
                        location,
                        identifier_hint(item.text, issue),
                    )
                    continue
                report.add(
                    rules.CITATION_UNKNOWN,
                    f"unknown citation key '{item.text}'",
                    location,
                    did_you_mean(item.text, issue.bibliography.entries)
                    or hint
                    or "add the entry to a file in references/",
                )
            else:
                found.append(Citation(item.text, location))
        citations[chapter.slug] = tuple(found)
        check_labels(chapter, scan, report)
        if scan.typed_citations:
            if candidates is None:  # once, and only for a chapter that types citations
                candidates = works_in(issue.bibliography.entries)
            check_typed_citations(chapter, scan, candidates, report)
        check_math(chapter, scan, report)
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
        check_dialects(chapter, scan, report)
        refused_lines = {media.line for media in scan.raw_images}
        for raw in scan.raw_html:
            if raw.line in refused_lines:
                continue  # already an error (raw-html-media) at this line
            report.add(
                rules.RAW_HTML,
                f"raw HTML '{raw.text[:40]}' is sanitised in the HTML edition",
                chapter.location(raw.line + chapter.body_line - 1, 1),
            )
        check_coverage(issue, chapter, citations, report)
    check_cited_entries(issue, citations, report)
    check_registry(issue, report)
    frame = check_frame(issue, report)
    return dataclasses.replace(state, citations=citations, images=images, frame_files=frame)


def check_typed_citations(
    chapter: ChapterSource, scan: BodyScan, candidates: list[Work], report: Report
) -> None:
    """``(Ross et al. 2010)`` typed as text: the entries it may mean, by first author and year
    (``pica-publish import`` links those that fit one entry). A parenthesis that fits no entry
    is reported only when it reads as a citation beyond doubt ("et al.", "and", "&")."""
    for typed in scan.typed_citations:
        narrative = typed.text.endswith(")")  # Ross et al. (2010)
        cited = typed.text.replace("(", "").replace(")", "") if narrative else typed.text
        parts = [CITED_RE.match(part.strip()) for part in cited.split(";")]
        if not all(parts):
            continue
        keys = [
            [w.key for w in matching_works(m["names"], m["year"] + m["letter"], candidates)]
            for m in parts
            if m
        ]
        if not any(keys) and not re.search(r"\bet al\b|\band\b|&", typed.text):
            continue
        form = "@{}" if narrative else "[@{}]"
        hint = "; ".join(
            f"{m['names'].strip()} {m['year']}{m['letter']}: "
            + (" or ".join(form.format(k) for k in found) if found else "no entry fits (add it)")
            for m, found in zip(parts, keys, strict=True)
            if m
        )
        shown, column = (
            (typed.text, typed.column) if narrative else (f"({typed.text})", typed.column - 1)
        )
        location = chapter.location(typed.line + chapter.body_line - 1, max(1, column))
        report.add(rules.CITATION_AS_TEXT, f"'{shown}' is a citation typed as text", location, hint)


def check_placeholders(chapter: ChapterSource, report: Report) -> None:
    """Text that ``pica-publish new chapter`` wrote for the author to replace (the scaffold's
    :data:`~pica_publish.scaffold.PLACEHOLDERS`), left in the front matter or the body."""
    parts = (
        (chapter.front_matter_text, chapter.front_matter_line),
        (chapter.body, chapter.body_line),
    )
    for text, first_line in parts:
        for number, line in enumerate(text.split("\n"), start=first_line):
            column = line.find(IMPORT_MARK)
            if column >= 0:
                end = line.find("]", column)
                said = line[column + len(IMPORT_MARK) : end if end >= 0 else None].strip(" :")
                report.add(
                    rules.IMPORT_TODO,
                    f"left by `pica-publish import`: {said or 'see this line'}",
                    chapter.location(number, column + 1),
                )
            for placeholder in PLACEHOLDERS:
                column = line.find(placeholder.text)
                if column >= 0:
                    report.add(
                        rules.PLACEHOLDER_TEXT,
                        f"'{placeholder.text}' is a placeholder of the chapter template",
                        chapter.location(number, column + 1),
                        placeholder.hint,
                    )


MANUBOT_SCHEMES = frozenset({"doi", "pmid", "pmcid", "arxiv", "isbn", "url", "wikidata", "tag"})
"""Prefixes of Manubot's citations by identifier (``@doi:10.1000/x``, ``@pmid:123``)."""


def identifier_hint(key: str, issue: Issue) -> str:
    """The entry that has this DOI, if the bibliography holds one; else how to add it."""
    scheme, _, value = key.partition(":")
    if scheme.lower() == "doi" and (wanted := normalise_doi(value)):
        for entry_key, entry in sorted(issue.bibliography.entries.items()):
            doi = normalise_doi(entry.fields.get("doi", ""))
            if doi and doi.lower() == wanted.lower():
                return f"cite it by its key: [@{entry_key}] has this DOI"
    return "add the work to a file in references/ (e.g. exported from Zotero) and cite its key"


def check_untrusted_body(chapter: ChapterSource, scan: BodyScan, report: Report) -> None:
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
    if isinstance(chapter, Chapter):
        check_front_matter_math(chapter, report)
    abstract = (chapter.meta.abstract if isinstance(chapter, Chapter) else None) or ""
    if "![" in abstract or RAW_IMAGE_RE.search(abstract):
        report.add(
            rules.ABSTRACT_IMAGE,
            "the abstract holds an image",
            chapter.front_matter_location(("abstract",)),
        )


def check_front_matter_math(chapter: Chapter, report: Report) -> None:
    """Front-matter fields are rendered as inline Markdown, not by pandoc: ``$\\alpha$`` in a
    title would reach the contents page, the PDF metadata and every export as TeX source.
    Found with the body's own math rules (pandoc's ``tex_math_dollars``)."""
    meta = chapter.meta
    fields: list[tuple[tuple[str | int, ...], str]] = [(("title",), meta.title)]
    if meta.short_title:
        fields.append((("short_title",), meta.short_title))
    if meta.abstract:
        fields.append((("abstract",), meta.abstract))
    fields.extend((("keywords", index), keyword) for index, keyword in enumerate(meta.keywords))
    for path, text in fields:
        if "$" not in text:  # pandoc's TeX math is always between dollars
            continue
        for math in scan_body(text).math:
            report.add(
                rules.FRONT_MATTER_MATH,
                f"{_field_name(path)} holds TeX math '${math.tex.strip()}$', which would be "
                "printed as TeX",
                chapter.front_matter_location(path),
            )


def _field_name(path: tuple[str | int, ...]) -> str:
    if path[0] == "keywords":
        return f"keyword {int(path[1]) + 1}"
    return f"the {str(path[0]).replace('_', ' ')}"


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


KIND_NAMES = {"fig": "figure", "tbl": "table", "sec": "section", "eq": "equation"}


def check_labels(chapter: ChapterSource, scan: BodyScan, report: Report) -> None:
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
        target = canonical_label(ref.text)  # Quarto's @fig-map is @fig:map
        if target not in defined:
            kind = KIND_NAMES[target.split(":", 1)[0]]
            same_kind = [k for k in defined if k.startswith(target.split(":", 1)[0] + ":")]
            report.add(
                rules.CROSS_REF_UNRESOLVED,
                f"no {kind} is labelled '{ref.text}' in this chapter",
                where(ref),
                did_you_mean(target, same_kind) or f"label the {kind}: {{#{ref.text}}} after it",
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
