"""The commonest mistakes in front matter and issue.yml: each one diagnostic, at its line and
column, in plain words, with a hint that shows the user's own line corrected — and nothing else
(no follow-on noise from the parser or the schema)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pica_publish.build import run, select_stages
from pica_publish.state import BuildOptions
from pica_publish.yamlsource import YamlSyntaxError, load_yaml
from tests.conftest import edit

CHAPTER = "chapters/01-dens.md"
TITLE = 'title: "Dens and home ranges of the Pallas\'s cat"'
SHORT_TITLE = 'short_title: "Dens and home ranges"'
KEYWORDS = "keywords: [Otocolobus manul, dens, home range]"
AUTHORS = (
    "authors:\n  - name: Анна Сергеевна Петрова\n    family: Петрова\n    affiliations: [zin]\n"
    "    orcid: 0000-0002-1825-0097\n  - name: Batbayar Tsend\n    affiliations: [zin, ias]\n"
    "    corresponding: true\n    email: b.tsend@example.org\n  - name: Gülşen Öztürk\n"
    "    affiliations: [ias]\n"
)


def diagnostics(mini: Path, run_cli: Any, file: str = CHAPTER) -> list[tuple[Any, ...]]:
    result = run_cli("-C", str(mini), "check", "--format", "json")
    assert "Traceback" not in result.output
    payload = json.loads(result.output)
    assert payload["failed"] is (result.status == 1)
    return [
        (d["path"], d["line"], d["column"], d["code"], d["message"], d["hint"])
        for d in payload["diagnostics"]
        if d["severity"] != "info"
    ]


# Each case: the line (or lines) as it should be, the line as written, and the one diagnostic:
# line, column, rule, message, hint.
MISTAKES = [
    pytest.param(
        "    affiliations: [zin, ias]\n",
        "\taffiliations: [zin, ias]\n",
        (
            10,
            1,
            "yaml-tab",
            "this line is indented with a tab: YAML allows only spaces",
            "write it as:     affiliations: [zin, ias]",
        ),
        id="tab-indentation",
    ),
    pytest.param(
        TITLE,
        "title: Pallas's cat: a review",
        (
            2,
            20,
            "yaml-colon-in-value",
            "the value of 'title' holds ': ', which YAML reads as the start of another key",
            'write it as: title: "Pallas\'s cat: a review"',
        ),
        id="unquoted-colon",
    ),
    pytest.param(
        AUTHORS,
        "authors: Jane Doe, John Smith\n",
        (
            4,
            10,
            "authors-as-text",
            "'authors' is one line of text; it must be a list with one entry per author",
            (
                "write it as: authors: [{name: Jane Doe}, {name: John Smith}] (then give each "
                "author their affiliations; see docs/formats.md)"
            ),
        ),
        id="authors-as-a-string",
    ),
    pytest.param(
        SHORT_TITLE,
        'short_title: "Dens and home ranges',
        (
            3,
            14,
            "yaml-unclosed",
            'the quote " that opens this value is never closed',
            'write it as: short_title: "Dens and home ranges"',
        ),
        id="unclosed-quote",
    ),
    pytest.param(
        "  - name: Gülşen Öztürk",
        "  -name: Gülşen Öztürk",
        (
            13,
            3,
            "yaml-list-dash",
            "a list item needs a space after its '-': YAML does not see '-name' as a list item",
            "write it as:   - name: Gülşen Öztürk",
        ),
        id="list-item-without-space",
    ),
    pytest.param(
        KEYWORDS,
        "keywords:\n  -dens\n  -home range",
        (
            22,
            3,
            "yaml-list-dash",
            "a list item needs a space after its '-': YAML does not see '-dens' as a list item",
            "write it as:   - dens",
        ),
        id="list-items-read-as-text",
    ),
    pytest.param(
        "    family: Петрова",
        "     family: Петрова",
        (
            6,
            6,
            "yaml-indentation",
            (
                "'family' is indented by 5 spaces but 'name' on the line above by 4: YAML cannot "
                "tell where 'family' belongs"
            ),
            "indent it like 'name' (4 spaces): write it as:     family: Петрова",
        ),
        id="nested-key-indentation",
    ),
    pytest.param(
        SHORT_TITLE,
        SHORT_TITLE + '\nshort_title: "Dens"',
        (
            4,
            1,
            "yaml-duplicate-key",
            "'short_title' is given twice: first on line 3, again here",
            (
                "keep one of the two lines: 'short_title: \"Dens and home ranges\"' (line 3) or "
                "'short_title: \"Dens\"' (line 4)"
            ),
        ),
        id="duplicate-key",
    ),
    pytest.param(
        SHORT_TITLE,
        "short_title: @manul dens",
        (
            3,
            14,
            "yaml-reserved-start",
            "a value cannot start with '@' unquoted: '@' is reserved in YAML",
            'write it as: short_title: "@manul dens"',
        ),
        id="value-starting-with-at",
    ),
    pytest.param(
        SHORT_TITLE,
        "short_title: `manul` dens",
        (
            3,
            14,
            "yaml-reserved-start",
            "a value cannot start with '`' unquoted: '`' is reserved in YAML",
            'write it as: short_title: "`manul` dens"',
        ),
        id="value-starting-with-backtick",
    ),
    pytest.param(
        TITLE,
        "title: *Otocolobus manul* dens",
        (
            2,
            8,
            "yaml-reserved-start",
            (
                "a value cannot start with '*' unquoted: YAML reads '*' as a reference to an "
                "anchor (*italics* must be quoted)"
            ),
            'write it as: title: "*Otocolobus manul* dens"',
        ),
        id="title-in-italics",
    ),
    pytest.param(
        SHORT_TITLE,
        "short_title: true",
        (
            3,
            14,
            "yaml-not-text",
            "'short_title' takes text, but YAML reads true as a yes/no value",
            'write it as: short_title: "true"',
        ),
        id="boolean-where-text-is-expected",
    ),
    pytest.param(
        KEYWORDS,
        "keywords: [Otocolobus manul, 2019]",
        (
            21,
            30,
            "yaml-not-text",
            "item 2 of 'keywords' takes text, but YAML reads 2019 as a number",
            'write it as: keywords: [Otocolobus manul, "2019"]',
        ),
        id="number-where-text-is-expected",
    ),
    pytest.param(
        SHORT_TITLE,
        "short_title:Dens",
        (
            3,
            12,
            "yaml-colon-space",
            "'short_title:' needs a space after the colon, or YAML reads the line as text",
            "write it as: short_title: Dens",
        ),
        id="no-space-after-colon",
    ),
    pytest.param(
        TITLE,
        'title: "Dens" of the manul',
        (
            2,
            14,
            "yaml-text-after-quote",
            'the value ends at its closing quote "Dens": the text after it does not belong to it',
            "write it as: title: '\"Dens\" of the manul'",
        ),
        id="text-after-closing-quote",
    ),
    pytest.param(
        TITLE,
        "title: 'Pallas's cat dens'",
        (
            2,
            16,
            "yaml-text-after-quote",
            (
                "the apostrophe after 'Pallas' ends the single-quoted value: the text after it does "
                "not belong to it"
            ),
            'write it as: title: "Pallas\'s cat dens"',
        ),
        id="apostrophe-in-single-quotes",
    ),
    pytest.param(
        KEYWORDS,
        "keywords: [Otocolobus manul, dens",
        (
            21,
            11,
            "yaml-unclosed",
            "the list opened with '[' is never closed",
            "write it as: keywords: [Otocolobus manul, dens]",
        ),
        id="unclosed-bracket",
    ),
    pytest.param(
        "---\n\n## Dens",
        "\n## Dens",
        (
            23,
            1,
            "front-matter-unclosed",
            (
                "the front matter has no closing '---': from this line on, the chapter text would "
                "be read as YAML"
            ),
            f"add a line '---' after line 21 ('{KEYWORDS}'), the last field of the front matter",
        ),
        id="missing-closing-fence",
    ),
    pytest.param(
        "---\n\n## Dens",
        "--\n\n## Dens",
        (
            22,
            1,
            "front-matter-unclosed",
            (
                "'--' is not the closing fence of the front matter: it must be exactly three "
                "hyphens at the start of the line"
            ),
            "write it as: ---",
        ),
        id="closing-fence-mistyped",
    ),
]


@pytest.mark.parametrize(("right", "wrong", "expected"), MISTAKES)
def test_a_common_mistake_is_one_plain_located_diagnostic(mini, run_cli, right, wrong, expected):
    edit(mini / CHAPTER, right, wrong)
    assert diagnostics(mini, run_cli) == [(CHAPTER, *expected)]


def test_the_human_report_shows_the_corrected_line(mini, run_cli):
    edit(mini / CHAPTER, TITLE, "title: Pallas's cat: a review")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert result.lines[:2] == [
        (
            "chapters/01-dens.md:2:20: error: the value of 'title' holds ': ', which YAML reads as "
            "the start of another key [yaml-colon-in-value]"
        ),
        '    hint: write it as: title: "Pallas\'s cat: a review"',
    ]


def test_the_same_mistakes_in_issue_yml(mini, run_cli):
    edit(mini / "issue.yml", 'title: "A miniature test issue"', "title: A miniature: test issue")
    assert diagnostics(mini, run_cli) == [
        (
            "issue.yml",
            6,
            19,
            "yaml-colon-in-value",
            "the value of 'title' holds ': ', which YAML reads as the start of another key",
            'write it as: title: "A miniature: test issue"',
        )
    ]


def test_editors_as_text_in_issue_yml(mini, run_cli):
    edit(mini / "issue.yml", "  - name: Test Editor\n    role: Managing editor\n", "")
    edit(mini / "issue.yml", "editors:\n", "editors: Test Editor; Second Editor\n")
    assert diagnostics(mini, run_cli) == [
        (
            "issue.yml",
            10,
            10,
            "authors-as-text",
            "'editors' is one line of text; it must be a list with one entry per editor",
            "write it as: editors: [{name: Test Editor}, {name: Second Editor}]",
        )
    ]


def loaded_meta(mini: Path):
    state = run(BuildOptions(root=mini), select_stages(only=("load",)))
    assert [d for d in state.report.diagnostics if d.severity >= 20] == []
    assert state.issue is not None
    return {chapter.slug: chapter.meta for chapter in state.issue.chapters}["dens"]


def test_keywords_and_affiliations_as_one_line_are_accepted(mini, run_cli):
    """A demanding author writes keywords as a sentence; the meaning is plain: split at commas
    and semicolons, no warning."""
    edit(mini / CHAPTER, KEYWORDS, "keywords: Otocolobus manul, dens; home range")
    edit(mini / CHAPTER, "affiliations: [zin, ias]", "affiliations: zin, ias")
    assert diagnostics(mini, run_cli) == []
    meta = loaded_meta(mini)
    assert meta.keywords == ("Otocolobus manul", "dens", "home range")
    assert meta.authors[1].affiliations == ("zin", "ias")


def test_yes_and_no_are_text_as_written(mini, run_cli):
    """YAML 1.2 (what is read here) has only true/false as yes/no values: a short title
    'No' stays the word, never False."""
    edit(mini / CHAPTER, SHORT_TITLE, "short_title: No")
    assert diagnostics(mini, run_cli) == []
    assert loaded_meta(mini).short_title == "No"


def test_a_mistake_keeps_the_chapter_out_of_the_build_but_its_body_is_checked(mini, run_cli):
    edit(mini / CHAPTER, SHORT_TITLE, "short_title: true")
    edit(mini / CHAPTER, "[@ross2010den].", "[@ross2010dne].")
    codes = [row[3] for row in diagnostics(mini, run_cli)]
    assert codes == ["yaml-not-text", "citation-unknown"]
    result = run_cli("-C", str(mini), "build", "--html")
    assert result.status == 1 and not (mini / "build/html").exists()


@pytest.mark.parametrize(
    ("text", "line", "column", "rule", "hint"),
    [
        ("a:\n  b: 1\n\tc: 2\n", 3, 1, "yaml-tab", "write it as:   c: 2"),
        ("title: A\nauthors:\n\t- name: B\n", 3, 1, "yaml-tab", "write it as:   - name: B"),
        ("title:\tA\n", 1, 7, "yaml-tab", "write it as: title: A"),
        (
            "chapters:\n  - {file: a.md, role: chapter\n  - {file: b.md}\n",
            2,
            5,
            "yaml-unclosed",
            "write it as:   - {file: a.md, role: chapter}",
        ),
        (
            "a:\n  b: 1\n b: 2\n",
            3,
            2,
            "yaml-indentation",
            "indent it like 'b' (2 spaces): write it as:   b: 2",
        ),
    ],
)
def test_the_reader_explains_the_mistake(text, line, column, rule, hint):
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml(text)
    assert (error.value.line, error.value.column, error.value.rule.id, error.value.hint) == (
        line,
        column,
        rule,
        hint,
    )


def test_an_unknown_mistake_keeps_the_parser_message_with_a_hint():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("a: b\n- c\n")
    assert error.value.rule.id == "yaml-syntax"
    assert error.value.message.startswith("invalid YAML: ")
    assert "double quotes" in error.value.hint
