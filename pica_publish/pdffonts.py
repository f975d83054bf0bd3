"""One embedded font program per face in a joined PDF (:func:`merge_font_subsets`).

Each part PDF embeds its own subset of every face it uses (WeasyPrint subsets TrueType fonts
keeping the original glyph ids, ``retain_gids``, and draws text with ``Identity-H``: the codes in
the content streams *are* the glyph ids). Joined, the issue would carry one subset per part and
face. Here the subsets of one face are merged into one font program holding the union of their
glyphs, and every font of that face points at it: the glyph ids the pages draw keep their
outlines, so the pages look exactly as before (tested by rendering both).

Which subsets are one face is decided by their content, not their names (static instances of a
variable font may share a PostScript name): two subsets are merged only when they have the same
units per em and every glyph id that both hold has byte-identical outline data. Anything else
(CFF/OpenType fonts, Type 3, a font that fontTools cannot read) is left as it is.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import pikepdf
from pikepdf import Dictionary, Name

__all__ = ["merge_font_subsets"]

LOGGER = logging.getLogger("pica_publish")

PER_GLYPH_TABLES = ("hdmx", "LTSH", "VDMX", "kern", "vmtx", "VORG")
"""Tables with per-glyph data besides ``glyf``/``hmtx`` that a merge would leave inconsistent:
dropped from the merged program (PDF viewers draw from ``glyf`` and the PDF's own widths)."""


@dataclass
class _Program:
    """One embedded TrueType program of a CID font, with the descriptors using it."""

    descriptors: list[Dictionary]
    stream: pikepdf.Stream
    data: bytes


@dataclass
class _Subset:
    """One embedded TrueType subset: which program it is, and its glyphs as raw bytes by id."""

    index: int
    """Its place among the file's programs (:func:`_programs`)."""
    data: bytes
    units_per_em: int
    glyphs: dict[int, bytes]
    """Glyph id → its ``glyf`` record, for every non-empty glyph."""
    metrics: dict[int, tuple[int, int]]
    """Glyph id → (advance width, left side bearing), for the same glyphs."""
    glyph_count: int


Plan = list[tuple[list[int], bytes]]
"""The merges of one file: for each face with more than one program, the programs' places
(:func:`_programs`) and the merged program that replaces them."""


class PlanStore(Protocol):
    """Where merges are kept across joins (``pica_publish.part_cache.MergedFonts``): a merge is
    a pure function of the programs it reads, and an edit of one article leaves the subsets of
    the others, and mostly its own, as they were."""

    def get(self, key: str, programs: int) -> Plan | None: ...

    def put(self, key: str, plan: Plan) -> None: ...


def merge_font_subsets(pdf: pikepdf.Pdf, store: PlanStore | None = None) -> int:
    """Merge the TrueType subsets of each face in ``pdf`` into one program per face (in place)
    and return how many font programs were removed. ``store``: merges made before, by the
    programs they were made from."""
    programs = list(_programs(pdf))
    key = _key(programs)
    plan = store.get(key, len(programs)) if store is not None else None
    if plan is None:
        plan = _plan(programs)
        if store is not None:
            store.put(key, plan)
    removed = 0
    for indices, merged in plan:
        stream = pdf.make_stream(merged)
        stream.Length1 = len(merged)
        for index in indices:
            for descriptor in programs[index].descriptors:
                descriptor.FontFile2 = stream
                if "/CIDSet" in descriptor:  # the glyphs of the old subset (PDF/A-1 only)
                    del descriptor["/CIDSet"]
        removed += len(indices) - 1
    return removed


def _key(programs: list[_Program]) -> str:
    digest = hashlib.sha256(b"pica-publish merged fonts 1")
    for program in programs:
        digest.update(hashlib.sha256(program.data).digest())
    return digest.hexdigest()


def _plan(programs: list[_Program]) -> Plan:
    """The merges of ``programs``: each face's subsets, read, grouped and merged."""
    subsets = [
        subset
        for index, program in enumerate(programs)
        if (subset := _read_subset(index, program.data)) is not None
    ]
    plan: Plan = []
    for group in _groups(subsets):
        if len(group) < 2:
            continue
        merged = _merged_program(group)
        if merged is not None:
            plan.append(([subset.index for subset in group], merged))
    return plan


def _programs(pdf: pikepdf.Pdf) -> Iterator[_Program]:
    """Every TrueType program of a CID font in ``pdf``, once, with the descriptors using it,
    in the order they are met."""
    by_stream: dict[tuple[int, int], _Program] = {}
    for font in _cid_fonts(pdf):
        descriptor = font.get("/FontDescriptor")
        if not isinstance(descriptor, Dictionary):
            continue
        stream = descriptor.get("/FontFile2")
        if not isinstance(stream, pikepdf.Stream) or font.get("/CIDToGIDMap") != Name.Identity:
            continue
        known = by_stream.get(stream.objgen)
        if known is not None:
            if all(d.objgen != descriptor.objgen for d in known.descriptors):
                known.descriptors.append(descriptor)
            continue
        try:
            data = stream.read_bytes()
        except pikepdf.PdfError as error:
            LOGGER.debug("font program not read: %s", error)
            continue
        by_stream[stream.objgen] = _Program([descriptor], stream, data)
    yield from by_stream.values()


def _cid_fonts(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    """The descendant CID fonts of every Type 0 font in the file, in object order."""
    for obj in pdf.objects:
        if (
            isinstance(obj, Dictionary)
            and obj.get("/Type") == Name.Font
            and obj.get("/Subtype") == Name.Type0
        ):
            for descendant in obj.get("/DescendantFonts", []):
                if isinstance(descendant, Dictionary):
                    yield descendant


def _read_subset(index: int, data: bytes) -> _Subset | None:
    """The subset's glyph records and metrics, read from its raw tables (nothing decompiled
    but ``head``, ``hhea``, ``maxp`` and ``loca``: a join reads every subset of every part)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        if "glyf" not in font or "loca" not in font or "hmtx" not in font:
            return None
        offsets = list(font["loca"].locations)
        raw = font.reader["glyf"]
        glyphs = {
            gid: bytes(raw[start:end])
            for gid, (start, end) in enumerate(itertools.pairwise(offsets))
            if end > start
        }
        metrics = _metrics(font.reader["hmtx"], int(font["hhea"].numberOfHMetrics), glyphs)
        units = int(font["head"].unitsPerEm)
        count = int(font["maxp"].numGlyphs)
    except (TTLibError, KeyError, ValueError, AssertionError, struct.error) as error:
        LOGGER.debug("font subset not merged: %s", error)
        return None
    return _Subset(index, data, units, glyphs, metrics, count)


def _metrics(
    hmtx: bytes, long_metrics: int, glyphs: dict[int, bytes]
) -> dict[int, tuple[int, int]]:
    """(advance width, left side bearing) of each glyph id in ``glyphs``, from a raw ``hmtx``."""
    metrics: dict[int, tuple[int, int]] = {}
    for gid in glyphs:
        if gid < long_metrics:
            metrics[gid] = struct.unpack_from(">Hh", hmtx, 4 * gid)
        else:
            advance = struct.unpack_from(">H", hmtx, 4 * (long_metrics - 1))[0]
            bearing = struct.unpack_from(">h", hmtx, 4 * long_metrics + 2 * (gid - long_metrics))
            metrics[gid] = (advance, bearing[0])
    return metrics


def _groups(subsets: list[_Subset]) -> list[list[_Subset]]:
    """Subsets clustered by compatibility, in the order they were met (deterministic)."""
    groups: list[list[_Subset]] = []
    for subset in subsets:
        for group in groups:
            if all(_compatible(subset, other) for other in group):
                group.append(subset)
                break
        else:
            groups.append([subset])
    return groups


def _compatible(a: _Subset, b: _Subset) -> bool:
    """Two subsets of one face: same units per em, the glyphs both hold identical, and at
    least one glyph besides ``.notdef`` in common (else nothing says they are one face)."""
    if a.units_per_em != b.units_per_em:
        return False
    common = (a.glyphs.keys() & b.glyphs.keys()) - {0}
    return bool(common) and all(a.glyphs[gid] == b.glyphs[gid] for gid in common)


def _merged_program(group: list[_Subset]) -> bytes | None:
    """One TrueType program with every glyph of the group, or None when it cannot be made.
    The subset with the most glyph ids is the base; the glyphs it lacks are copied into it as
    they are (no bounding boxes recomputed, no re-encoding)."""
    from fontTools.ttLib import TTFont, TTLibError
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    source = max(group, key=lambda subset: subset.glyph_count)
    try:
        base = TTFont(io.BytesIO(source.data), recalcTimestamp=False, recalcBBoxes=False)
        order = base.getGlyphOrder()
        glyf, hmtx = base["glyf"], base["hmtx"]
        for subset in group:
            for gid, record in subset.glyphs.items():
                if gid in source.glyphs:
                    continue
                if gid >= len(order):
                    return None  # the base has the most glyph ids, by construction
                glyf.glyphs[order[gid]] = Glyph(record)
                hmtx[order[gid]] = subset.metrics[gid]
        for tag in PER_GLYPH_TABLES:
            if tag in base:
                del base[tag]
        buffer = io.BytesIO()
        base.save(buffer)
        return buffer.getvalue()
    except (TTLibError, KeyError, ValueError, AssertionError, struct.error) as error:
        LOGGER.debug("font subsets not merged: %s", error)
        return None


def _has_outline(glyph: object) -> bool:
    """An unexpanded ``glyf`` record with data (an empty glyph has none)."""
    return bool(getattr(glyph, "data", None))
