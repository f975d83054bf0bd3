"""``check`` clean ⇒ the build succeeds, on generated chapters and bibliographies.

The fuzz tests (tests/attacks/test_fuzz.py) throw bytes at the readers; these build inputs from
the constructs authors really bring — citations (known, unknown, numbered examples), figures
(alone or inside a sentence) and cross-references in both syntaxes, math, raw TeX, executable
chunks, callouts, Quarto shortcodes, merge-conflict markers, odd image paths, front-matter
fields with family-first names, and BibTeX entries with macros, URL DOIs, LaTeX commands, math
and broken syntax — and assert the promise of issue 13:

- no traceback, whatever the input;
- every diagnostic is located (a project file, and a line for chapter and bibliography files);
- when ``check`` reports no error, every stage after it runs without an error, through
  pandoc, the web edition and the exports (and, for a few examples, WeasyPrint).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from pica_publish.build import run, select_stages
from pica_publish.diagnostics import Severity
from pica_publish.state import BuildOptions

PROJECT = Path(__file__).parent / "projects" / "mini"
CHAPTER = "chapters/01-dens.md"
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples in every run: a failure is reproducible in CI
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no minutes-long "explain" phase
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

words = st.sampled_from(
    [
        "manul",
        "steppe",
        "Ж",
        "Улаанбаатар",
        "dens",
        "pika",
        "*Otocolobus manul*",
        "**bold**",
        "`code`",
        "5 %",
        "&",
        "<b>",
        "A.",
        "et al.",
        "—",
        "x_1",
        "é",
    ]
)
sentence = st.lists(words, min_size=1, max_size=8).map(" ".join)

KNOWN_KEYS = ("ross2010den", "ross2012spatial")

citation = st.one_of(
    st.sampled_from([f"[@{k}]" for k in KNOWN_KEYS]),
    st.sampled_from(["@ross2010den", "[-@ross2012spatial]", "[@ross2010den, p. 3]"]),
    st.sampled_from(["[@nosuch2019]", "@fig:dens", "@tbl:none", "@fig-dens", "(@ex1)", "@ex1"]),
    st.sampled_from(["@eq:growth", "[@sec:dens]", "@Ross2010den", "[@gen2020]"]),
)

block = st.one_of(
    st.builds(lambda s, c: f"{s} {c}.", sentence, citation),
    st.builds(lambda s: f"## {s}", sentence),
    st.builds(lambda s: f"#### {s}", sentence),
    st.just("![A den (illustration).](figures/dens.png){#fig:extra}"),
    st.just("Text before. ![A den.](figures/dens.png){#fig:inline} and after."),
    st.just("![Spaces.](figures/no such file.png)"),
    st.just("![Remote.](https://example.org/x.png)"),
    st.just("![Local.](file:///etc/hosts)"),
    st.just("![Absolute.](/etc/hosts.png)"),
    st.just("$$ r = \\frac{\\ln N_t - \\ln N_0}{t} $$ {#eq:growth}"),
    st.just("Inline math $\\alpha + \\beta^2$ and $x_{i}$."),
    st.just("$$ \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} $$"),
    st.just("$$ \\notacommand{x} $$"),
    st.just("\\newpage"),
    st.just("\\begin{center}\nCentred.\n\\end{center}"),
    st.just("Some \\textbf{bold} words."),
    st.just("```{r setup, include=FALSE}\nlibrary(x)\n```"),
    st.just("```r\nx <- 1\n```"),
    st.just("```\nhttps:// arxiv.org <b> & javascript:alert(1)\n```"),
    st.just("::: {.callout-note}\nA note for the reader.\n:::"),
    st.just("::: {#refs}\n:::"),
    st.just("{{< include other.md >}}"),
    st.just("(@ex1) A numbered example."),
    st.just("<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> branch"),
    st.just("| A | B |\n|---|---|\n| 1 | 2 |\n\n: A table. {#tbl:gen}"),
    st.just("Footnote here.[^n]\n\n[^n]: The note."),
    st.just("- a list\n- of items"),
    st.just("> a quotation"),
    st.just("中文地名 Пржевальский. العربية"),
)

author_line = st.sampled_from(
    [
        "  - {name: Zhou Haoran, family: Zhou, given: Haoran, affiliations: [zin]}",
        "  - {name: Jan van der Berg, affiliations: [zin]}",
        "  - {name: Wáng Lì, affiliations: [zin]}",
        "  - {name: Batbayar, affiliations: [zin]}",
        "  - {name: Snow Leopard Trust, organisation: true, affiliations: [zin]}",
        "  - {name: A B C D, affiliations: [zin]}",
        "  - {name: Anna Petrova, affiliations: [nowhere]}",
        "  - {name: Anna Petrova, orcid: 0000-0002-1825-0098, affiliations: [zin]}",
    ]
)


def chapter(title: str, authors: list[str], blocks: list[str]) -> str:
    return (
        "---\n"
        f'title: "{title}"\n'
        "authors:\n"
        + "\n".join(authors)
        + "\n  - {name: Batbayar Tsend, affiliations: [zin], corresponding: true, "
        "email: b@example.org}\n"
        "affiliations:\n  zin: Zoological Institute, St Petersburg, Russia\n"
        "keywords: [manul]\n"
        "---\n\n"
        "Opening paragraph [@ross2010den] and [@ross2012spatial].\n\n" + "\n\n".join(blocks) + "\n"
    )


bib_field = st.sampled_from(
    [
        "journal = {Journal of Things}",
        "journal = jot",  # a macro, defined below or not
        "journal = undefinedmacro",
        "doi = {https://doi.org/10.1002/ece3.1234}",
        "doi = {doi:10.1002/ece3.1234}",
        "doi = {not a doi}",
        "title = {A {Pallas's} cat title with $\\Delta$ and \\textemdash{} a dash}",
        "booktitle = {Proceedings of {ISCAS} 2015, Lisbon, Portugal}",
        "author = {Ross, Steven and others}",
        "author = {{Snow Leopard Trust}}",
        "month = jan",
        "date = {2019-05}",
        "note = {50\\% of \\url{https://example.org}}",
        "file = {C:\\\\Users\\\\x\\\\paper.pdf}",
        "pages = {1--10}",
    ]
)


@st.composite
def bib_entry(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["article", "book", "inproceedings", "misc", "set", "online"]))
    fields = draw(st.lists(bib_field, max_size=5, unique=True))
    base = ["author = {Gen, Erated}", "title = {Generated}", "year = {2020}"]
    separator = draw(st.sampled_from([",\n  ", ",\n  ", "\n  "]))  # the last: a missing comma
    body = separator.join([*base, *fields])
    closing = draw(st.sampled_from(["\n}\n", "\n}\n", "}\n}\n"]))  # the last: a stray brace
    return f"@{kind}{{gen2020,\n  {body}{closing}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("build"))
    return root


def _assert_located(state_report, root: Path) -> None:
    for d in state_report.diagnostics:
        path = d.location.path
        assert path and not Path(path).is_absolute(), d
        if path.endswith((".md", ".bib")) and d.severity >= Severity.WARNING:
            assert (root / path).is_file(), d
            assert d.location.line, d  # a chapter or .bib problem has a line


def _check_then_build(root: Path, outputs: frozenset[str]) -> None:
    options = BuildOptions(root=root, outputs=outputs, build_dir=root / "build")
    checked = run(options, select_stages(only=("load", "check")))
    _assert_located(checked.report, root)
    if checked.report.has_errors:
        event("refused by check")
        return
    event("check clean: built")
    built = run(options, select_stages())
    errors = [d for d in built.report.diagnostics if d.severity >= Severity.ERROR]
    assert not errors, f"check passed, the build failed: {errors}"
    _assert_located(built.report, root)


@SETTINGS
@given(
    title=sentence,
    authors=st.lists(author_line, max_size=2),
    blocks=st.lists(block, max_size=6),
    bib=st.lists(bib_entry(), max_size=1),
    strings=st.booleans(),
)
def test_check_clean_means_the_web_edition_and_exports_build(
    project: Path, title: str, authors: list[str], blocks: list[str], bib: list[str], strings: bool
) -> None:
    (project / CHAPTER).write_text(chapter(title, authors, blocks), "utf-8")
    macros = '@string{jot = "Journal of Things"}\n' if strings else ""
    (project / "references" / "generated.bib").write_text(macros + "".join(bib), "utf-8")
    _check_then_build(project, frozenset({"html"}))


@settings(SETTINGS, max_examples=6)
@given(blocks=st.lists(block, min_size=2, max_size=5))
def test_check_clean_means_the_print_edition_builds(project: Path, blocks: list[str]) -> None:
    (project / CHAPTER).write_text(chapter("Generated chapter", [], blocks), "utf-8")
    _check_then_build(project, frozenset({"pdf"}))
