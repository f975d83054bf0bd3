"""Scientific names in italics (``italic_terms`` in issue.yml): in chapter bodies and reference
lists through the ``taxa.lua`` filter after citeproc, in front-matter fields through the inline
renderer — the same list, the same rule: whole words, any case, roman text only."""

from __future__ import annotations

import re

import pytest

from pica_publish.markdown import render_inline
from tests.conftest import chapter_html

TERMS = ["Otocolobus manul", "Otocolobus", "Panthera uncia"]
REFERENCE = {
    "id": "ross2010den",
    "type": "article-journal",
    "title": "Den-site selection is critical for Pallas's cats (Otocolobus manul)",
    "author": [{"family": "Ross", "given": "Steven"}],
    "container-title": "Canadian Journal of Zoology",
    "issued": {"date-parts": [[2010]]},
}


def convert(body: str, terms: list[str], tmp_path) -> str:
    return chapter_html(
        body, references=[REFERENCE], metadata={"italic-terms": terms}, cache=tmp_path
    )


def test_reference_titles_and_body_get_italics(tmp_path):
    html = convert(
        "Manuls (Otocolobus manul) and *Otocolobus manul*, not snow leopards: Panthera uncia. "
        "The genus Otocolobus; `Otocolobus manul` in code [@ross2010den].",
        TERMS,
        tmp_path,
    )
    assert "Manuls (<em>Otocolobus manul</em>) and <em>Otocolobus manul</em>," in html
    assert "<em>Panthera uncia</em>." in html
    assert "The genus <em>Otocolobus</em>;" in html
    assert "<code>Otocolobus manul</code>" in html  # code is never touched
    assert "<em><em>" not in html  # already italic: left as it was
    entry = re.search(r'<div id="x-ref-ross2010den".*?</div>', html, re.DOTALL)
    assert entry is not None
    assert "Pallas’s cats (<em>Otocolobus manul</em>)" in entry[0]


def test_without_terms_nothing_changes(tmp_path):
    html = convert("Otocolobus manul [@ross2010den].", [], tmp_path)
    assert "<em>" not in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Diet of Otocolobus manul", "Diet of <em>Otocolobus manul</em>"),
        ("*Otocolobus manul* diet", "<em>Otocolobus manul</em> diet"),
        ("otocolobus, Panthera  uncia!", "<em>otocolobus</em>, <em>Panthera  uncia</em>!"),
        ("Otocolobusmanul and manul", "Otocolobusmanul and manul"),  # whole words only
        ("<i>x</i> Otocolobus", "&lt;i&gt;x&lt;/i&gt; <em>Otocolobus</em>"),
    ],
)
def test_front_matter_fields_get_the_same_italics(text, html):
    assert render_inline(text, TERMS) == html
