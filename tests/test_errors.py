"""Bad input → one exact diagnostic line, exit status 1 (or 0 for warnings), no traceback.

Each case edits the miniature project and names the line that must appear in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import edit

Mutation = Callable[[Path], None]


def _replace(file: str, old: str, new: str) -> Mutation:
    return lambda root: edit(root / file, old, new)


def _write(file: str, text: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, "utf-8")

    return mutate


def _remove(file: str) -> Mutation:
    return lambda root: (root / file).unlink()


def _copy_chapter(source: str, target: str) -> Mutation:
    """Copy a chapter and list the copy before the strategy."""

    def mutate(root: Path) -> None:
        (root / target).write_bytes((root / source).read_bytes())
        strategy = "  - {file: chapters/02-strategy.md"
        edit(root / "issue.yml", strategy, f"  - {{file: {target}, role: chapter}}\n{strategy}")

    return mutate


STRATEGY_FIRST = """  - {file: chapters/00-editorial.md, role: editorial}
  - {file: chapters/02-strategy.md, role: strategy}
  - {file: chapters/01-dens.md, role: chapter}
"""
ORDER = """  - {file: chapters/00-editorial.md, role: editorial}
  - {file: chapters/01-dens.md, role: chapter}
  - {file: chapters/02-strategy.md, role: strategy}
"""
EXTRA_BIB = """@article{ross2010den,
  author = {Ross, S.},
  title = {A copy},
  journal = {J},
  year = {2010},
}
"""

CASES: list[tuple[str, Mutation, int, str]] = [
    (
        "manifest-yaml-syntax",
        _replace("issue.yml", "number: 99", "number: [99"),
        1,
        "issue.yml:3:9: error: the list opened with '[' is never closed [yaml-unclosed]",
    ),
    (
        "manifest-missing-file",
        _replace("issue.yml", "chapters/01-dens.md", "chapters/01-den.md"),
        1,
        "issue.yml:20:12: error: chapter file 'chapters/01-den.md' does not exist [manifest-missing-file]",
    ),
    (
        "manifest-strategy-not-last",
        _replace("issue.yml", ORDER, STRATEGY_FIRST),
        1,
        (
            "issue.yml:20:12: error: the strategy chapter must be the last chapter, but "
            "'chapters/01-dens.md' comes after it [order-strategy-not-last]"
        ),
    ),
    (
        "manifest-no-strategy",
        _replace("issue.yml", "role: strategy}", "role: chapter}"),
        1,
        "issue.yml:21:43: error: the issue has no conservation strategy chapter [order-no-strategy]",
    ),
    (
        "manifest-unlisted-chapter",
        _write("chapters/05-extra.md", "---\ntitle: Extra\nauthors: [{name: A B}]\n---\n"),
        0,
        (
            "chapters/05-extra.md: warning: 'chapters/05-extra.md' is not listed in issue.yml and will "
            "not be published [chapter-unlisted]"
        ),
    ),
    (
        "manifest-bad-issn",
        _replace("issue.yml", "issn: 1027-2992", "issn: 1027-2993"),
        1,
        "issue.yml:7:7: error: ISSN '1027-2993' has a wrong check digit [schema-invalid]",
    ),
    (
        "manifest-unknown-key",
        _replace("issue.yml", "season: Autumn", "seasn: Autumn"),
        0,
        "issue.yml:4:1: warning: unknown field 'seasn' in issue.yml [schema-unknown-field]",
    ),
    (
        "manifest-missing-key",
        _replace("issue.yml", "year: 2026\n", ""),
        1,
        "issue.yml:1:1: error: missing required field 'year' [schema-missing-field]",
    ),
    (
        "front-matter-yaml",
        _replace(
            "chapters/01-dens.md", 'short_title: "Dens and home ranges"', 'short_title: "Dens'
        ),
        1,
        (
            'chapters/01-dens.md:3:14: error: the quote " that opens this value is never closed '
            "[yaml-unclosed]"
        ),
    ),
    (
        "front-matter-missing",
        _write("chapters/01-dens.md", "# No front matter\n"),
        1,
        (
            "chapters/01-dens.md:1:1: error: chapter does not start with a YAML front matter block "
            "[front-matter-missing]"
        ),
    ),
    (
        "front-matter-unknown-key",
        _replace("chapters/01-dens.md", "keywords:", "keywrods:"),
        0,
        "chapters/01-dens.md:21:1: warning: unknown field 'keywrods' in front matter [schema-unknown-field]",
    ),
    (
        "front-matter-missing-title",
        _replace("chapters/01-dens.md", 'title: "Dens and home ranges of the Pallas\'s cat"\n', ""),
        1,
        "chapters/01-dens.md:1:1: error: missing required field 'title' [schema-missing-field]",
    ),
    (
        "front-matter-no-authors",
        _replace("chapters/02-strategy.md", "authors:", "authorz:"),
        1,
        "chapters/02-strategy.md:1:1: error: missing required field 'authors' [schema-missing-field]",
    ),
    (
        "front-matter-bad-orcid",
        _replace("chapters/01-dens.md", "0000-0002-1825-0097", "0000-0002-1825-0098"),
        1,
        (
            "chapters/01-dens.md:8:12: error: ORCID '0000-0002-1825-0098' has a wrong check character "
            "[schema-invalid]"
        ),
    ),
    (
        "front-matter-malformed-orcid",
        _replace("chapters/01-dens.md", "0000-0002-1825-0097", "1825-0097"),
        1,
        (
            "chapters/01-dens.md:8:12: error: ORCID '1825-0097' is not of the form 0000-0000-0000-000X "
            "[schema-invalid]"
        ),
    ),
    (
        "front-matter-bad-email",
        _replace("chapters/01-dens.md", "b.tsend@example.org", "b.tsend(at)example.org"),
        1,
        (
            "chapters/01-dens.md:12:12: error: e-mail address 'b.tsend(at)example.org' is malformed "
            "[schema-invalid]"
        ),
    ),
    (
        "front-matter-undefined-affiliation",
        _replace("chapters/01-dens.md", "affiliations: [ias]\n", "affiliations: [iaz]\n"),
        1,
        (
            "chapters/01-dens.md:14:20: error: author 'Gülşen Öztürk' refers to undefined affiliation "
            "'iaz' [author-affiliation-undefined]"
        ),
    ),
    (
        "front-matter-corresponding-without-email",
        _replace("chapters/01-dens.md", "    email: b.tsend@example.org\n", ""),
        1,
        (
            "chapters/01-dens.md:11:5: error: corresponding author 'Batbayar Tsend' has no e-mail "
            "[author-corresponding-email]"
        ),
    ),
    (
        "front-matter-role-mismatch",
        _replace("chapters/01-dens.md", "keywords:", "role: strategy\nkeywords:"),
        1,
        (
            "chapters/01-dens.md:21:7: error: front matter says role 'strategy' but issue.yml says "
            "'chapter' [chapter-role-mismatch]"
        ),
    ),
    (
        "chapter-not-utf8",
        _write("chapters/01-dens.md", "---\ntitle: Caf\xe9\n---\n".encode("latin-1")),
        1,
        "chapters/01-dens.md:2:11: error: file is not UTF-8 (byte 0xe9) [file-encoding]",
    ),
    (
        "citation-unknown",
        _replace("chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne]."),
        1,
        "chapters/01-dens.md:26:71: error: unknown citation key 'ross2010dne' [citation-unknown]",
    ),
    (
        "citation-unknown-case",
        _replace("chapters/01-dens.md", "[@ross2010den].", "[@Ross2010den]."),
        1,
        "chapters/01-dens.md:26:71: error: unknown citation key 'Ross2010den' [citation-unknown]",
    ),
    (
        "bib-duplicate-across-files",
        _write("references/extra.bib", EXTRA_BIB),
        1,
        (
            "references/mini.bib:1:1: error: duplicate citation key 'ross2010den' (first defined at "
            "references/extra.bib:1:1) [bib-duplicate-key]"
        ),
    ),
    (
        "bib-failed-block",
        _write(
            "references/extra.bib",
            "@article{broken,\n  title = {Unclosed,\n  year = 2001\n"
            "@book{fine, title={Fine}, year={2001}}\n",
        ),
        1,
        (
            "references/extra.bib:1:1: error: this BibTeX block could not be read: Unexpected block "
            "start: `@book`. Was still looking for field-value closing `}` [bib-parse-failed]"
        ),
    ),
    (
        "bib-merge-conflict",
        _write(
            "references/extra.bib",
            "<<<<<<< HEAD\n@book{a1, title={A}, year={2001}}\n=======\n"
            "@book{a2, title={A}, year={2001}}\n>>>>>>> other\n",
        ),
        1,
        (
            "references/extra.bib:1:1: error: git merge conflict marker in the bibliography "
            "[bib-merge-conflict]"
        ),
    ),
    (
        "bib-stray-brace",
        _write("references/extra.bib", "@book{a1, title={A}, year={2001}}}\n"),
        1,
        "references/extra.bib:1:1: error: closing brace outside any entry [bib-stray-brace]",
    ),
    (
        "image-missing",
        _replace(
            "chapters/02-strategy.md",
            "## Vision\n",
            "## Vision\n\n![Range map](figures/nope.png)\n",
        ),
        1,
        "chapters/02-strategy.md:15:14: error: image file 'figures/nope.png' not found [image-missing]",
    ),
    (
        "image-outside-project",
        _replace(
            "chapters/02-strategy.md",
            "## Vision\n",
            "## Vision\n\n![Secrets](../../../etc/passwd)\n",
        ),
        1,
        (
            "chapters/02-strategy.md:15:12: error: image '../../../etc/passwd' is outside the project "
            "[image-outside]"
        ),
    ),
    (
        "image-remote",
        _replace(
            "chapters/02-strategy.md",
            "## Vision\n",
            "## Vision\n\n![Map](https://example.org/m.png)\n",
        ),
        1,
        (
            "chapters/02-strategy.md:15:8: error: image 'https://example.org/m.png' is not a file in the "
            "project [image-remote]"
        ),
    ),
    (
        "image-no-alt",
        _replace("chapters/02-strategy.md", "## Vision\n", "## Vision\n\n![](figures/nope.png)\n"),
        1,
        "chapters/02-strategy.md:15:5: error: image 'figures/nope.png' has no alt text [image-alt-missing]",
    ),
    (
        "cross-ref-unresolved",
        _replace("chapters/01-dens.md", "shown in @fig:dens", "shown in @fig:den"),
        1,
        (
            "chapters/01-dens.md:28:21: error: no figure is labelled 'fig:den' in this chapter "
            "[cross-ref-unresolved]"
        ),
    ),
    (
        "cross-ref-unresolved-table",
        _replace("chapters/01-dens.md", "listed in @tbl:sites", "listed in @tbl:site"),
        1,
        (
            "chapters/01-dens.md:38:29: error: no table is labelled 'tbl:site' in this chapter "
            "[cross-ref-unresolved]"
        ),
    ),
    (
        "label-duplicate",
        _replace("chapters/01-dens.md", "{#tbl:dens .wide}", "{#tbl:sites .wide}"),
        1,
        (
            "chapters/01-dens.md:51:31: error: label 'tbl:sites' is defined twice (first at "
            "chapters/01-dens.md:44:39) [label-duplicate]"
        ),
    ),
    (
        "cross-ref-typed-missing",
        _replace("chapters/01-dens.md", "see also @sec:dens.", "see also Fig. 3."),
        0,
        (
            "chapters/01-dens.md:38:78: warning: 'Fig. 3' matches no figure: this chapter has 2 "
            "figures [cross-ref-typed]"
        ),
    ),
    (
        "cross-ref-typed-stale",
        _replace("chapters/01-dens.md", "see also @sec:dens.", "see also Table 2."),
        0,
        (
            "chapters/01-dens.md:38:78: warning: 'Table 2' is typed by hand and will not follow "
            "renumbering [cross-ref-typed]"
        ),
    ),
    (
        "cross-ref-typed-simple-table",  # pandoc's simple table counts, by its caption
        _replace(
            "chapters/01-dens.md",
            "see also @sec:dens.",
            "see also Table 3.\n\n  Den   Count\n  ----- -----\n  Rock  12\n\n"
            "  : Simple. {#tbl:simple}\n",
        ),
        0,
        (
            "chapters/01-dens.md:38:78: warning: 'Table 3' is typed by hand and will not follow "
            "renumbering [cross-ref-typed]"
        ),
    ),
    (
        "bib-entry-incomplete-article",
        _replace("references/mini.bib", "  journal = {Canadian Journal of Zoology},\n", ""),
        0,
        (
            "references/mini.bib:1:1: warning: @article 'ross2010den' (cited at "
            "chapters/00-editorial.md:13:2) has no journal or journaltitle [bib-entry-incomplete]"
        ),
    ),
    (
        "bib-entry-incomplete-year",
        _replace("references/mini.bib", "  year = {2012},\n", ""),
        0,
        (
            "references/mini.bib:11:1: warning: @article 'ross2012spatial' (cited at "
            "chapters/01-dens.md:27:15) has no year or date [bib-entry-incomplete]"
        ),
    ),
    (
        "bib-not-utf8",
        _write(
            "references/extra.bib", "@book{b1, title={Caf\xe9}, year={2001}}\n".encode("latin-1")
        ),
        1,
        "references/extra.bib:1:21: error: file is not UTF-8 (byte 0xe9) [file-encoding]",
    ),
    (
        "heading-skip",
        _replace("chapters/02-strategy.md", "## Vision\n", "## Vision\n\n#### Too deep\n"),
        0,
        (
            "chapters/02-strategy.md:15:1: warning: heading 'Too deep' jumps from level 2 to level 4 "
            "[heading-skip]"
        ),
    ),
    (
        "heading-level-1",
        _replace("chapters/02-strategy.md", "## Vision\n", "# Vision\n"),
        0,
        (
            "chapters/02-strategy.md:13:1: warning: level-1 heading 'Vision': the article title is the "
            "only level-1 heading [heading-level-1]"
        ),
    ),
    (
        "raw-html",
        _replace(
            "chapters/02-strategy.md", "## Vision\n", "## Vision\n\n<script>alert(1)</script>\n"
        ),
        0,
        (
            "chapters/02-strategy.md:15:1: warning: raw HTML '<script>alert(1)</script>' is sanitised "
            "in the HTML edition [raw-html]"
        ),
    ),
    (
        "affiliation-unused",
        _replace(
            "chapters/01-dens.md",
            "affiliations:\n  zin:",
            "affiliations:\n  extra: Elsewhere\n  zin:",
        ),
        0,
        (
            "chapters/01-dens.md:16:3: warning: affiliation 'extra' is not used by any author "
            "[affiliation-unused]"
        ),
    ),
    (
        "author-corresponding-many",
        _replace(
            "chapters/01-dens.md",
            "    orcid: 0000-0002-1825-0097\n",
            "    orcid: 0000-0002-1825-0097\n    corresponding: true\n    email: a@example.org\n",
        ),
        1,
        (
            "chapters/01-dens.md:13:5: error: more than one corresponding author "
            "[author-corresponding-many]"
        ),
    ),
    (
        "author-corresponding-none",
        _replace("chapters/02-strategy.md", "    corresponding: true\n", ""),
        0,
        "chapters/02-strategy.md:3:1: warning: no corresponding author [author-corresponding-none]",
    ),
    (
        "abstract-too-long",
        _replace(
            "chapters/02-strategy.md",
            "abstract: The strategy comes last.",
            "abstract: " + "word " * 251,
        ),
        0,
        (
            "chapters/02-strategy.md:10:11: warning: abstract has 251 words; the limit is 250 "
            "[abstract-too-long]"
        ),
    ),
    (
        "manifest-listed-twice",
        _replace(
            "issue.yml",
            "  - {file: chapters/02-strategy.md, role: strategy}\n",
            "  - {file: chapters/01-dens.md, role: chapter}\n"
            "  - {file: chapters/02-strategy.md, role: strategy}\n",
        ),
        1,
        "issue.yml:21:12: error: 'chapters/01-dens.md' is listed twice [manifest-duplicate]",
    ),
    (
        "manifest-front-matter-late",
        lambda root: (
            edit(
                root / "issue.yml",
                "00-editorial.md, role: editorial}",
                "00-editorial.md, role: chapter}",
            ),
            edit(root / "issue.yml", "01-dens.md, role: chapter}", "01-dens.md, role: prologue}"),
        ),
        1,
        (
            "issue.yml:20:39: error: 'prologue' must come before the numbered chapters "
            "[order-front-matter]"
        ),
    ),
    (
        "image-damaged",
        lambda root: (
            (root / "chapters/figures/broken.png").write_bytes(b"not a png"),
            edit(
                root / "chapters/02-strategy.md",
                "## Vision\n",
                "## Vision\n\n![Map](figures/broken.png)\n",
            ),
        ),
        1,
        (
            "chapters/02-strategy.md:15:8: error: image 'figures/broken.png' is damaged or not an image "
            "[image-unreadable]"
        ),
    ),
    (
        "image-unsupported-format",
        lambda root: (
            (root / "chapters/figures/map.tiff").write_bytes(b"II*\x00"),
            edit(
                root / "chapters/02-strategy.md",
                "## Vision\n",
                "## Vision\n\n![Map](figures/map.tiff)\n",
            ),
        ),
        1,
        (
            "chapters/02-strategy.md:15:8: error: image 'figures/map.tiff' has an unsupported format "
            "'.tiff' [image-unreadable]"
        ),
    ),
    (
        "bibliography-none",
        _remove("references/mini.bib"),
        1,
        "references/: warning: no bibliography: references/*.bib not found [bib-none]",
    ),
    (
        "front-matter-unclosed",
        _write("chapters/01-dens.md", "---\ntitle: Dens\n\nText.\n"),
        1,
        (
            "chapters/01-dens.md:4:1: error: the front matter has no closing '---': from this "
            "line on, the chapter text would be read as YAML [front-matter-unclosed]"
        ),
    ),
    (
        "manifest-outside",
        _replace("issue.yml", "chapters/01-dens.md", "../outside.md"),
        1,
        "issue.yml:20:12: error: chapter file '../outside.md' is outside the project [manifest-outside]",
    ),
    (
        "manifest-appendix-first",
        _replace(
            "issue.yml", "00-editorial.md, role: editorial", "00-editorial.md, role: appendix"
        ),
        1,
        (
            "issue.yml:19:44: error: back matter (appendix) must come after the strategy chapter "
            "[order-back-matter]"
        ),
    ),
    (
        "manifest-strategy-twice",
        _replace("issue.yml", "01-dens.md, role: chapter", "01-dens.md, role: strategy"),
        1,
        "issue.yml:21:43: error: only one chapter may have role 'strategy' [order-strategy-twice]",
    ),
    (
        "manifest-not-a-mapping",
        _write("issue.yml", "- one\n- two\n"),
        1,
        "issue.yml:1:1: error: issue.yml must be a mapping of fields [schema-type]",
    ),
    (
        "chapter-slug-twice",
        _copy_chapter("chapters/01-dens.md", "chapters/03-dens.md"),
        1,
        "issue.yml:21:12: error: two chapters have the slug 'dens' [chapter-slug-duplicate]",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "status", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_at_its_location(mini, run_cli, name, mutate, status, expected):
    mutate(mini)
    result = run_cli("-C", str(mini), "check")
    assert expected in result.lines, result.output
    assert result.status == status
    assert "Traceback" not in result.output


def test_hints_name_the_closest_key(mini, run_cli):
    edit(mini / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")
    result = run_cli("-C", str(mini), "check")
    assert "    hint: did you mean 'ross2010den'?" in result.lines


def test_case_only_difference_is_hinted(mini, run_cli):
    edit(mini / "chapters/01-dens.md", "[@ross2010den].", "[@Ross2010den].")
    result = run_cli("-C", str(mini), "check")
    assert "    hint: did you mean 'ross2010den'?" in result.lines


def test_unknown_field_hint(mini, run_cli):
    edit(mini / "issue.yml", "season: Autumn", "seasn: Autumn")
    result = run_cli("-C", str(mini), "check")
    assert "    hint: did you mean 'season'?" in result.lines


def test_all_problems_are_reported_together(mini, run_cli):
    edit(mini / "chapters/01-dens.md", "[@ross2010den].", "[@nope1].")
    edit(mini / "chapters/02-strategy.md", "[@ross2010den;", "[@nope2;")
    edit(mini / "issue.yml", "issn: 1027-2992", "issn: 1027-2993")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert sum("error:" in line for line in result.lines) == 3
    assert result.lines[-1] == "pica-publish: check failed: 3 error(s), 0 warning(s)"


def test_strict_turns_warnings_into_failure(mini, run_cli):
    edit(mini / "issue.yml", "season: Autumn", "seasn: Autumn")
    assert run_cli("-C", str(mini), "check").status == 0
    assert run_cli("-C", str(mini), "check", "--strict").status == 1


def test_missing_manifest(tmp_path, run_cli):
    result = run_cli("-C", str(tmp_path), "check")
    assert result.status == 1
    assert (
        f"issue.yml: error: no issue manifest 'issue.yml' in {tmp_path.resolve()} [manifest-missing]"
        in result.lines
    )


def test_usage_error_exits_2(run_cli):
    assert run_cli("frobnicate").status == 2
