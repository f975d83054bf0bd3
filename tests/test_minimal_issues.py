"""Any valid manifest builds: an issue of one chapter and the strategy (no editorial, prologue
or appendix) gets both editions, through the real CLI."""

from __future__ import annotations

from pathlib import Path


def test_an_issue_without_an_editorial_builds_both_editions(mini: Path, run_cli):
    manifest = mini / "issue.yml"
    manifest.write_text(
        "".join(
            line
            for line in manifest.read_text("utf-8").splitlines(keepends=True)
            if "00-editorial.md" not in line
        ),
        "utf-8",
    )
    (mini / "chapters" / "00-editorial.md").unlink()
    result = run_cli("-C", str(mini), "build")
    assert result.status == 0, result.output
    assert "Traceback" not in result.output
    build = mini / "build"
    assert sorted(p.name for p in (build / "pdf" / "offprints").iterdir()) == [
        "dens.pdf",
        "strategy.pdf",
    ]
    landing = (build / "html" / "index.html").read_text("utf-8")
    assert "issue-summary" not in landing  # no editorial to summarise the issue
    assert 'href="dens/index.html"' in landing and 'href="strategy/index.html"' in landing
