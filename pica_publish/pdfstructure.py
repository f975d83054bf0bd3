"""The structure tree of a joined PDF, merged from the structure trees of its parts.

Consumes: each part's structure tree root and pages, already copied into the joined PDF (so that
elements, pages and annotations point at the same copies; see :mod:`pica_publish.pdfjoin`).
Produces: one ``/StructTreeRoot`` whose only kid is one ``/Document`` element holding, in order,
the kids of each part's ``/Document``; one parent tree whose keys are each part's keys shifted past
those of the parts before it, with the pages' ``/StructParents`` and the annotations'
``/StructParent`` shifted alike; the union of the role and class maps; element ids made unique
(WeasyPrint numbers table header ids by object number, so two parts can share one) and an
``/IDTree`` of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String

ObjectId = tuple[int, int]


class StructureConflict(Exception):
    """Two parts give the same role or class two different meanings."""


@dataclass
class StructureTree:
    """The joined structure tree, gathered part by part (:meth:`add_part`), then written once
    (:meth:`write`)."""

    document: Dictionary
    """The one ``/Document`` element, an indirect object of the joined PDF."""
    lang: str
    """The joined document's language: a part in another language marks its elements."""
    kids: list[pikepdf.Object] = field(default_factory=list)
    parent_tree: list[tuple[int, pikepdf.Object]] = field(default_factory=list)
    next_key: int = 0
    role_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    class_map: dict[str, pikepdf.Object] = field(default_factory=dict)
    ids: dict[bytes, Dictionary] = field(default_factory=dict)
    tagged: bool = False
    """Whether any part had a structure tree."""

    def add_part(
        self, tree: Dictionary, pages: list[Dictionary], number: int, lang: str | None
    ) -> None:
        """Move the part's elements under the joined ``/Document``; shift its parent tree keys
        (and its pages' and annotations' keys) past those of the parts before it."""
        self.tagged = True
        offset = self.next_key
        role_map = _merge_map(self.role_map, tree.get("/RoleMap"), "role", number)
        _merge_map(self.class_map, tree.get("/ClassMap"), "class", number)
        dropped: set[ObjectId] = set()
        first_kid = len(self.kids)
        for top in as_list(tree.get("/K")):
            if isinstance(top, Dictionary) and _role(top, role_map) == "/Document":
                dropped.add(top.objgen)
                kids = [_spell_out_page(kid, top) for kid in as_list(top.get("/K"))]
            else:
                kids = [top]
            for kid in kids:
                if is_element(kid):
                    kid.P = self.document
                    if lang is not None and lang != self.lang and "/Lang" not in kid:
                        kid.Lang = String(lang)  # the part's language, where it differs
                self.kids.append(kid)
        next_key = offset
        parent_tree = tree.get("/ParentTree")
        if isinstance(parent_tree, Dictionary):
            for key, value in pikepdf.NumberTree(parent_tree).items():
                self.parent_tree.append((key + offset, self._replace(value, dropped)))
                next_key = max(next_key, key + offset + 1)
        declared = tree.get("/ParentTreeNextKey")
        if isinstance(declared, int):
            next_key = max(next_key, int(declared) + offset)
        for holder, holder_key, old_key in struct_parent_holders(pages):
            holder[holder_key] = old_key + offset
            next_key = max(next_key, old_key + offset + 1)
        self.next_key = next_key
        self._make_ids_unique(list(elements(self.kids[first_kid:])), number)

    def _replace(self, value: pikepdf.Object, dropped: set[ObjectId]) -> pikepdf.Object:
        """A parent-tree value with a part's dropped ``/Document`` element replaced by ours."""
        if isinstance(value, Array):
            return Array([self._replace(item, dropped) for item in value])
        if isinstance(value, Dictionary) and value.is_indirect and value.objgen in dropped:
            return self.document
        return value

    def _make_ids_unique(self, part_elements: list[Dictionary], number: int) -> None:
        """Register the part's element ids; rename those an earlier part already uses, and
        the table ``/Headers`` attributes that refer to them."""
        renamed: dict[bytes, bytes] = {}
        for element in part_elements:
            old = element.get("/ID")
            if not isinstance(old, String):
                continue
            new, suffix = bytes(old), 0
            while new in self.ids:
                suffix += 1
                new = bytes(old) + f"~{number}.{suffix}".encode("ascii")
            if new != bytes(old):
                renamed[bytes(old)] = new
                element.ID = String(new)
            self.ids[new] = element
        if not renamed:
            return
        for element in part_elements:
            for attributes in as_list(element.get("/A")):
                headers = attributes.get("/Headers") if isinstance(attributes, Dictionary) else None
                if isinstance(headers, Array):
                    attributes.Headers = Array(
                        String(renamed.get(bytes(header), bytes(header)))
                        if isinstance(header, String)
                        else header
                        for header in headers
                    )

    def write(self, out: pikepdf.Pdf) -> None:
        """Put the joined structure tree into ``out``'s catalog (nothing when no part had one)."""
        if not self.tagged:
            return
        self.document.K = Array(self.kids)
        nums = Array(
            item
            for key, value in sorted(self.parent_tree, key=lambda entry: entry[0])
            for item in (key, value)
        )
        tree = out.make_indirect(
            Dictionary(
                Type=Name.StructTreeRoot,
                K=Array([self.document]),
                ParentTree=out.make_indirect(Dictionary(Nums=nums)),
                ParentTreeNextKey=self.next_key,
            )
        )
        self.document.P = tree
        if self.role_map:
            tree.RoleMap = Dictionary(self.role_map)
        if self.class_map:
            tree.ClassMap = Dictionary(self.class_map)
        if self.ids:
            tree.IDTree = name_tree(out, {String(key): value for key, value in self.ids.items()})
        out.Root.StructTreeRoot = tree
        out.Root.MarkInfo = Dictionary(Marked=True)


def _merge_map(
    merged: dict[str, pikepdf.Object], part_map: object, what: str, number: int
) -> dict[str, pikepdf.Object]:
    """Add a part's role or class map to the union; returns the part's own map."""
    if not isinstance(part_map, Dictionary):
        return {}
    own = dict(part_map.items())
    for key, value in own.items():
        if key in merged:
            earlier, here = merged[key].unparse(resolved=True), value.unparse(resolved=True)
            if earlier != here:
                raise StructureConflict(
                    f"part {number}: {what} {key} is {here.decode()!r} here"
                    f" but {earlier.decode()!r} in an earlier part"
                )
        merged.setdefault(key, value)
    return own


def _role(element: Dictionary, role_map: dict[str, pikepdf.Object]) -> str:
    role = str(element.get("/S", ""))
    for _ in range(len(role_map)):  # follow a chain of mappings, but not round a cycle
        if role not in role_map:
            break
        role = str(role_map[role])
    return role


def _spell_out_page(kid: pikepdf.Object, owner: Dictionary) -> pikepdf.Object:
    """A bare MCID (or an MCR without ``/Pg``) is on its element's page: moved to another
    element, it needs that page named."""
    if isinstance(kid, int) and not isinstance(kid, bool) and "/Pg" in owner:
        return Dictionary(Type=Name.MCR, Pg=owner.Pg, MCID=kid)
    if isinstance(kid, Dictionary) and "/Pg" not in kid and "/Pg" in owner:
        kid.Pg = owner.Pg
    return kid


def struct_parent_holders(pages: list[Dictionary]) -> Iterator[tuple[pikepdf.Object, Name, int]]:
    """(object, key, value) of every ``/StructParents`` of a page or form XObject and every
    ``/StructParent`` of an annotation or XObject of ``pages``, each object once."""
    seen: set[ObjectId] = set()
    pending: list[pikepdf.Object] = list(pages)
    for page in pages:
        pending.extend(as_list(page.get("/Annots")))
    while pending:
        holder = pending.pop(0)
        if not isinstance(holder, (Dictionary, pikepdf.Stream)):
            continue
        if holder.is_indirect:
            if holder.objgen in seen:
                continue
            seen.add(holder.objgen)
        for key in (Name.StructParents, Name.StructParent):
            value = holder.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                yield holder, key, value
        resources = holder.get("/Resources")
        if isinstance(resources, Dictionary):
            xobjects = resources.get("/XObject")
            if isinstance(xobjects, Dictionary):
                pending.extend(xobject for _, xobject in sorted(xobjects.items()))


def elements(kids: list[pikepdf.Object]) -> Iterator[Dictionary]:
    """Every structure element under ``kids`` (themselves included), depth first, each once."""
    seen: set[ObjectId] = set()
    stack = list(reversed(kids))
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        stack.extend(reversed(as_list(element.get("/K"))))


def name_tree(out: pikepdf.Pdf, entries: dict[String, pikepdf.Object]) -> Dictionary:
    """A flat name tree, keys in byte order as the PDF reference requires."""
    flat = Array(item for key in sorted(entries, key=bytes) for item in (key, entries[key]))
    return out.make_indirect(Dictionary(Names=flat))


def as_list(value: object) -> list[pikepdf.Object]:
    """An array's items, a single object as a list of one, nothing as an empty list."""
    if value is None:
        return []
    if isinstance(value, Array):
        return list(value)
    return [value]  # type: ignore[list-item]


def is_element(value: object) -> bool:
    """Whether ``value`` is a structure element (not an MCID, MCR or OBJR)."""
    return isinstance(value, Dictionary) and "/S" in value
