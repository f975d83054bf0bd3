"""Section links: every heading of an article page has an id, the one pandoc gave its section,
and no id is on a page twice (site/headings.py, with real pandoc where pandoc writes the HTML)."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from pica_publish.sanitize import sanitize
from pica_publish.site.backlinks import add_backlinks
from pica_publish.site.headings import heading_ids, text_id
from tests.conftest import chapter_html

CHAPTER = """\
## Dens {#sec:dens}

Rock crevices and marmot burrows.

### Winter dens

Cold.

## Home ranges

Wide.

::: {.wide}
Before the heading.

## A note

Inside a box.
:::

> ### Quoted heading
>
> In a quotation.

## Cite 1

A heading that looks like a citation anchor [@ross2010].
"""
REFERENCES = [
    {"id": "ross2010", "type": "book", "title": "Dens", "issued": {"date-parts": [[2010]]}},
]


def tree(fragment: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def test_pandoc_sections_give_their_ids_to_their_headings(tmp_path: Path):
    html = sanitize(
        chapter_html(CHAPTER, references=REFERENCES, metadata={}, cache=tmp_path, id_prefix="x-"),
        id_prefix="x-",
    )
    body = tree(heading_ids([html], prefix="x-")[0])
    ids = {h.text_content().strip(): h.get("id") for h in body.iter("h2", "h3", "h4")}
    assert ids["Dens"] == "x-sec:dens"  # the author's own id, with the chapter's prefix
    assert ids["Winter dens"] == "x-winter-dens"
    assert ids["Home ranges"] == "x-home-ranges"
    assert ids["A note"] == "x-a-note"
    assert ids["Quoted heading"] == "x-quoted-heading"
    assert all(ids.values())
    # the section keeps its place and class, its id is on the heading now
    (section,) = body.xpath("//section[h2[@id='x-home-ranges']]")
    assert section.get("id") is None and "level2" in section.get("class")


def test_ids_are_unique_on_the_page_and_backlinks_keep_theirs(tmp_path: Path):
    html = sanitize(
        chapter_html(CHAPTER, references=REFERENCES, metadata={}, cache=tmp_path, id_prefix="x-"),
        id_prefix="x-",
    )
    root = tree(html)
    refs = root.xpath("//*[@id='x-refs']")[0]
    references = lxml_html.tostring(refs, encoding="unicode")
    refs.drop_tree()
    body = "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )  # pandoc's reference list is separated out, as convert does
    body, references = add_backlinks("x", body, references)
    body, references = heading_ids([body, references], prefix="x-")
    page = tree(body + references)
    all_ids = [node.get("id") for node in page.iter() if node.get("id")]
    assert len(all_ids) == len(set(all_ids))
    assert page.xpath("//h2[@id='x-cite-1']")  # the heading keeps its id …
    (citation,) = page.xpath("//span[contains(@class, 'citation')]")
    assert citation.get("id") != "x-cite-1"  # … and the citation takes the next free one
    (back,) = page.xpath("//span[@class='backlinks']/a")
    assert back.get("href") == f"#{citation.get('id')}"


def test_a_heading_without_an_id_gets_one_from_its_text_and_duplicates_a_suffix():
    body, notes = heading_ids(
        [
            (
                '<h2>Dens &amp; burrows</h2><h3 id="x-a">One</h3><p id="x-a">Two</p>'
                '<section id="x-s"><p>first</p><h2>Not first</h2></section>'
            ),
            '<section id="x-footnotes"><ol><li id="x-a">note</li></ol></section>',
        ],
        prefix="x-",
    )
    page = tree(body + notes)
    assert [h.get("id") for h in page.iter("h2", "h3")] == ["x-dens-burrows", "x-a", "x-not-first"]
    assert [n.get("id") for n in page.iter() if n.get("id")] == [
        "x-dens-burrows",
        "x-a",
        "x-a-2",
        "x-s",  # its heading is not its first child: the section keeps its id
        "x-not-first",
        "x-footnotes",
        "x-a-3",
    ]


def test_text_ids_keep_letters_of_every_script():
    assert text_id("Введение и цели") == "введение-и-цели"
    assert text_id("परिचय") == "परिचय"  # vowel signs are marks, kept
    assert text_id("  “Quoted”: 2019–2020 ") == "quoted-20192020"
    assert text_id("!!!") == ""
