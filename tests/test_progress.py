"""Progress and the end-of-build summary (:mod:`pica_publish.progress`).

In a pipe or CI (and with ``--no-progress``) a build prints plain lines with the seconds since it
started; on a terminal, a live display that leaves a summary table. ``check`` and ``-q`` print
no progress. The live display is tested in a real pseudo-terminal.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

LINE = re.compile(r"^\[\s*\d+\.\d s\] ")


@pytest.fixture
def epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")


def test_a_build_in_a_pipe_prints_timestamped_lines_and_a_summary(mini: Path, run_cli, epoch):  # type: ignore[no-untyped-def]
    result = run_cli("-C", str(mini), "build", "--pdf", "--no-progress", "--jobs", "1")
    assert result.status == 0, result.output
    stamped = [line for line in result.lines if LINE.match(line)]
    stages = [LINE.sub("", line) for line in stamped if re.search(r"\(\d/8\)$", line)]
    assert stages == [
        "load (1/8)",
        "check (2/8)",
        "convert (3/8)",
        "assemble (4/8)",
        "typeset (5/8)",
        "web (6/8)",
        "export (7/8)",
        "publish (8/8)",
    ]
    articles = [LINE.sub("", line) for line in stamped if line.endswith("/3)")]
    assert [a.split()[0] for a in articles if "typeset:" in a] == ["typeset:"] * 3
    assert any(re.fullmatch(r"typeset: strategy laid out \(3/3\)", a) for a in articles), articles
    summary = {
        line.split()[0]: line for line in result.lines if line.split() and not LINE.match(line)
    }
    assert re.search(r"pdf\s+.*catnews-special-issue-99\.pdf \(\d+ pages\)", summary["pdf"])
    assert re.search(r"offprints\s+3 in .*offprints", summary["offprints"])
    assert re.search(r"time\s+\d+\.\d s \(load \d+\.\d s, check", summary["time"])
    assert result.lines[-1].startswith("pica-publish: built ")  # the last line, as before


def test_check_and_quiet_builds_print_no_progress(mini: Path, run_cli, epoch):  # type: ignore[no-untyped-def]
    check = run_cli("-C", str(mini), "check")
    quiet = run_cli("-C", str(mini), "-q", "build", "--html")
    assert check.status == 0 and quiet.status == 0
    for result in (check, quiet):
        assert not any(LINE.match(line) for line in result.lines), result.output
    assert quiet.output == ""


def test_a_terminal_gets_a_live_display_and_a_summary_table(mini: Path):
    """The CLI in a pseudo-terminal: rich draws the stages (with cursor movements) and leaves
    the summary; no timestamped lines."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1780000000", "COLUMNS": "120", "TERM": "xterm"}
    env.pop("CI", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pica_publish", "-C", str(mini), "build", "--html"],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([primary], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(primary, 65536)
        except OSError:  # the terminal closed: the process ended
            break
        if not data:
            break
        chunks.append(data)
    assert process.wait(timeout=60) == 0
    os.close(primary)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\x1b[" in text  # a live display, redrawn in place
    assert re.search(r"convert", text) and re.search(r"web", text)
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert re.search(r"html\s+\S*build/html/ \(\d+ pages\)", plain), plain[-2000:]
    assert not re.search(r"^\[\s*\d+\.\d s\] ", plain, re.MULTILINE)
    assert "pica-publish: built " in plain
