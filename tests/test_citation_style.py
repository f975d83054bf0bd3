"""The project's CSL style renders the CATnews house style exactly (real pandoc, real citeproc)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pica_publish.pandoc import bib_to_csl_json, markdown_to_html
from pica_publish.stages.convert import csl_style_path, split_fragment
from tests.conftest import plain_text

FIXTURE = Path(__file__).parent / "fixtures" / "csl" / "references.bib"

EXPECTED_REFERENCES = {
    "article, 1 author": "Brodie J. F. 2009. Is research effort allocated efficiently for "
    "conservation? Felidae as a global case study. Biodiversity and Conservation 18, 2927–2939.",
    "article, 2 authors": "Smith A. T. & Foggin J. M. 1999. The plateau pika (Ochotona curzoniae) "
    "is a keystone species for biodiversity on the Tibetan plateau. Animal Conservation 2, 235–240.",
    "article, 3 authors": "Ross S., Munkhtsog B. & Harris S. 2012. Determinants of mesocarnivore "
    "range use: Relative effects of prey and habitat properties on Pallas’s cat home-range size. "
    "Journal of Mammalogy 93, 1292–1300.",
    "article, 8 authors": "Zahler P., Lhagvasuren B., Reading R. P., Wingard J. R., Amgalanbaatar S., "
    "Gombobaatar S., Barton N. & Onon Y. 2004. Illegal and unsustainable wildlife hunting and trade "
    "in Mongolia. Mongolian Journal of Biological Sciences 2, 23–31.",
    "book": "Sunquist M. E. & Sunquist F. C. 2002. Wild cats of the world. University of Chicago "
    "Press, Chicago.",
    "chapter in an edited book": "Macdonald D. W., Loveridge A. J. & Nowell K. 2010. Dramatis "
    "personae: An introduction to the wild felids. In Macdonald D. W. & Loveridge A. J. (Eds). "
    "Biology and conservation of wild felids. Oxford University Press, Oxford, pp. 3–58.",
    "report, corporate author": "IUCN SSC Species Conservation Planning Sub-Committee. 2017. "
    "Guidelines for species conservation planning. Version 1.0. IUCN, Gland, Switzerland.",
    "IUCN Red List assessment with DOI": "Ross S., Barashkova A., Dhendup T., Munkhtsog B., "
    "Smelansky I., Barclay D. & Moqanaki E. 2020. Otocolobus manul (errata version published in "
    "2020). The IUCN Red List of Threatened Species 2020: e.T15640A180145377. "
    "https://doi.org/10.2305/IUCN.UK.2020-2.RLTS.T15640A180145377.en",
    "thesis": "Ross S. 2009. Providing an ecological basis for the conservation of the Pallas’s cat "
    "(Otocolobus manul). PhD thesis, School of Biological Sciences, University of Bristol, Bristol, UK.",
    "web page": "Pallas’s Cat International Conservation Alliance. 2019. About PICA. "
    "https://pallascats.org/about-pica/ (accessed 15 February 2019)",
    "same authors and year, disambiguated": "Ross S., Munkhtsog B. & Harris S. 2010b. Dietary "
    "composition, plasticity, and prey selection of Pallas’s cats. Journal of Mammalogy 91, 811–817.",
}

CITATIONS = """\
A [@brodie2009research]. B [@smith1999plateau]. C [@ross2012determinants].
D @ross2012determinants. E [-@sunquist2002wild]. F [@brodie2009research, p. 4].
G [@brodie2009research; @smith1999plateau]. H [@iucnssc2017guidelines].
I [@ross2010den; @ross2010dietary]. J [@zahler2004illegal; @macdonald2010dramatis;
@ross2020otocolobus; @ross2009providing; @pica2019about].
"""

EXPECTED_CITATIONS = [
    "A (Brodie 2009).",
    "B (Smith & Foggin 1999).",
    "C (Ross et al. 2012).",
    "D Ross et al. (2012).",
    "E (2002).",
    "F (Brodie 2009, p. 4).",
    "G (Brodie 2009; Smith & Foggin 1999).",
    "H (IUCN SSC Species Conservation Planning Sub-Committee 2017).",
    "I (Ross et al. 2010a, 2010b).",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    cache = tmp_path_factory.mktemp("cache")
    items = bib_to_csl_json(FIXTURE.read_text("utf-8"), cache)
    conversion = markdown_to_html(
        CITATIONS,
        references=items,
        csl=csl_style_path(),
        id_prefix="t-",
        language="en",
        cache_dir=cache,
    )
    assert conversion.warnings == ()
    return split_fragment("t", conversion.html)


@pytest.mark.parametrize("kind", sorted(EXPECTED_REFERENCES))
def test_reference_list_entry(rendered, kind):
    entries = re.findall(
        r'<div id="t-ref-[^"]+" class="csl-entry"[^>]*>(.*?)</div>',
        rendered.references_html,
        flags=re.DOTALL,
    )
    assert EXPECTED_REFERENCES[kind] in [plain_text(entry) for entry in entries]


def test_reference_list_prints_only_cited_entries_sorted(rendered):
    assert rendered.references_html.count('class="csl-entry"') == 12
    order = [line for line in rendered.references_html.split('id="t-ref-')[1:]]
    keys = [part.split('"', 1)[0] for part in order]
    assert keys == [
        "brodie2009research",
        "iucnssc2017guidelines",
        "macdonald2010dramatis",
        "pica2019about",
        "ross2009providing",
        "ross2020otocolobus",
        "ross2010den",
        "ross2010dietary",
        "ross2012determinants",
        "smith1999plateau",
        "sunquist2002wild",
        "zahler2004illegal",
    ]


@pytest.mark.parametrize("expected", EXPECTED_CITATIONS)
def test_in_text_citation(rendered, expected):
    text = plain_text(rendered.body_html)
    assert expected in text


def test_citations_link_to_their_reference(rendered):
    assert 'href="#t-ref-brodie2009research"' in rendered.body_html
