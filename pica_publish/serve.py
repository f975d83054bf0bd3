"""``pica-publish serve``: the HTML edition on localhost, rebuilt when a source changes.

Like ``mkdocs serve`` and ``quarto preview``: the site is served from ``build/html`` by the
standard library's HTTP server; a watcher (watchfiles) rebuilds the web edition when a chapter,
a reference file, a figure or the manifest changes (the pipeline's caches keep the work to what
changed) and prints "rebuilt in N s". Open pages follow over a server-sent-events stream:

- after a build that succeeded, a page reloads only if its own file (or a shared asset: the
  stylesheet, a script, a font) changed — the changed pages are named in the event;
- after a build that failed, every open page shows the located diagnostics in an overlay
  (``/__pica_status.json``) and keeps its content; the next good build removes it;
- if the very first build fails there is no site yet: every address answers with a page that
  shows the overlay and turns into the site once a build succeeds.

The reload script is added to pages as they are served; the files in ``build/`` never contain
it. The port is taken before the first build, so a busy port is said at once.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import http.server
import json
import logging
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from watchfiles import watch

from pica_publish.build import run, select_stages
from pica_publish.diagnostics import Diagnostic, Severity
from pica_publish.reporting import summary, visible, write_human
from pica_publish.state import BuildOptions
from pica_publish.theme import CONTENT_SECURITY_POLICY

LOGGER = logging.getLogger("pica_publish")
RELOAD_PATH = "/__pica_reload"
RELOAD_SCRIPT_PATH = "/__pica_reload.js"
STATUS_PATH = "/__pica_status.json"
RELOAD_SCRIPT = b"""(function () {
  "use strict";
  var here = location.pathname.replace(/index\\.html$/, "");
  function hide() {
    var old = document.getElementById("pica-overlay");
    if (old) { old.remove(); }
  }
  function show(status) {
    hide();
    var box = document.createElement("div");
    box.id = "pica-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,16,12,0.94);color:#fff;font:14px/1.5 ui-monospace,monospace;" +
      "padding:2em;white-space:pre-wrap";
    var title = document.createElement("h2");
    title.style.cssText = "color:#ff8a80;font:bold 18px sans-serif;margin:0 0 1em";
    title.textContent = "The build failed: " + status.summary;
    box.appendChild(title);
    status.diagnostics.forEach(function (d) {
      var line = document.createElement("div");
      line.className = "pica-diagnostic";
      line.style.cssText = "margin:0 0 0.8em";
      line.textContent = d.where + ": " + d.severity + ": " + d.message + " [" + d.code + "]" +
        (d.hint ? "\\n    hint: " + d.hint : "");
      box.appendChild(line);
    });
    var note = document.createElement("p");
    note.style.cssText = "color:#bbb;font:13px sans-serif";
    note.textContent = "Fix the file and save: this page updates by itself.";
    box.appendChild(note);
    document.body.appendChild(box);
  }
  function check() {
    fetch("/__pica_status.json", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (status) { if (status.ok) { hide(); } else { show(status); } });
  }
  check();
  new EventSource("/__pica_reload").onmessage = function (event) {
    var message = JSON.parse(event.data);
    if (!message.ok) { check(); return; }
    if (message.all || document.getElementById("pica-overlay") ||
        message.changed.indexOf(here) >= 0) {
      location.reload();
    }
  };
})();
"""
# An external script, not an inline one: the pages' Content-Security-Policy allows only 'self'.
SNIPPET = f'<script src="{RELOAD_SCRIPT_PATH}"></script>'.encode()
NO_SITE_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
    b"</head><body><p>There is no web edition yet: the first build failed.</p>"
    + SNIPPET
    + b"</body></html>"
)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
"""A figure opened on its own is a document: it may not run anything, even if it could."""


class Reloader:
    """The builds so far: a count, which pages the last one changed, and its diagnostics.
    The event stream tells the browser when the count changes."""

    def __init__(self) -> None:
        self.version = 0
        self.message: dict[str, Any] = {"ok": True, "all": False, "changed": []}
        self.status: dict[str, Any] = {"ok": True, "summary": "", "diagnostics": []}
        self.changed = threading.Condition()

    def bump(self, message: dict[str, Any] | None = None) -> None:
        with self.changed:
            self.version += 1
            if message is not None:
                self.message = message
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


class Handler(http.server.SimpleHTTPRequestHandler):
    reloader: Reloader | None

    def log_message(self, format: str, *args: object) -> None:
        LOGGER.debug(format, *args)

    def end_headers(self) -> None:
        """The headers docs/security.md recommends to hosts, so the preview behaves like one."""
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        policy = SVG_POLICY if self.path.split("?")[0].endswith(".svg") else CONTENT_SECURITY_POLICY
        self.send_header("Content-Security-Policy", policy)
        super().end_headers()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.reloader is None:  # a plain static host
            super().do_GET()
            return
        if self.path == RELOAD_SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", RELOAD_SCRIPT)
            return
        if self.path == STATUS_PATH:
            body = json.dumps(self.reloader.status).encode("utf-8")
            self._send(200, "application/json", body)
            return
        if self.path == RELOAD_PATH:
            self._events(self.reloader)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not Path(self.directory).is_dir():  # the first build failed: no site yet
            self._send(503, "text/html; charset=utf-8", NO_SITE_PAGE)
            return
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(b"</body>", SNIPPET + b"</body>", 1)
            self._send(200, "text/html; charset=utf-8", body)
            return
        super().do_GET()

    def _events(self, reloader: Reloader) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        seen = reloader.version
        try:
            while True:
                now = reloader.wait(seen, timeout=15)
                if now != seen:
                    data = json.dumps(reloader.message)
                    self.wfile.write(f"data: {data}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError):
            return


def make_server(
    site: Path, port: int, reloader: Reloader | None
) -> http.server.ThreadingHTTPServer:
    """Serve ``site`` on 127.0.0.1; with a ``reloader``, pages reload after each rebuild."""
    handler = functools.partial(
        type("SiteHandler", (Handler,), {"reloader": reloader}), directory=str(site)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


def site_digests(site: Path) -> dict[str, str]:
    """Every file of the site by its address (``ecology/index.html`` → ``/ecology/``)."""
    digests: dict[str, str] = {}
    if not site.is_dir():
        return digests
    for path in site.rglob("*"):
        if path.is_file():
            relative = path.relative_to(site).as_posix()
            address = "/" + relative.removesuffix("index.html")
            digests[address] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    """The event after a good build: the pages whose bytes changed — a file in a page's folder
    (an article's figure) counts as that page — and whether a shared file did (the stylesheet,
    a script, a font: every page reloads). The search index changes with any text and reloads
    nothing (the search page fetches it anew)."""
    changed = sorted(a for a in after.keys() | before.keys() if before.get(a) != after.get(a))
    pages = {a for a in after if a.endswith(("/", ".html"))}
    reload: set[str] = set()
    shared = False
    for address in changed:
        if address.startswith("/pagefind/"):
            continue
        if address in pages or address.endswith(("/", ".html")):
            reload.add(address)
            continue
        folder = address.rsplit("/", 1)[0] + "/"
        if folder != "/" and folder in pages:
            reload.add(folder)
        else:
            shared = True
    return {"ok": True, "all": shared, "changed": sorted(reload)}


def _status(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    failed = any(d.severity >= Severity.ERROR for d in diagnostics)
    return {
        "ok": not failed,
        "summary": summary(diagnostics),
        "diagnostics": [
            {
                "where": str(d.location),
                "severity": str(d.severity),
                "code": d.code,
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
            if d.severity >= Severity.WARNING
        ],
    }


def build_site(
    options: BuildOptions,
    reloader: Reloader | None = None,
    *,
    defer_search: bool = False,
    first: bool = False,
) -> bool:
    """Build the web edition, print its diagnostics and "rebuilt in N s", and tell the open
    pages what changed (or that it failed).

    ``defer_search`` (a rebuild after an edit), when the site exists: the pages are built first
    with its search index as it is (:attr:`BuildOptions.defer_search`), so that the edited
    page reloads without waiting for the indexer; a second build (everything else from the
    caches) then indexes the pages, which reloads nothing."""
    site = options.build_path / "html"
    before = site_digests(site) if reloader is not None else {}
    started = time.perf_counter()
    defer = defer_search and (site / "pagefind").is_dir()
    pages_first = dataclasses.replace(options, defer_search=defer)
    # The first build runs every stage even if the site is current: the caches it fills in
    # this process make the first edit's rebuild as quick as the later ones.
    state = run(pages_first, select_stages(), skip_if_current=not first)
    seconds = time.perf_counter() - started
    diagnostics = state.report.sorted()
    write_human(diagnostics, sys.stderr, verbose=False)
    ok = not state.report.has_errors
    word = "up to date" if state.up_to_date else ("rebuilt" if ok else "build failed")
    print(f"{word} in {seconds:.1f} s ({summary(diagnostics)})", flush=True)
    after = site_digests(site) if reloader is not None else {}
    event = changes(before, after) if ok else {"ok": False, "all": False, "changed": []}
    if reloader is not None:
        reloader.status = _status(diagnostics)
        reloader.bump(event)
    if ok and pages_first.defer_search and (event["changed"] or event["all"]):
        # The second build reads the sources again: an edit saved meanwhile is in its pages.
        indexed = run(options, select_stages())
        if indexed.report.has_errors:
            write_human(indexed.report.sorted(), sys.stderr, verbose=False)
        print(f"search index updated in {time.perf_counter() - started:.1f} s", flush=True)
        if reloader is not None:
            reloader.status = _status(indexed.report.sorted())
            if indexed.report.has_errors:
                reloader.bump({"ok": False, "all": False, "changed": []})
            else:
                reloader.bump(changes(after, site_digests(site)))
        return not indexed.report.has_errors
    return ok


def serve(root: Path, port: int = 8000, *, open_browser: bool = False) -> int:
    options = BuildOptions(root=root, outputs=frozenset({"html"}))
    site = options.build_path / "html"
    reloader = Reloader()
    try:
        server = make_server(site, port, reloader)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"pica-publish: port {port} is already in use (another `serve`?); "
                f"try `pica-publish serve --port {port + 1}`",
                file=sys.stderr,
            )
            return 2
        raise
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving {site} at {address} (Ctrl-C to stop); building…", flush=True)
    if open_browser:
        webbrowser.open(address)
    build_site(options, reloader, first=True)
    watched = [
        p for p in (root / "chapters", root / "references", root / "issue.yml") if p.exists()
    ]
    try:
        for changed in watch(*watched, debounce=100, step=20):
            names = sorted({visible(Path(path).name) for _, path in changed})
            print(f"changed: {', '.join(names)}", flush=True)
            build_site(options, reloader, defer_search=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
