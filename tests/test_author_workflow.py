"""What authors use: output formats, checking single files, scaffolding, previews, and the
shipped Git workflow files."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pypdf
from ruamel.yaml import YAML

from tests.conftest import edit

ROOT = Path(__file__).resolve().parent.parent


def break_citation(mini: Path) -> None:
    edit(mini / "chapters/01-dens.md", "[@ross2010den].", "[@ross2010dne].")


def test_json_format_has_a_stable_schema(mini, run_cli):
    break_citation(mini)
    result = run_cli("-C", str(mini), "check", "--format", "json")
    payload = json.loads(result.output)
    assert result.status == 1
    assert payload["version"] == 1 and payload["failed"] is True
    assert payload["counts"] == {"info": 0, "warning": 0, "error": 1}
    assert payload["diagnostics"] == [
        {
            "path": "chapters/01-dens.md",
            "line": 26,
            "column": 71,
            "severity": "error",
            "code": "citation-unknown",
            "message": "unknown citation key 'ross2010dne'",
            "hint": "did you mean 'ross2010den'?",
        }
    ]


def test_json_includes_notes_about_uncited_entries(mini, run_cli):
    edit(mini / "chapters/02-strategy.md", "[@ross2010den; @ross2012spatial]", "[@ross2010den]")
    edit(mini / "chapters/01-dens.md", "Ross et al. [-@ross2012spatial]", "Ross et al.")
    payload = json.loads(run_cli("-C", str(mini), "check", "--format", "json").output)
    assert [(d["code"], d["severity"], d["path"], d["line"]) for d in payload["diagnostics"]] == [
        ("bib-uncited", "info", "references/mini.bib", 11)
    ]


def test_github_format_annotates_lines(mini, run_cli):
    break_citation(mini)
    result = run_cli("-C", str(mini), "check", "--format", "github")
    assert result.lines == [
        (
            "::error file=chapters/01-dens.md,line=26,col=71,title=citation-unknown::"
            "unknown citation key 'ross2010dne'%0Adid you mean 'ross2010den'?"
        )
    ]


def test_human_format_groups_by_file_and_colours_on_request(mini, run_cli, monkeypatch):
    break_citation(mini)
    edit(mini / "chapters/01-dens.md", "Den use is shown", "Den use (Fig. 9) is shown")
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run_cli("-C", str(mini), "check")
    assert result.lines[0] == "\033[1mchapters/01-dens.md\033[0m"
    assert "\033[1;31merror\033[0m" in result.lines[1]
    assert result.lines[-1] == "pica-publish: check failed: 1 error(s), 1 warning(s)"


def test_check_only_the_files_given(mini, run_cli):
    break_citation(mini)
    edit(mini / "chapters/02-strategy.md", "[@ross2010den;", "[@nope;")
    only = run_cli("-C", str(mini), "check", "chapters/02-strategy.md")
    assert [line.split(":")[0] for line in only.lines if "error:" in line] == [
        "chapters/02-strategy.md"
    ]
    assert run_cli("-C", str(mini), "check", "chapters/nope.md").status == 2


def test_notes_are_shown_with_verbose(mini, run_cli):
    edit(mini / "chapters/01-dens.md", "Ross et al. [-@ross2012spatial]", "Ross et al.")
    edit(mini / "chapters/02-strategy.md", "[@ross2010den; @ross2012spatial]", "[@ross2010den]")
    quiet = run_cli("-C", str(mini), "check")
    loud = run_cli("-C", str(mini), "check", "-v")
    note = "references/mini.bib:11:1: info: entry 'ross2012spatial' is not cited by any chapter [bib-uncited]"
    assert note not in quiet.lines and note in loud.lines
    assert quiet.status == loud.status == 0


def test_string_macros_from_another_file_and_mendeley_headers(mini, run_cli):
    (mini / "references/strings.bib").write_text(
        "% Created by Mendeley Desktop 1.19.8\n% Encoding: UTF-8\n"
        "@comment{jabref-meta: databaseType:bibtex;}\n@string{jmamm = {Journal of Mammalogy}}\n"
    )
    edit(mini / "references/mini.bib", "journal = {Journal of Mammalogy},", "journal = jmamm,")
    assert run_cli("-C", str(mini), "check").status == 0
    assert run_cli("-C", str(mini), "build", "--html").status == 0
    page = (mini / "build/html/dens/index.html").read_text()
    assert "Journal of Mammalogy 93, 1292–1300" in page


def test_new_chapter_is_valid_and_listed_before_the_strategy(mini, run_cli):
    result = run_cli("-C", str(mini), "new", "chapter", "Pallas's cat in the Altai: a survey")
    assert result.status == 0
    created = mini / "chapters/03-pallas-cat-altai-survey.md"
    assert created.is_file()
    manifest = (mini / "issue.yml").read_text()
    assert manifest.index("03-pallas-cat-altai-survey.md") < manifest.index("02-strategy.md")
    assert "sample_notice:" in manifest  # the rest of the manifest is kept as written
    check = run_cli("-C", str(mini), "check")  # valid; only its placeholders are left to fill
    assert check.status == 1
    codes = {line.rsplit(" [", 1)[-1] for line in check.lines if ": error: " in line}
    assert codes == {"placeholder-text]"}, check.output
    again = run_cli("-C", str(mini), "new", "chapter", "Pallas's cat in the Altai: a survey")
    assert (mini / "chapters/04-pallas-cat-altai-survey-2.md").is_file() and again.status == 0


def test_preview_builds_one_article_like_an_offprint(mini, run_cli):
    (mini / "build").mkdir()
    (mini / "build/pagemap.json").write_text('{"dens": {"first": 41, "last": 42}}')
    result = run_cli("-C", str(mini), "preview", "chapters/01-dens.md")
    assert result.status == 0, result.output
    reader = pypdf.PdfReader(mini / "build/preview/dens.pdf")
    texts = [page.extract_text() for page in reader.pages]
    assert "A miniature test issue" in texts[0]  # cover, masthead, then the article
    assert "Dens and home ranges" in texts[2]
    assert re.search(r"(^|\s)41(\s|$)", texts[2])  # at its page in the last full build
    assert (mini / "build/preview/html/dens/index.html").is_file()
    assert not (mini / "build/pdf").exists()
    assert run_cli("-C", str(mini), "preview", "chapters/nope.md").status == 1


def load_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text())


def test_github_workflow_structure():
    workflow = load_yaml(ROOT / ".github/workflows/check.yml")
    assert workflow["on"]["pull_request"]["paths"] == ["chapters/**", "references/**", "issue.yml"]
    steps = workflow["jobs"]["check"]["steps"]
    runs = " ".join(step.get("run", "") for step in steps)
    assert "pica-publish check --format github" in runs
    assert 'pica-publish preview -- "$chapter"' in runs
    upload = next(
        step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["with"]["path"] == "build/preview/"


def test_pre_commit_files_structure():
    hooks = load_yaml(ROOT / ".pre-commit-hooks.yaml")
    assert hooks[0]["id"] == "pica-publish-check" and hooks[0]["entry"] == "pica-publish check"
    config = load_yaml(ROOT / ".pre-commit-config.yaml")
    assert config["repos"][0]["repo"] == "local"  # nothing to download: works offline
    hook = config["repos"][0]["hooks"][0]
    # A script that finds .venv/bin/pica-publish without an activated venv (tests/test_hooks.py)
    assert (hook["entry"], hook["language"]) == ("tools/pre-commit-check", "script")
    assert os.access(ROOT / hook["entry"], os.X_OK)
    assert re.match(hook["files"], "chapters/03-x.md") and re.match(
        hook["files"], "references/a.bib"
    )
    assert not re.match(hook["files"], "pica_publish/cli.py")


def test_the_sample_issue_checks_clean(run_cli):
    result = run_cli("-C", str(ROOT), "check", "--strict")
    assert result.status == 0, result.output
