"""Shared fixtures: small sample projects copied into tmp_path, and the CLI run in-process."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from pica_publish.cli import main

PROJECTS = Path(__file__).parent / "projects"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Result:
    status: int
    output: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the miniature sample project (editorial, one chapter, strategy)."""
    target = tmp_path / "mini"
    shutil.copytree(PROJECTS / "mini", target, ignore=shutil.ignore_patterns("build"))
    return target


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    def run(*args: str) -> Result:
        status = main(list(args))
        captured = capsys.readouterr()
        return Result(status, captured.out + captured.err)

    return run


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped, entities decoded, whitespace folded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def flat(text: str) -> str:
    """Text extracted from a PDF with hyphenation undone and spacing folded (justified lines)."""
    text = re.sub(r"[-\u2010]\n", "", text.replace("\u00a0", " "))
    return re.sub(r"\s+", " ", text)


def chapter_html(
    body: str,
    *,
    references: list[dict[str, Any]],
    metadata: dict[str, Any],
    cache: Path,
    id_prefix: str = "x-",
) -> str:
    """One chapter body through the real pandoc with the theme's filters before and after
    citeproc, as the convert stage runs it."""
    from pica_publish.filters import (
        csl_style_path,
        lua_filters,
        lua_filters_after_citeproc,
    )
    from pica_publish.pandoc import markdown_to_html

    return markdown_to_html(
        body,
        references=references,
        csl=csl_style_path(),
        filters=lua_filters(),
        filters_after=lua_filters_after_citeproc(),
        id_prefix=id_prefix,
        language="en",
        metadata=metadata,
        cache_dir=cache,
    ).html


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file, failing loudly if ``old`` is not there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The miniature project built once (PDF, offprints, HTML, metadata) for structural tests."""
    root = tmp_path_factory.mktemp("e2e") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    assert main(["-C", str(root), "build"]) == 0
    return root


@pytest.fixture(scope="session")
def pdf(built: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(built / "build" / "pdf" / "catnews-special-issue-99.pdf")


def require(condition: bool, what: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing: .ci/run installs it")
        pytest.skip(f"{what} not installed (run .ci/run once)")


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM is not None, "Chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def git(repo: Path, *args: str) -> None:
    """Run git in ``repo`` with a fixed identity and no system or user configuration."""
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
        + ["-c", "commit.gpgsign=false", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull},
    )
