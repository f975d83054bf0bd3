"""Joining per-part tagged PDFs (:mod:`pica_publish.pdfjoin`).

Four tiny parts are written by the real WeasyPrint as tagged PDF/UA-1 (as the typeset stage
writes them): a cover without a folio, a contents page linking to the articles through
``CROSS_PART_PREFIX``, and two articles with headings (outline entries), an internal link, a
figure with alt text and a table. The joined PDFs are read back with pikepdf and pypdf.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pypdf
import pytest
import weasyprint

from pica_publish import pdffonts
from pica_publish.part_cache import MergedFonts
from pica_publish.pdfjoin import (
    CROSS_PART_PREFIX,
    JoinError,
    JoinMetadata,
    Part,
    join_pdfs,
)

RED_BOX = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='20'%3E"
    "%3Crect width='40' height='20' fill='red'/%3E%3C/svg%3E"
)
CROSS = CROSS_PART_PREFIX


def html(title: str, body: str, lang: str = "en") -> str:
    style = "@page { size: A6; margin: 1cm } body { font: 10pt serif }"
    return (
        f"<html lang='{lang}'><head><title>{title}</title><style>{style}</style></head>"
        f"<body>{body}</body></html>"
    )


def article(key: str, title: str, lang: str = "en") -> str:
    """An article of two pages: heading, links, figure and table, then a section."""
    other = {"a": "art-b", "b": "art-a", "c": "art-a"}[key]
    return html(
        title,
        f"<h1 id='art-{key}'>{title}</h1>"
        f"<p>Text of {key} <a href='#{key}-sec'>see section {key}</a>, then"
        f" <a href='{CROSS}{other}'>the other article</a>"
        f" and <a href='https://example.org/{key}'>the web</a>.</p>"
        f"<img src=\"{RED_BOX}\" alt='Red box of {key}'>"
        "<table><tr><th>Year</th><th>Count</th></tr><tr><td>2019</td><td>12</td></tr></table>"
        f"<h2 id='{key}-sec' style='break-before: page'>Section {key} heading</h2>"
        f"<p>Body of section {key}.</p>",
        lang,
    )


COVER = html("Cover", "<p id='cover'>CATnews cover page</p>")
CONTENTS = html(
    "Contents",
    "<h1 id='contents'>Contents</h1>"
    f"<p><a href='{CROSS}art-a'>Article Alpha</a></p>"
    f"<p><a href='{CROSS}art-b'>Article Beta</a></p>"
    f"<p><a href='{CROSS}b-sec'>Section b of Beta</a></p>",
)
SOURCES = {
    "cover": COVER,
    "contents": CONTENTS,
    "a": article("a", "Article Alpha"),
    "b": article("b", "Article Beta"),
    "c": article("c", "Статья Гамма", lang="ru"),  # same object numbers as b: same table ids
}
ANCHOR_TEXT = {
    "cover": "CATnews cover page",
    "contents": "Contents",
    "art-a": "Article Alpha",
    "a-sec": "Section a heading",
    "art-b": "Article Beta",
    "b-sec": "Section b heading",
    "art-c": "Статья Гамма",
    "c-sec": "Section c heading",
}
META = JoinMetadata(
    title="CATnews Special Issue 99",
    authors=("Ada Example", "Bo Sample"),
    keywords=("Otocolobus manul", "status"),
    created="2026-11-30T10:00:00Z",
)


@pytest.fixture(scope="module")
def part_pdfs() -> dict[str, bytes]:
    return {
        name: weasyprint.HTML(string=source).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
        for name, source in SOURCES.items()
    }


def issue_parts(pdfs: dict[str, bytes]) -> list[Part]:
    return [
        Part(pdfs["cover"], None),
        Part(pdfs["contents"], 2),
        Part(pdfs["a"], 3),
        Part(pdfs["b"], 5),
    ]


@pytest.fixture(scope="module")
def issue(part_pdfs: dict[str, bytes]) -> bytes:
    return join_pdfs(issue_parts(part_pdfs), META)


def open_pdf(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def page_index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(pdf.pages)}


def dest_page(pdf: pikepdf.Pdf, dest: object) -> int:
    """The page index a destination (a name string or an explicit array) leads to."""
    if isinstance(dest, pikepdf.String):
        dest = pikepdf.NameTree(pdf.Root.Names.Dests)[str(dest)]
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.D
    assert isinstance(dest, pikepdf.Array)
    return page_index(pdf)[dest[0].objgen]


def links(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    for index, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link":
                yield index, annotation


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    """Every structure element, depth first."""
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
            stack.append(node.get("/K", pikepdf.Array()))


def kids(node: pikepdf.Dictionary) -> list[object]:
    value = node.get("/K")
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def document_roles(data: bytes) -> list[str]:
    with open_pdf(data) as pdf:
        (document,) = kids(pdf.Root.StructTreeRoot)
        return [str(kid.S) for kid in kids(document)]


def outline_entries(data: bytes) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline item, in order."""
    found: list[tuple[int, str, int]] = []
    with open_pdf(data) as pdf, pdf.open_outline() as outline:

        def walk(items: list[pikepdf.OutlineItem], depth: int) -> None:
            for item in items:
                found.append((depth, item.title, dest_page(pdf, item.destination)))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
    return found


def test_pages_in_order_with_labels(issue: bytes) -> None:
    texts = page_texts(issue)
    expected = [
        "CATnews cover page",
        "Contents",
        "Article Alpha",
        "Section a heading",
        "Article Beta",
        "Section b heading",
    ]
    assert len(texts) == len(expected)
    for text, wanted in zip(texts, expected, strict=True):
        assert wanted in text
    assert pypdf.PdfReader(io.BytesIO(issue)).page_labels == ["", "2", "3", "4", "5", "6"]
    with open_pdf(issue) as pdf:
        assert all(page.obj.Tabs == "/S" for page in pdf.pages)


def test_every_link_leads_to_its_anchor(issue: bytes) -> None:
    texts = page_texts(issue)
    seen = {"internal": 0, "web": 0}
    with open_pdf(issue) as pdf:
        for _, annotation in links(pdf):
            if "/Dest" in annotation:
                name = str(annotation.Dest)
                assert ANCHOR_TEXT[name] in texts[dest_page(pdf, annotation.Dest)]
                assert str(annotation.Contents) == name  # not the placeholder address
                seen["internal"] += 1
            else:
                assert str(annotation.A.URI).startswith("https://example.org/")
                seen["web"] += 1
    # contents: 3 cross-part; each article: its section, the other article (cross-part)
    assert seen == {"internal": 3 + 2 + 2, "web": 2}
    assert CROSS.encode() not in pikepdf_uncompressed(issue)


def pikepdf_uncompressed(data: bytes) -> bytes:
    with open_pdf(data) as pdf:
        output = io.BytesIO()
        pdf.save(
            output, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable
        )
        return output.getvalue()


def offprint(pdfs: dict[str, bytes], fallback: object) -> bytes:
    parts = [Part(pdfs["cover"], None), Part(pdfs["a"], 3)]
    return join_pdfs(parts, META, fallback)  # type: ignore[arg-type]


def cross_link(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """Article a's link to article b (absent from the offprint)."""
    (annotation,) = [
        a for _, a in links(pdf) if "/Dest" not in a and "example.org/a" not in str(a.get("/A"))
    ]
    return annotation


def test_offprint_uses_the_fallback_for_missing_targets(part_pdfs: dict[str, bytes]) -> None:
    data = offprint(part_pdfs, lambda name: f"https://web.example/issue/#{name}")
    with open_pdf(data) as pdf:
        annotation = cross_link(pdf)
        assert str(annotation.A.URI) == "https://web.example/issue/#art-b"
        assert str(annotation.Contents) == "https://web.example/issue/#art-b"
        # the link inside the article still leads to its section
        (inner,) = [a for _, a in links(pdf) if "/Dest" in a]
        assert dest_page(pdf, inner.Dest) == 2


def test_offprint_without_fallback_keeps_annotation_and_structure(
    part_pdfs: dict[str, bytes],
) -> None:
    data = offprint(part_pdfs, None)
    with open_pdf(data) as pdf:
        annotation = cross_link(pdf)
        assert "/A" not in annotation and "/Dest" not in annotation
        assert str(annotation.Contents) == "art-b"
        key = annotation.StructParent
        owner = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)[key]
        assert owner.S == "/Link"
        objects = [kid.Obj.objgen for kid in kids(owner) if isinstance(kid, pikepdf.Dictionary)]
        assert objects == [annotation.objgen]


def test_outline_is_the_parts_outlines_in_order(issue: bytes, part_pdfs: dict[str, bytes]) -> None:
    entries = outline_entries(issue)
    expected_titles: list[tuple[int, str]] = []
    for part in issue_parts(part_pdfs):
        expected_titles += [(depth, title) for depth, title, _ in outline_entries(part.pdf)]
    assert [(depth, title) for depth, title, _ in entries] == expected_titles
    assert expected_titles == [
        (0, "Contents"),
        (0, "Article Alpha"),
        (1, "Section a heading"),
        (0, "Article Beta"),
        (1, "Section b heading"),
    ]
    texts = page_texts(issue)
    for _, title, page in entries:
        assert title in texts[page]
    with open_pdf(issue) as pdf:
        assert pdf.Root.Outlines.Count == 5  # all items open, as WeasyPrint writes them


def test_one_document_element_holds_every_part(issue: bytes, part_pdfs: dict[str, bytes]) -> None:
    expected: list[str] = []
    for part in issue_parts(part_pdfs):
        expected += document_roles(part.pdf)
    assert document_roles(issue) == expected
    with open_pdf(issue) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(kids(root)) == 1 and kids(root)[0].S == "/Document"
        for element in elements(pdf):
            node, steps = element, 0
            while node.objgen != root.objgen:
                node, steps = node.P, steps + 1
                assert steps < 50
            for kid in kids(element):
                assert not (isinstance(kid, int) and "/Pg" not in element)


def test_references_point_into_the_joined_document(issue: bytes) -> None:
    with open_pdf(issue) as pdf:
        pages = page_index(pdf)
        annotations = {a.objgen for _, a in links(pdf)}
        objects_referenced = set()
        for element in elements(pdf):
            if "/Pg" in element:
                assert element.Pg.objgen in pages
            for kid in kids(element):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    assert kid.Pg.objgen in pages
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                    assert kid.Obj.objgen in annotations
                    objects_referenced.add(kid.Obj.objgen)
        assert objects_referenced == annotations


def marked_content_ids(page: pikepdf.Page) -> list[int]:
    return [
        int(operands[1].MCID)
        for operands, operator in pikepdf.parse_content_stream(page)
        if operator == pikepdf.Operator("BDC") and "/MCID" in operands[1]
    ]


def test_parent_tree_matches_pages_and_annotations(issue: bytes) -> None:
    with open_pdf(issue) as pdf:
        root = pdf.Root.StructTreeRoot
        tree = dict(pikepdf.NumberTree(root.ParentTree).items())
        page_keys = [page.obj.StructParents for page in pdf.pages]
        annotation_keys = [a.StructParent for _, a in links(pdf)]
        assert len(set(page_keys + annotation_keys)) == len(page_keys + annotation_keys)
        assert set(tree) == set(page_keys + annotation_keys)
        assert root.ParentTreeNextKey == max(tree) + 1
        for page, key in zip(pdf.pages, page_keys, strict=True):
            owners = list(tree[key])
            # WeasyPrint numbers the marked content of a page 0, 1, …: entry i owns MCID i.
            assert sorted(marked_content_ids(page)) == list(range(len(owners)))
            for mcid, owner in enumerate(owners):
                owned = [
                    kid
                    for kid in kids(owner)
                    if (kid == mcid and owner.Pg.objgen == page.obj.objgen)
                    or (
                        isinstance(kid, pikepdf.Dictionary)
                        and kid.get("/MCID") == mcid
                        and kid.Pg.objgen == page.obj.objgen
                    )
                ]
                assert len(owned) == 1, (key, mcid)
        for _, annotation in links(pdf):
            owner = tree[annotation.StructParent]
            assert any(
                isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") == annotation
                for kid in kids(owner)
            )


def test_table_header_ids_stay_unique(part_pdfs: dict[str, bytes]) -> None:
    """Parts b and c have the same object numbers, hence the same table header ids."""
    first_ids = set()
    for name in ("b", "c"):
        with open_pdf(part_pdfs[name]) as part:
            first_ids.add(frozenset(str(e.ID) for e in elements(part) if "/ID" in e))
    assert len(first_ids) == 1  # the collision this test is about
    data = join_pdfs([Part(part_pdfs["b"], 1), Part(part_pdfs["c"], 3)], META)
    with open_pdf(data) as pdf:
        ids = [str(e.ID) for e in elements(pdf) if "/ID" in e]
        assert len(ids) == 4 and len(set(ids)) == 4
        id_tree = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)
        assert sorted(id_tree.keys()) == sorted(ids)
        for element in elements(pdf):
            attributes = element.get("/A")
            if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                for header in attributes.Headers:
                    cell = id_tree[str(header)]
                    assert cell.S == "/TH"
                    assert table_of(cell).objgen == table_of(element).objgen


def table_of(element: pikepdf.Dictionary) -> pikepdf.Dictionary:
    while element.S != "/Table":
        element = element.P
    return element


def test_part_language_is_kept_on_its_elements(part_pdfs: dict[str, bytes]) -> None:
    data = join_pdfs([Part(part_pdfs["a"], 1), Part(part_pdfs["c"], 3)], META)
    with open_pdf(data) as pdf:
        assert str(pdf.Root.Lang) == "en"
        (document,) = kids(pdf.Root.StructTreeRoot)
        languages = {str(kid.get("/Lang", "")) for kid in kids(document)}
        assert languages == {"", "ru"}


def test_alt_text_and_document_metadata(issue: bytes) -> None:
    with open_pdf(issue) as pdf:
        figures = [str(e.Alt) for e in elements(pdf) if e.S == "/Figure"]
        assert figures == ["Red box of a", "Red box of b"]
        assert str(pdf.Root.Lang) == "en"
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        xmp = pdf.open_metadata()
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == META.title
        assert xmp["dc:creator"] == list(META.authors)
        assert xmp["xmp:CreateDate"] == META.created
        info = pdf.docinfo
        assert str(info.Title) == META.title
        assert "Ada Example" in str(info.Author)
        assert str(info.CreationDate).startswith("D:20261130100000")
        assert "pikepdf" in str(info.Producer)


def test_untagged_part_joins_without_structure(part_pdfs: dict[str, bytes]) -> None:
    plain = weasyprint.HTML(string=CONTENTS).write_pdf()  # no structure tree
    data = join_pdfs([Part(plain, 2), Part(part_pdfs["a"], 3)], META)
    with open_pdf(data) as pdf:
        assert len(pdf.pages) == 3
        assert "/StructParents" not in pdf.pages[0].obj
        assert document_roles(data) == document_roles(part_pdfs["a"])
        names = set(pikepdf.NameTree(pdf.Root.Names.Dests).keys())
        assert {"contents", "art-a", "a-sec"} <= names
    assert outline_entries(data)[0][1] == "Contents"


@pytest.mark.parametrize(
    ("parts", "meta", "message"),
    [
        ([], META, "no parts to join"),
        ([Part(b"%PDF-1.7 nonsense", 1)], META, "part 1: not a readable PDF"),
        ([Part(b"", 0)], META, "part 1: first_folio 0 must be 1 or more"),
        (["cover"], JoinMetadata(title=" "), "metadata: the title is empty"),
        (["cover"], JoinMetadata("T", lang=""), "metadata: lang is empty"),
        (["cover"], JoinMetadata("T", created="30/11/2026"), "'30/11/2026' is not a W3C"),
        (["a", "a"], META, "named destination 'a-sec' is defined in part 1 and in part 2"),
    ],
)
def test_errors(
    part_pdfs: dict[str, bytes], parts: list[Part | str], meta: JoinMetadata, message: str
) -> None:
    resolved = [Part(part_pdfs[p], 1) if isinstance(p, str) else p for p in parts]
    with pytest.raises(JoinError, match=message):
        join_pdfs(resolved, meta)


def test_fallback_errors_are_join_errors(part_pdfs: dict[str, bytes]) -> None:
    def broken(name: str) -> str:
        raise RuntimeError("no web edition")

    with pytest.raises(JoinError, match="fallback for 'art-b' failed"):
        offprint(part_pdfs, broken)


def test_deterministic_compressed_and_valid(issue: bytes, part_pdfs: dict[str, bytes]) -> None:
    again = join_pdfs(issue_parts(part_pdfs), META)
    assert again == issue
    assert b"/ObjStm" in issue
    with open_pdf(issue) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_size_against_one_weasyprint_document(issue: bytes, part_pdfs: dict[str, bytes]) -> None:
    """Per-part font subsets are the price of joining PDFs; nothing else is duplicated."""
    documents = [weasyprint.HTML(string=SOURCES[n]).render() for n in ("cover", "contents", "a")]
    documents.append(weasyprint.HTML(string=SOURCES["b"]).render())
    pages = [page for document in documents for page in document.pages]
    one = documents[0].copy(pages).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    parts = sum(len(part.pdf) for part in issue_parts(part_pdfs))
    started = time.perf_counter()
    join_pdfs(issue_parts(part_pdfs), META)
    seconds = time.perf_counter() - started
    print(
        f"joined {len(issue)} B, one WeasyPrint document {len(one)} B"
        f" ({len(issue) / len(one):.2f}x), parts {parts} B, join {seconds * 1000:.0f} ms"
    )
    assert len(issue) < parts  # each part's objects at most once, and compressed
    assert len(issue) < 2.5 * len(one)


def edited(data: bytes, edit: Callable[[pikepdf.Pdf], None]) -> bytes:
    """A part PDF changed by ``edit`` (for what WeasyPrint does not write)."""
    with open_pdf(data) as pdf:
        edit(pdf)
        output = io.BytesIO()
        pdf.save(output)
        return output.getvalue()


def test_role_maps_merge_and_old_style_destinations_resolve(
    part_pdfs: dict[str, bytes],
) -> None:
    def cover(pdf: pikepdf.Pdf) -> None:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(Chapter=pikepdf.Name.Sect)
        page = pdf.pages[0].obj
        pdf.Root.Dests = pikepdf.Dictionary(front=pikepdf.Array([page, pikepdf.Name.Fit]))

    def contents(pdf: pikepdf.Pdf) -> None:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(
            Chapter=pikepdf.Name.Sect, Box=pikepdf.Name.Div
        )
        (annotation, *_) = pdf.pages[0].obj.Annots
        annotation.A.URI = pikepdf.String(f"{CROSS}front")

    parts = [
        Part(edited(part_pdfs["cover"], cover), None),
        Part(edited(part_pdfs["contents"], contents), 2),
    ]
    data = join_pdfs(parts, META)
    with open_pdf(data) as pdf:
        role_map = pdf.Root.StructTreeRoot.RoleMap
        assert dict(role_map.items()) == {"/Box": "/Div", "/Chapter": "/Sect"}
        (annotation, *_) = pdf.pages[1].obj.Annots
        assert annotation.Dest == pikepdf.Name("/front")
        assert page_index(pdf)[pdf.Root.Dests.front[0].objgen] == 0

    def conflicting(pdf: pikepdf.Pdf) -> None:
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary(Chapter=pikepdf.Name.Div)

    parts[1] = Part(edited(part_pdfs["contents"], conflicting), 2)
    with pytest.raises(
        JoinError, match="part 2: role /Chapter is '/Div' here but '/Sect' in an earlier part"
    ):
        join_pdfs(parts, META)


def glyph_records(program: bytes) -> dict[int, bytes]:
    """Glyph id → raw ``glyf`` record of every non-empty glyph of a TrueType program."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(program), lazy=True)
    offsets = list(font["loca"].locations)
    raw = font.reader["glyf"]
    return {
        gid: bytes(raw[start:end])
        for gid, (start, end) in enumerate(itertools.pairwise(offsets))
        if end > start
    }


def font_programs(data: bytes) -> dict[str, list[bytes]]:
    """Face name (subset tag removed) → the distinct TrueType programs embedded for it."""
    programs: dict[str, dict[tuple[int, int], bytes]] = {}
    with open_pdf(data) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                stream = obj.get("/FontFile2")
                if stream is not None:
                    face = str(obj.FontName).split("+", 1)[-1]
                    programs.setdefault(face, {})[stream.objgen] = stream.read_bytes()
    return {face: list(streams.values()) for face, streams in programs.items()}


def test_one_font_program_per_face_with_every_glyph_of_every_part(
    issue: bytes, part_pdfs: dict[str, bytes]
) -> None:
    """Each part embeds its own subset of a face; joined, one program holds them all, and every
    glyph a part draws keeps its outline at its glyph id (so the pages look the same)."""
    joined = font_programs(issue)
    assert joined and all(len(programs) == 1 for programs in joined.values()), {
        face: len(programs) for face, programs in joined.items()
    }
    checked = 0
    for part in issue_parts(part_pdfs):
        for face, programs in font_programs(part.pdf).items():
            merged = glyph_records(joined[face][0])
            for program in programs:
                for gid, record in glyph_records(program).items():
                    assert merged.get(gid) == record, (face, gid)
                    checked += 1
    assert checked > 50


def test_faces_that_share_a_name_are_not_merged(part_pdfs: dict[str, bytes]) -> None:
    """Subsets are merged by content: a bold and a regular subset keep their own programs
    even when their font names are made equal."""

    def rename(pdf: pikepdf.Pdf) -> None:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                obj.FontName = pikepdf.Name("/ABCDEF+SameName")

    parts = [Part(edited(part.pdf, rename), part.first_folio) for part in issue_parts(part_pdfs)]
    separate = {face: len(p) for face, p in font_programs(join_pdfs(parts, META)).items()}
    faces = {
        face: len(p) for face, p in font_programs(join_pdfs(issue_parts(part_pdfs), META)).items()
    }
    assert separate == {"SameName": len(faces)}


def test_font_merges_kept_across_joins_give_the_same_bytes(
    issue: bytes, part_pdfs: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A join keeps its font merges (by a digest of the subsets merged); a later join of the
    same subsets reads them instead of merging again, and writes the same bytes. A kept
    program that was changed on disk is not used."""
    folder = tmp_path / "merged"
    assert join_pdfs(issue_parts(part_pdfs), META, fonts=MergedFonts(folder)) == issue
    (plan,) = folder.glob("*.json")
    programs = sorted(folder.glob("*.ttf"))
    assert len(programs) == len(json.loads(plan.read_text("utf-8"))) > 0

    merged: list[object] = []
    original = pdffonts._merged_program
    monkeypatch.setattr(pdffonts, "_merged_program", lambda g: merged.append(g) or original(g))
    assert join_pdfs(issue_parts(part_pdfs), META, fonts=MergedFonts(folder)) == issue
    assert merged == [], "the merges were read from the files, not made again"
    programs[0].write_bytes(programs[0].read_bytes()[:-8] + b"tampered")
    assert join_pdfs(issue_parts(part_pdfs), META, fonts=MergedFonts(folder)) == issue
    assert merged, "a changed program is not trusted: the merges were made again"
    merged.clear()
    assert join_pdfs(issue_parts(part_pdfs), META, fonts=MergedFonts(folder)) == issue
    assert merged == [], "and kept again, whole"

    other = MergedFonts(folder)
    join_pdfs([Part(part_pdfs["cover"], None), Part(part_pdfs["a"], 2)], META, fonts=other)
    other.prune()
    assert not plan.exists(), "a merge this build did not use is pruned"
    assert list(folder.glob("*.json")), "the merge it used stays"
