"""Identity that does not drift: the scaffold's placeholders never reach a build, any title
makes valid front matter and a readable slug, and a registered DOI never changes."""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pica_publish.scaffold import PLACEHOLDERS, slugify
from pica_publish.yamlsource import load_yaml
from tests.conftest import edit

NEW = "chapters/03-manul-v-mongolii.md"


def report(mini: Path, run_cli: Any) -> list[tuple[Any, ...]]:
    result = run_cli("-C", str(mini), "check", "--format", "json")
    assert "Traceback" not in result.output
    return [
        (d["path"], d["line"], d["column"], d["code"], d["message"], d["hint"])
        for d in json.loads(result.output)["diagnostics"]
        if d["severity"] != "info"
    ]


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text("utf-8")
    assert text.startswith("---\n")
    data, _positions = load_yaml(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    return data  # type: ignore[no-any-return]


# --- placeholders ---------------------------------------------------------------------------------


def test_an_unedited_scaffold_fails_check_at_each_placeholder(mini, run_cli):
    assert run_cli("-C", str(mini), "new", "chapter", "Манул в Монголии").status == 0
    found = report(mini, run_cli)
    assert found == [
        (
            NEW,
            4,
            11,
            "placeholder-text",
            "'YOUR NAME' is a placeholder of the chapter template",
            "write your name as it is to be printed in the byline, e.g. Anna Petrova",
        ),
        (
            NEW,
            8,
            12,
            "placeholder-text",
            "'your.name@example.org' is a placeholder of the chapter template",
            "write your e-mail address: it is printed for the corresponding author",
        ),
        (
            NEW,
            9,
            11,
            "placeholder-text",
            "'SECOND AUTHOR' is a placeholder of the chapter template",
            "write your co-author's name, or delete this author (the '- name:' entry)",
        ),
        (
            NEW,
            12,
            8,
            "placeholder-text",
            (
                "'YOUR INSTITUTION, STREET, POSTCODE CITY, COUNTRY' is a placeholder of the chapter "
                "template"
            ),
            "write the full postal address of the institution",
        ),
        (
            NEW,
            14,
            3,
            "placeholder-text",
            "'REPLACE THIS ABSTRACT' is a placeholder of the chapter template",
            "write the abstract: one paragraph of at most 250 words",
        ),
        (
            NEW,
            16,
            30,
            "placeholder-text",
            "'YOUR KEYWORD' is a placeholder of the chapter template",
            "write a keyword of the article, e.g. home range",
        ),
        (
            NEW,
            21,
            1,
            "placeholder-text",
            "'REPLACE THIS PARAGRAPH' is a placeholder of the chapter template",
            "write the introduction of the article",
        ),
    ]
    # One source: every placeholder the scaffold writes is one that check reports.
    assert {row[4].split("'")[1] for row in found} == {p.text for p in PLACEHOLDERS}


def test_a_filled_in_scaffold_passes_check(mini, run_cli):
    assert run_cli("-C", str(mini), "new", "chapter", "Манул в Монголии").status == 0
    path = mini / NEW
    replacements = {
        "YOUR NAME": "Anna Petrova",
        "your.name@example.org": "a.petrova@example.org",
        "SECOND AUTHOR": "Batbayar Tsend",
        "YOUR INSTITUTION, STREET, POSTCODE CITY, COUNTRY": "Zoological Institute, St Petersburg",
        "REPLACE THIS ABSTRACT": "An abstract",
        "YOUR KEYWORD": "dens",
        "REPLACE THIS PARAGRAPH": "An introduction",
    }
    for placeholder, text in replacements.items():
        edit(path, placeholder, text)
    assert report(mini, run_cli) == []


# --- titles and slugs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Dens on a C:\\ drive and a \\n", "dens-c-drive-n"),
        ('The "manul" question', "manul-question"),
        ("Pallas's cat in the Altai: a survey", "pallas-cat-altai-survey"),
        ("Status: 2019 review", "status-2019-review"),
        ("Cats #1 and #2", "cats-1-2"),
        ("Манул в Монголии", "manul-v-mongolii"),
        ("- a dash, *stars* and @at", "dash-stars-at"),
    ],
)
def test_any_title_makes_valid_front_matter_and_a_readable_slug(mini, run_cli, title, slug):
    result = run_cli("-C", str(mini), "new", "chapter", title)
    assert result.status == 0, result.output
    created = mini / f"chapters/03-{slug}.md"
    assert front_matter(created)["title"] == title
    codes = {row[3] for row in report(mini, run_cli)}
    assert codes == {"placeholder-text"}  # valid YAML and schema; only the placeholders left


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Манул в Монголии", "manul-v-mongolii"),  # Russian
        ("Мануулын тархалт ба хамгаалал", "manuulyn-tarkhalt-ba-khamgaalal"),  # Mongolian
        ("ᠮᠠᠨᠤᠯ ᠮᠢᠭᠤᠶ", "manul-miguy"),  # traditional Mongolian script
        ("兔狲的分布", "tu-sun-de-fen-bu"),
        (
            "The status of the Pallas's cat in Mongolia and China",
            "status-pallas-cat-mongolia-china",
        ),
        ("?!", "chapter"),
    ],
)
def test_slugs_are_transliterated(title, slug):
    assert slugify(title) == slug


# --- registered DOIs ------------------------------------------------------------------------------

TODAY = datetime.datetime.now(datetime.UTC).date().isoformat()
DOIS = {
    "issue": {"doi": "10.5555/catnews.si99", "registered": TODAY},
    "articles": {
        "dens": {"doi": "10.5555/catnews.si99.dens", "registered": TODAY},
        "editorial": {"doi": "10.5555/catnews.si99.editorial", "registered": TODAY},
        "strategy": {"doi": "10.5555/catnews.si99.strategy", "registered": TODAY},
    },
}


def registered(mini: Path, run_cli: Any) -> str:
    result = run_cli("-C", str(mini), "register")
    assert result.status == 0, result.output
    return (mini / "dois.lock").read_text("utf-8")


def test_register_records_every_doi_sorted(mini, run_cli):
    result = run_cli("-C", str(mini), "register")
    assert result.status == 0, result.output
    assert "dois.lock: 3 DOI(s) registered (editorial, dens, strategy)" in result.output
    text = (mini / "dois.lock").read_text("utf-8")
    assert YAML(typ="safe").load(text) == DOIS
    assert re.findall(r"^  (\w+):$", text, re.MULTILINE) == ["dens", "editorial", "strategy"]
    assert text.startswith("# Registered DOIs, recorded by `pica-publish register`")
    assert report(mini, run_cli) == []


def test_changing_the_issue_number_is_refused_at_its_line(mini, run_cli):
    registered(mini, run_cli)
    edit(mini / "issue.yml", "number: 99", "number: 98")
    found = report(mini, run_cli)
    hint = "a registered DOI never changes: set number back to 99"
    assert found == [
        (
            "issue.yml",
            3,
            1,
            "doi-changed",
            (
                f"the DOI of {what} would change from 10.5555/catnews.si99{suffix} (registered "
                f"{TODAY} in dois.lock) to 10.5555/catnews.si98{suffix}"
            ),
            hint,
        )
        for what, suffix in sorted(
            [
                ("'dens'", ".dens"),
                ("'editorial'", ".editorial"),
                ("'strategy'", ".strategy"),
                ("the issue", ""),
            ]
        )
    ]


def test_every_build_refuses_a_changed_doi_and_register_changes_nothing(mini, run_cli):
    before = registered(mini, run_cli)
    edit(mini / "issue.yml", 'doi_prefix: "10.5555"', 'doi_prefix: "10.5556"')
    build = run_cli("-C", str(mini), "build", "--html")
    assert build.status == 1 and not (mini / "build/html").exists()
    assert (
        "issue.yml:16:1: error: the DOI of 'dens' would change from 10.5555/catnews.si99.dens "
        f"(registered {TODAY} in dois.lock) to 10.5556/catnews.si99.dens [doi-changed]"
    ) in build.lines
    assert (
        '    hint: a registered DOI never changes: set doi_prefix back to "10.5555"' in build.lines
    )
    again = run_cli("-C", str(mini), "register")
    assert again.status == 1
    assert "register refused" in again.output and "[doi-changed]" in again.output
    assert (mini / "dois.lock").read_text("utf-8") == before


@pytest.mark.parametrize(
    ("old", "new", "line", "hint"),
    [
        (
            "series: CATnews",
            "series: CAT News",
            1,
            "restore the series whose DOI form was 'catnews'",
        ),
        (
            'sample_notice: "Test fixture: not a real issue."',
            'doi_pattern: "{prefix}/{series}.{number}.{slug}"',
            17,
            "restore the doi_pattern that gave 10.5555/catnews.si99.dens",
        ),
        ('doi_prefix: "10.5555"\n', "", 1, 'restore doi_prefix: "10.5555" in issue.yml'),
    ],
    ids=["series", "pattern", "prefix-removed"],
)
def test_the_key_that_changed_the_doi_is_named(mini, run_cli, old, new, line, hint):
    registered(mini, run_cli)
    edit(mini / "issue.yml", old, new)
    dens = [row for row in report(mini, run_cli) if "'dens'" in row[4]]
    assert [(row[0], row[1], row[3], row[5]) for row in dens] == [
        ("issue.yml", line, "doi-changed", f"a registered DOI never changes: {hint}")
    ]


def test_a_new_article_is_fine_and_registering_keeps_the_old_dates(mini, run_cli):
    text = registered(mini, run_cli).replace(TODAY, "2020-01-02")
    (mini / "dois.lock").write_text(text, "utf-8")
    shutil.copy(mini / "chapters/01-dens.md", mini / "chapters/03-ranges.md")
    edit(
        mini / "issue.yml",
        "  - {file: chapters/02-strategy.md",
        "  - {file: chapters/03-ranges.md, role: chapter}\n  - {file: chapters/02-strategy.md",
    )
    assert report(mini, run_cli) == []
    result = run_cli("-C", str(mini), "register")
    assert result.status == 0
    assert "dois.lock: 1 DOI(s) registered (ranges), 3 already registered" in result.output
    data = YAML(typ="safe").load((mini / "dois.lock").read_text("utf-8"))
    assert data["articles"]["ranges"] == {
        "doi": "10.5555/catnews.si99.ranges",
        "registered": TODAY,
    }
    assert data["articles"]["dens"]["registered"] == "2020-01-02"
    assert data["issue"]["registered"] == "2020-01-02"


def test_a_registered_article_may_not_disappear(mini, run_cli):
    registered(mini, run_cli)
    (mini / "chapters/01-dens.md").rename(mini / "chapters/01-dens-and-ranges.md")
    edit(mini / "issue.yml", "chapters/01-dens.md", "chapters/01-dens-and-ranges.md")
    assert report(mini, run_cli) == [
        (
            "issue.yml",
            18,
            1,
            "doi-registered-missing",
            (
                f"article 'dens' is registered as 10.5555/catnews.si99.dens (dois.lock, {TODAY}) "
                "but no longer in the issue"
            ),
            (
                "a registered DOI must keep resolving: list chapters/NN-dens.md (the slug 'dens') "
                "in issue.yml again"
            ),
        )
    ]


def test_a_damaged_lock_file_is_a_located_error(mini, run_cli):
    (mini / "dois.lock").write_text(
        "articles:\n  dens:\n    doi: not-a-doi\n    registered: '2020-01-02'\n", "utf-8"
    )
    assert report(mini, run_cli) == [
        (
            "dois.lock",
            3,
            10,
            "doi-registry-invalid",
            "'articles.dens.doi' 'not-a-doi' is not a DOI",
            "restore dois.lock from the repository's history",
        )
    ]


def test_register_without_doi_prefix_is_refused(mini, run_cli):
    edit(mini / "issue.yml", 'doi_prefix: "10.5555"\n', "")
    result = run_cli("-C", str(mini), "register")
    assert result.status == 1
    assert (
        "issue.yml:1:1: error: issue.yml has no doi_prefix: the issue has no DOIs to register "
        "[register-no-doi]"
    ) in result.lines
    assert not (mini / "dois.lock").exists()
