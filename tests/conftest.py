"""Shared fixtures: small sample projects copied into tmp_path, and the CLI run in-process."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from pica_publish.cli import main

PROJECTS = Path(__file__).parent / "projects"


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
