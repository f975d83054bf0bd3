"""The bibliography corpus under ``tests/corpus/bib/``: what ``check`` passes, the build renders
right; what it cannot render, ``check`` refuses at its line.

- ``errors/``: each ``.bib`` file (or folder of them) names in ``% expect:`` lines every error
  and warning *load* must report for it, and no other; what *load* then hands pandoc converts
  without a pandoc error (check and build agree).
- ``render/``: realistic exports (Better BibTeX, Mendeley, JabRef, BibLaTeX); every entry is
  rendered through the real pandoc and the project's CSL style, and compared with the text the
  reference list must show.
- a generated export of a few hundred entries in the exporters' styles loads without a
  diagnostic and converts completely.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from pica_publish.bibliography import load_bibliography
from pica_publish.diagnostics import Report, Severity
from pica_publish.doi import normalise_doi
from pica_publish.filters import csl_style_path
from pica_publish.htmltree import parse
from pica_publish.pandoc import bib_to_csl_json, markdown_to_html
from pica_publish.stages.convert import split_fragment
from tests.conftest import edit

CORPUS = Path(__file__).parent / "corpus" / "bib"
ERROR_CASES = sorted((CORPUS / "errors").iterdir())


def _project(tmp_path: Path, source: Path) -> Path:
    root = tmp_path / "project"
    (root / "references").mkdir(parents=True)
    for path in sorted(source.iterdir()) if source.is_dir() else [source]:
        shutil.copy(path, root / "references" / path.name)
    return root


def _expected(source: Path) -> set[str]:
    files = sorted(source.iterdir()) if source.is_dir() else [source]
    expected = set()
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # the case of a file that is not UTF-8
            text = raw.decode("latin-1")
        expected |= {
            line.removeprefix("% expect: ").strip()
            for line in text.splitlines()
            if line.startswith("% expect: ")
        }
    return expected


@pytest.mark.parametrize("source", ERROR_CASES, ids=[p.stem for p in ERROR_CASES])
def test_error_corpus(tmp_path: Path, source: Path) -> None:
    root = _project(tmp_path, source)
    report = Report()
    bibliography = load_bibliography(root, report)
    reported = {
        d.format().splitlines()[0] for d in report.diagnostics if d.severity >= Severity.WARNING
    }
    assert reported == _expected(source)
    assert all(d.hint for d in report.diagnostics), "every diagnostic gives a hint"
    for path in bibliography.files:  # pandoc reads what load kept, all of it, without an error
        items = bib_to_csl_json(bibliography.texts[path], tmp_path / "cache")
        kept = {k for k, e in bibliography.entries.items() if e.location.path.endswith(path.name)}
        assert {item["id"] for item in items} == kept


CORPUS_RULES = (
    "bib-missing-comma",
    "bib-key-invalid",
    "bib-key-citation",
    "bib-key-case",
    "bib-field-duplicate",
    "bib-macro-undefined",
    "bib-set-entry",
    "bib-doi-invalid",
    "bib-latex-unknown",
    "bib-math",
    "bib-stray-brace",
    "bib-merge-conflict",
    "bib-duplicate-key",
    "bib-parse-failed",
    "file-encoding",
)


def test_corpus_covers_every_bibliography_rule() -> None:
    expected = {line for case in ERROR_CASES for line in _expected(case)}
    for rule_id in CORPUS_RULES:
        assert any(line.endswith(f"[{rule_id}]") for line in expected), rule_id


EXPECTED_REFERENCES = {
    # item 1: @string macros from another file (MACROS.BIB, item 15) print as text
    "glacier2013": "Berg A. & Holm E. 2013. Ice flow on the Kotbas hills. Journal of Glaciology "
    "59, 1–10.",
    "catnews2015": "Berg A. 2015. A manul in the Altai. CATnews 62.",
    # item 3: "and others" is "et al.", in the list and in the text
    "others2016": "Smith J., Doe J. et al. 2016. Explicitly truncated author lists. Journal of "
    "Mammalogy 97.",
    "oneothers2017": "Smith J. et al. 2017. One author and others. Journal of Mammalogy 98.",
    # items 4 and 6: a conference name as written; TeX math as text
    "iscas2015": "Nagy P. 2015. A ΔΣ modulator for camera traps. ISCAS 2015, Lisbon, Portugal. "
    "IEEE, pp. 1–4.",
    # item 4: a title written in sentence case keeps its proper nouns ...
    "mendeley2018": "Dorj B. & Wildlife Conservation Society. 2018. Pallas’s cat surveys in "
    "Mongolia and Kazakhstan. Oryx 52, 12–20.",
    # ... one written in Title Case is sentence-cased, braces protect
    "titlecase2019": "Ross S. 2019. Den-site selection by the Pallas’s cat in Mongolia. Canadian "
    "Journal of Zoology 97.",
    "chapter2010": "Macdonald D. W. 2010. An introduction. In Macdonald D. W. & Loveridge A. J. "
    "(Eds). Biology and conservation of wild felids. Oxford University Press, Oxford, pp. 3–58.",
    # item 5: LaTeX text commands and accents
    "latex2012": "Müller J., François É. & Straßer K. 2012. Publication—the Österreich case – "
    "5–7 cats — & more: 50% of ß. Zeitschrift für Säugetierkunde 77, 5–9.",
    # item 6: math with a superscript
    "math2014": "Berg A. 2014. Stable isotopes (δ13C) and α-diversity of prey. Oecologia 174.",
    # item 16: Better BibTeX dates, urldate, URL with %; \url in howpublished; journaltitle
    "bbt2019": "Pallas’s Cat International Conservation Alliance. 2019. Manul working group. "
    "https://example.org/manul_group?id=5%20a (accessed 2 January 2020)",
    "howpublished2008": "IUCN. 2008. Red list guidelines. https://example.org/red_list.",
    "journaltitle2022": "Tsend B. 2022. Steppe fires. Mongolian Journal of Biological Sciences 20.",
    "wiley2020": "Holm E. 2020. A DOI given as a link. Ecology and Evolution 10.",
    "dxdoi2021": "Holm E. 2021. A DOI given the old way. Ecology and Evolution 11.",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("render")
    root = _project(tmp, CORPUS / "render")
    report = Report()
    bibliography = load_bibliography(root, report)
    items = [
        item
        for path in bibliography.files
        for item in bib_to_csl_json(bibliography.texts[path], tmp / "cache")
    ]
    body = " ".join(f"[@{item['id']}]" for item in items) + "\n"
    conversion = markdown_to_html(
        body,
        references=items,
        csl=csl_style_path(),
        id_prefix="t-",
        language="en",
        cache_dir=tmp / "cache",
    )
    fragment = split_fragment("t", conversion.html)
    entries = {
        str(div.get("id")).removeprefix("t-ref-"): " ".join(div.xpath("string()").split())
        for div in parse(fragment.references_html).xpath("//div[@class='csl-entry']")
    }
    return {
        "report": report,
        "items": {item["id"]: item for item in items},
        "entries": entries,
        "text": " ".join(parse(fragment.body_html).xpath("string()").split()),
        "html": fragment.references_html,
        "warnings": conversion.warnings,
    }


def test_render_corpus_loads_cleanly(rendered: dict[str, Any]) -> None:
    assert [
        d.format() for d in rendered["report"].diagnostics if d.severity >= Severity.WARNING
    ] == []
    assert rendered["warnings"] == ()


@pytest.mark.parametrize("key", sorted(EXPECTED_REFERENCES))
def test_reference_renders(rendered: dict[str, Any], key: str) -> None:
    assert rendered["entries"][key] == EXPECTED_REFERENCES[key]


def test_others_is_et_al_in_the_text(rendered: dict[str, Any]) -> None:
    assert "(Smith et al. 2016)" in rendered["text"]
    assert "(Smith et al. 2017)" in rendered["text"]
    assert "others" not in rendered["text"]


def test_math_superscript_is_markup(rendered: dict[str, Any]) -> None:
    entry = parse(rendered["html"]).xpath("//div[@id='t-ref-math2014']")[0]
    assert entry.xpath("string(.//sup)") == "13"


def test_dois_are_bare_in_the_csl_items(rendered: dict[str, Any]) -> None:
    """Item 8: one form for the reference list, the Crossref deposit and every export."""
    items = rendered["items"]
    assert items["wiley2020"]["DOI"] == "10.1002/ece3.6000"
    assert items["dxdoi2021"]["DOI"] == "10.1002/ece3.7000"
    link = parse(rendered["html"]).xpath("//div[@id='t-ref-wiley2020']//a/@href")
    assert link == ["https://doi.org/10.1002/ece3.6000"]


@pytest.mark.parametrize(
    ("written", "bare"),
    [
        ("10.1002/ece3.6000", "10.1002/ece3.6000"),
        ("https://doi.org/10.1002/ece3.6000", "10.1002/ece3.6000"),
        ("http://dx.doi.org/10.1139/Z10-056", "10.1139/Z10-056"),
        ("doi:10.1644/11-MAMM-A-060.1", "10.1644/11-MAMM-A-060.1"),
        ("DOI: 10.1017/S0030605318000123.", "10.1017/S0030605318000123"),
        ("https://doi.org/10.1002%2Fece3.6000", "10.1002/ece3.6000"),
        ("10.1002/(SICI)1097-4679\\_x", "10.1002/(SICI)1097-4679_x"),
        ("n/a", None),
        ("https://example.org/paper", None),
        ("", None),
    ],
)
def test_normalise_doi(written: str, bare: str | None) -> None:
    assert normalise_doi(written) == bare


def test_unreadable_file_is_one_error_not_one_per_citation(mini: Path, run_cli) -> None:
    """Item 14: the citations of entries in a file that is not UTF-8 are not reported again;
    a key found nowhere says which file could not be read."""
    shutil.copy(CORPUS / "errors" / "latin1" / "old-jabref.bib", mini / "references")
    edit(
        mini / "chapters" / "01-dens.md",
        "[@ross2010den].",
        "[@ross2010den; @mueller2001]. Also [@mueller2001, p. 3] and [@nowhere2000].",
    )
    result = run_cli("-C", str(mini), "check")
    errors = sorted(line for line in result.lines if ": error: " in line)
    assert errors == [
        "chapters/01-dens.md:26:131: error: unknown citation key 'nowhere2000' [citation-unknown]",
        "references/old-jabref.bib:5:18: error: file is not UTF-8 (byte 0xe9) [file-encoding]",
    ]
    assert "    hint: references/old-jabref.bib could not be read; it may hold this entry" in (
        result.lines
    )


# --- a generated export in the styles of the common reference managers ------------------------

SURNAMES = [
    "Ross",
    "Munkhtsog",
    "Barashkova",
    "Smelansky",
    "Dhendup",
    "Moqanaki",
    "Tsend",
    'M{\\"u}ller',
    "Fran{\\c{c}}ois",
    "{\\O}stergaard",
    "Nagy",
    "Petrova",
]
GIVEN = ["Steven", "Bariushaa", "Anna", "Ilya", "Tashi", "Ehsan", "Batbayar", "J. Marc"]
JOURNALS = [
    "Oryx",
    "Journal of Mammalogy",
    "Canadian Journal of Zoology",
    "CATnews",
    "Mammal Review",
    "Biological Conservation",
]
TITLES = {
    # as written in the export → as the reference list prints it
    "Den-site selection by {Pallas}'s cats in the {Altai}": "Den-site selection by Pallas’s cats "
    "in the Altai",
    "Occupancy of Otocolobus manul in Mongolia": "Occupancy of Otocolobus manul in Mongolia",
    "Prey Availability and Home-Range Size of a Steppe Felid": "Prey availability and "
    "home-range size of a steppe felid",
    "Camera trapping in the {Kotbas} hills: 50\\% more detections": "Camera trapping in the "
    "Kotbas hills: 50% more detections",
    "Pika ({\\emph{Ochotona}} spp.) density \\textendash{} a review": "Pika (<i>Ochotona</i> "
    "spp.) density – a review",
    "Illegal trade in cat skins \\& the role of {CITES}": "Illegal trade in cat skins & the role "
    "of CITES",
}


def generated_export(count: int, seed: int = 13) -> str:
    """``count`` invented entries written as Better BibTeX, Mendeley and JabRef write them."""
    rng = random.Random(seed)
    parts = ["@comment{jabref-meta: databaseType:biblatex;}\n", "@string{oryx = {Oryx}}\n"]
    for number in range(count):
        style = number % 3
        authors = " and ".join(
            f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}" for _ in range(rng.randint(1, 6))
        )
        if number % 23 == 0:
            authors += " and {IUCN SSC Cat Specialist Group}"
        if number % 17 == 0:
            authors += " and others"
        fields = {
            "author": "{" + authors + "}",
            "title": "{" + rng.choice(sorted(TITLES)) + "}",
            "volume": str(rng.randint(1, 120)),
            "pages": "{" + f"{rng.randint(1, 300)}--{rng.randint(301, 600)}" + "}",
        }
        journal = rng.choice(JOURNALS)
        if style == 0:  # Better BibTeX (BibLaTeX)
            fields["journaltitle"] = "{" + journal + "}"
            fields["date"] = "{" + f"{rng.randint(1980, 2024)}-{rng.randint(1, 12):02d}" + "}"
            fields["urldate"] = "{2024-02-29}"
            fields["doi"] = "{" + f"10.{rng.randint(1000, 99999)}/x.{number}" + "}"
            fields["file"] = (
                "{Full Text:C\\:\\\\Users\\\\me\\\\Zotero\\\\"
                + f"{number}.pdf"
                + ":application/pdf}"
            )
            fields["langid"] = "{english}"
        elif style == 1:  # Mendeley
            fields["journal"] = "oryx" if journal == "Oryx" else "{" + journal + "}"
            fields["year"] = str(rng.randint(1980, 2024))
            fields["month"] = rng.choice(["jan", "feb", "{mar}", "apr"])
            fields["abstract"] = "{We found 50% fewer cats \\& more pikas.}"
            fields["annote"] = "{Read; see p. 4}"
            fields["doi"] = "{" + f"https://doi.org/10.{rng.randint(1000, 99999)}/m.{number}" + "}"
        else:  # JabRef
            fields["journal"] = '"' + journal + '"'
            fields["year"] = "{" + str(rng.randint(1980, 2024)) + "}"
            fields["owner"] = "{editor}"
            fields["timestamp"] = "{2019.03.01}"
        body = ",\n".join(f"  {name} = {value}" for name, value in fields.items())
        kind = "article" if style != 0 or number % 5 else "online"
        parts.append(f"@{kind}{{gen{number:04d},\n{body},\n}}\n\n")
    return "".join(parts)


def test_generated_export_loads_and_converts_completely(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "references").mkdir(parents=True)
    (root / "references" / "library.bib").write_text(generated_export(300), "utf-8")
    report = Report()
    bibliography = load_bibliography(root, report)
    assert [d.format() for d in report.diagnostics if d.severity >= Severity.WARNING] == []
    assert len(bibliography.entries) == 300
    (path,) = bibliography.files
    items = bib_to_csl_json(bibliography.texts[path], tmp_path / "cache")
    assert len(items) == 300
    assert {item["title"] for item in items} == set(TITLES.values())
    for item in items:
        assert item.get("container-title"), item
        assert "DOI" not in item or normalise_doi(item["DOI"]) == item["DOI"], item
        assert all("others" != name.get("literal") for name in item["author"][:-1]), item


# --- damaged files: whatever check lets through, pandoc reads ---------------------------------

DAMAGE = ["@", "}", "{", ",", "=", '"', "\n", "#", "%", "\\", "$", "@comment{", "@set{s, x={a}}"]


@pytest.mark.parametrize("seed", range(20))
def test_damaged_export_never_stops_pandoc(tmp_path: Path, seed: int) -> None:
    """Check and build agree: after random damage to a realistic export (a brace, comma or
    quote too many or missing), *load* reports what it could not read, and pandoc converts
    exactly the entries it kept, with no error of its own."""
    rng = random.Random(seed)
    text = list((CORPUS / "render" / "exports.bib").read_text("utf-8"))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text))
        if rng.random() < 0.5:
            text.insert(at, rng.choice(DAMAGE))
        else:
            del text[at]
    (tmp_path / "references").mkdir()
    (tmp_path / "references" / "damaged.bib").write_text("".join(text), "utf-8")
    bibliography = load_bibliography(tmp_path, Report())
    (path,) = bibliography.files
    items = bib_to_csl_json(bibliography.texts[path], tmp_path / "cache")
    assert {item["id"] for item in items} == set(bibliography.entries)
