"""CSL rich text (``<i>``, ``<sup>``…, the HTML markup of citeproc-js and Zotero that some
exporters copy into BibTeX) and ``#`` in ``.bib`` fields: rewritten into what pandoc renders
(:func:`pica_publish.bibfields.prepare_value`), or reported at the tag when the tags are not
balanced; then rendered through the real pandoc and the project's CSL style."""

from __future__ import annotations

import re
import shutil

import pytest

from pica_publish.bibfields import prepare_value
from pica_publish.build import run, select_stages
from pica_publish.products import ConvertedChapter
from pica_publish.state import BuildOptions
from tests.conftest import PROJECTS, edit, plain_text

# --- prepare_value: each tag, as written by citeproc-js and by hand --------------------------------

TAGS = [
    ("<i>Felis catus</i>", "\\textit{Felis catus}"),
    ("<em>Felis catus</em>", "\\textit{Felis catus}"),
    ("<b>bold</b>", "\\textbf{bold}"),
    ("<strong>bold</strong>", "\\textbf{bold}"),
    ("x<sup>2</sup>", "x\\textsuperscript{2}"),
    ("H<sub>2</sub>O", "H\\textsubscript{2}O"),
    ('<span style="font-variant:small-caps;">Abc</span>', "\\textsc{Abc}"),
    ("<span style='font-variant: small-caps'>Abc</span>", "\\textsc{Abc}"),
    ('<span style = "font-variant : small-caps ;" >Abc</span >', "\\textsc{Abc}"),
    ("<span style=font-variant:small-caps;>Abc</span>", "\\textsc{Abc}"),
    ('<span class="nocase">iPhone</span>', "{iPhone}"),
    ("<span class='nocase'>iPhone</span>", "{iPhone}"),
]


@pytest.mark.parametrize(("value", "expected"), TAGS, ids=[t[0] for t in TAGS])
def test_a_rich_text_tag_becomes_latex(value: str, expected: str) -> None:
    assert prepare_value(value, "note", "article") == (expected, [])


NESTED = [
    ("<b>bold <i>both</i></b>", "\\textbf{bold \\textit{both}}"),
    (
        "<i>a <sup>2</sup> b</i> <sub>c</sub>",
        "\\textit{a \\textsuperscript{2} b} \\textsubscript{c}",
    ),
    (
        '<i>Felis <span class="nocase">iPhone</span></i>',
        "\\textit{Felis {iPhone}}",
    ),
    (
        '<span style="font-variant:small-caps;">a <span class="nocase">B</span></span>',
        "\\textsc{a {B}}",
    ),
    ("{<i>x</i>} and \\emph{<b>y</b>}", "{\\textit{x}} and \\emph{\\textbf{y}}"),
    ("<i>50% of #1</i>", "\\textit{50\\% of \\#1}"),
]


@pytest.mark.parametrize(("value", "expected"), NESTED, ids=[n[0] for n in NESTED])
def test_nested_tags_become_nested_latex(value: str, expected: str) -> None:
    assert prepare_value(value, "note", "article") == (expected, [])


UNBALANCED = [
    ("Bad <i>markup here", "HTML markup '<i>' is not closed", 4),
    ("Bad markup</i> here", "HTML markup '</i>' closes no open tag", 10),
    ("<i>a <b>b</i> c</b>", "HTML markup '</i>' does not close '<b>'", 9),
    ("<em>x</i>", "HTML markup '</i>' does not close '<em>'", 5),
    ("<i>{x</i>}", "HTML markup '</i>' is outside the braces its '<i>' is in", 5),
    ("{<i>x} y</i>", "HTML markup '<i>' is not closed inside the braces it is in", 1),
    ("<i>x</i> and <sup>2", "HTML markup '<sup>' is not closed", 13),
    ('<span style="color:red">x</span>', "HTML markup '</span>' closes no open tag", 25),
]


@pytest.mark.parametrize(("value", "message", "offset"), UNBALANCED, ids=[u[0] for u in UNBALANCED])
def test_unbalanced_markup_is_left_as_text_and_found(value: str, message: str, offset: int) -> None:
    text, findings = prepare_value(value, "note", "article")
    assert text == value  # every tag, the balanced ones too: half the markup would print worse
    assert [(f.kind, f.message, f.offset) for f in findings] == [
        ("markup", f"{message}: it would print as text", offset)
    ]


def test_unbalanced_markup_is_rewritten_otherwise() -> None:
    text, findings = prepare_value("<i>50% \\textemdash", "note", "article")
    assert text == "<i>50\\% —"
    assert [f.kind for f in findings] == ["markup"]


def test_unbalanced_markup_in_an_unprinted_field_is_not_reported() -> None:
    assert prepare_value("<i>an abstract", "abstract", "article") == ("<i>an abstract", [])


@pytest.mark.parametrize(
    "value",
    [
        "p < 0.05",
        "0.01 < p <= 0.05 and q > 1",
        "a <br> b <p> c <span>d <I>e</I>",
        "x <ital>y</ital>",
        "\\url{https://example.org/?q=<i>}",
    ],
)
def test_a_less_than_sign_that_starts_no_rich_text_tag_is_text(value: str) -> None:
    assert prepare_value(value, "note", "article") == (value, [])


def test_a_less_than_sign_in_math_starts_no_tag() -> None:
    text, findings = prepare_value("$a<b>c$ and <i>x</i>", "note", "article")
    assert text.endswith(" and \\textit{x}")
    assert findings == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Item #1 here", "Item \\#1 here"),
        ("Item \\#1 here", "Item \\#1 here"),
        ("#1, #2 and \\#3", "\\#1, \\#2 and \\#3"),
        (
            "\\href{https://example.org/#top}{see #top}",
            "\\href{https://example.org/#top}{see \\#top}",
        ),
    ],
)
def test_a_hash_sign_is_escaped_once(value: str, expected: str) -> None:
    assert prepare_value(value, "note", "article") == (expected, [])


def test_a_hash_sign_in_a_verbatim_field_is_left_alone() -> None:
    url = "https://example.org/page#section-1"
    assert prepare_value(url, "url", "online") == (url, [])


# --- case: sentence case runs on the rewritten title -----------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (  # sentence case as written: capitals kept, inside the italics too
            "Den sites of <i>Otocolobus manul</i> in Mongolia",
            "Den sites of \\textit{{Otocolobus} manul} in {Mongolia}",
        ),
        (  # Title Case: pandoc lowers it; a nocase span protects like braces
            'Den Sites of the <span class="nocase">Pallas</span> Cat in Steppe Habitats',
            "Den Sites of the {Pallas} Cat in Steppe Habitats",
        ),
    ],
)
def test_titles_are_cased_after_the_rewrite(title: str, expected: str) -> None:
    assert prepare_value(title, "title", "article") == (expected, [])


# --- end to end: load, check and convert the miniature project -------------------------------------

MARKUP_BIB = """
@article{manul2020dens,
  author = {Ross, Steven},
  title = {Den sites of <i>Otocolobus manul</i> in Mongolia},
  journal = {Oryx},
  year = {2020},
}
@article{item2021hash,
  author = {Ross, Steven},
  title = {Item #1 here},
  journal = {Oryx},
  year = {2021},
}
@article{isotope2022,
  author = {Ross, Steven},
  title = {CO<sub>2</sub> and m<sup>2</sup> in <b>bold</b> from <span style="font-variant:small-caps;">Pica</span> p < 0.05},
  journal = {Oryx},
  year = {2022},
}
@article{broken2023,
  author = {Ross, Steven},
  title = {Broken <i>markup in a title},
  journal = {Oryx},
  year = {2023},
}
"""
BROKEN_LINE = "  title = {Broken <i>markup in a title},"
BROKEN_TAG = (MARKUP_BIB.splitlines().index(BROKEN_LINE) + 1, BROKEN_LINE.index("<i>") + 1)
"""Line and column of the unclosed ``<i>`` in ``references/markup.bib``."""


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConvertedChapter, list[str]]:
    """The dens chapter of the miniature project, citing the entries of ``MARKUP_BIB``, as
    *convert* writes it, and the load/check diagnostics."""
    root = tmp_path_factory.mktemp("markup") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    (root / "references" / "markup.bib").write_text(MARKUP_BIB, "utf-8")
    edit(
        root / "chapters" / "01-dens.md",
        "[@ross2010den].",
        "[@ross2010den; @manul2020dens; @item2021hash; @isotope2022; @broken2023].",
    )
    state = run(BuildOptions(root), select_stages(only=("load", "check", "convert")))
    assert not state.report.has_errors
    return state.converted["dens"], [d.format() for d in state.report.diagnostics]


def _entry(chapter: ConvertedChapter, key: str) -> str:
    """The HTML of one entry of the chapter's reference list."""
    match = re.search(
        rf'<div id="[^"]*ref-{key}" class="csl-entry"[^>]*>(.*?)</div>',
        chapter.references_html,
        flags=re.DOTALL,
    )
    assert match, f"{key} is not in the reference list"
    return " ".join(match[1].split())


def test_italic_markup_renders_as_italics_with_its_capital(converted) -> None:
    entry = _entry(converted[0], "manul2020dens")
    assert "Den sites of <em>Otocolobus manul</em> in Mongolia." in entry
    assert plain_text(entry) == "Ross S. 2020. Den sites of Otocolobus manul in Mongolia. Oryx."


def test_a_title_with_a_hash_sign_is_printed_whole(converted) -> None:
    assert plain_text(_entry(converted[0], "item2021hash")) == "Ross S. 2021. Item #1 here. Oryx."


def test_every_rich_text_tag_renders_as_its_markup(converted) -> None:
    entry = _entry(converted[0], "isotope2022")
    for html in (
        "CO<sub>2</sub>",
        "m<sup>2</sup>",
        "<strong>bold</strong>",
        '<span class="smallcaps">Pica</span>',
        "p &lt; 0.05",
    ):
        assert html in entry, entry


def test_unbalanced_markup_prints_as_text(converted) -> None:
    entry = _entry(converted[0], "broken2023")
    assert plain_text(entry) == "Ross S. 2023. Broken <i>markup in a title. Oryx."
    assert "<em>" not in entry


def test_unbalanced_markup_is_reported_at_its_line(converted) -> None:
    line, column = BROKEN_TAG
    expected = (
        f"references/markup.bib:{line}:{column}: warning: HTML markup '<i>' is not closed: it "
        "would print as text (field 'title' of 'broken2023')"
    )
    reported = [d.splitlines()[0] for d in converted[1] if "markup.bib" in d]
    assert len(reported) == 1, converted[1]
    assert reported[0].startswith(expected), reported


def test_unbalanced_markup_is_reported_under_its_own_rule(converted) -> None:
    (reported,) = [d for d in converted[1] if "markup.bib" in d]
    assert reported.splitlines()[0].endswith("[bib-html-markup]")
    assert "\\textit{…}" in reported  # the rule's hint
