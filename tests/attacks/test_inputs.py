"""Attacks through the files a pull request adds: symlinks, devices, huge files, hostile names.

The promise (docs/security.md): every input path resolves inside the project, is a regular file
and is within its size limit — checked by ``check``, re-checked where it is used.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pica_publish.inputs import LIMITS, InputRefused, read_input, resolve_input
from tests.conftest import edit


def test_symlinked_bibliography_is_refused(mini, run_cli, canary):
    (mini / "references" / "leak.bib").symlink_to(canary.path)
    edit(mini / "chapters" / "01-dens.md", "[@ross2010den]", "[@ross2010den; @leak]")
    result = run_cli("-C", str(mini), "build", "--pdf", "--archive")
    assert result.status == 1
    assert (
        "references/leak.bib: error: 'references/leak.bib' is outside the project through a "
        "symlink [file-refused]" in result.lines
    )
    canary.assert_absent(result.output, str(canary.path))
    assert not (mini / "build" / "pdf").exists()


def test_symlinked_manifest_is_refused_and_not_echoed(mini, run_cli, canary):
    (mini / "issue.yml").unlink()
    (mini / "issue.yml").symlink_to(canary.path)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "issue.yml: error: 'issue.yml' is outside the project through a symlink" in (
        result.output
    )
    canary.assert_absent(result.output)


def test_symlinked_chapter_is_refused(mini, run_cli, canary):
    chapter = mini / "chapters" / "01-dens.md"
    chapter.unlink()
    chapter.symlink_to(canary.path)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "is outside the project" in result.output
    canary.assert_absent(result.output)


def test_symlinked_image_is_refused(mini, run_cli, canary):
    figure = mini / "chapters" / "figures" / "dens.png"
    figure.unlink()
    figure.symlink_to(canary.path)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "image 'figures/dens.png' is outside the project through a symlink" in result.output
    canary.assert_absent(result.output, str(canary.path))


def test_symlinked_folder_is_refused(mini, run_cli, canary):
    """The link may sit anywhere on the path: references/ itself points outside."""
    shutil.rmtree(mini / "references")
    outside = canary.path.parent / "refs"
    outside.mkdir()
    (outside / "stolen.bib").write_text(canary.path.read_text())
    (mini / "references").symlink_to(outside)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "is outside the project through a symlink" in result.output
    canary.assert_absent(result.output)


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom"])
def test_device_is_not_read(mini, run_cli, target):
    """A link to an endless device inside the project's reach would never finish reading."""
    link = mini / "references" / "endless.bib"
    link.symlink_to(target)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "references/endless.bib: error:" in result.output


def test_fifo_is_not_read(tmp_path: Path):
    fifo = tmp_path / "pipe.bib"
    os.mkfifo(fifo)
    with pytest.raises(InputRefused, match="not a regular file"):
        read_input(fifo, [tmp_path], kind="bibliography")


def test_oversized_input_is_refused_before_reading(tmp_path: Path):
    big = tmp_path / "huge.md"
    with big.open("wb") as stream:
        stream.truncate(LIMITS["chapter"] + 1)  # sparse: costs no disk
    with pytest.raises(InputRefused, match="too large"):
        resolve_input(big, [tmp_path], kind="chapter")


def test_symlink_inside_the_project_is_fine(tmp_path: Path):
    (tmp_path / "real.bib").write_text("@book{a, title={A}}")
    (tmp_path / "alias.bib").symlink_to(tmp_path / "real.bib")
    assert read_input(tmp_path / "alias.bib", [tmp_path], kind="bibliography").startswith(b"@book")


def test_symlink_loop_is_a_diagnostic(tmp_path: Path):
    (tmp_path / "a.bib").symlink_to(tmp_path / "b.bib")
    (tmp_path / "b.bib").symlink_to(tmp_path / "a.bib")
    with pytest.raises(InputRefused):
        read_input(tmp_path / "a.bib", [tmp_path], kind="bibliography")


@pytest.mark.parametrize(
    "name", ["02-$(touch PWNED).md", "02 split name.md", "02-Upper.md", "dens.md", "02-a;b.md"]
)
def test_chapter_file_names_must_be_safe(mini, run_cli, name):
    (mini / "chapters" / name).write_text("---\ntitle: T\nauthors: [{name: A B}]\n---\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert f"chapter file name '{name}' is not of the form NN-slug.md [chapter-filename]" in (
        result.output
    )
    assert not (mini / "PWNED").exists()


def _git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=a@b.c", "-c", "user.name=A", *args],
        check=True,
        capture_output=True,
    )


def test_a_committed_build_folder_is_refused(mini, run_cli):
    """A forged layout cache added by a pull request would be published as the issue PDF."""
    forged = mini / "build" / ".cache" / "print" / ("0" * 64) / "files" / "pdf"
    forged.mkdir(parents=True)
    (forged / "issue.pdf").write_bytes(b"%PDF-1.7 forged")
    _git(mini, "init", "-q")
    _git(mini, "add", "-A")
    _git(mini, "add", "-f", "build")
    _git(mini, "commit", "-qm", "pull request")
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 1
    assert (
        "build/: error: 1 file(s) under build/ are committed to the repository "
        "[build-folder-committed]" in result.lines
    )


def test_a_symlinked_build_folder_is_refused(mini, run_cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (mini / "build").symlink_to(elsewhere)
    result = run_cli("-C", str(mini), "build", "--html")
    assert result.status == 1
    assert "build/ is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []  # nothing written where it points
