"""A build with nothing to do (:mod:`pica_publish.uptodate`): no stage runs, the last build's
warnings are reported again, and any change of an input, an option or an output runs the build.

The web edition alone is built (no layout): the stamp is the same for every edition.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Result, edit

UP_TO_DATE = "is up to date: nothing changed since the last build"


@pytest.fixture
def build(mini: Path, run_cli, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")

    def run(*extra: str) -> Result:
        return run_cli("-C", str(mini), "build", "--html", "-v", *extra)  # type: ignore[no-any-return]

    return run


def release(mini: Path) -> str:
    return os.readlink(mini / "build" / "current")


def test_nothing_changed_runs_no_stage(mini: Path, build) -> None:  # type: ignore[no-untyped-def]
    first = build()
    assert first.status == 0 and UP_TO_DATE not in first.output
    before = release(mini)
    second = build()
    assert second.status == 0, second.output
    assert UP_TO_DATE in second.output
    assert not any(line.startswith("Step ") for line in second.lines), second.output
    assert release(mini) == before  # nothing was published again


@pytest.mark.parametrize(
    "change",
    [
        "edit a chapter",
        "touch the bibliography",
        "add a figure",
        "another edition",
        "strict",
        "another date",
    ],
)
def test_any_change_of_an_input_or_an_option_runs_the_build(
    mini: Path, build, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert build().status == 0
    extra: tuple[str, ...] = ()
    if change == "edit a chapter":
        edit(mini / "chapters" / "01-dens.md", "den", "burrow")
    elif change == "touch the bibliography":
        bib = mini / "references" / "mini.bib"
        stat = bib.stat()
        os.utime(bib, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    elif change == "add a figure":
        (mini / "chapters" / "figures" / "unused.svg").write_text("<svg/>", "utf-8")
    elif change == "another edition":
        extra = ("--pdf",)
    elif change == "strict":
        extra = ("--strict",)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    again = build(*extra)
    assert UP_TO_DATE not in again.output
    assert any(line.startswith("Step 1 - load") for line in again.lines), again.output


def test_an_output_changed_by_hand_is_made_again(mini: Path, build) -> None:  # type: ignore[no-untyped-def]
    assert build().status == 0
    index = mini / "build" / "html" / "index.html"
    made = index.read_bytes()
    index.write_bytes(made.replace(b"</body>", b"<p>edited by hand</p></body>"))
    again = build()
    assert UP_TO_DATE not in again.output
    assert index.read_bytes() == made


def test_the_last_warnings_are_reported_again(mini: Path, build) -> None:  # type: ignore[no-untyped-def]
    chapter = mini / "chapters" / "01-dens.md"
    chapter.write_text(chapter.read_text("utf-8") + "\n::: {.callout-tipp}\nA box.\n:::\n", "utf-8")
    first = build()
    warned = [line for line in first.lines if "[callout-unknown]" in line]
    assert first.status == 0 and warned, first.output
    second = build()
    assert UP_TO_DATE in second.output
    assert [line for line in second.lines if "[callout-unknown]" in line] == warned
    assert build("--strict").status == 1  # and --strict fails on them as it did


def test_a_failing_build_is_never_up_to_date(mini: Path, build) -> None:  # type: ignore[no-untyped-def]
    assert build().status == 0
    edit(mini / "chapters" / "01-dens.md", "[@", "[@nosuchkey; @")
    for _attempt in range(2):
        failed = build()
        assert failed.status == 1 and "citation-unknown" in failed.output
        assert UP_TO_DATE not in failed.output


def test_only_and_skip_never_use_the_stamp(mini: Path, build, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert build().status == 0
    partial = run_cli("-C", str(mini), "build", "--html", "-v", "--skip", "export")
    assert UP_TO_DATE not in partial.output
    assert any(line.startswith("Step 1 - load") for line in partial.lines)
