"""The print edition's hyphenation policy: the house exception list (real pandoc and the Lua
filter), the stylesheet's rules (real WeasyPrint, narrow columns) and the counter that measures
both (``pica_publish.hyphenation_report``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pica_publish.hyphenation_report import HyphenationReport, measure
from pica_publish.layout import Typesetter
from pica_publish.sanitize import sanitize
from pica_publish.stages.typeset import allowed_roots, print_stylesheet
from pica_publish.theme import hyphenation_exceptions
from tests.conftest import chapter_html

SHY = "\u00ad"
REFERENCE = {
    "id": "mackenzie2010",
    "type": "article-journal",
    "title": "Snow leopards of the Kazakhstan Altai",
    "author": [{"family": "MacKenzie", "given": "Darryl"}],
    "container-title": "Journal of Asian Mammalogy",
    "issued": {"date-parts": [[2010]]},
}


def convert(body: str, exceptions: list[str], cache: Path) -> str:
    return chapter_html(
        body,
        references=[REFERENCE],
        metadata={"italic-terms": ["Otocolobus manul"], "hyphenation-exceptions": exceptions},
        cache=cache,
        id_prefix="h-",
    )


def test_the_house_list_is_read_without_its_comments() -> None:
    words = hyphenation_exceptions()
    assert "Ka-zakh-stan" in words and "Hi-ma-la-ya" in words and "Asian" in words
    assert not any(word.startswith("#") or " " in word for word in words)


def test_listed_words_get_soft_hyphens_in_a_manual_span(tmp_path: Path) -> None:
    html = convert(
        "## Kazakhstan\n\nIn Kazakhstan, KAZAKHSTAN and kazakhstan’s steppe; the Asian "
        "Otocolobus manul; `Kazakhstan` [@mackenzie2010].\n",
        ["Ka-zakh-stan", "Asian", "Oto-colo-bus", "man-ul", "Mac-Ken-zie"],
        tmp_path,
    )
    body = html.split('<div id="h-refs"')[0]
    assert f'In <span class="hyph-manual">Ka{SHY}zakh{SHY}stan</span>, ' in body
    assert f'<span class="hyph-manual">KA{SHY}ZAKH{SHY}STAN</span> ' in body  # its case kept
    assert f'<span class="hyph-manual">ka{SHY}zakh{SHY}stan</span>’s' in body
    assert '<span class="hyph-manual">Asian</span>' in body  # no break point: never breaks
    # after the italics (taxa.lua): the taxon keeps its italics and gets the break points
    assert (
        f'<em><span class="hyph-manual">Oto{SHY}colo{SHY}bus</span> '
        f'<span class="hyph-manual">man{SHY}ul</span></em>'
    ) in body
    # left alone: headings, code, citations and the reference list
    assert "<h2>Kazakhstan</h2>" in html and "<code>Kazakhstan</code>" in html
    assert ">MacKenzie 2010</a>" in html
    assert "Snow leopards of the Kazakhstan Altai" in html
    # the sanitiser keeps the class the print stylesheet needs
    assert f'<span class="hyph-manual">Ka{SHY}zakh{SHY}stan</span>' in sanitize(html)


def test_no_list_no_change(tmp_path: Path) -> None:
    html = convert("In Kazakhstan, Asian cats.\n", [], tmp_path)
    assert "hyph-manual" not in html and SHY not in html


# --- layout -------------------------------------------------------------------------------------

PAGE = """
@page { size: 90mm 400mm; margin: 5mm; }
.article-body .columns { columns: 1; width: 31mm; }
"""
LEADS = [
    "a",
    "an",
    "the",
    "of",
    "big",
    "wild",
    "high",
    "upper",
    "western",
    "eastern",
    "northern",
    "southern",
    "snowy",
]


def lay_out(body: str, tmp_path: Path) -> HyphenationReport:
    html = (
        '<html lang="en"><body><article><div class="article-body"><div class="columns">'
        f"{body}</div></div></article></body></html>"
    )
    typesetter = Typesetter(allowed_roots(tmp_path), print_stylesheet() + PAGE)
    return measure([typesetter.lay_out(html, tmp_path).document])


def himalaya_text(word: str) -> str:
    """``word`` after leads of every length, so that it meets line ends at many places."""
    return " ".join(f"{a} {b} {word}" for a in LEADS for b in LEADS[:6])


def test_himalaya_breaks_only_where_the_house_list_says(tmp_path: Path) -> None:
    control = lay_out(f"<p>{himalaya_text('Himalaya')}</p>", tmp_path)
    assert "Him-alaya" in {b.word for b in control.breaks}, "the fixture must show the fault"

    html = convert(himalaya_text("Himalaya") + "\n", list(hyphenation_exceptions()), tmp_path)
    report = lay_out(sanitize(html), tmp_path)
    himalaya = [b.word for b in report.breaks if b.word.replace("-", "").lower() == "himalaya"]
    assert himalaya, "the fixture must break Himalaya at line ends"
    assert set(himalaya) <= {"Hi-malaya", "Hima-laya", "Himala-ya"}

    # listed without a break point ("Asian"): it never breaks
    html = convert(himalaya_text("Himalaya") + "\n", ["Himalaya"], tmp_path)
    report = lay_out(sanitize(html), tmp_path)
    assert not [b for b in report.breaks if "Him" in b.before]


NAMES = "MacKenzie Farhadinia Challender Rowcliffe Belousova Naidenko Karanth Alexander"


def test_names_in_citations_and_references_never_hyphenate(tmp_path: Path) -> None:
    names = NAMES.split()
    control = lay_out(f"<p>{himalaya_text(NAMES)}</p>", tmp_path)
    assert {b.before + b.after for b in control.breaks} & set(names), "names must break in text"

    citations = " ".join(
        f'{lead} <span class="citation">(<a href="#r">{name} et al. 2010</a>)</span>'
        for lead in LEADS
        for name in names
    )
    references = "".join(
        f'<div class="csl-entry">{name} D., {names[-1 - n]} A. &amp; {names[n - 1]} B. 2010. '
        f"Snow leopards. Journal of Mammalogy 9, 1–2.</div>"
        for n, name in enumerate(names)
    )
    report = lay_out(
        f'<p>{citations}</p><section class="article-references">{references}</section>',
        tmp_path,
    )
    broken = {b.before.lstrip("(") + b.after for b in report.breaks}
    assert not broken & set(names)
    assert not [b for b in report.breaks if b.before.startswith("(")]


# --- the counter --------------------------------------------------------------------------------

COUNTER_CSS = """
@page { size: 80mm 80mm; margin: 5mm; }
html { font: 10pt/12pt serif; hyphens: manual; }
p { margin: 0 0 12pt; width: 14mm; }
.cols { columns: 2; column-gap: 6mm; column-fill: auto; height: 36pt; width: 40mm; }
.cols p { width: auto; }
"""


def soft(parts: int) -> str:
    """A word of ``parts`` four-letter parts joined by soft hyphens: one part fits a line."""
    return SHY.join(letter * 4 for letter in "abcdefgh"[:parts])


@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> HyphenationReport:
    tmp = tmp_path_factory.mktemp("counter")
    html = (
        '<html lang="en"><body>'
        f"<p>{soft(4)} x</p>"  # 3 hyphenated lines in a row, then "dddd x"
        f"<p>{soft(2)} well-known</p>"  # 1, then "well-" (a hyphen of the source): not counted
        f'<div class="cols"><p>{soft(6)}</p></div>'  # 3 in the first column, 1 in the second
        f'<p style="break-before: page">{soft(3)}</p>'  # page 2: a run of 2
        "</body></html>"
    )
    document = Typesetter([tmp], COUNTER_CSS).lay_out(html, tmp).document
    assert len(document.pages) == 2
    return measure([document], first_page=7)


def test_counter_counts_hyphenated_line_ends_per_page(counted: HyphenationReport) -> None:
    assert [(p.page, p.hyphenated) for p in counted.pages] == [(7, 8), (8, 2)]
    assert counted.total == 10 and counted.per_page_max == 8 and counted.per_page_mean == 5.0


def test_counter_counts_runs_within_a_column(counted: HyphenationReport) -> None:
    assert [p.runs for p in counted.pages] == [(3, 1, 3, 1), (2,)]
    assert counted.longest_run == 3 and counted.runs_over(2) == 2


def test_counter_names_the_broken_words(counted: HyphenationReport) -> None:
    assert [b.word for b in counted.breaks][:4] == [
        "aaaa-bbbb",
        "bbbb-cccc",
        "cccc-dddd",
        "aaaa-bbbb",
    ]
    assert counted.breaks[-1].page == 8
