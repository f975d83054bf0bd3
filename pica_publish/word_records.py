"""The works of EndNote and of Word's source manager as CSL items: an EndNote ``record`` (as EndNote
writes it into its fields, and in its XML export) and a ``b:Source`` of a Word file's
bibliography part (ECMA-376 Part 1, 22.6), each mapped field by field.
"""

from __future__ import annotations

import re
from typing import Any

from pica_publish.doi import normalise_doi

# --- Word's own citations ----------------------------------------------------------------------

BIBLIOGRAPHY_NS = "http://schemas.openxmlformats.org/officeDocument/2006/bibliography"
WORD_TYPES = {
    "JournalArticle": "article-journal",
    "ArticleInAPeriodical": "article-magazine",
    "Book": "book",
    "BookSection": "chapter",
    "Report": "report",
    "ConferenceProceedings": "paper-conference",
    "InternetSite": "webpage",
    "DocumentFromInternetSite": "webpage",
    "ElectronicSource": "document",
}
"""Word's source types (``b:SourceType``) → CSL item types; others ``document``."""


def word_item(source: Any) -> dict[str, Any] | None:
    """A ``b:Source`` of Word's source manager as a CSL item (None without a tag)."""

    def text(path: str) -> str:
        node = source.find(path.replace("b:", f"{{{BIBLIOGRAPHY_NS}}}"))
        return " ".join((node.text or "").split()) if node is not None else ""

    def names(role: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = []
        base = f"b:Author/b:{role}".replace("b:", f"{{{BIBLIOGRAPHY_NS}}}")
        corporate = source.find(f"{base}/{{{BIBLIOGRAPHY_NS}}}Corporate")
        if corporate is not None and corporate.text:
            return [{"literal": " ".join(corporate.text.split())}]
        for person in source.iterfind(
            f"{base}/{{{BIBLIOGRAPHY_NS}}}NameList/{{{BIBLIOGRAPHY_NS}}}Person"
        ):
            part = {
                tag: " ".join((person.findtext(f"{{{BIBLIOGRAPHY_NS}}}{tag}") or "").split())
                for tag in ("Last", "First", "Middle")
            }
            given = " ".join(filter(None, [part["First"], part["Middle"]]))
            if part["Last"]:
                found.append({"family": part["Last"], **({"given": given} if given else {})})
        return found

    tag = text("b:Tag")
    if not tag:
        return None
    kind = WORD_TYPES.get(text("b:SourceType"), "document")
    item: dict[str, Any] = {"id": tag, "type": kind}
    for role, key in (("Author", "author"), ("Editor", "editor")):
        if people := names(role):
            item[key] = people
    for path, key in (
        ("b:Title", "title"),
        ("b:Pages", "page"),
        ("b:Volume", "volume"),
        ("b:Issue", "issue"),
        ("b:Edition", "edition"),
        ("b:Publisher", "publisher"),
        ("b:City", "publisher-place"),
        ("b:URL", "URL"),
        ("b:StandardNumber", "ISBN"),
        ("b:Institution", "publisher"),
    ):
        if (value := text(path)) and key not in item:
            item[key] = value
    container = text("b:JournalName") or text("b:BookTitle") or text("b:ConferenceName")
    container = container or text("b:PeriodicalTitle") or text("b:InternetSiteTitle")
    if container:
        item["container-title"] = container
    if (doi := normalise_doi(text("b:DOI"))) is not None:
        item["DOI"] = doi
    if year := re.search(r"\d{4}", text("b:Year")):
        item["issued"] = {"date-parts": [[int(year[0])]]}
    return item


ENDNOTE_TYPES = {
    "Journal Article": "article-journal",
    "Electronic Article": "article-journal",
    "Magazine Article": "article-magazine",
    "Newspaper Article": "article-newspaper",
    "Book": "book",
    "Edited Book": "book",
    "Electronic Book": "book",
    "Book Section": "chapter",
    "Electronic Book Section": "chapter",
    "Report": "report",
    "Government Document": "report",
    "Thesis": "thesis",
    "Conference Proceedings": "paper-conference",
    "Conference Paper": "paper-conference",
    "Web Page": "webpage",
    "Dataset": "dataset",
    "Manuscript": "manuscript",
    "Unpublished Work": "manuscript",
    "Map": "map",
}
"""EndNote's reference types (the ``name`` of ``ref-type``) → CSL item types; others
``document``."""


def csl_item(record: Any) -> dict[str, Any]:
    """An EndNote ``record`` (as EndNote writes it into the field, and in its XML export) as a
    CSL item. Italic runs of a title (``<style face="italic">``) are kept as CSL rich text."""
    kind_node = record.find("ref-type")
    kind = kind_node.get("name", "") if kind_node is not None else ""
    number = _value(record.find("rec-number"))
    database = record.find("foreign-keys/key")
    ident = "EN-" + "-".join(
        filter(None, [database.get("db-id", "") if database is not None else "", number])
    )
    item: dict[str, Any] = {"id": ident, "type": ENDNOTE_TYPES.get(kind, "document")}
    authors = [_name(_value(a)) for a in record.findall("contributors/authors/author")]
    editors = [_name(_value(a)) for a in record.findall("contributors/secondary-authors/author")]
    if kind == "Edited Book" and not editors:
        authors, editors = [], authors
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    title = _value(record.find("titles/title"), rich=True)
    if title:
        item["title"] = title
    container = _value(record.find("titles/secondary-title"), rich=True) or _value(
        record.find("periodical/full-title"), rich=True
    )
    if container:
        item["container-title"] = container
    if series := _value(record.find("titles/tertiary-title"), rich=True):
        item["collection-title"] = series
    for tag, key in (
        ("pages", "page"),
        ("volume", "volume"),
        ("edition", "edition"),
        ("publisher", "publisher"),
        ("pub-location", "publisher-place"),
        ("work-type", "genre"),
    ):
        if text := _value(record.find(tag)):
            item[key] = text
    if text := _value(record.find("number")):
        item["issue" if item["type"].startswith("article") else "number"] = text
    if text := _value(record.find("isbn")):
        item["ISSN" if item["type"].startswith("article") else "ISBN"] = text
    if (doi := normalise_doi(_value(record.find("electronic-resource-num")))) is not None:
        item["DOI"] = doi
    if url := _value(record.find("urls/related-urls/url")):
        item["URL"] = url
    year = re.search(r"\d{4}", _value(record.find("dates/year")))
    if year:
        item["issued"] = {"date-parts": [[int(year[0])]]}
    return item


def _value(node: Any, *, rich: bool = False) -> str:
    """The text of an EndNote element (its ``style`` runs joined); with ``rich``, italic runs
    as ``<i>…</i>``, the other characters of CSL rich text escaped."""
    if node is None:
        return ""
    if not rich:
        return " ".join("".join(node.itertext()).split())
    parts = [_escape(node.text or "")]
    for child in node:
        text = _escape("".join(child.itertext()))
        italic = child.tag == "style" and "italic" in (child.get("face") or "")
        parts.append(f"<i>{text}</i>" if italic and text.strip() else text)
        parts.append(_escape(child.tail or ""))
    return " ".join("".join(parts).split()).replace("</i> <i>", " ")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _name(text: str) -> dict[str, str]:
    """``Ross, Steven`` → family and given; ``IUCN,`` or a name without a comma → literal."""
    family, comma, given = text.partition(",")
    if not comma or not given.strip():
        return {"literal": family.strip()}
    return {"family": family.strip(), "given": given.strip()}
