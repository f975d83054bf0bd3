"""``pica-publish serve`` (:mod:`pica_publish.serve`) in a real browser.

The server runs as a user runs it (a separate process on a free port) on a copy of the mini
project; Chromium (Playwright) keeps pages open while the chapters are edited:

- a saved edit reloads the page of the edited article only, and the terminal says "rebuilt in";
- a build that fails shows its located diagnostics over every open page; the fix removes them;
- a first build that fails still serves a page (with the overlay) that becomes the site;
- a busy port is one plain line, exit status 2.
"""

from __future__ import annotations

import dataclasses
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pica_publish.build import run
from pica_publish.cli import main
from pica_publish.state import BuildOptions
from tests.conftest import edit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """A running ``pica-publish serve`` and the lines it printed."""

    def __init__(self, project: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pica_publish", "-C", str(project), "serve"]
            + ["--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, *starts: str, timeout: float = 120) -> str:
        """The next line that starts with one of ``starts``."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(starts):
                return line

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def served(mini: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    server = Served(mini)
    yield server
    server.stop()


def opened(browser, url: str):  # type: ignore[no-untyped-def]
    tab = browser.new_context().new_page()
    tab.goto(url)
    tab.evaluate("window.picaMarker = 1")  # gone when the page reloads
    return tab


def reloaded(tab) -> bool:  # type: ignore[no-untyped-def]
    return bool(tab.evaluate("window.picaMarker === undefined"))


def until(tab, expression: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Poll ``expression`` in the page (the site's Content-Security-Policy forbids the string
    evaluation that Playwright's wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if tab.evaluate(expression):
                return
        except Exception as error:
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
        assert time.monotonic() < deadline, f"{expression} still false after {timeout} s"
        time.sleep(0.02)


def test_an_edit_reloads_its_page_only_and_a_failed_build_shows_an_overlay(
    served: Served,
    mini: Path,
    browser,
) -> None:  # type: ignore[no-untyped-def]
    assert served.wait_for("rebuilt in", "build failed in").startswith("rebuilt in")
    dens = opened(browser, f"{served.url}/dens/")
    strategy = opened(browser, f"{served.url}/strategy/")
    time.sleep(0.5)  # both pages' event streams are open
    saved = time.monotonic()
    edit(mini / "chapters/01-dens.md", "rock crevices", "rock crevices and screes")
    assert served.wait_for("rebuilt in").startswith("rebuilt in")
    until(dens, "window.picaMarker === undefined")
    seconds = time.monotonic() - saved
    print(f"serve: page reloaded {seconds:.2f} s after the save (mini project)")
    assert "screes" in dens.inner_text("main")
    assert not reloaded(strategy)  # another article's page stays as it is
    # the page came before the search index; the index follows and reloads nothing
    assert served.wait_for("search index updated in").startswith("search index updated in")
    assert not reloaded(strategy)

    edit(mini / "chapters/01-dens.md", "[@ross2010den]", "[@nosuchkey]")
    assert served.wait_for("build failed in").startswith("build failed in")
    for tab in (dens, strategy):
        tab.wait_for_selector("#pica-overlay", timeout=30_000)
        text = tab.inner_text("#pica-overlay")
        assert "chapters/01-dens.md:" in text and "[citation-unknown]" in text, text
    edit(mini / "chapters/01-dens.md", "[@nosuchkey]", "[@ross2010den]")
    assert served.wait_for("rebuilt in").startswith("rebuilt in")
    until(dens, "!document.getElementById('pica-overlay')")
    assert dens.query_selector("#pica-overlay") is None


def test_a_failed_first_build_serves_the_overlay_then_the_site(
    mini: Path,
    browser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    edit(mini / "chapters/01-dens.md", "[@ross2010den]", "[@nosuchkey]")
    server = Served(mini)
    try:
        assert server.wait_for("rebuilt in", "build failed in").startswith("build failed in")
        tab = browser.new_context().new_page()
        tab.goto(f"{server.url}/")
        tab.wait_for_selector("#pica-overlay", timeout=30_000)
        assert "[citation-unknown]" in tab.inner_text("#pica-overlay")
        edit(mini / "chapters/01-dens.md", "[@nosuchkey]", "[@ross2010den]")
        assert server.wait_for("rebuilt in").startswith("rebuilt in")
        until(tab, "!document.getElementById('pica-overlay')")
        assert "Dens and home ranges" in tab.inner_text("body")
    finally:
        server.stop()


def test_a_busy_port_is_one_plain_line(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["-C", str(mini), "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"pica-publish: port {port} is already in use (another `serve`?); "
        f"try `pica-publish serve --port {port + 1}`\n"
    )


def test_a_build_with_the_search_deferred_keeps_the_index_and_is_never_current(
    mini: Path,
) -> None:
    """serve's first build after an edit (:attr:`BuildOptions.defer_search`) publishes the
    pages with the index as it was; the build after it indexes them."""
    options = BuildOptions(root=mini, outputs=frozenset({"html"}))
    site = options.build_path / "html"
    assert not run(options).report.has_errors

    def index() -> dict[str, bytes]:
        files = (site / "pagefind").rglob("*")
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in files if p.is_file()}

    before = index()
    assert before
    edit(mini / "chapters/01-dens.md", "rock crevices", "rock crevices and zorilla burrows")
    deferred = run(dataclasses.replace(options, defer_search=True))
    assert not deferred.report.has_errors and not deferred.up_to_date
    assert "zorilla burrows" in (site / "dens" / "index.html").read_text("utf-8")
    assert index() == before
    full = run(options)  # not current: the deferred build recorded nothing
    assert not full.up_to_date
    assert index() != before
    assert run(options).up_to_date
