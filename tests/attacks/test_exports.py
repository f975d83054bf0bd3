"""Attacks on the exports and on the terminal: hostile strings in a title, a name, a keyword or a
``.bib`` entry must not forge a BibTeX field, an RIS record, invalid XML or a broken
CITATION.cff; in diagnostics they must not reach the terminal or a CI log as control sequences or
as a line of their own.

The exporters are tested on records built from the miniature project and then edited directly
(``dataclasses.replace``, pydantic ``model_copy``), not through the front matter: the model may
refuse some of these strings, and the exporters must be safe whatever reaches them.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import unicodedata
from typing import Any

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from ruamel.yaml import YAML

from pica_publish.citation import suggested_citations, title_of
from pica_publish.diagnostics import Diagnostic, Location, Severity
from pica_publish.exports.citations import (
    bibtex_key,
    bibtex_problems,
    citation_cff,
    issue_bibtex,
    issue_ris,
    ris_problems,
)
from pica_publish.exports.crossref import crossref_deposit
from pica_publish.exports.records import ArticleRecord, article_records
from pica_publish.model import IssueConfig
from pica_publish.reporting import visible, write_github, write_human, write_json
from pica_publish.stages import export as export_stage
from pica_publish.stages.check import check
from pica_publish.stages.convert import convert
from pica_publish.stages.export import ExportError, check_exports, export
from pica_publish.stages.load import load
from pica_publish.state import BuildOptions, BuildState
from tests.conftest import PROJECTS, edit

CR = "{http://www.crossref.org/schema/5.3.1}"
PAGES = {"editorial": (3, 3), "dens": (4, 6), "strategy": (7, 8)}
EPOCH = 1552000000
TERMINAL_ATTACK = "bad \x1b[2J\x1b]0;owned\x07 \u202eevil\n::error file=x::forged"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[IssueConfig, list[ArticleRecord]]:
    """The miniature project's manifest and article records (load stage only: fast)."""
    root = tmp_path_factory.mktemp("exports") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    state = load(BuildState(BuildOptions(root=root)))
    assert state.issue is not None and not state.report.diagnostics
    citations = suggested_citations(state.issue, PAGES, root / "cache")
    return state.issue.manifest, article_records(state.issue, PAGES, citations)


@pytest.fixture(scope="module")
def config(project: tuple[IssueConfig, list[ArticleRecord]]) -> IssueConfig:
    return project[0]


@pytest.fixture(scope="module")
def dens(project: tuple[IssueConfig, list[ArticleRecord]]) -> ArticleRecord:
    return next(r for r in project[1] if r.chapter.slug == "dens")


def with_family(record: ArticleRecord, family: str, given: str | None = None) -> ArticleRecord:
    """The record with its first author's family name (and given names) replaced."""
    first = record.authors[0]
    # the model guarantees a name with a word in it (min_length after stripping whitespace)
    name = (f"{given} {family}" if given is not None else first.name).strip() or "X"
    name = name if name.split() else "X"
    # given and family both set: whatever they hold, they are taken as they are (names.py)
    first = first.model_copy(update={"family": family, "given": given or "", "name": name})
    return dataclasses.replace(record, authors=(first, *record.authors[1:]))


def parse_bib(data: bytes) -> bibtexparser.Library:
    return bibtexparser.parse_string(data.decode("utf-8"))


def balanced_as_bibtex_counts(data: bytes) -> bool:
    """BibTeX and biber count every brace, backslash or not: depth never below 0, back to 0 at
    the end of each entry (the writer closes an entry with a line holding just '}')."""
    depth = 0
    for line in data.decode("utf-8").splitlines():
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                return False
        if line == "}" and depth != 0:
            return False
    return depth == 0


def parse_xml(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


# BibTeX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["x}, note = {pwned", "x}}, note = {{pwned", "x} note {pwned"])
def test_bibtex_braces_in_a_title_inject_no_field(config, dens, title):
    record = dataclasses.replace(dens, titles=title_of(title))
    data = issue_bibtex(config, [record])
    library = parse_bib(data)
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.key == bibtex_key(config, record) == "catnews99dens"
    assert "note" not in entry.fields_dict
    assert "\\textbraceright{}" in entry.fields_dict["title"].value
    assert "\\textbraceleft{}pwned" in entry.fields_dict["title"].value
    assert balanced_as_bibtex_counts(data)
    assert bibtex_problems(data, config, [record]) == []


@pytest.mark.parametrize(
    "title", ["ends in a backslash \\", "\\}, note = {x", "\\end{document}", "\\%}\n@misc{y,"]
)
def test_bibtex_backslashes_cannot_escape_the_closing_brace(config, dens, title):
    record = with_family(dataclasses.replace(dens, titles=title_of(title)), "Back\\", "Slash\\")
    data = issue_bibtex(config, [record])
    library = parse_bib(data)
    assert not library.failed_blocks and [e.key for e in library.entries] == ["catnews99dens"]
    fields = library.entries[0].fields_dict
    assert set(fields) == {
        "author", "title", "journal", "number", "year", "pages", "issn", "doi", "url",
        "keywords", "language",
    }  # fmt: skip
    # a title is Markdown: "\\}" is an escaped brace; a backslash that stays is escaped here
    assert ("\\textbackslash{}" in fields["title"].value) == ("\\" in title_of(title).text)
    assert fields["author"].value.startswith("{Back\\textbackslash{}}, Slash\\textbackslash{}")
    assert "\n" not in fields["title"].value
    assert balanced_as_bibtex_counts(data)
    assert bibtex_problems(data, config, [record]) == []


def test_bibtex_given_names_cannot_add_authors(config, dens):
    record = with_family(dens, "Family", "Given and Other, Jr")
    data = issue_bibtex(config, [record])
    author = parse_bib(data).entries[0].fields_dict["author"].value
    names = re.split(r"\s+and\s+", author)  # how BibTeX splits a name list (at brace depth 0)
    assert len(names) == len(dens.authors)
    assert names[0] == "{Family}, Given {and} Other{,} Jr"


def test_bibtex_whitespace_and_controls_fold_into_one_line(config, dens):
    title = "one\r\ntwo\tthree\f\vfour\u2028five\u2029six\x85seven\x01\x1b[2J"
    record = dataclasses.replace(dens, titles=title_of(title), keywords=("a\nb", "\x07"))
    fields = parse_bib(issue_bibtex(config, [record])).entries[0].fields_dict
    assert fields["title"].value == "{one two three four five six seven[2J}"
    assert fields["keywords"].value == "a b"


# RIS ------------------------------------------------------------------------------------------


def ris_lines(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    lines = text.split("\r\n")
    assert text.splitlines() == lines[:-1]  # no line break other than the CRLFs we write
    return lines


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_ris_newlines_in_a_title_or_keyword_forge_no_record(config, dens, newline):
    forged = f"x{newline}ER  - {newline}TY  - JOUR{newline}TI  - fake"
    record = dataclasses.replace(dens, titles=title_of(forged), keywords=(forged, "ok"))
    data = issue_ris(config, [record])
    lines = ris_lines(data)
    assert sum(line.startswith("TY  - ") for line in lines) == 1
    assert sum(line == "ER  - " for line in lines) == 1
    assert "TI  - x ER - TY - JOUR TI - fake" in lines
    assert [line for line in lines if "fake" in line] == [
        "TI  - x ER - TY - JOUR TI - fake",
        "KW  - x ER - TY - JOUR TI - fake",
    ]
    assert ris_problems(data, 1) == []


def test_ris_unicode_line_separators_forge_no_record(config, dens):
    forged = "x\u2028TY  - JOUR\u2029TI  - fake\x85ER  - \x0bAU  - Z\x1c\x1d\x1e"
    record = with_family(
        dataclasses.replace(dens, titles=title_of(forged), abstracts=title_of(forged)), forged
    )
    data = issue_ris(config, [record])
    lines = ris_lines(data)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) or not line for line in lines)
    assert sum(line.startswith("TY  - ") for line in lines) == 1
    assert "TI  - x TY - JOUR TI - fake ER - AU - Z" in lines
    assert ris_problems(data, 1) == []


def test_ris_check_finds_a_forged_record():
    forged = b"TY  - JOUR\r\nTI  - x\r\nTY  - JOUR\r\nTI  - fake\r\nER  - \r\n"
    assert ris_problems(forged, 1) == ["line 3: TY inside a record", "2 records instead of 1"]
    assert ris_problems(b"TY  - JOUR\r\nTI  - a\nb\r\nER  - \r\n", 1)


# XML ------------------------------------------------------------------------------------------


def deposit(config: IssueConfig, records: list[ArticleRecord], cited: Any = None) -> bytes:
    return crossref_deposit(config, records, cited or {}, timestamp=EPOCH)


def test_crossref_control_characters_in_front_matter_are_dropped(config, dens):
    record = with_family(
        dataclasses.replace(
            dens,
            titles=title_of("Dens\x01 of the \x0bmanul\ufffe"),
            abstracts=title_of("An\x00 abstract\x1b[2J"),
            affiliations={**dens.affiliations, "zin": "Zoological\x08 Institute"},
        ),
        "Пет\x02рова",
    )
    data = deposit(config, [record])
    root = parse_xml(data)
    assert root.findtext(f".//{CR}titles/{CR}title") == "Dens of the manul"
    assert root.findtext(f".//{CR}person_name/{CR}surname") == "Петрова"
    assert root.findtext(".//{http://www.ncbi.nlm.nih.gov/JATS1}p") == "An abstract[2J"
    assert root.findtext(f".//{CR}institution_name") == "Zoological Institute"
    assert export_stage.xml_problem(data) is None


def test_crossref_control_characters_in_a_cited_bib_entry_are_dropped(config, dens):
    cited = {
        "dens": [
            {
                "id": "evil",
                "type": "book",
                "title": "Bo\x01ok\x1f title",
                "author": [{"family": "Ev\x02il", "given": "E\x7f"}, {"literal": "Org\x03"}],
                "publisher": "Pub\udfff",
                "DOI": "10.1234/x\x04y",
                "issued": {"date-parts": [[2020]]},
            }
        ]
    }
    root = parse_xml(deposit(config, [dens], cited))
    citation = root.find(f".//{CR}citation")
    assert citation is not None and citation.get("key") == "ref1"
    assert citation.findtext(f"{CR}doi") == "10.1234/xy"
    assert citation.findtext(f"{CR}unstructured_citation") == (
        "Evil E\x7f, Org. 2020. Book title. Pub."  # DEL is allowed in XML 1.0
    )


def test_a_control_character_in_a_bib_file_leaves_every_export_valid(mini):
    """Through the real stages: a ``.bib`` is not validated like front matter."""
    edit(mini / "references/mini.bib", "Den-site selection", "Den-site\x01 sel\x1bection")
    edit(mini / "references/mini.bib", "Ross, Steven and Kam", "Ro\x02ss, Steven and Kam")
    options = BuildOptions(root=mini, outputs=frozenset({"pdf"}), source_date_epoch=EPOCH)
    state = BuildState(options)
    for stage in (load, check, convert):
        state = stage(state)
    state = export(dataclasses.replace(state, page_map=PAGES))
    assert not state.report.has_errors, [d.format() for d in state.report.diagnostics]
    crossref = state.files["metadata/crossref.xml"]
    texts = [e.text for e in parse_xml(crossref).iter(f"{CR}unstructured_citation")]
    assert any("Den-site selection is critical" in t for t in texts), texts
    assert any(t.startswith("Ross Steven,") for t in texts), texts
    for slug in PAGES:
        parse_xml(state.files[f"metadata/jats/{slug}.xml"])


# CITATION.cff ---------------------------------------------------------------------------------


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings(k), *strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def test_citation_cff_drops_control_characters_and_loads(config, dens):
    editor = config.editors[0].model_copy(update={"name": "Test\x00 \u2028Ed\x1bitor"})
    hostile = config.model_copy(
        update={"title": "A\x01 title\n- injected: yes\x85", "editors": (editor,)}
    )
    record = dataclasses.replace(dens, keywords=("key\x07word", "two\r\nlines", "\x01"))
    data = citation_cff(hostile, [record])
    document = YAML(typ="safe").load(data.decode("utf-8"))
    assert document["preferred-citation"]["title"] == "A title - injected: yes"
    assert "injected" not in document
    assert document["authors"] == [{"family-names": "Editor", "given-names": "Test"}]
    assert document["keywords"] == ["keyword", "two lines"]
    for text in strings(document):
        assert not any(unicodedata.category(c) == "Cc" for c in text), text
        assert "\u2028" not in text


# The export stage's own checks ---------------------------------------------------------------


def test_export_checks_pass_on_hostile_records(config, dens):
    record = with_family(
        dataclasses.replace(dens, titles=title_of("x}, note = {pwned\nTY  - JOUR\x01")), "a\\}"
    )
    files = {
        "metadata/CITATION.cff": citation_cff(config, [record]),
        "metadata/issue.bib": issue_bibtex(config, [record]),
        "metadata/issue.ris": issue_ris(config, [record]),
        "metadata/crossref.xml": deposit(config, [record]),
    }
    check_exports(files, config, [record])  # raises on any problem


@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("metadata/issue.bib", b"@article{catnews99dens,\n\ttitle = {{x}}, note = {y},\n}\n"),
        ("metadata/issue.bib", b"@article{other,\n\ttitle = {x}\n}\n"),
        ("metadata/issue.ris", b"TY  - JOUR\r\nTI  - x\r\nTY  - JOUR\r\nER  - \r\n"),
        ("metadata/crossref.xml", b"<doi_batch><title>\x01</title></doi_batch>"),
        ("metadata/CITATION.cff", b"title: [unclosed\n"),
    ],
)
def test_a_broken_export_is_a_bug_not_a_diagnostic(config, dens, name, broken):
    files = {
        "metadata/CITATION.cff": citation_cff(config, [dens]),
        "metadata/issue.bib": issue_bibtex(config, [dens]),
        "metadata/issue.ris": issue_ris(config, [dens]),
        "metadata/crossref.xml": deposit(config, [dens]),
    }
    check_exports(files, config, [dens])
    with pytest.raises(ExportError, match=name.removeprefix("metadata/")):
        check_exports({**files, name: broken}, config, [dens])


def test_malformed_jats_is_a_located_diagnostic(mini, monkeypatch):
    monkeypatch.setattr(
        export_stage, "markdown_to_jats", lambda *a, **k: "<article><p>\x01</p></article>"
    )
    options = BuildOptions(root=mini, outputs=frozenset({"pdf"}), source_date_epoch=EPOCH)
    state = load(BuildState(options))
    state = export(dataclasses.replace(state, page_map=PAGES))
    errors = [(d.code, d.location) for d in state.report.diagnostics]
    assert errors == [
        ("jats-invalid", Location("chapters/00-editorial.md")),
        ("jats-invalid", Location("chapters/01-dens.md")),
        ("jats-invalid", Location("chapters/02-strategy.md")),
    ]
    assert not any(name.startswith("metadata/jats/") for name in state.files)


# Terminal output ------------------------------------------------------------------------------


def hostile_diagnostics() -> list[Diagnostic]:
    return [
        Diagnostic(
            Severity.ERROR,
            "front-matter-unknown",
            f"unknown key '{TERMINAL_ATTACK}'",
            Location("chapters/01-dens\x1b[2J\n::warning file=y::z.md", 3, 1),
            f"did you mean '{TERMINAL_ATTACK}'?",
        ),
        Diagnostic(Severity.WARNING, "x", "\r::notice::also\u2028forged\x85", Location("a.md")),
    ]


def test_write_human_shows_control_characters_as_escapes(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    stream = io.StringIO()
    write_human(hostile_diagnostics(), stream, verbose=True)
    output = stream.getvalue()
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\r" not in output and "\u2028" not in output and "\x85" not in output
    lines = output.split("\n")
    assert not any(line.startswith("::") for line in lines)
    assert len(lines) == 4 and lines[-1] == ""  # a diagnostic and its hint, a diagnostic
    assert (
        "unknown key 'bad \\x1b[2J\\x1b]0;owned\\x07 \\u202eevil\\n::error file=x::forged'"
        in (lines[0])
    )


def test_write_human_keeps_its_own_colours(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    write_human(hostile_diagnostics(), stream, verbose=True)
    output = stream.getvalue()
    escapes = re.findall(r"\x1b[^m]*m", output)
    assert set(escapes) <= {"\x1b[1m", "\x1b[0m", "\x1b[2m", "\x1b[1;31m", "\x1b[1;33m"}
    assert output.count("\x1b") == len(escapes)
    assert "\x1b[2J" not in output and "\x1b]" not in output


def test_write_github_emits_one_command_per_diagnostic():
    diagnostics = hostile_diagnostics()
    stream = io.StringIO()
    write_github(diagnostics, stream)
    output = stream.getvalue()
    assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "\r" not in output and "\u2028" not in output and "\x85" not in output
    lines = output.split("\n")
    assert lines[-1] == "" and len(lines) == len(diagnostics) + 1
    commands = [line for line in lines if line.startswith("::")]
    assert [c.split(" ", 1)[0] for c in commands] == ["::error", "::warning"]
    first = commands[0]
    assert first.startswith(
        "::error file=chapters/01-dens\\x1b[2J%0A%3A%3Awarning file=y%3A%3Az.md,"
    )
    message = first.split("::", 2)[2]
    assert "%0A" in message  # the one line break GitHub shows: between message and hint
    assert message.count("%0A") == 1 and "\\n::error file=x::forged" in message


def test_write_json_round_trips_and_escapes_what_json_leaves_raw():
    diagnostics = hostile_diagnostics()
    stream = io.StringIO()
    write_json(diagnostics, stream, failed=True)
    output = stream.getvalue()
    assert not re.search(
        "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", output
    )
    payload = json.loads(output)
    assert [d["message"] for d in payload["diagnostics"]] == [d.message for d in diagnostics]
    assert payload["diagnostics"][0]["path"] == diagnostics[0].location.path


def test_visible_escapes_exactly_the_invisible_characters():
    assert visible("a\tb\nc\rd\x00\x1b\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069") == (
        "a\\tb\\nc\\rd\\x00\\x1b\\x7f\\x85\\x9f\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069"
    )
    kept = "Анна Öztürk 日本 \u00a0\u200d\U0001f431 \\x1b"
    assert visible(kept) == kept


# Property: whatever the text --------------------------------------------------------------------

ANY_TEXT = st.text(
    st.characters(exclude_categories=("Cs",)) | st.sampled_from("\\{}%$#&_~^@,=\"'\r\n\x00\x1b"),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(title=ANY_TEXT, keyword=ANY_TEXT, family=ANY_TEXT, given_names=ANY_TEXT)
def test_any_text_keeps_every_export_valid(config, dens, title, keyword, family, given_names):
    record = with_family(
        dataclasses.replace(
            dens, titles=title_of(title), keywords=(keyword,), abstracts=title_of(title)
        ),
        family,
        given_names,
    )
    bib = issue_bibtex(config, [record])
    library = parse_bib(bib)
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [bibtex_key(config, record)]
    assert balanced_as_bibtex_counts(bib)
    assert bibtex_problems(bib, config, [record]) == []

    ris = issue_ris(config, [record])
    assert ris_problems(ris, 1) == []
    assert sum(line.startswith("TY  - ") for line in ris_lines(ris)) == 1

    root = parse_xml(deposit(config, [record]))
    assert len(root.findall(f".//{CR}journal_article")) == 1

    YAML(typ="safe").load(citation_cff(config, [record]).decode("utf-8"))
