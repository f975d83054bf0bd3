"""The authors' pull-request workflow (.github/workflows/check.yml) run as the runner runs it.

A throw-away git repository holds the miniature sample project: ``origin/main`` is the base, the
branch on top of it is the pull request. The job's ``run:`` scripts, taken from the YAML, run
with bash in it, in order, with the environment the workflow gives them and the real
pica-publish on PATH (wrapped to record its arguments). Only what needs GitHub is stood in for:
the checkouts (the repository is the checkout), ``GITHUB_OUTPUT`` (a file) and the install step
(sudo, PyPI), which is checked as text. Hostile file names: tests/attacks/test_workflow.py.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import PROJECTS, edit, git

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github/workflows/check.yml"
PICA = Path(sys.executable).with_name("pica-publish")
INSTALL = "Install pica_publish"

needs_tools = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("bash") is None or not PICA.is_file(),
    reason="needs git, bash and pica-publish",
)


def job_steps() -> list[dict[str, Any]]:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text("utf-8"))
    steps: list[dict[str, Any]] = workflow["jobs"]["check"]["steps"]
    return steps


# The install step needs the runner (sudo, the network): checked as text ------------------------


def test_install_updates_the_package_lists_before_installing():
    install = next(step for step in job_steps() if step.get("name") == INSTALL)
    lines = [line.strip() for line in install["run"].splitlines() if line.strip()]
    update = next(i for i, line in enumerate(lines) if re.search(r"\bapt-get update\b", line))
    apt = next(i for i, line in enumerate(lines) if re.search(r"\bapt-get install\b", line))
    assert update < apt
    assert lines[0].startswith("set -e"), "a failed update or install fails the step"


# The other steps, run -----------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The base: the sample issue on ``main``, also as ``origin/main``; HEAD on a new branch."""
    root = tmp_path / "repo"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    shutil.copy2(ROOT / ".gitignore", root / ".gitignore")
    git(root, "init", "-q")
    git(root, "symbolic-ref", "HEAD", "refs/heads/main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "switch", "-q", "-c", "pull-request")
    return root


GOOD_CHAPTER = """---
title: "Pallas's cat in the Altai: a survey"
authors:
  - name: Anna Petrova
    affiliations: [zin]
    corresponding: true
    email: a.petrova@example.org
affiliations:
  zin: "Zoological Institute, Universitetskaya nab. 1, 199034 St Petersburg, Russia"
abstract: A camera-trap survey of *Otocolobus manul* in the Altai Mountains.
keywords: [Otocolobus manul, Altai, camera trapping]
---

## Survey

Cats used the same kinds of dens as in earlier work [@ross2010den].
"""


def add_chapter(root: Path) -> str:
    """A finished chapter (clean by the check), listed before the strategy; its path."""
    path = "chapters/03-altai-survey.md"
    (root / path).write_text(GOOD_CHAPTER, "utf-8")
    strategy = "  - {file: chapters/02-strategy.md"
    edit(root / "issue.yml", strategy, f"  - {{file: {path}, role: chapter}}\n{strategy}")
    return path


def pull_request(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")


@dataclass
class Run:
    """What the job did: each step run (name → exit status), its outputs, pica-publish's calls."""

    statuses: dict[str, int] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: str = ""
    calls: list[list[str]] = field(default_factory=list)
    uploaded: bool = False

    @property
    def passed(self) -> bool:
        return all(status == 0 for status in self.statuses.values())


CONTEXT = {"github.event_name": "pull_request", "github.base_ref": "main"}
SHELLS = {None: ["bash", "-e"], "bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}


def expression(text: str, outputs: dict[str, dict[str, str]]) -> str:
    """The value of the few ``${{ }}`` expressions the workflow uses; anything else fails."""
    text = text.strip()
    if text in CONTEXT:
        return CONTEXT[text]
    output = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text)
    if output:
        return outputs.get(output[1], {}).get(output[2], "")
    raise AssertionError(f"the test does not know the expression {text!r}: teach it")


def condition(text: str | None, outputs: dict[str, dict[str, str]]) -> bool:
    if text is None:
        return True  # success(): earlier steps passed, or the job has stopped already
    text = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", text.strip()).strip()
    compared = re.fullmatch(r"(\S+)\s*==\s*'([^']*)'", text)
    assert compared, f"the test does not know the condition {text!r}: teach it"
    return expression(compared[1], outputs) == compared[2]


def run_job(tmp_path: Path, repo: Path) -> Run:
    """The job's steps in order, as the runner would run them on a pull request event."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    wrapper = bin_dir / "pica-publish"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\037" "$@" >> "{calls}"\nprintf "\\036" >> "{calls}"\n'
        f'exec "{PICA}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    run = Run()
    for number, step in enumerate(job_steps()):
        name = step.get("name") or step.get("uses") or f"step {number}"
        if step.get("name") == INSTALL or not condition(step.get("if"), run.outputs):
            continue
        if "uses" in step:
            if step["uses"].startswith("actions/upload-artifact@"):
                run.uploaded = (repo / step["with"]["path"]).is_dir()
            continue  # checkout: the repository is the checkout; setup-python: this Python
        output = tmp_path / f"output-{number}"
        output.touch()
        env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        env.update(
            PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            GITHUB_ACTIONS="true",
            CI="true",
            GITHUB_OUTPUT=str(output),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL=os.devnull,
        )
        for key, value in step.get("env", {}).items():
            env[key] = re.sub(
                r"\$\{\{(.*?)\}\}", lambda m: expression(m[1], run.outputs), str(value)
            )
        script = tmp_path / f"step-{number}.sh"
        script.write_text(step["run"], "utf-8")
        # GitHub's default shell on Linux is `bash -e {0}`; `shell: bash` adds pipefail
        shell = SHELLS[step.get("shell")]
        result = subprocess.run(
            [*shell, str(script)],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        run.statuses[name] = result.returncode
        run.log += result.stdout + result.stderr
        pairs = [line.split("=", 1) for line in output.read_text().splitlines() if "=" in line]
        run.outputs[step.get("id", name)] = dict(pairs)
        if result.returncode != 0:
            break  # the job stops at a failed step
    if calls.exists():
        records = calls.read_text("utf-8").split("\036")[:-1]
        run.calls = [record.split("\037")[:-1] for record in records]
    return run


CHECK = ["check", "--format", "github"]


@needs_tools
def test_an_added_chapter_is_checked_with_the_issue_and_previewed(tmp_path, repo):
    added = add_chapter(repo)
    pull_request(repo)
    run = run_job(tmp_path, repo)
    assert run.passed, run.log
    # the whole issue is checked (the manifest changed too), then the new chapter is previewed
    assert run.calls == [CHECK, ["preview", "--", added]]
    assert run.outputs["preview"] == {"previewed": "true"}
    assert (repo / "build/preview/altai-survey.pdf").is_file()
    assert run.uploaded


@needs_tools
def test_a_changed_chapter_is_previewed_alone(tmp_path, repo):
    edit(repo / "chapters/01-dens.md", "Den use is shown", "Den use is clearly shown")
    pull_request(repo)
    run = run_job(tmp_path, repo)
    assert run.passed, run.log
    assert run.calls == [CHECK, ["preview", "--", "chapters/01-dens.md"]]
    assert (repo / "build/preview/dens.pdf").is_file()
    assert run.uploaded


@needs_tools
def test_a_deleted_chapter_passes_and_nothing_is_previewed(tmp_path, repo):
    (repo / "chapters/01-dens.md").unlink()
    edit(repo / "issue.yml", "  - {file: chapters/01-dens.md, role: chapter}\n", "")
    pull_request(repo)
    run = run_job(tmp_path, repo)
    assert run.passed, run.log
    assert run.calls == [CHECK]
    assert "No chapter changed." in run.log
    assert "::error" not in run.log
    assert run.outputs["preview"] == {}
    assert not run.uploaded  # no artifact step: nothing to upload, and no error for it


@needs_tools
def test_a_deleted_chapter_that_the_manifest_still_lists_is_an_error(tmp_path, repo):
    (repo / "chapters/01-dens.md").unlink()
    pull_request(repo)
    run = run_job(tmp_path, repo)
    assert not run.passed
    assert run.calls == [CHECK]  # the job stopped at the check: no preview
    assert re.search(r"^::error file=issue\.yml,line=\d+", run.log, re.MULTILINE), run.log


@needs_tools
def test_a_broken_chapter_fails_the_check_at_its_line_and_is_not_previewed(tmp_path, repo):
    edit(repo / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")
    pull_request(repo)
    run = run_job(tmp_path, repo)
    assert not run.passed
    assert run.calls == [CHECK]
    assert "::error file=chapters/01-dens.md,line=26,col=71,title=citation-unknown::" in run.log
    assert not run.uploaded


# The Makefile passes V and ARGS to pica-publish; author targets install no dev tools ------------

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(*args: str) -> list[str]:
    """``make -n`` in the repository: the commands, none run."""
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "--no-print-directory", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line.rstrip() for line in result.stdout.splitlines()]


@needs_make
def test_make_passes_verbosity_and_arguments_to_pica_publish():
    keep = ["-o", ".venv/.installed-stamp"]  # the environment taken as set up
    assert dry_run(*keep, "pdf", "V=1", "ARGS=--jobs 1") == [
        ".venv/bin/pica-publish -v build --pdf --jobs 1"
    ]
    assert dry_run(*keep, "check", "V=2") == [".venv/bin/pica-publish -vv check"]
    assert dry_run(*keep, "html") == [".venv/bin/pica-publish build --html"]


@needs_make
def test_author_targets_install_no_developer_tools():
    for target in ("check", "pdf", "html", "new", "preview"):
        commands = "\n".join(dry_run("-B", target, "TITLE=x", "CHAPTER=x"))
        assert "pip install --disable-pip-version-check -e .\n" in commands, target
        assert "[dev]" not in commands, target
        assert "--quiet" not in commands, "pip's progress is shown"
    commands = "\n".join(dry_run("-B", "test"))
    assert "-e '.[dev]'" in commands
    assert commands.index("-e .\n") < commands.index("-e '.[dev]'")
