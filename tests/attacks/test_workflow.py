"""The pull-request workflow cannot be steered by the names of the files a pull request adds.

Statically: no ``${{ }}`` expression carrying pull-request data is pasted into a ``run:`` script,
the checkout keeps no credentials, the token can only read. Dynamically: the preview step's own
script, taken from the workflow, runs with bash in a scratch git repository against hostile
chapter names, with ``pica-publish`` replaced by a stub that records its arguments.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.conftest import git

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "check.yml"
NAME_PATTERN = r"^chapters/[0-9]{2,3}-[a-z0-9]+(-[a-z0-9]+)*\.md$"
# Contexts whose values a pull request author chooses (or that carry such values onwards).
TAINTED = ("steps.", "needs.", "github.event", "github.head_ref", "github.base_ref")


WORKFLOWS = sorted(WORKFLOW.parent.glob("*.y*ml"))
"""Every workflow; the static checks below hold for each (quality.yml runs the pull request's own
code, so it must hold nothing worth stealing)."""


def workflow(path: Path = WORKFLOW) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def steps(path: Path = WORKFLOW) -> list[dict[str, Any]]:
    return [step for job in workflow(path)["jobs"].values() for step in job.get("steps", [])]


def preview_step() -> dict[str, Any]:
    found = [s for s in steps() if "pica-publish preview" in s.get("run", "")]
    assert len(found) == 1, "one step builds the previews"
    return found[0]


# Static checks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_no_tainted_expression_in_any_run_script(path: Path):
    for step in steps(path):
        for expression in re.findall(r"\$\{\{(.*?)\}\}", step.get("run", ""), re.DOTALL):
            assert not any(name in expression for name in TAINTED), (
                f"step {step.get('name')!r} pastes ${{{{{expression}}}}} into its script"
            )


def test_base_branch_reaches_the_script_through_the_environment():
    step = preview_step()
    assert step["env"]["BASE_REF"].replace(" ", "") == "${{github.base_ref}}"
    assert '"origin/$BASE_REF...HEAD"' in step["run"]


def test_preview_step_reads_nul_separated_names_and_validates_them():
    script = preview_step()["run"]
    assert NAME_PATTERN in script
    diff = re.search(r"git diff\b(.*?)--\s+'chapters/\*\.md'", script, re.DOTALL)
    assert diff, "changed chapters come from git diff"
    assert re.search(r"(^|\s)-z(\s|$)", diff.group(1)), "git diff -z: NUL-separated names"
    assert "--diff-filter=AM" in diff.group(1)
    assert "read -r -d ''" in script
    assert 'pica-publish preview -- "$chapter"' in script


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_checkout_keeps_no_credentials_and_the_token_only_reads(path: Path):
    checkouts = [s for s in steps(path) if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False
    data = workflow(path)
    # `on:` is read as True by YAML 1.1; pull_request_target would run with the base's secrets
    triggers = data.get("on", data.get(True))
    assert triggers, f"{path.name} has no triggers"
    assert "pull_request_target" not in triggers, "pull_request_target hands out secrets"
    assert data["permissions"] == {"contents": "read"}
    for job in data["jobs"].values():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}


# The preview script against hostile names ------------------------------------------------------

HOSTILE = [
    "chapters/02-$(touch PWNED).md",
    "chapters/03 split.md",
    "chapters/05-`touch PWNED2`.md",
    "chapters/06-a\nchapters/07-b.md",  # a newline, then what looks like a second name
    "chapters/08-\x1b[31mred::error file=x::spoof.md",  # control bytes, workflow command
    "chapters/09-a;touch PWNED3;.md",
]
GOOD = "chapters/04-ok.md"

needs_git = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash"
)


def pull_request(tmp_path: Path, added: list[str]) -> Path:
    """A repository whose ``origin/main`` is the base and whose HEAD adds ``added``."""
    repo = tmp_path / "repo"
    (repo / "chapters").mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    (repo / "chapters" / "01-base.md").write_text("# Base\n", "utf-8")
    (repo / "chapters" / "10-removed.md").write_text("# Removed\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "switch", "-q", "-c", "pull-request")
    for name in added:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("# Chapter\n", "utf-8")
    (repo / "chapters" / "10-removed.md").unlink()  # deleted files are not previewed
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    return repo


def run_preview(
    tmp_path: Path, repo: Path, base_ref: str = "main"
) -> subprocess.CompletedProcess[str]:
    """The preview step's script as the runner runs it, with ``pica-publish`` stubbed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "pica-publish"
    stub.write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done >> "$STUB_LOG"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IXUSR)
    script = tmp_path / "preview.sh"
    script.write_text(preview_step()["run"], "utf-8")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "BASE_REF": base_ref,
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "STUB_LOG": str(tmp_path / "stub.log"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        check=False,
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )


def stub_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "stub.log"
    return log.read_text("utf-8").split("\0")[:-1] if log.exists() else []


def no_command_ran(tmp_path: Path) -> None:
    assert not [p for p in tmp_path.rglob("PWNED*")], "a file name ran as a command"


@needs_git
def test_hostile_names_are_refused_and_never_run(tmp_path):
    repo = pull_request(tmp_path, [*HOSTILE, GOOD])
    result = run_preview(tmp_path, repo)
    no_command_ran(tmp_path)
    assert result.returncode != 0
    assert stub_calls(tmp_path) == [], "nothing is previewed when a name is refused"
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == len(HOSTILE), result.stdout  # one line each, newlines included
    for line in errors:
        assert not re.search(r"[\x00-\x1f\x7f]", line), repr(line)
        shown = re.fullmatch(r"::error file=([^:,%]*)::[^\n]*", line)
        assert shown, repr(line)  # no injected property or command in the file name
    assert "::error file=chapters/02-__touch_PWNED_.md::" in result.stdout
    output = tmp_path / "github_output"
    assert not output.exists() or "previewed" not in output.read_text()


@needs_git
def test_the_good_chapter_alone_is_previewed_exactly(tmp_path):
    repo = pull_request(tmp_path, [GOOD])
    result = run_preview(tmp_path, repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stub_calls(tmp_path) == ["preview", "--", GOOD]
    assert "previewed=true" in (tmp_path / "github_output").read_text()


@needs_git
def test_a_hostile_base_branch_name_is_only_data(tmp_path):
    repo = pull_request(tmp_path, [GOOD])
    result = run_preview(tmp_path, repo, base_ref="main$(touch PWNED)")
    no_command_ran(tmp_path)
    assert result.returncode != 0  # no such branch: git diff fails, and so does the step
    assert stub_calls(tmp_path) == []


def test_the_tool_comes_from_the_base_branch():
    """A pull request that also edits pica_publish/ must not run its own code on its chapters."""
    all_steps = steps()
    base = next(s for s in all_steps if s.get("with", {}).get("path") == ".tool")
    assert base["uses"].startswith("actions/checkout@")
    assert base["with"]["ref"] == "${{ github.base_ref }}"
    assert base["with"]["persist-credentials"] is False
    install = next(s for s in all_steps if s.get("name") == "Install pica_publish")
    assert install["env"]["TOOL"] == "${{ github.event_name == 'pull_request' && '.tool' || '.' }}"
    assert 'pip install "./$TOOL"' in install["run"]
    assert all_steps.index(base) < all_steps.index(install)
