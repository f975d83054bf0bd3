"""Problems found after validation — pandoc, fonts, layout, search index — are diagnostics
located where the user can act, and a build that meets one writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import edit

UP_TO_CONVERT = ("build", "--only", "load", "--only", "check", "--only", "convert")


def test_a_bibliography_pandoc_once_refused_now_builds(mini, run_cli):
    # Legal BibTeX that pandoc's own reader refuses (parenthesised entries): check and the build
    # used to disagree (check passed, the build failed). pandoc now reads the entries as load
    # re-wrote them, so what check accepts pandoc reads: the reference renders.
    (mini / "references" / "extra.bib").write_text(
        "@misc(extra2010,\n  title = {A note},\n  author = {Doe, J.},\n  year = {2010}\n)\n"
    )
    edit(mini / "chapters" / "01-dens.md", "[@ross2010den]", "[@ross2010den; @extra2010]")
    assert run_cli("-C", str(mini), "check").status == 0
    result = run_cli("-C", str(mini), *UP_TO_CONVERT)
    assert result.status == 0, result.output
    assert "pandoc could not read" not in result.output


def test_a_pandoc_warning_is_reported_at_its_chapter(mini, run_cli):
    edit(
        mini / "chapters" / "01-dens.md",
        "\n## Home ranges",
        "\n[a]: https://example.org/x\n[a]: https://example.org/y\n\n## Home ranges",
    )
    result = run_cli("-C", str(mini), *UP_TO_CONVERT)
    assert result.status == 0
    # pandoc counts from the body's first line; the diagnostic is at the chapter file's line.
    assert (
        "chapters/01-dens.md:37:1: warning: Duplicate link reference '[a]' at line 15 column 1 "
        "[pandoc-warning]" in result.lines
    )


def test_preview_of_an_unlisted_chapter(mini, run_cli):
    (mini / "chapters" / "05-extra.md").write_text(
        "---\ntitle: Extra\nauthors: [{name: A B}]\n---\nText.\n", "utf-8"
    )
    result = run_cli("-C", str(mini), "preview", "chapters/05-extra.md")
    assert result.status == 1
    assert (
        "chapters/05-extra.md: error: 'chapters/05-extra.md' is not a chapter listed in issue.yml "
        "[preview-not-listed]" in result.lines
    )
    assert not (mini / "build" / "preview").exists()


def test_print_fonts_that_cannot_be_cached(mini, run_cli, tmp_path, monkeypatch):
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("x")
    monkeypatch.setenv("PICA_PUBLISH_CACHE", str(not_a_folder))
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 1
    assert any(
        line.startswith("issue.yml: error: cannot prepare the print fonts: ")
        and line.endswith("[fonts-unavailable]")
        for line in result.lines
    ), result.output
    assert "    hint: set PICA_PUBLISH_CACHE to a writable folder" in result.lines
    assert not (mini / "build" / "current").exists()


def test_a_search_indexer_that_cannot_run(mini, run_cli, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(Path("/nonexistent/pagefind")))
    result = run_cli("-C", str(mini), "build", "--html")
    assert result.status == 1
    assert any(
        line.startswith("issue.yml: error: the search index could not be built: ")
        and line.endswith("[search-index-failed]")
        for line in result.lines
    ), result.output
    assert not (mini / "build" / "current").exists()


@pytest.mark.parametrize("seconds", [0.001])
def test_a_layout_out_of_time(mini, run_cli, monkeypatch, seconds):
    from pica_publish import layout

    monkeypatch.setattr(layout, "LAYOUT_SECONDS", seconds)  # the watchdog's limit, made tiny
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 1
    assert (
        f"issue.yml: error: cannot lay out: the layout took longer than {seconds:g} s and was "
        "stopped [layout-resource]" in result.lines
    )
    assert not (mini / "build" / "current").exists()


def test_a_layout_out_of_time_in_a_worker_process(mini, run_cli, monkeypatch):
    """The watchdog's limit reaches the layout workers: after a build, two edited articles are
    the parts laid out (in the worker processes, --jobs 2); out of time there, each is reported
    at its chapter and nothing is published."""
    from pica_publish import layout

    assert run_cli("-C", str(mini), "build", "--pdf", "--jobs", "2").status == 0
    before = os.readlink(mini / "build" / "current")
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")
    edit(mini / "chapters/00-editorial.md", "end to end", "from end to end")
    monkeypatch.setattr(layout, "LAYOUT_SECONDS", 0.001)
    result = run_cli("-C", str(mini), "-v", "build", "--pdf", "--jobs", "2")
    assert result.status == 1
    for chapter in ("00-editorial", "02-strategy"):
        assert (
            f"chapters/{chapter}.md: error: cannot lay out: the layout took longer than 0.001 s "
            "and was stopped [layout-resource]" in result.lines
        ), result.output
    laid = sorted(line.split()[0] for line in result.lines if line.endswith(": laying out"))
    assert laid == ["editorial", "strategy"], result.output
    assert os.readlink(mini / "build" / "current") == before


def test_a_layout_out_of_memory_in_a_worker_process(mini, run_cli, monkeypatch):
    """A layout worker's data memory is bounded: past it, the article is a located error (or,
    if the engine cannot even report it, the stopped worker is), never a traceback or a
    machine swapping; nothing is published."""
    from pica_publish import layout

    assert run_cli("-C", str(mini), "build", "--pdf", "--jobs", "2").status == 0
    before = os.readlink(mini / "build" / "current")
    edit(mini / "chapters/02-strategy.md", "Secure dens", "Protect dens")
    edit(mini / "chapters/00-editorial.md", "end to end", "from end to end")
    monkeypatch.setattr(layout, "LAYOUT_MEMORY", 1)  # nothing more may be allocated
    result = run_cli("-C", str(mini), "build", "--pdf", "--jobs", "2")
    assert result.status == 1
    memory = [line for line in result.lines if "[layout-resource]" in line]
    assert memory and all(
        "more memory than a part may use" in line or "worker process stopped" in line
        for line in memory
    ), result.output
    assert "Traceback" not in result.output
    assert os.readlink(mini / "build" / "current") == before


def test_a_source_swapped_for_a_link_during_an_archive_build(mini: Path, tmp_path: Path):
    """The archive PDF attaches the sources, read again when it is written: a .bib replaced by
    a symbolic link to a file outside the project after load (a race a pull request cannot
    win) is refused there, located at the issue, and no PDF is written."""
    from pica_publish.build import run, select_stages
    from pica_publish.state import BuildOptions

    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF", "utf-8")

    def swap(state):
        bib = mini / "references" / "mini.bib"
        bib.unlink()
        bib.symlink_to(secret)
        return state

    stages = select_stages()
    at = [name for name, _ in stages].index("typeset")
    stages.insert(at, ("swap", swap))
    options = BuildOptions(root=mini, outputs=frozenset({"pdf"}), archive=True)
    state = run(options, stages)
    written = [d for d in state.report.diagnostics if d.code == "layout-write"]
    assert len(written) == 1, state.report.diagnostics
    assert written[0].location.path == "issue.yml"
    assert written[0].message.startswith("cannot write the PDF: the source 'references/mini.bib' ")
    assert not any(name.endswith(".pdf") for name in state.files)
    assert not (mini / "build" / "pdf").exists()
