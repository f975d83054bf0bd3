"""Join per-part tagged PDFs into one tagged PDF (the issue, or an offprint).

Consumes: the PDF of each print part (cover, masthead, contents, articles), each written by
WeasyPrint as its own tagged PDF/UA-1, in reading order, with the folio of its first page, and the
joined document's metadata. Produces: the bytes of one PDF that keeps the pages, one structure tree
(a single ``/Document`` holding every part's elements), the named destinations, the links (links
to another part become named destinations), one outline, page labels and PDF/UA metadata.

How objects are copied: the pages of a part are appended first, then everything else the part
holds (structure tree, name trees, outline) is copied in *one* foreign-object copy. qpdf maps each
object of a source file once per target file, so a structure element, the page it marks and the
annotation it owns all point at the same copies; fonts, images and the rest are copied once per
part. Nothing is read back from the WeasyPrint ``Document``: this works on finished PDFs, so parts
can be laid out in worker processes and cached between builds.
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from pica_publish.pdffonts import PlanStore, merge_font_subsets
from pica_publish.pdfstructure import (
    StructureConflict,
    StructureTree,
    as_list,
    name_tree,
    struct_parent_holders,
)

__all__ = ["CROSS_PART_PREFIX", "Attachment", "JoinError", "JoinMetadata", "Part", "join_pdfs"]

LOGGER = logging.getLogger("pica_publish")

CROSS_PART_PREFIX = "https://cross-part.invalid/#"
"""A part links to an anchor of another part as ``CROSS_PART_PREFIX + anchor``: WeasyPrint drops
``href="#anchor"`` when the anchor is not in its own document, but keeps this URI."""


@dataclass(frozen=True)
class Part:
    """One part's PDF and where its pages stand in the folio sequence."""

    pdf: bytes
    """The part as written by WeasyPrint (``pdf_variant="pdf/ua-1", pdf_tags=True``)."""
    first_folio: int | None
    """Page label of the part's first page (decimal, then counting up); ``None``: unnumbered."""


@dataclass(frozen=True)
class JoinMetadata:
    """Document-level metadata of the joined PDF (Info dictionary and XMP)."""

    title: str
    """Document title (``dc:title``, shown in the viewer's title bar: PDF/UA)."""
    authors: tuple[str, ...] = ()
    """Authors in order (``dc:creator``)."""
    keywords: tuple[str, ...] = ()
    """Keywords (``dc:subject`` and ``pdf:Keywords``)."""
    lang: str = "en"
    """Default language of the document (catalog ``/Lang``, ``dc:language``)."""
    created: str | None = None
    """W3C date-time of creation and modification, e.g. ``2026-11-30T10:00:00Z``; ``None``: no
    dates, so that the output depends on the inputs only."""
    archival: bool = False
    """Identify the joined PDF as PDF/A-3u (the parts written as ``pdf/a-3u``, ``make
    archive``) instead of PDF/UA-1; its output intent is the first part's."""
    attachments: tuple[Attachment, ...] = ()
    """Files embedded in the joined PDF (the sources of an archival PDF), in order."""
    print_master: bool = False
    """Identify the joined PDF as PDF/X-4 (the parts written as ``pdf/x-4`` with bleed and crop
    marks, ``make print``), with :data:`PRINT_OUTPUT_CONDITION` as its output intent."""


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the joined PDF, related to it as its source (PDF/A-3 ``/AF``)."""

    name: str
    """The file name shown by PDF viewers, e.g. ``chapters/01-dens.md``."""
    data: bytes
    mime_type: str = "text/plain"
    description: str = ""


class JoinError(Exception):
    """The parts cannot be joined: a part is not a readable PDF, a named destination or a
    structure role is defined twice in conflicting ways, or the request is invalid."""


@dataclass
class _Joined:
    """What the parts contribute, gathered part by part, written once all are read."""

    out: pikepdf.Pdf
    structure: StructureTree
    dests: dict[str, tuple[pikepdf.Object, int]] = field(default_factory=dict)
    """Name-tree destinations (``/Names /Dests``): name → (destination, part number)."""
    dest_dict: dict[str, tuple[pikepdf.Object, int]] = field(default_factory=dict)
    """Old-style destinations (catalog ``/Dests`` dictionary)."""
    other_names: dict[str, dict[str, pikepdf.Object]] = field(default_factory=dict)
    outline: list[Dictionary] = field(default_factory=list)
    associated_files: list[pikepdf.Object] = field(default_factory=list)
    """The catalog's ``/AF`` (file specifications of attachments), each once."""
    output_intents: pikepdf.Object | None = None
    """The first part's ``/OutputIntents`` (an archival PDF's colour space)."""
    page_starts: list[int] = field(default_factory=list)
    version: str = "1.7"
    producer: str = ""


def join_pdfs(
    parts: Sequence[Part],
    meta: JoinMetadata,
    fallback: Callable[[str], str | None] | None = None,
    fonts: PlanStore | None = None,
) -> bytes:
    """Join ``parts`` in order into one tagged PDF and return its bytes.

    A cross-part link (``CROSS_PART_PREFIX + name``) becomes a link to the named destination
    ``name`` when one of the parts defines it; otherwise ``fallback(name)`` gives a URI to link to
    instead (e.g. the web edition), and without a fallback or when it returns ``None`` the link
    annotation stays (with its text and structure element) but loses its action. ``fonts``
    keeps font merges across joins (:func:`pica_publish.pdffonts.merge_font_subsets`).

    The same inputs give the same bytes. Raises `JoinError` (and nothing else) when the parts
    cannot be joined.
    """
    problems = _request_problems(parts, meta)
    if problems:
        raise JoinError("; ".join(problems))
    stage = "starting"
    try:
        with ExitStack() as stack:
            out = stack.enter_context(pikepdf.new())
            document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document))
            joined = _Joined(out, StructureTree(document, meta.lang))
            for number, part in enumerate(parts, start=1):
                stage = f"part {number}"
                source = stack.enter_context(_open_part(part.pdf, number))
                _add_part(joined, source, number)
            stage = "writing the joined PDF"
            joined.structure.write(out)
            _write_destinations(joined)
            _resolve_cross_part_links(joined, fallback)
            _write_outline(joined)
            _write_page_labels(joined, [part.first_folio for part in parts])
            _write_attachments(joined, meta)
            _write_document_metadata(joined, meta)
            merge_font_subsets(out, fonts)  # one program per face, not one per part
            buffer = io.BytesIO()
            out.save(
                buffer,
                deterministic_id=True,
                compress_streams=True,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                min_version=joined.version,
            )
            return buffer.getvalue()
    except JoinError:
        raise
    except StructureConflict as error:
        raise JoinError(str(error)) from error
    except (pikepdf.PikepdfError, AttributeError, KeyError, TypeError, ValueError) as error:
        # Malformed input reaches us as qpdf errors or as objects of an unexpected type.
        raise JoinError(f"{stage}: {type(error).__name__}: {error}") from error


def _request_problems(parts: Sequence[Part], meta: JoinMetadata) -> list[str]:
    """Every problem of the request itself, collected before any PDF is read."""
    problems = [] if parts else ["no parts to join"]
    for number, part in enumerate(parts, start=1):
        if part.first_folio is not None and part.first_folio < 1:
            problems.append(f"part {number}: first_folio {part.first_folio!r} must be 1 or more")
    if not meta.title.strip():
        problems.append("metadata: the title is empty (PDF/UA requires one)")
    if not meta.lang.strip():
        problems.append("metadata: lang is empty (PDF/UA requires a language)")
    if meta.created is not None:
        try:
            datetime.fromisoformat(meta.created)
        except ValueError:
            problems.append(
                f"metadata: created {meta.created!r} is not a W3C date-time"
                " (hint: '2026-11-30T10:00:00Z')"
            )
    return problems


def _open_part(pdf: bytes, number: int) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PikepdfError as error:
        raise JoinError(f"part {number}: not a readable PDF ({error})") from error


def _add_part(joined: _Joined, source: pikepdf.Pdf, number: int) -> None:
    """Append the pages of one part, then copy and merge what refers to them."""
    out = joined.out
    if not len(source.pages):
        raise JoinError(f"part {number}: the PDF has no pages")
    first = len(out.pages)
    joined.page_starts.append(first)
    for page in source.pages:
        out.pages.append(page)
    pages = [out.pages[index].obj for index in range(first, len(out.pages))]
    joined.version = max(joined.version, source.pdf_version, key=_version_key)
    if not joined.producer:
        joined.producer = str(source.docinfo.get("/Producer", ""))
    root = source.Root
    keys = ("/StructTreeRoot", "/Names", "/Dests", "/Outlines", "/AF", "/OutputIntents")
    # One copy for all: objects shared between these (and with the pages) are mapped once.
    holder = source.make_indirect(Array([root.get(key) for key in keys]))
    tree, names, dests, outlines, associated_files, intents = out.copy_foreign(holder)
    if joined.output_intents is None and isinstance(intents, Array) and len(intents):
        joined.output_intents = intents
    if isinstance(tree, Dictionary):
        part_lang = root.get("/Lang")
        joined.structure.add_part(tree, pages, number, str(part_lang) if part_lang else None)
    else:
        LOGGER.warning("part %d has no structure tree: its pages are untagged", number)
        for holder_object, holder_key, _ in struct_parent_holders(pages):
            del holder_object[holder_key]
    if isinstance(names, Dictionary):
        _merge_names(joined, names, number)
    if isinstance(dests, Dictionary):
        for key, dest in dests.items():
            _add_destination(joined.dest_dict, joined.dests, key[1:], dest, number)
    if isinstance(outlines, Dictionary):
        joined.outline.extend(_siblings(outlines.get("/First")))
    known = {spec.objgen for spec in joined.associated_files}
    for spec in as_list(associated_files):
        if not spec.is_indirect or spec.objgen not in known:
            joined.associated_files.append(spec)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(piece) for piece in version.split(".") if piece.isdigit())


def _merge_names(joined: _Joined, names: Dictionary, number: int) -> None:
    for tree_key, tree in names.items():
        if not isinstance(tree, Dictionary):
            continue
        entries = pikepdf.NameTree(tree).items()
        if tree_key == "/Dests":
            for name, dest in entries:
                _add_destination(joined.dests, joined.dest_dict, name, dest, number)
        else:  # attachments and the like: the first part's entry wins
            merged = joined.other_names.setdefault(tree_key, {})
            for name, value in entries:
                merged.setdefault(name, value)


def _add_destination(
    into: dict[str, tuple[pikepdf.Object, int]],
    other: dict[str, tuple[pikepdf.Object, int]],
    name: str,
    dest: pikepdf.Object,
    number: int,
) -> None:
    for seen in (into, other):
        if name in seen:
            raise JoinError(
                f"named destination {name!r} is defined in part {seen[name][1]} and"
                f" in part {number} (hint: anchor ids must be unique across the issue)"
            )
    into[name] = (dest, number)


def _write_destinations(joined: _Joined) -> None:
    out = joined.out
    trees = {
        key: {String(name): value for name, value in tree.items()}
        for key, tree in joined.other_names.items()
    }
    if joined.dests:
        trees["/Dests"] = {String(name): dest for name, (dest, _) in joined.dests.items()}
    if trees:
        out.Root.Names = Dictionary(
            {key: name_tree(out, entries) for key, entries in sorted(trees.items())}
        )
    if joined.dest_dict:
        out.Root.Dests = out.make_indirect(
            Dictionary({f"/{name}": dest for name, (dest, _) in sorted(joined.dest_dict.items())})
        )


def _resolve_cross_part_links(
    joined: _Joined, fallback: Callable[[str], str | None] | None
) -> None:
    """Turn each cross-part URI into a named destination, a fallback URI, or no action."""
    for page in joined.out.pages:
        for annotation in as_list(page.obj.get("/Annots")):
            action = annotation.get("/A") if isinstance(annotation, Dictionary) else None
            uri = action.get("/URI") if isinstance(action, Dictionary) else None
            if not isinstance(uri, String) or not str(uri).startswith(CROSS_PART_PREFIX):
                continue
            assert isinstance(annotation, Dictionary)
            name = unquote(str(uri)[len(CROSS_PART_PREFIX) :])
            description = name
            if name in joined.dests:
                annotation.Dest = String(name)
                del annotation["/A"]
            elif name in joined.dest_dict:
                annotation.Dest = Name(f"/{name}")
                del annotation["/A"]
            elif (web_uri := _call_fallback(fallback, name)) is not None:
                annotation.A.URI = String(web_uri)
                description = web_uri
            else:
                del annotation["/A"]  # the link text and its structure element stay
            # WeasyPrint describes a link by its href: name the target, not the placeholder.
            if str(annotation.get("/Contents", "")) == str(uri):
                annotation.Contents = String(description)


def _call_fallback(fallback: Callable[[str], str | None] | None, name: str) -> str | None:
    if fallback is None:
        return None
    try:
        uri = fallback(name)
    except Exception as error:  # the caller's callback: report it as ours to report
        raise JoinError(f"fallback for {name!r} failed: {error!r}") from error
    if uri is not None and not isinstance(uri, str):
        raise JoinError(f"fallback for {name!r} returned {uri!r}, not a string or None")
    return uri


def _write_outline(joined: _Joined) -> None:
    """One outline: the parts' top-level items in order, with their children."""
    items = joined.outline
    if not items:
        return
    root = joined.out.make_indirect(Dictionary(Type=Name.Outlines))
    visible = 0
    for index, item in enumerate(items):
        item.Parent = root
        for key, sibling in (("/Prev", index - 1), ("/Next", index + 1)):
            if 0 <= sibling < len(items):
                item[key] = items[sibling]
            elif key in item:
                del item[key]
        count = item.get("/Count", 0)
        visible += 1 + (count if isinstance(count, int) and count > 0 else 0)
    root.First, root.Last, root.Count = items[0], items[-1], visible
    joined.out.Root.Outlines = root


def _siblings(first: object) -> list[Dictionary]:
    items: list[Dictionary] = []
    seen: set[tuple[int, int]] = set()
    item = first
    while isinstance(item, Dictionary) and item.objgen not in seen:
        seen.add(item.objgen)
        items.append(item)
        item = item.get("/Next")
    return items


def _write_page_labels(joined: _Joined, folios: list[int | None]) -> None:
    nums: list[object] = []
    for start, folio in zip(joined.page_starts, folios, strict=True):
        nums += [start, Dictionary() if folio is None else Dictionary(S=Name.D, St=folio)]
    joined.out.Root.PageLabels = Dictionary(Nums=Array(nums))


def _write_attachments(joined: _Joined, meta: JoinMetadata) -> None:
    """Embed ``meta.attachments`` as sources (``/AFRelationship /Source``, listed in the
    catalog's ``/AF`` as PDF/A-3 asks), dated like the document."""
    out = joined.out
    date = _pdf_date(meta.created) if meta.created else ""
    for attachment in meta.attachments:
        spec = pikepdf.AttachedFileSpec(
            out,
            attachment.data,
            description=attachment.description or f"Source: {attachment.name}",
            filename=attachment.name,
            mime_type=attachment.mime_type,
            creation_date=date,
            mod_date=date,
            relationship=Name.Source,
        )
        out.attachments[attachment.name] = spec
        joined.associated_files.append(out.attachments[attachment.name].obj)
    if joined.associated_files:
        out.Root.AF = Array(joined.associated_files)


def _pdf_date(created: str) -> str:
    """A W3C date-time as a PDF date string, ``D:20261130100000Z``."""
    moment = datetime.fromisoformat(created)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("D:%Y%m%d%H%M%SZ")


PRINT_OUTPUT_CONDITION = "sRGB IEC61966-2.1"
"""The print master's output condition: the colours are those the layout set (sRGB, as
WeasyPrint writes them); the printer converts to its press's CMYK condition, as a PDF/X-4
with an RGB output intent asks. The ICC profile is WeasyPrint's own ``sRGB2014.icc``."""


def set_bleed_boxes(out: pikepdf.Pdf) -> None:
    """Every page's BleedBox :data:`~pica_publish.checks.frame.BLEED_MM` outside its TrimBox.
    The parts are laid out with a wider bleed (:data:`~pica_publish.stages.typeset.
    PRINT_MASTER_CSS`), so that the crop marks stand outside the bleed, in the MediaBox's
    margin; WeasyPrint puts the BleedBox at most 10 pt out, this puts it where the printer
    trims to."""
    from pica_publish.checks.frame import BLEED_MM

    bleed = BLEED_MM * 72 / 25.4
    for page in out.pages:
        trim = page.obj.get(Name.TrimBox)
        if not isinstance(trim, Array) or len(trim) != 4:
            continue
        x0, y0, x1, y1 = (float(v) for v in trim)
        page.obj.BleedBox = Array(
            [round(x0 - bleed, 3), round(y0 - bleed, 3), round(x1 + bleed, 3), round(y1 + bleed, 3)]
        )


def print_output_intent(out: pikepdf.Pdf) -> Dictionary:
    """A ``/GTS_PDFX`` output intent with the sRGB profile embedded."""
    from importlib.resources import files

    profile = (files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()
    stream = out.make_stream(profile)
    stream.N = 3
    return Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=String(PRINT_OUTPUT_CONDITION),
        RegistryName=String("http://www.color.org"),
        Info=String(PRINT_OUTPUT_CONDITION),
        DestOutputProfile=stream,
    )


def _write_document_metadata(joined: _Joined, meta: JoinMetadata) -> None:
    """Catalog entries and Info/XMP metadata that PDF/UA-1 asks for, and nothing dated unless
    the caller gives the date."""
    out = joined.out
    out.Root.Lang = String(meta.lang)
    if meta.print_master:
        set_bleed_boxes(out)
        out.Root.OutputIntents = Array([print_output_intent(out)])
        out.docinfo[Name.Trapped] = Name("/False")  # PDF/X: the printer traps, if anyone
    elif joined.output_intents is not None:
        out.Root.OutputIntents = joined.output_intents
    out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    producer = "; ".join(
        filter(None, [joined.producer, f"joined by pikepdf {pikepdf.__version__}"])
    )
    with out.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as xmp:
        xmp["dc:title"] = meta.title
        if meta.authors:
            xmp["dc:creator"] = list(meta.authors)
        if meta.keywords:
            xmp["dc:subject"] = list(meta.keywords)
            xmp["pdf:Keywords"] = ", ".join(meta.keywords)
        xmp["dc:language"] = [meta.lang]
        xmp["pdf:Producer"] = producer
        if meta.archival:
            xmp["pdfaid:part"] = "3"
            xmp["pdfaid:conformance"] = "U"
        elif meta.print_master:
            xmp["pdfxid:GTS_PDFXVersion"] = "PDF/X-4"
            xmp["pdf:Trapped"] = "False"
            # PDF/X-4 asks for a document id, a version and the rendition class
            seed = hashlib.sha256(f"{meta.title}\0{meta.created}".encode()).digest()[:16]
            xmp["xmpMM:DocumentID"] = f"uuid:{uuid.UUID(bytes=seed)}"
            xmp["xmpMM:VersionID"] = "1"
            xmp["xmpMM:RenditionClass"] = "default"
        else:
            xmp["pdfuaid:part"] = "1"
        if meta.created is not None:
            for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
                xmp[key] = meta.created
