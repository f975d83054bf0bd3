"""The commit hook as an author meets it: a clone of an issue, ``pre-commit install``, then
``git commit`` from a shell where no virtual environment is activated.

The clone is a throw-away git repository in ``tmp_path`` holding the miniature sample project,
this repository's ``.pre-commit-config.yaml`` and ``tools/pre-commit-check``. pre-commit is the
real one (the ``dev`` extra); the hook is local (``language: script``), so nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECTS, edit
from tests.test_workflow import add_chapter

pytest.importorskip("pre_commit", reason="pre-commit comes with the dev extra (make test)")

ROOT = Path(__file__).resolve().parent.parent
PICA = Path(sys.executable).with_name("pica-publish")
"""The pica-publish of the environment running the tests: what `make check` puts in .venv/bin."""

BROKEN = "chapters/01-dens.md:26:71: error: unknown citation key 'ross2010dne' [citation-unknown]"

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not PICA.is_file(), reason=f"needs pica-publish beside {sys.executable}"),
]


def shell_path(*extra: Path) -> str:
    """PATH as in a shell with no venv activated: no folder that holds a pica-publish."""
    folders = [f for f in os.environ.get("PATH", "").split(os.pathsep) if f]
    kept = [f for f in folders if not (Path(f) / "pica-publish").exists()]
    return os.pathsep.join([*map(str, extra), *kept])


class Clone:
    """A clone of an issue repository with the hook installed; ``commit`` runs ``git commit``."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))
            and key not in {"FORCE_COLOR", "NO_COLOR"}
        }
        self.env.update(
            PATH=shell_path(),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_AUTHOR_NAME="Anna Petrova",
            GIT_AUTHOR_EMAIL="a.petrova@example.org",
            GIT_COMMITTER_NAME="Anna Petrova",
            GIT_COMMITTER_EMAIL="a.petrova@example.org",
            PRE_COMMIT_HOME=str(home),  # pre-commit's cache, not the user's
            PRE_COMMIT_COLOR="never",
        )

    def run(self, *command: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(c) for c in command],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args)

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        assert self.git("add", "-A").returncode == 0
        return self.git("commit", "-m", message)

    def commits(self) -> int:
        return int(self.git("rev-list", "--count", "HEAD").stdout)


@pytest.fixture
def clone(tmp_path: Path) -> Clone:
    root = tmp_path / "issue"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    for name in (".pre-commit-config.yaml", ".gitignore", "tools/pre-commit-check"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)  # copy2 keeps the script's executable bit
    repo = Clone(root, tmp_path / "pre-commit-home")
    assert repo.git("init", "-q").returncode == 0
    first = repo.commit("The issue as the editors set it up")
    assert first.returncode == 0, first.stdout
    # What `make hooks` (or `pre-commit install`) does: the git hook calls this Python's pre-commit
    installed = repo.run(sys.executable, "-m", "pre_commit", "install")
    assert installed.returncode == 0, installed.stdout
    return repo


def set_up_venv(clone: Clone) -> None:
    """What `make check` leaves behind: .venv/bin/pica-publish (git ignores .venv/)."""
    (clone.root / ".venv/bin").mkdir(parents=True)
    (clone.root / ".venv/bin/pica-publish").symlink_to(PICA)


def test_a_good_chapter_commits_and_a_broken_one_is_blocked_at_its_line(clone: Clone):
    set_up_venv(clone)
    add_chapter(clone.root)
    good = clone.commit("Add the Altai chapter")
    assert good.returncode == 0, good.stdout
    assert "pica-publish check" in good.stdout and "Passed" in good.stdout
    assert clone.commits() == 2

    edit(clone.root / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")
    broken = clone.commit("Fix a typo")
    assert broken.returncode != 0
    assert "Failed" in broken.stdout
    assert BROKEN in broken.stdout  # where, how bad, what, and the hint below it
    assert "hint: did you mean 'ross2010den'?" in broken.stdout
    assert clone.commits() == 2, "the broken chapter was not committed"
    assert ".venv" not in clone.git("ls-files").stdout


def test_pica_publish_on_path_is_used_without_a_venv(clone: Clone, tmp_path: Path):
    tools = tmp_path / "pipx-bin"  # e.g. installed with pipx
    tools.mkdir()
    (tools / "pica-publish").symlink_to(PICA)
    clone.env["PATH"] = shell_path(tools)
    edit(clone.root / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")
    broken = clone.commit("Fix a typo")
    assert broken.returncode != 0 and BROKEN in broken.stdout


def test_without_a_setup_the_hook_says_what_to_run_and_blocks(clone: Clone):
    edit(clone.root / "chapters/01-dens.md", "Den use is shown", "Den use is clearly shown")
    blocked = clone.commit("Reword")
    assert blocked.returncode != 0
    assert "Executable `pica-publish` not found" not in blocked.stdout
    assert "pica-publish is not set up in this clone yet" in blocked.stdout
    assert "make check" in blocked.stdout
    assert clone.commits() == 1


def test_files_outside_the_issue_do_not_run_the_check(clone: Clone):
    """A commit that touches no chapter, reference or manifest skips the hook, set up or not."""
    (clone.root / "NOTES.txt").write_text("Editorial notes.\n", "utf-8")
    result = clone.commit("Notes")
    assert result.returncode == 0, result.stdout
    assert "(no files to check)Skipped" in result.stdout
