"""Where the command line looks for the project, and how it ends when its reader leaves.

- ``check`` run inside ``chapters/`` finds the project upward (as git finds its repository) and
  reports on the file named, instead of "check passed" on a folder with no manifest.
- A file outside the project is a usage error, not a silent pass.
- ``check | head`` ends quietly (no BrokenPipeError traceback).
- ``--format github`` groups information-level notes so that 11,000 uncited entries of a large
  export do not become 11,000 annotations.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pica_publish.diagnostics import Diagnostic, Location, Severity
from pica_publish.reporting import GITHUB_NOTICES_PER_RULE, write_github
from tests.conftest import edit


def _break_citation(mini: Path) -> None:
    edit(mini / "chapters" / "01-dens.md", "[@", "[@nosuchkey; @")


def test_check_inside_chapters_finds_the_project_upward(
    mini: Path, run_cli, monkeypatch: pytest.MonkeyPatch
):
    _break_citation(mini)
    monkeypatch.chdir(mini / "chapters")
    result = run_cli("check", "01-dens.md")
    assert result.status == 1, result.output
    assert "chapters/01-dens.md:" in result.output
    assert "unknown citation key 'nosuchkey'" in result.output
    assert "check passed" not in result.output
    whole = run_cli("check")  # no file: the whole issue, still found from chapters/
    assert whole.status == 1 and "manifest-missing" not in whole.output


def test_a_file_argument_leads_to_its_project_from_anywhere(
    mini: Path, run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    _break_citation(mini)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli("check", str(mini / "chapters" / "01-dens.md"))
    assert result.status == 1
    assert "chapters/01-dens.md:" in result.output and "nosuchkey" in result.output


def test_with_dash_c_file_paths_are_relative_to_the_project(mini: Path, run_cli):
    _break_citation(mini)
    result = run_cli("-C", str(mini), "check", "chapters/01-dens.md")
    assert result.status == 1 and "nosuchkey" in result.output


def test_a_file_outside_the_project_is_a_usage_error(mini: Path, run_cli, tmp_path: Path):
    stray = tmp_path / "stray.md"
    stray.write_text("# x\n", "utf-8")
    result = run_cli("-C", str(mini), "check", str(stray))
    assert result.status == 2
    assert "is not in the project" in result.output


def test_errors_in_other_files_are_counted_when_checking_one_file(mini: Path, run_cli):
    edit(mini / "chapters" / "02-strategy.md", "\n\n", "\n\nSee [@nosuchkey].\n\n")
    result = run_cli("-C", str(mini), "check", "chapters/01-dens.md")
    assert result.status == 0, result.output
    assert "check passed" in result.output
    assert "1 error(s) in other files of the issue" in result.output


def test_check_piped_into_head_ends_without_a_traceback(mini: Path):
    # More findings than a pipe holds (64 KiB), so writing goes on after `head` has left.
    edit(mini / "chapters" / "01-dens.md", "\n\n", "\n\n" + "[@gone] " * 2000 + "\n\n")
    process = subprocess.run(
        f"{sys.executable} -m pica_publish -C {mini} check | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": ""},
        check=False,
        timeout=120,
    )
    assert process.stdout.count("\n") == 1
    assert "Traceback" not in process.stderr and "BrokenPipeError" not in process.stderr, (
        process.stderr
    )


def _uncited(count: int) -> list[Diagnostic]:
    return [
        Diagnostic(
            Severity.INFO,
            "bib-uncited",
            f"entry 'key{n}' is not cited by any chapter",
            Location("references/big.bib", 1 + 9 * n, 1),
        )
        for n in range(count)
    ]


def test_github_format_groups_notes_per_rule():
    error = Diagnostic(
        Severity.ERROR, "citation-unknown", "unknown citation key 'x'", Location("a.md", 3, 4)
    )
    stream = io.StringIO()
    write_github([error, *_uncited(11_000)], stream)
    lines = stream.getvalue().splitlines()
    commands = [line for line in lines if line.startswith("::") and "group::" not in line]
    assert commands[0].startswith("::error file=a.md,line=3,col=4,title=citation-unknown::")
    notices = [line for line in commands if line.startswith("::notice")]
    assert len(notices) == GITHUB_NOTICES_PER_RULE + 1  # the first few, then one summary
    assert f"{11_000 - GITHUB_NOTICES_PER_RULE} more like this (bib-uncited)" in notices[-1]
    # Every note is still in the log, inside one collapsed group, none as a command.
    start, end = lines.index("::group::11000 × bib-uncited"), lines.index("::endgroup::")
    listed = lines[start + 1 : end]
    assert len(listed) == 11_000 and all(
        line.startswith("- references/big.bib:") for line in listed
    )


def test_github_format_keeps_few_notes_as_annotations():
    stream = io.StringIO()
    write_github(_uncited(GITHUB_NOTICES_PER_RULE), stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == GITHUB_NOTICES_PER_RULE
    assert all(line.startswith("::notice file=references/big.bib,line=") for line in lines)
