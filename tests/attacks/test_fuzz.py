"""Property-based fuzzing of the readers a pull request reaches: front matter, BibTeX and the
Markdown body. Whatever the bytes, ``load`` and ``check`` end with diagnostics — never an
exception — and every diagnostic has a location inside the project.

The heavy, pathological shapes (alias bombs, 60,000 braces) are in test_chapters.py with a time
and memory cap; here inputs stay small and many.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pica_publish.build import run, select_stages
from pica_publish.state import BuildOptions

PROJECT = Path(__file__).parent.parent / "projects" / "mini"
CHAPTER = "chapters/01-dens.md"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text with the characters that matter to the readers: YAML, Markdown and BibTeX punctuation,
# controls, non-Latin letters and line breaks.
ALPHABET = st.sampled_from(
    list("-:[]{}()!&*#@|>'\"\\`~=%,;.^_ \t\n\r") + ["\x00", "\x1b", "\u2028", "Ж", "é", "a", "1"]
)
fragments = st.text(alphabet=ALPHABET, max_size=200) | st.text(max_size=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(PROJECT, root, ignore=shutil.ignore_patterns("build"))
    return root


def check_project(root: Path) -> None:
    state = run(BuildOptions(root=root, outputs=frozenset()), select_stages(only=("load", "check")))
    for diagnostic in state.report.diagnostics:
        assert diagnostic.location.path, diagnostic
        assert not Path(diagnostic.location.path).is_absolute(), diagnostic


def chapter_source(root: Path) -> str:
    return (PROJECT / CHAPTER).read_text("utf-8")


@FUZZ
@given(text=fragments)
def test_front_matter_never_raises(project: Path, text: str) -> None:
    source = chapter_source(project)
    (project / CHAPTER).write_text(source.replace("keywords:", text + "\nkeywords:", 1), "utf-8")
    check_project(project)


@FUZZ
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | fragments,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(fragments, inner, max_size=4),
        max_leaves=12,
    ),
    field=st.sampled_from(["title", "authors", "affiliations", "keywords", "abstract", "role"]),
)
def test_front_matter_values_never_raise(project: Path, value: object, field: str) -> None:
    import json

    source = chapter_source(project)
    # JSON is YAML: any structure, at any field, in flow style.
    line = f"{field}: {json.dumps(value, ensure_ascii=False)}\n"
    (project / CHAPTER).write_text(source.replace("---\n", "---\n" + line, 1), "utf-8")
    check_project(project)


@FUZZ
@given(text=fragments)
def test_body_never_raises(project: Path, text: str) -> None:
    (project / CHAPTER).write_text(chapter_source(project) + "\n" + text + "\n", "utf-8")
    check_project(project)


@FUZZ
@given(
    text=fragments,
    entry=st.builds(
        "@{}{{{},\n  title = {{{}}},\n  crossref = {{{}}}\n}}\n".format,
        st.sampled_from(["article", "book", "misc", "string", "comment", "preamble"]),
        fragments,
        fragments,
        st.sampled_from(["ross2010den", "fuzz", "", "}"]),
    ),
)
def test_bibtex_never_raises(project: Path, text: str, entry: str) -> None:
    (project / "references" / "fuzz.bib").write_text(entry + text, "utf-8")
    check_project(project)


@FUZZ
@given(data=st.binary(max_size=300))
def test_undecodable_bytes_never_raise(project: Path, data: bytes) -> None:
    (project / "references" / "fuzz.bib").write_bytes(data)
    (project / CHAPTER).write_bytes(chapter_source(project).encode() + data)
    check_project(project)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=fragments)
def test_bodies_that_pass_check_convert_cleanly(project: Path, text: str) -> None:
    """Through pandoc too: a body ``check`` accepts converts and assembles without an
    exception (pandoc's own failures would be diagnostics)."""
    (project / CHAPTER).write_text(chapter_source(project) + "\n" + text + "\n", "utf-8")
    options = BuildOptions(root=project, outputs=frozenset({"html"}))
    state = run(options, select_stages(only=("load", "check")))
    if state.report.has_errors:
        return
    state = run(options, select_stages(only=("load", "check", "convert", "assemble")))
    assert not [d for d in state.report.diagnostics if d.code == "pandoc-failed"], text
