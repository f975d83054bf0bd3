"""Untrusted chapters: sanitised HTML, a fetcher that reads only project files, YAML positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pica_publish.layout import LayoutError, Typesetter
from pica_publish.sanitize import sanitize
from pica_publish.yamlsource import YamlSyntaxError, load_yaml


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>x<script>alert(1)</script></p>", "<p>x</p>"),
        ('<img src="a.png" alt="A" onerror="alert(1)">', '<img src="a.png" alt="A">'),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<iframe src="https://example.org"></iframe><p>ok</p>', "<p>ok</p>"),
        ('<p style="position:fixed;width:10%">x</p>', "<p>x</p>"),
        ('<div style="width:10%;background:url(x)">x</div>', '<div style="width:10%">x</div>'),
        (
            '<section id="a-b" class="level2"><h2>T</h2></section>',
            '<section id="a-b" class="level2"><h2>T</h2></section>',
        ),
        ('<link rel="stylesheet" href="file:///etc/passwd"><p>x</p>', "<p>x</p>"),
    ],
)
def test_sanitize(dirty, clean):
    assert sanitize(dirty) == clean


def test_fetcher_allows_project_files_and_data_urls(tmp_path: Path):
    (tmp_path / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    )
    typesetter = Typesetter([tmp_path], "")
    laid = typesetter.lay_out(
        '<img src="dot.svg" alt="dot"><img alt="d" src="data:image/svg+xml,'
        '%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%224%22 height=%224%22/%3E">',
        tmp_path,
    )
    assert laid.page_count == 1


@pytest.mark.parametrize(
    ("src", "problem"),
    [
        ("file:///etc/hostname", "'file:///etc/hostname' is outside the project"),
        ("../outside.png", "is outside the project"),
        ("https://example.org/x.png", "'https://example.org/x.png' is outside the project"),
        ("missing.png", "missing file"),
    ],
)
def test_fetcher_refuses_everything_else(tmp_path: Path, src: str, problem: str):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.png").write_bytes(b"not really")
    typesetter = Typesetter([project], "")
    with pytest.raises(LayoutError) as error:
        typesetter.lay_out(f'<img src="{src}" alt="x">', project)
    assert any(problem in p for p in error.value.problems)


def test_yaml_positions_are_one_based():
    data, positions = load_yaml("title: T\nauthors:\n  - name: A B\n    orcid: 1\n")
    assert data["authors"][0]["orcid"] == 1
    assert positions.of_value(("authors", 0, "orcid")) == (4, 12)
    assert positions.of_key(("authors", 0, "orcid")) == (4, 5)
    assert positions.of_value(("authors", 0, "missing")) == (3, 5)


def test_yaml_syntax_error_position():
    with pytest.raises(YamlSyntaxError) as error:
        load_yaml("title: [unclosed\nyear: 2019\n")
    assert (error.value.line, error.value.column) == (1, 8)  # at the '[' never closed


def test_yaml_duplicate_keys_are_errors():
    with pytest.raises(YamlSyntaxError):
        load_yaml("title: A\ntitle: B\n")
