"""Defence in depth in a real browser: if hostile markup ever got past ``check`` and the
sanitiser into a page of the HTML edition, the page's own Content-Security-Policy (a ``<meta>``
element, so it holds on a host that sends no headers) stops it from running script or loading
anything from another host. Skipped without Debian's Chromium (installed by .ci/run).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = (
    '<img id="tracker" src="{trap}/pixel.png" alt="">'
    "<script>document.title = 'PWNED-inline';</script>"
    '<script src="{trap}/evil.js"></script>'
    '<img src="x" alt="" onerror="document.title = \'PWNED-handler\'">'
    '<iframe src="{trap}/frame.html"></iframe>'
    '<link rel="stylesheet" href="{trap}/style.css">'
)


@pytest.fixture
def hostile_site(built: Path, tmp_path: Path, http_trap) -> str:
    """The built mini site, with hostile markup injected into an article page, served by a
    plain static server (no security headers)."""
    site = tmp_path / "site"
    shutil.copytree((built / "build" / "html").resolve(), site)
    page = site / "dens" / "index.html"
    text = page.read_text("utf-8")
    assert "</main>" in text
    page.write_text(text.replace("</main>", HOSTILE.format(trap=http_trap.url) + "</main>", 1))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_page_policy_blocks_injected_script_and_third_party_requests(hostile_site, http_trap):
    if CHROMIUM is None:
        pytest.skip("Chromium not installed (run .ci/run once)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on(
                "console",
                lambda m: "Content Security Policy" in m.text and violations.append(m.text),
            )
            page.goto(f"{hostile_site}/dens/index.html", wait_until="load")
            page.wait_for_timeout(500)
            title = page.title()
            tracker_loaded = page.evaluate(
                "document.getElementById('tracker').complete"
                " && document.getElementById('tracker').naturalWidth > 0"
            )
        finally:
            browser.close()
    assert "PWNED" not in title
    assert "Pallas" in title  # the page itself works
    assert not tracker_loaded
    assert http_trap.requests == []  # not the pixel, the script, the frame or the stylesheet
    assert violations  # the browser says why: the policy refused them
